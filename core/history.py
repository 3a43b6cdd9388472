"""What each revision of an object changed, and bringing an object back to one of them.

A revision (django-reversion) holds an object with its parts: the rows reversion follows
from it, such as a device's spec values and photos. The History page lists, per revision,
what changed since the revision before, field by field as old → new; Restore brings the
object and its parts back to one revision's state in a new revision. An app describes its
parts and words their changes in a ``History`` subclass that its admin names (core knows no
app).
"""

import datetime
import decimal
import difflib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from itertools import batched
from operator import or_

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models.fields.files import FieldFile
from django.utils import dateformat, timezone
from django.utils.text import capfirst
from reversion.errors import RevertError
from reversion.models import Revision, Version

from .content import content_changed
from .django_private import check_foreign_keys

# The comment of an import's revision starts so; such a revision was made by no one.
IMPORT_COMMENT = "imported"
EMPTY = "—"
# A long text's edit is shown as at most this many changed lines, each at most this long.
EXCERPT_LINES = 6
EXCERPT_WIDTH = 120
# Versions of an import serialized and written at a time.
BATCH = 1000

CHANGED, ADDED, REMOVED, EDITED = "changed", "added", "removed", "edited"


def import_comment(source=None):
    """The comment of an import's revision: "imported from catalog.json"."""
    return f"{IMPORT_COMMENT} from {source}" if source else IMPORT_COMMENT


def who(revision):
    """Who made ``revision``: the user's full name, else their username; "import" or
    "system" when no one did."""
    user = revision.user
    if user is not None:
        return user.get_full_name().strip() or user.get_username()
    return "import" if revision.comment.startswith(IMPORT_COMMENT) else "system"


def when(moment):
    """A moment in the site's time zone: "7 Dec 2026, 05:39 UTC"."""
    return dateformat.format(timezone.localtime(moment), "j M Y, H:i T")


def save_revision(rows, *, comment, user=None):
    """Keep ``rows`` (instances of registered models, each loaded with what its ``__str__``
    reads) as one revision; returns it.

    For the many thousands of rows an import changes: reversion's ``add_to_revision`` copies
    everything added so far at each row (minutes for 100,000 spec values), and the ORM's
    bulk insert of them took 5 s where one written-out INSERT run for every row takes 0.7.
    The versions are those reversion writes: each row serialized whole as Django's JSON,
    and its text.
    """
    using = router.db_for_write(Version)
    revision = Revision.objects.using(using).create(
        date_created=timezone.now(), user=user, comment=comment
    )
    meta, connection = Version._meta, connections[using]
    qn = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in VERSION_COLUMNS]
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for batch in batched(rows, BATCH):
            cursor.executemany(sql, _version_rows(revision, batch))
    return revision


VERSION_COLUMNS = (
    "revision", "content_type", "db", "object_id", "format", "serialized_data", "object_repr"
)  # fmt: skip


def _version_rows(revision, rows):
    """The column values of each row's version, in VERSION_COLUMNS' order."""
    data = serializers.serialize("python", rows)
    kinds = {
        model: (ContentType.objects.get_for_model(model).pk, router.db_for_write(model))
        for model in {type(row) for row in rows}
    }
    return [
        (
            revision.pk,
            *kinds[type(row)],
            str(row.pk),
            "json",
            json.dumps([fields], cls=DjangoJSONEncoder, ensure_ascii=False),
            str(row),
        )
        for row, fields in zip(rows, data, strict=True)
    ]


@dataclass(frozen=True)
class Change:
    """One line of what a revision changed: ``label``: ``old`` → ``new``; a part or a
    many-to-many member added or removed; or a long text edited, with an ``excerpt`` of
    its changed lines as (sign, text)."""

    label: str
    old: str = ""
    new: str = ""
    kind: str = CHANGED
    excerpt: tuple = ()


class Names:
    """The rows versions point at (a brand, a tag, a spec field), loaded in one query per
    model for a whole page once every version has said which it needs."""

    def __init__(self, querysets=None):
        self.querysets = querysets or {}
        self.wanted = defaultdict(set)
        self.rows = {}

    def want(self, model, keys):
        self.wanted[model].update(key for key in keys if key is not None)

    def load(self):
        for model, keys in self.wanted.items():
            queryset = self.querysets.get(model, model._default_manager.all())
            self.rows[model] = queryset.in_bulk(keys)

    def get(self, model, key):
        return self.rows.get(model, {}).get(key)

    def text(self, model, key):
        row = self.get(model, key)
        return str(row) if row is not None else f"#{key} (deleted)"


@dataclass
class State:
    """The object as one revision holds it: its version, and its parts' versions by model."""

    version: Version
    parts: dict = field(default_factory=dict)

    @property
    def fields(self):
        return self.version.field_dict

    def part_versions(self, model):
        return self.parts.get(model, [])


@dataclass
class Row:
    """A line of the History page."""

    state: State
    changes: list
    first: bool
    current: bool

    @property
    def revision(self):
        return self.state.version.revision

    @property
    def who(self):
        return who(self.revision)

    @property
    def when(self):
        return when(self.revision.date_created)

    @property
    def comment(self):
        return self.revision.get_comment()


class RestoreError(Exception):
    """A version that cannot come back as it was; its message is for the editor."""


def shown_fields(model, skip=()):
    """The fields of ``model`` a change is told for: those editors edit, not its key."""
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    return [f for f in fields if f.editable and not f.primary_key and f.name not in skip]


def want_names(names, model, values, skip=()):
    """Ask ``names`` for the rows the relations among ``values`` (a field_dict) point at."""
    for f in shown_fields(model, skip):
        if f.is_relation and f.attname in values:
            value = values[f.attname]
            names.want(f.related_model, value if f.many_to_many else [value])


def shown(f, value, names):
    """``value`` of the model field ``f`` as an editor reads it."""
    if isinstance(value, FieldFile):
        value = value.name
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        return names.text(f.related_model, value)
    if f.flatchoices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.FileField):
        return value.rsplit("/", 1)[-1]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return when(value)
    if isinstance(value, datetime.date):
        return dateformat.format(value, "j M Y")
    if isinstance(value, decimal.Decimal):
        return number_text(value)
    return str(value)


def number_text(value):
    """599.00 as "599", 549.50 as "549.5"."""
    if value is None:
        return EMPTY
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, decimal.Decimal):
        return f"{value.normalize():f}"
    return str(value)


def field_changes(model, old, new, names, skip=(), prefix=""):
    """Changes from ``old`` to ``new`` (field_dicts of ``model``), one per field told."""
    changes = []
    for f in shown_fields(model, skip):
        if f.attname not in old and f.attname not in new:
            continue
        before, after = old.get(f.attname), new.get(f.attname)
        label = prefix + capfirst(f.verbose_name)
        if f.many_to_many:
            before, after = set(before or ()), set(after or ())
            for kind, keys in ((ADDED, after - before), (REMOVED, before - after)):
                if keys:
                    text = ", ".join(sorted(names.text(f.related_model, key) for key in keys))
                    changes.append(
                        Change(label, **{"new" if kind == ADDED else "old": text}, kind=kind)
                    )
        elif before == after:
            continue
        elif isinstance(f, models.TextField):
            changes.append(Change(label, kind=EDITED, excerpt=excerpt(before, after)))
        else:
            texts = shown(f, before, names), shown(f, after, names)
            # A difference the text cannot show (the seconds a form drops) is not told.
            if texts[0] != texts[1]:
                changes.append(Change(label, *texts))
    return changes


def excerpt(old, new):
    """The lines that differ between two texts, as ("-", line) and ("+", line), at most
    EXCERPT_LINES of them, each clipped around where it first differs from its pair."""
    old, new = (old or "").splitlines(), (new or "").splitlines()
    lines = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        for index, line in enumerate(removed):
            pair = added[index] if index < len(added) else ""
            lines.append(("-", _clip(line, _common_prefix(line, pair))))
        for index, line in enumerate(added):
            pair = removed[index] if index < len(removed) else ""
            lines.append(("+", _clip(line, _common_prefix(line, pair))))
    lines = [(sign, text) for sign, text in lines if text.strip()]
    if len(lines) > EXCERPT_LINES:
        more = len(lines) - EXCERPT_LINES
        lines = [*lines[:EXCERPT_LINES], ("", f"… and {more} more changed lines")]
    return tuple(lines)


def _common_prefix(a, b):
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _clip(line, differs_at):
    start = max(0, differs_at - EXCERPT_WIDTH // 3)
    text = line[start : start + EXCERPT_WIDTH]
    if start:
        text = "…" + text
    if start + EXCERPT_WIDTH < len(line):
        text += "…"
    return text


class History:
    """How the History page of one model reads, words and restores its revisions.

    ``parts``: (model, name of its foreign key to the object) for each kind of row the
    model's revisions hold with it (what reversion follows). A subclass may word a part's
    changes (``part_changes``), refuse to bring a part back (``cannot_restore``) and tidy
    up after a restore (``restored``).
    """

    parts = ()
    per_page = 50
    # Querysets that load the rows versions point at, by model (``Names``).
    name_querysets = {}

    def __init__(self, obj):
        self.obj = obj
        self.model = type(obj)

    def versions(self):
        """The object's versions, newest first, with their revisions and users."""
        return (
            Version.objects.get_for_object(self.obj)
            .select_related("revision__user")
            .order_by("-pk")
        )

    def page(self, number):
        """(page, rows) for the page ``number`` (anything: junk gives the first page)."""
        versions = self.versions()
        page = Paginator(versions, self.per_page).get_page(number)
        start = page.start_index() - 1 if page.paginator.count else 0
        # One more than the page: the revision before its oldest, to compare with.
        shown_versions = list(versions[start : start + self.per_page + 1])
        states = self.states(shown_versions)
        names = Names(self.name_querysets)
        for state in states:
            self.want_names(names, state)
        names.load()
        rows = []
        for index, state in enumerate(states[: self.per_page]):
            before = states[index + 1] if index + 1 < len(states) else None
            changes = self.changes(before, state, names) if before else []
            rows.append(Row(state, changes, first=before is None, current=start + index == 0))
        return page, rows

    def states(self, versions):
        parts = defaultdict(lambda: defaultdict(list))
        for version in self.part_versions([version.revision_id for version in versions]):
            parts[version.revision_id][self.part_model(version)].append(version)
        return [State(version, dict(parts[version.revision_id])) for version in versions]

    def part_model(self, version):
        return ContentType.objects.get_for_id(version.content_type_id).model_class()

    def part_versions(self, revision_ids):
        """The versions of the object's parts in these revisions, in one query.

        A revision may hold thousands of other rows (an import holds every device it
        changed, with their values): the parts are picked by the object's key in their data
        (Django's JSON, "device": 5), then checked on the data itself.
        """
        if not self.parts or not revision_ids:
            return []
        key = json.dumps(self.obj.pk)
        conditions, attnames = [], {}
        for model, name in self.parts:
            content_type = ContentType.objects.get_for_model(model)
            attnames[content_type.pk] = model._meta.get_field(name).attname
            mentions = models.Q(serialized_data__contains=f'"{name}": {key},') | models.Q(
                serialized_data__contains=f'"{name}": {key}}}'
            )
            conditions.append(models.Q(content_type=content_type) & mentions)
        found = Version.objects.filter(revision_id__in=set(revision_ids)).filter(
            reduce(or_, conditions)
        )
        return [
            version
            for version in found.order_by("pk")
            if version.field_dict.get(attnames[version.content_type_id]) == self.obj.pk
        ]

    # Wording

    def want_names(self, names, state):
        want_names(names, self.model, state.fields)
        for model, name in self.parts:
            for version in state.part_versions(model):
                want_names(names, model, version.field_dict, skip=[name])

    def changes(self, before, after, names):
        """What changed from the State ``before`` to the State ``after``."""
        changes = field_changes(self.model, before.fields, after.fields, names)
        for model, _name in self.parts:
            changes += self.part_changes(
                model, before.part_versions(model), after.part_versions(model), names
            )
        return changes

    def part_changes(self, model, old, new, names):
        """Parts of ``model`` added, removed or changed between two lists of versions; a
        part is named by its model and its text ("Device photo: added Front")."""
        name = dict(self.parts)[model]
        noun = capfirst(model._meta.verbose_name)
        old = {version.object_id: version for version in old}
        new = {version.object_id: version for version in new}
        changes = []
        for key in old.keys() - new.keys():
            changes.append(Change(noun, old=old[key].object_repr, kind=REMOVED))
        for key in new.keys() - old.keys():
            changes.append(Change(noun, new=new[key].object_repr, kind=ADDED))
        for key in old.keys() & new.keys():
            prefix = f"{noun} “{new[key].object_repr}”: "
            changes += field_changes(
                model, old[key].field_dict, new[key].field_dict, names, [name], prefix
            )
        return changes

    # Restoring

    def cannot_restore(self, part):
        """Why this part's version cannot come back (shown to the editor), or None."""
        return None

    def restored(self):
        """Called inside the restore's transaction once every row is back."""

    def restore(self, version, user):
        """Bring the object back to ``version`` (one of its own) in a new revision: its
        fields, and its parts as that revision held them (those added since are deleted,
        those deleted since come back). Only the object's rows: the revision may hold
        others (an import, a story published with others), which stay as they are.

        Returns notes for the editor (parts that could not come back). Raises RestoreError
        having changed nothing.
        """
        revision = version.revision
        parts = self.part_versions([revision.pk])
        comment = f"Restored the version of {when(revision.date_created)} (by {who(revision)})"
        notes, back = [], [version]
        for part in parts:
            reason = self.cannot_restore(part)
            if reason:
                notes.append(reason)
            else:
                back.append(part)
        using = self.obj._state.db
        try:
            with transaction.atomic(using=using), reversion.create_revision():
                reversion.set_user(user)
                reversion.set_comment(comment)
                kept = defaultdict(set)
                for part in parts:
                    kept[self.part_model(part)].add(part.object_id)
                for model, name in self.parts:
                    model._default_manager.using(using).filter(**{name: self.obj.pk}).exclude(
                        pk__in=kept[model]
                    ).delete()
                _revert(back)
                check_foreign_keys(using, self._tables())
                self._touch()
                self.restored()
                reversion.add_to_revision(self.model._default_manager.get(pk=self.obj.pk))
                # Reverting saves rows raw, past the models' own save(): say it here.
                content_changed(using)
        except (IntegrityError, RevertError) as error:
            raise RestoreError(
                "This version cannot come back as it was: it refers to something deleted or "
                "changed since, or another row now holds one of its unique values "
                f"({error})."
            ) from None
        return notes

    def _tables(self):
        tables = []
        for model in [self.model, *(model for model, _name in self.parts)]:
            tables.append(model._meta.db_table)
            tables += [f.remote_field.through._meta.db_table for f in model._meta.many_to_many]
        return tables

    def _touch(self):
        """A restore is a change: fields Django sets on every save (``auto_now``) say now."""
        now = timezone.now()
        fields = self.model._meta.concrete_fields
        touched = {f.name: now for f in fields if getattr(f, "auto_now", False)}
        if touched:
            self.model._default_manager.filter(pk=self.obj.pk).update(**touched)


def _revert(versions):
    """Save each version's row as it was, in order; one that fails for want of another (a
    unique value another row holds until it is reverted too) is tried again after the
    others, as reversion does."""
    pending = list(versions)
    while pending:
        failed, error = [], None
        for version in pending:
            try:
                with transaction.atomic(using=version.db):
                    version.revert()
            except IntegrityError as exc:
                failed.append(version)
                error = exc
        if len(failed) == len(pending):
            raise error
        pending = failed
