"""No silent overwrite: a change form refuses to save over changes made since it was opened.

The form carries a token for the version it was opened on: the id of the object's newest
revision (django-reversion; every admin save leaves one, with its followed rows) and its
``updated_at``, which also moves on writes made outside revisions (an admin action such as
"Publish now"). A save whose token is no longer the object's is refused with who changed
what; the form keeps what the editor typed and now carries the newest token, so saving
again replaces the other changes deliberately, after reading them.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from reversion.models import Version

TOKEN_FIELD = "base_revision"
# The field every checked model keeps current on each write (auto_now).
STAMP_FIELD = "updated_at"
# Changes listed one by one; more are counted.
MAX_LISTED = 15
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _versions(model, pk, using):
    return Version.objects.using(using).get_for_object_reference(model, pk, model_db=using)


def with_token(queryset, lock=False):
    """``queryset`` with what each row's token is made of read along with it (see
    loaded_token), so opening or saving a form costs no query of its own for it. With
    ``lock`` its rows stay locked until the transaction ends (their own table only: rows
    it joins are not locked), so two saves of one object are checked one after the
    other."""
    model, using = queryset.model, queryset.db
    # A version names its object by text: the row's key compared as text.
    object_id = Cast(OuterRef("pk"), output_field=CharField())
    newest = _versions(model, object_id, using).order_by("-pk").values("pk")[:1]
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.annotate(newest_version=Subquery(newest))


def loaded_token(obj):
    """The token of ``obj`` as read by a with_token queryset, or None if it was not."""
    if not hasattr(obj, "newest_version"):
        return None
    return _token(getattr(obj, STAMP_FIELD), obj.newest_version)


def _token(stamp, version_id):
    micros = (stamp - EPOCH) // datetime.timedelta(microseconds=1) if stamp else 0
    return f"{version_id or 0}.{micros}"


def current_token(model, pk, using, lock=False):
    """The token of row ``pk`` as stored now ("<newest version id>.<updated_at in µs>"), or
    None if the row is gone; one query (see with_token for ``lock``)."""
    rows = with_token(model._default_manager.using(using).filter(pk=pk), lock=lock)
    row = rows.values_list(STAMP_FIELD, "newest_version").first()
    return None if row is None else _token(*row)


def base_version_id(token):
    """The revision a token was opened on: a version id, 0 for none yet, None if the token
    is missing or not one of ours."""
    version, dot, micros = (token or "").partition(".")
    if not (dot and version.isdigit() and micros.lstrip("-").isdigit()):
        return None
    return int(version)


def _who(revision):
    user = revision.user
    if user is None:
        return "someone (an import or a script)"
    return user.get_full_name().strip() or user.get_username()


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _is_bookkeeping(field):
    """Timestamps the code keeps (auto_now, a "now" default) are not edits to report."""
    return (
        not field.editable or field.primary_key or (field.has_default() and callable(field.default))
    )


def _shown(field, value):
    """A stored value as the editor reads it; related rows by name."""
    if field.many_to_many:
        names = field.related_model._default_manager.filter(pk__in=value or [])
        text = ", ".join(sorted(str(row) for row in names))
    elif field.many_to_one and value is not None:
        row = field.related_model._default_manager.filter(pk=value).first()
        text = str(row) if row is not None else f"#{value}"
    elif field.choices and value is not None:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(value, datetime.datetime):
        text = _when(value)
    else:
        text = "" if value is None else str(value)
    return f"“{Truncator(text).chars(80)}”" if text else "(empty)"


def _differs(field, old, new):
    if field.many_to_many:
        return set(old or []) != set(new or [])
    return old != new


def _field_changes(model, old, new, names=None):
    """["Summary: “old” → “new”", …] for the fields (``names``, else every edited one) whose
    value differs between two ``field_dict``s."""
    fields = (
        [model._meta.get_field(name) for name in names]
        if names is not None
        else [
            f
            for f in model._meta.get_fields()
            if f.concrete and not f.auto_created and not _is_bookkeeping(f)
        ]
    )
    changes = []
    for field in fields:
        before, after = old.get(field.attname), new.get(field.attname)
        if _differs(field, before, after):
            label = capfirst(field.verbose_name)
            changes.append(f"{label}: {_shown(field, before)} → {_shown(field, after)}")
    return changes


def _rows_of(revision, model, pk, skip):
    """The versions in ``revision`` of rows that belong to the object (a foreign key to it):
    its spec values, photos, images. {(model, object id): version}."""
    rows = {}
    for version in revision.version_set.exclude(pk=skip.pk).select_related("content_type"):
        row_model = version.content_type.model_class()
        if row_model is None:
            continue  # a model the code no longer has
        links = [
            f.attname
            for f in row_model._meta.concrete_fields
            if f.many_to_one and f.related_model is model
        ]
        if any(str(version.field_dict.get(link)) == str(pk) for link in links):
            rows[(row_model, version.object_id)] = version
    return rows


def _row_changes(model, pk, base, newest):
    """What changed in the object's own rows (followed in its revisions) between two."""
    before = _rows_of(base.revision, model, pk, base)
    after = _rows_of(newest.revision, model, pk, newest)
    changes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0]._meta.label, k[1])):
        row_model, _id = key
        noun = capfirst(row_model._meta.verbose_name)
        old, new = before.get(key), after.get(key)
        if old is None:
            changes.append(f"{noun} added: “{new.object_repr}”")
        elif new is None:
            changes.append(f"{noun} removed: “{old.object_repr}”")
        elif old.object_repr != new.object_repr:
            changes.append(f"{noun}: “{old.object_repr}” → “{new.object_repr}”")
        else:
            fields = _field_changes(row_model, old.field_dict, new.field_dict)
            if fields:
                changes.append(f"{noun} “{new.object_repr}”: {'; '.join(fields)}")
    return changes


def conflict_messages(model, pk, using, base_id, form_fields):
    """What the editor whose form was opened on version ``base_id`` (None: unknown) reads:
    who changed the object since, when, and what (the form's own fields, by label, and its
    rows), old → new where the revisions hold both."""
    noun = model._meta.verbose_name
    if base_id is None:
        newest = _versions(model, pk, using).select_related("revision__user").first()
        last = ""
        if newest is not None:
            revision = newest.revision
            last = f" (last changed by {_who(revision)} on {_when(revision.date_created)})"
        return [
            f"This form did not say which version of the {noun} it was opened on, so it may "
            f"be out of date{last}. Your changes are not saved yet.",
            _SAVE_AGAIN,
        ]
    later = list(
        _versions(model, pk, using)
        .filter(pk__gt=base_id)
        .select_related("revision__user")
        .order_by("pk")
    )
    if not later:
        return [
            f"This {noun} was changed after you opened it, outside this form (an action such "
            "as “Publish now”, or an import), so what changed is not recorded. Your changes "
            "are not saved yet.",
            _SAVE_AGAIN,
        ]
    newest = later[-1]
    base = _versions(model, pk, using).filter(pk=base_id).select_related("revision").first()
    if base is not None:
        changes = [
            *_field_changes(model, base.field_dict, newest.field_dict, form_fields),
            *_row_changes(model, pk, base, newest),
        ]
    else:
        # Opened before the object had a revision: each save's own summary says what.
        changes = [
            f"{_who(version.revision)}: {comment}"
            for version in later
            if (comment := version.revision.get_comment())
        ]
    if len(changes) > MAX_LISTED:
        more = len(changes) - MAX_LISTED + 1
        changes = [*changes[: MAX_LISTED - 1], f"… and {more} more changes."]
    names = " and ".join(dict.fromkeys(_who(version.revision) for version in later))
    what = "; what they changed:" if changes else "."
    return [
        f"{names} changed this {noun} after you opened it (last on "
        f"{_when(newest.revision.date_created)}). Your changes are not saved yet{what}",
        *changes,
        _SAVE_AGAIN,
    ]


_SAVE_AGAIN = (
    "What you typed is still in the form below: compare it with their changes. "
    "Saving again will replace their changes with yours."
)


class ConflictTokenField(forms.CharField):
    """The hidden token: never an edit of its own (it stays out of the change message)."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class ConflictCheckedForm(forms.ModelForm):
    """A change form that carries the token of the version it was opened on and refuses
    to save when the object has changed since; ConflictCheckedAdmin mixes it in."""

    base_revision = ConflictTokenField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            self.initial[TOKEN_FIELD] = loaded_token(self.instance) or current_token(
                type(self.instance), self.instance.pk, self._db()
            )

    def _db(self):
        return self.instance._state.db or router.db_for_write(type(self.instance))

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and not self.instance._state.adding:
            self._check_conflict()
        return data

    def _check_conflict(self):
        model, pk, using = type(self.instance), self.instance.pk, self._db()
        posted = self.data.get(self.add_prefix(TOKEN_FIELD))
        if getattr(self.instance, "token_locked", False):
            current = loaded_token(self.instance)  # read and locked with the object
        else:
            current = current_token(model, pk, using, lock=True)
        if current is None or posted == current:
            return  # (a row deleted meanwhile: the admin's save says so)
        stored = {field.name for field in model._meta.get_fields() if field.concrete}
        edited = [name for name in self.fields if name in stored]
        messages = conflict_messages(model, pk, using, base_version_id(posted), edited)
        # The next save carries the newest token: saving again is deliberate.
        self.data = self.data.copy()
        self.data[self.add_prefix(TOKEN_FIELD)] = current
        self.add_error(None, [ValidationError(message) for message in messages])
