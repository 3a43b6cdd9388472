"""The trash: what an editor deletes in the admin is kept as a revision first, so that a chief
editor can bring it back, or remove it for good.

A deletion's revision (django-reversion) holds the object as it was, with what its
registration follows (a device's spec values and photos, a story's images), plus what the
deletion changes that following does not reach: link rows of other models' many-to-many
fields (a story's mention of the device) and rows whose reference to it is cleared (a phone
"powered by" a chip). The trash of a model is its objects that no longer exist, each with
its latest version (reversion's ``get_deleted``).

Restoring undoes what the deletion did, and nothing else: the object and the rows deleted
with it come back as they were, rows that pointed at it point at it again, and other rows
the revision holds keep every edit made since.
"""

import contextvars
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import Cast
from reversion.models import Revision, Version

from .content import content_changed

RESTORE_PERMISSION = "core.restore_from_trash"
DELETE_FOR_GOOD_PERMISSION = "core.delete_for_good"
# How every deletion's revision comment starts ("Deleted by Ada Lovelace").
DELETED_BY = "Deleted by"


class CannotRestore(Exception):
    """Why an entry of the trash cannot come back (or go for good), in an editor's words."""


def editor_name(user):
    return user.get_full_name().strip() or user.get_username()


def record_deletion(objects, user):
    """Save a revision of each of ``objects`` as it is, with what deleting it changes, before
    the caller deletes them: one revision per object, so each comes back on its own."""
    deleting = {_key(obj) for obj in objects}
    for obj in objects:
        # In a context of its own: inside another revision (the changelist's, around an
        # admin action) reversion would save this one only when that one ends, after the
        # rows are gone, and it keeps no version of a row that does not exist.
        contextvars.Context().run(_record, obj, user, deleting)


def _record(obj, user, deleting):
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"{DELETED_BY} {editor_name(user)}")
        reversion.add_to_revision(obj)
        for row in _rows_deleting_changes(obj, deleting):
            reversion.add_to_revision(row)


def _rows_deleting_changes(obj, deleting):
    """Rows of registered models, other than those the object follows, that deleting it
    deletes (link rows of another model's many-to-many field to it) or changes (references
    set to null), leaving out rows deleted at the same time."""
    model = type(obj)
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.concrete or not (rel.one_to_many or rel.one_to_one):
            continue
        related = rel.related_model
        if not reversion.is_registered(related):
            continue
        # Link rows of the object's own many-to-many fields are in its version already.
        declared_by = related._meta.auto_created
        links = declared_by and declared_by is not model and rel.on_delete is models.CASCADE
        if links or rel.on_delete is models.SET_NULL:
            rows = related._base_manager.filter(**{rel.field.name: obj.pk}).order_by("pk")
            yield from (row for row in rows if _key(row) not in deleting)


def trash(model):
    """The versions of ``model``'s objects that no longer exist, the latest of each, newest
    first, with who deleted it (``revision.user``) where ``in_admin`` (else the object went
    some other way, and the version is the last one saved)."""
    return (
        Version.objects.get_deleted(model)
        .select_related("revision__user")
        .annotate(
            in_admin=ExpressionWrapper(
                Q(revision__comment__startswith=DELETED_BY), output_field=BooleanField()
            )
        )
        .order_by("-revision__date_created", "-pk")
    )


@dataclass
class Restored:
    object: models.Model
    # {verbose name (plural) of a model: rows of it that came back with the object}
    rows: Counter = field(default_factory=Counter)
    # Rows that point at the object again ("powered by").
    repointed: int = 0
    notes: list = field(default_factory=list)

    @property
    def message(self):
        parts = [f"Restored “{self.object}”"]
        if self.rows:
            parts.append(" with " + ", ".join(f"{name}: {n}" for name, n in self.rows.items()))
        text = "".join(parts) + "."
        if self.repointed:
            noun = "row points" if self.repointed == 1 else "rows point"
            text += f" {self.repointed} {noun} at it again."
        return " ".join([text, *self.notes])


def restore(version, user):
    """Bring back the deleted object of ``version`` (an entry of its model's trash) as that
    version's revision holds it. Raises CannotRestore, changing nothing, when it cannot."""
    model = version.content_type.model_class()
    db = version.db
    entry = (model._meta.concrete_model, model._meta.pk.to_python(version.object_id))
    with transaction.atomic(using=db), reversion.create_revision():
        # One restore of a revision at a time: the second finds the object back.
        Revision.objects.select_for_update().get(pk=version.revision_id)
        if model._base_manager.using(db).filter(pk=entry[1]).exists():
            raise CannotRestore(f"“{version.object_repr}” is not in the trash any more.")
        try:
            loaded = {
                _key(item.object): item
                for item in map(_deserialized, version.revision.version_set.filter(db=db))
            }
        except DeserializationError:
            raise CannotRestore(
                f"“{version.object_repr}” was kept in a form the site no longer reads."
            ) from None
        existing = _existing(db, loaded)
        back, notes = _coming_back(db, entry, loaded, existing)
        result = Restored(object=loaded[entry].object, notes=notes)
        _check_unique(loaded[entry].object)
        try:
            with transaction.atomic(using=db):
                for key in sorted(back, key=lambda key: key != entry):
                    loaded[key].save(using=db)
                    if key != entry:
                        result.rows[str(key[0]._meta.verbose_name_plural)] += 1
                result.repointed = _repoint(db, back, loaded, existing)
                connections[db].check_constraints(
                    table_names=sorted({key[0]._meta.db_table for key in back})
                )
        except IntegrityError as error:
            raise CannotRestore(f"“{version.object_repr}” could not be restored: {error}") from None
        reversion.set_user(user)
        reversion.set_comment(f"Restored from the trash by {editor_name(user)}")
        content_changed(db)
    return result


def _key(obj):
    return (obj._meta.concrete_model, obj.pk)


def _deserialized(version):
    return next(
        serializers.deserialize(version.format, version.serialized_data, ignorenonexistent=True)
    )


def _foreign_keys(obj):
    return [f for f in obj._meta.concrete_fields if f.many_to_one or f.one_to_one]


def _existing(db, keys):
    """Those of ``keys`` ((model, pk) pairs) whose rows exist: one query per model."""
    by_model = defaultdict(set)
    for model, pk in keys:
        if pk is not None:
            by_model[model].add(pk)
    return {
        (model, pk)
        for model, pks in by_model.items()
        for pk in model._base_manager.using(db).filter(pk__in=pks).values_list("pk", flat=True)
    }


def _coming_back(db, entry, loaded, existing):
    """(keys of the rows to save, notes): the entry and, among the missing rows of its
    revision, those that cannot be without it (a non-null reference to it or to another of
    them: its spec values, photos, link rows). A row that also needs something gone stays
    out; a nullable reference to something gone is cleared; the entry itself needs its
    non-null references (a device's brand). Many-to-many lists lose what is gone."""
    missing = {key for key in loaded if key not in existing}
    refs = {
        key: [
            (f, (f.related_model._meta.concrete_model, getattr(loaded[key].object, f.attname)))
            for f in _foreign_keys(loaded[key].object)
            if getattr(loaded[key].object, f.attname) is not None
        ]
        for key in missing
    }
    outside = {target for pairs in refs.values() for _f, target in pairs} - loaded.keys()
    present = existing | _existing(db, outside)
    blocked, notes = set(), []
    while True:
        back = {entry}
        grew = True
        while grew:
            grew = False
            for key in missing - back - blocked:
                if any(not f.null and target in back for f, target in refs[key]):
                    back.add(key)
                    grew = True
        newly = set()
        for key in back:
            for f, target in refs[key]:
                if target in back or target in present:
                    continue
                if f.null:
                    continue
                if key == entry:
                    raise CannotRestore(
                        f"“{loaded[entry].object}” cannot come back: its {f.verbose_name} is "
                        "no longer there. Restore that first."
                    )
                newly.add(key)
        if not newly:
            break
        blocked |= newly
    for key in back:
        obj = loaded[key].object
        for f, target in refs[key]:
            if target not in back and target not in present:
                setattr(obj, f.attname, None)
                if key == entry:
                    notes.append(f"“{f.verbose_name}” was left empty: what it named is gone.")
    if blocked:
        notes.append(f"{len(blocked)} related row(s) stayed out: what they need is gone.")
    notes += _keep_present_links(db, loaded[entry], back)
    return back, notes


def _keep_present_links(db, item, back):
    """Drop from the entry's many-to-many lists what no longer exists; notes say how many."""
    notes = []
    model = type(item.object)
    for name, pks in (item.m2m_data or {}).items():
        target = model._meta.get_field(name).related_model._meta.concrete_model
        keys = {(target, pk) for pk in pks}
        kept = _existing(db, keys) | (keys & back)
        item.m2m_data[name] = [pk for pk in pks if (target, pk) in kept]
        if len(kept) < len(keys):
            label = model._meta.get_field(name).verbose_name
            notes.append(f"{len(keys) - len(kept)} of its “{label}” are gone and stay out.")
    return notes


def _check_unique(obj):
    try:
        obj.validate_unique()
        obj.validate_constraints()
    except ValidationError as error:
        raise CannotRestore(
            f"“{obj}” cannot come back as it was: {' '.join(error.messages)}"
        ) from None


def _repoint(db, back, loaded, existing):
    """Point the existing rows of the revision that pointed at a restored row (and point at
    nothing now) at it again; returns how many."""
    updates = defaultdict(list)
    for key, item in loaded.items():
        if key not in existing:
            continue
        for f in _foreign_keys(item.object):
            value = getattr(item.object, f.attname)
            if f.null and (f.related_model._meta.concrete_model, value) in back:
                updates[type(item.object), f, value].append(key[1])
    count = 0
    for (model, f, value), pks in updates.items():
        rows = model._default_manager.using(db).filter(pk__in=pks, **{f.attname: None})
        changed = list(rows)
        count += rows.update(**{f.attname: value})
        for row in changed:
            setattr(row, f.attname, value)
            reversion.add_to_revision(row)
    return count


def delete_for_good(version):
    """Remove the deleted object of ``version`` (an entry of its model's trash) from every
    revision, with the rows deleted with it; its deletion's revision and revisions left
    empty go too. A row's files go when no version names them any more (the app that owns
    them listens for deleted versions)."""
    model = version.content_type.model_class()
    db = version.db
    entry = (model._meta.concrete_model, model._meta.pk.to_python(version.object_id))
    with transaction.atomic(using=version._state.db):
        if model._base_manager.using(db).filter(pk=entry[1]).exists():
            raise CannotRestore(f"“{version.object_repr}” is not in the trash any more.")
        own = Version.objects.get_for_object_reference(model, version.object_id, model_db=db)
        revisions = set(own.values_list("revision_id", flat=True))
        doomed = set(own.values_list("pk", flat=True))
        doomed |= _children_versions(db, entry, revisions)
        # The deletion's own revision goes whole (what else it holds was there for this
        # deletion) unless it holds another missing object.
        left = Version.objects.filter(revision=version.revision_id).exclude(pk__in=doomed)
        if version.revision.comment.startswith(DELETED_BY) and not _holds_missing(left, db):
            doomed |= set(left.values_list("pk", flat=True))
        Version.objects.filter(pk__in=doomed).delete()
        Revision.objects.filter(pk__in=revisions, version__isnull=True).delete()


def _holds_missing(versions, db):
    for content_type in ContentType.objects.filter(pk__in=versions.values("content_type")):
        model = content_type.model_class()
        if model and _gone(versions.filter(content_type=content_type), model, db).exists():
            return True
    return False


def _gone(versions, model, db):
    """Those of ``versions`` (of ``model``) whose row no longer exists."""
    pk = model._meta.pk
    rows = model._base_manager.using(db).filter(pk=Cast(OuterRef("object_id"), pk))
    return versions.filter(~Exists(rows))


def _children_versions(db, entry, revisions):
    """Pks of the versions, in ``revisions``, of missing rows that cannot be without the
    entry (a non-null reference to it or, in turn, to one of them)."""
    found, todo, seen = set(), [entry], {entry}
    while todo:
        parent_model, parent_pk = todo.pop()
        for rel in parent_model._meta.get_fields(include_hidden=True):
            if rel.concrete or not (rel.one_to_many or rel.one_to_one) or rel.field.null:
                continue
            child = rel.related_model
            if not reversion.is_registered(child):
                continue
            versions = Version.objects.get_for_model(child, model_db=db).filter(
                revision__in=revisions
            )
            for version in _gone(versions, child, db):
                try:
                    obj = _deserialized(version).object
                except DeserializationError:
                    continue  # unreadable: what it points at is unknown, so it stays
                if getattr(obj, rel.field.attname) == parent_pk:
                    found.add(version.pk)
                    if _key(obj) not in seen:
                        seen.add(_key(obj))
                        todo.append(_key(obj))
    return found


def linked_from(model, pks):
    """[(model, how many)]: the rows of other models whose many-to-many fields name any of
    ``pks`` (stories mentioning devices); they stay when these go."""
    counts = []
    for rel in model._meta.get_fields():
        if not (rel.many_to_many and rel.auto_created) or rel.concrete:
            continue
        through = rel.through
        own = rel.field.m2m_reverse_field_name()
        other = rel.field.m2m_field_name()
        n = through._base_manager.filter(**{f"{own}__in": pks}).values(other).distinct().count()
        counts.append((rel.related_model, n))
    return counts
