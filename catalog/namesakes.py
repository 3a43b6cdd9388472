"""Devices that share a name ("Dell XPS 13", thirty times) told apart by a short
distinguisher: "2020 · i7-1065G7 · 16 GB".

Stored on the device (``Device.distinguisher``), so that every list shows it without a
query: public pages have a budget of eight, and a list of namesakes would otherwise have to
be read (two queries) on the first request after every edit. It is refreshed where what it
reads changes: the importer and the generator refresh every group at once after their bulk
writes (one pass over the names, bounded by the catalog's size); an admin save of a device
or of a key spec value refreshes the groups of the names concerned (the device's old and new
name, and those of the devices a renamed chip powers) when its transaction commits, once
however many rows it saved. ``manage.py refresh_namesakes`` recomputes them all.
"""

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Q, Value

from core.search import Fold

SEPARATOR = " · "
# The most parts one distinguisher holds; namesakes still alike after them stay alike.
MAX_PARTS = 4
PART_LENGTH = 40


@dataclass
class Facts:
    """What may set a device apart from its namesakes, each as shown ("" when unknown)."""

    pk: int
    year: str = ""
    chip: str = ""
    # {key field pk: the value's text}
    specs: dict = field(default_factory=dict)


def _short(text):
    """One part of a distinguisher: one line, at most PART_LENGTH characters."""
    text = " ".join(text.split())
    return text if len(text) <= PART_LENGTH else text[: PART_LENGTH - 1] + "…"


def _part_values(facts, candidates):
    return [candidate(facts) for candidate in candidates]


def distinguisher(device, namesakes, field_order=()):
    """The short text that sets ``device`` (Facts) apart from its ``namesakes`` (Facts of
    every device of its name, itself included): its year, chip and key spec values
    (``field_order``: key field pks in sheet order), only those that differ among the
    namesakes, taken in that order until each namesake reads differently (at most
    MAX_PARTS). Every namesake gets the same kinds of part, so their labels line up."""
    candidates = [lambda f: f.year, lambda f: f.chip]
    candidates += [lambda f, pk=pk: f.specs.get(pk, "") for pk in field_order]
    chosen = []
    for candidate in candidates:
        values = {candidate(other) for other in namesakes}
        if len(values) < 2:
            continue
        chosen.append(candidate)
        labels = {tuple(_part_values(other, chosen)) for other in namesakes}
        if len(labels) == len(namesakes) or len(chosen) == MAX_PARTS:
            break
    return SEPARATOR.join(part for part in _part_values(device, chosen) if part)


def _labels(rows, values):
    """{pk: distinguisher} for ``rows`` [(pk, folded name, released, chip name)], whose
    key spec values ``values`` [(device pk, field pk, text)] come in sheet order."""
    facts = {
        pk: Facts(pk, str(released.year) if released else "", _short(chip or ""))
        for pk, _, released, chip in rows
    }
    field_order = {}
    for device_id, field_id, value in values:
        facts[device_id].specs[field_id] = _short(value)
        field_order.setdefault(field_id, None)
    groups = defaultdict(list)
    for pk, name, _, _ in rows:
        groups[name].append(facts[pk])
    labels = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        for facts_of in group:
            labels[facts_of.pk] = distinguisher(facts_of, group, list(field_order))
    return labels


def refresh(names=None, *, models=None, using=DEFAULT_DB_ALIAS):
    """Recompute and store the distinguishers of the devices named ``names`` (folded: case
    and accents ignored), or of every device when None; returns how many changed.
    ``models``: (Device, SpecValue), for a migration's historical models."""
    Device, SpecValue = models or (
        apps.get_model("catalog", "Device"),
        apps.get_model("catalog", "SpecValue"),
    )
    # Spec values in sheet order: their field's own order (SpecField.Meta.ordering).
    spec_field = SpecValue._meta.get_field("field").related_model
    sheet_order = [f"field__{name}" for name in spec_field._meta.ordering]
    devices = Device._default_manager.db_manager(using).order_by().annotate(folded=Fold("name"))
    if names is None:
        shared = devices.values("folded").annotate(count=Count("pk")).filter(count__gt=1)
        in_groups = devices.filter(folded__in=shared.values("folded"))
        scope = devices  # every device: a name no longer shared loses its distinguisher
    else:
        names = {name for name in names if name}
        if not names:
            return 0
        wanted = Q()
        for name in names:
            wanted |= Q(folded=Fold(Value(name)))
        in_groups = scope = devices.filter(wanted)
    read = list(
        in_groups.values_list("pk", "folded", "released", "powered_by__name", "distinguisher")
    )
    rows = [row[:4] for row in read]
    values = []
    if len({folded for _pk, folded, *_ in rows}) < len(rows):  # some name is shared
        values = (
            SpecValue._default_manager.db_manager(using)
            .filter(device__in=[row[0] for row in rows], field__key=True)
            .order_by(*sheet_order)
            .values_list("device_id", "field_id", "value")
        )
    labels = _labels(rows, values)
    # The named devices were read with their distinguishers; every device is read again.
    stored = (
        [(pk, *rest[-1:]) for pk, *rest in read]
        if names is not None
        else scope.values_list("pk", "distinguisher")
    )
    changed = [
        Device(pk=pk, distinguisher=labels.get(pk, ""))
        for pk, distinguisher in stored
        if distinguisher != labels.get(pk, "")
    ]
    manager = Device._default_manager.db_manager(using)
    manager.bulk_update(changed, ["distinguisher"], batch_size=500)
    return len(changed)


# Names and devices whose groups this thread's transactions changed, per database.
_pending = threading.local()


def refresh_later(*, names=(), devices=(), using=DEFAULT_DB_ALIAS):
    """Refresh the groups of ``names`` and of the ``devices`` (pks: their names and those of
    the devices they power) when the transaction commits, once for all the calls it made."""
    pending = getattr(_pending, "by_db", None)
    if pending is None:
        pending = _pending.by_db = {}
    names_of, devices_of = pending.setdefault(using, (set(), set()))
    names_of.update(names)
    devices_of.update(devices)
    transaction.on_commit(lambda: _refresh_pending(using), using=using)


def _refresh_pending(using):
    """The first callback of a transaction does the work; the others find nothing left. Names
    left by a rolled-back transaction are refreshed too, which changes nothing."""
    Device = apps.get_model("catalog", "Device")
    names, devices = getattr(_pending, "by_db", {}).pop(using, (set(), set()))
    if devices:
        related = Device._default_manager.db_manager(using).filter(
            Q(pk__in=devices) | Q(powered_by__in=devices)
        )
        names |= set(related.values_list("name", flat=True))
    if names:
        refresh(names, using=using)
