"""The comparison table: rows aligned by field across the compared devices, carried chip
values, honest best marks and bars, and each device's reasons to pick it."""

import math
from dataclasses import dataclass, field
from operator import attrgetter

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalog import loading
from catalog.models import SpecField
from catalog.specs import spec_text, with_chip_values
from catalog.units import format_number


def with_table_specs(devices):
    """Read the spec values of ``devices`` (a list) and of their chips in one query,
    whatever their number, into ``compare_specs``. The chips must be loaded already, with
    their categories (``devices_for_slugs`` and the compare list read them with the
    devices)."""
    chips = [device.powered_by for device in devices if device.powered_by_id]
    specs = loading.spec_values([*devices, *chips])
    for device in [*devices, *chips]:
        device.compare_specs = specs[device.pk]
    return devices


def devices_for_slugs(slugs):
    """Devices for a shared comparison in the given order, their specs and their chips'
    read; None if any is unknown. Two queries, written out (catalog.loading)."""
    found = loading.devices_with_related("slug", set(slugs))
    if len(found) != len(set(slugs)):
        return None
    return with_table_specs([found[slug] for slug in slugs])


@dataclass
class Cell:
    # As shown (spec_text); ``number`` is the stored number best marks and bars use.
    text: str = ""
    number: float | None = None
    best: bool = False
    # 0–100: this value against its category's best, where the field has a direction.
    bar: int | None = None
    # The chip the value comes from, when the device has none of its own.
    chip: object = None
    # What the value is judged against (Category.judged_with): the device's category, or
    # its chip's for a carried value.
    judged_with: tuple | None = None

    @property
    def missing(self):
        return not self.text

    def __str__(self):
        """The cell's ``<td>`` (``{{ cell }}``). Written here rather than in
        compare_table.html: a table of four devices has a hundred cells, and their template
        tags took 2 ms a render."""
        if self.missing:
            return mark_safe(MISSING_CELL)
        chip = format_html(CHIP_MARK, self.chip.name) if self.chip else ""
        bar = format_html(SPEC_BAR, self.bar) if self.bar is not None else ""
        if self.best:
            return format_html(BEST_CELL, self.text, chip, bar)
        return format_html(CELL, self.text, chip, bar)

    __html__ = __str__


# The parts of a Cell's markup.
MISSING_CELL = '<td class="is-missing">—<span class="visually-hidden"> no value</span></td>'
CELL = '<td><span class="compare-table__value">{}</span>{}{}</td>'
BEST_CELL = (
    '<td data-best class="is-best"><span class="compare-table__value">{}</span>{}'
    ' <strong class="best-marker">best</strong>{}</td>'
)
CHIP_MARK = (
    ' <span class="chip-value">· {}<span class="visually-hidden"> (the value of its chip)'
    "</span></span>"
)
SPEC_BAR = (
    '<svg class="spec-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true"'
    ' focusable="false"><rect class="spec-bar__track" width="100" height="6" rx="3"/>'
    '<rect class="spec-bar__fill" width="{}" height="6" rx="3"/></svg>'
)


@dataclass
class Row:
    field: object
    cells: list

    @property
    def differs(self):
        return len({cell.text for cell in self.cells}) > 1

    def __str__(self):
        """The row's ``<tr>`` (``{{ row }}``): its field, unit and direction, then its cells
        (see Cell.__str__ for why in Python)."""
        field = self.field
        unit = format_html(UNIT_MARK, field.unit) if field.unit else ""
        direction = ""
        if field.is_number:
            direction = DIRECTION_MARKS.get(field.direction, "")
        cells = mark_safe("".join(str(cell) for cell in self.cells))
        differs = " data-differs" if self.differs else ""
        return format_html(ROW, mark_safe(differs), field.name, unit, mark_safe(direction), cells)

    __html__ = __str__


ROW = '<tr{}><th scope="row">{}{}{}</th>{}</tr>'
UNIT_MARK = ' <span class="compare-table__unit">({})</span>'
DIRECTION_MARKS = {
    SpecField.Direction.HIGHER: (
        ' <span class="compare-table__direction" title="Higher is better">↑'
        '<span class="visually-hidden"> higher is better</span></span>'
    ),
    SpecField.Direction.LOWER: (
        ' <span class="compare-table__direction" title="Lower is better">↓'
        '<span class="visually-hidden"> lower is better</span></span>'
    ),
}


@dataclass
class Group:
    group: object
    rows: list


@dataclass
class Reason:
    """A row a device wins: "4,575 mAh battery capacity, 14 % more than Galaxy S24"."""

    field: object
    text: str
    # |best − runner-up| / runner-up; infinite against a runner-up of 0.
    margin: float


@dataclass
class Table:
    devices: list
    groups: list
    only_differences: bool = False
    # Rows hidden by "only differences".
    hidden: int = 0
    # [(device, [Reason, …])] in column order, largest margin first, at most MAX_REASONS.
    reasons: list = field(default_factory=list)

    @property
    def has_reasons(self):
        return any(reasons for _, reasons in self.reasons)

    @property
    def has_chip_values(self):
        return any(cell.chip for group in self.groups for row in group.rows for cell in row.cells)


MAX_REASONS = 5


def _bar(number, best, direction):
    if direction == SpecField.Direction.LOWER:
        if number <= 0:
            return 100
        return max(0, min(100, round(100 * best / number)))
    if best <= 0:
        return None
    return max(0, min(100, round(100 * number / best)))


def _judge(spec_field, cells):
    """Mark the best cell of each set judged together and draw bars, for fields with a
    direction.

    Values are judged only against values of categories of the same kind (a carried chip
    value against chips; a category of kind "other" alone, see Category.judged_with), and
    only where at least two of them differ: a lone value, or values all alike, get no mark
    and no bar. Returns the wins: (winner's index, runner-up indexes) for each set whose
    best value one cell alone holds.
    """
    if not spec_field.is_number or spec_field.direction == SpecField.Direction.NONE:
        return []
    judged_together = {}
    for index, cell in enumerate(cells):
        if cell.number is not None:
            judged_together.setdefault(cell.judged_with, []).append(index)
    wins = []
    for indexes in judged_together.values():
        numbers = [cells[i].number for i in indexes]
        if len(set(numbers)) < 2:
            continue
        best = spec_field.best(numbers)
        for i in indexes:
            cells[i].best = cells[i].number == best
            cells[i].bar = _bar(cells[i].number, best, spec_field.direction)
        holders = [i for i in indexes if cells[i].best]
        if len(holders) == 1:
            runner_up = spec_field.best([cells[i].number for i in indexes if i != holders[0]])
            wins.append((holders[0], [i for i in indexes if cells[i].number == runner_up]))
    return wins


def _what(spec_field):
    """A field's name inside a sentence: "battery capacity", but "CPU cores" and "RAM"."""
    name = spec_field.name
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _names(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _percent(share):
    """A margin as people read it: "14", "2.5", "0.04"."""
    percent = 100 * share
    if percent >= 10:
        return format_number(round(percent))
    return format_number(round(percent, 1) if percent >= 0.1 else percent)


def _reason(spec_field, winner, runner_ups, devices):
    """Why a device is the one to pick for this row, with its figure and margin."""
    cell, other = winner, runner_ups[0][1]
    figure = format_number(cell.number, spec_field.unit)
    text = f"{figure} {_what(spec_field)}"
    if cell.chip is not None:
        text += f" ({cell.chip.name})"
    names = _names([devices[i].name for i, _ in runner_ups])
    if other.number == 0:
        margin = math.inf
        text += f", against {format_number(0, spec_field.unit)} on {names}"
    else:
        margin = abs(cell.number - other.number) / abs(other.number)
        more = "more" if cell.number > other.number else "less"
        text += f", {_percent(margin)} % {more} than {names}"
    return Reason(spec_field, text, margin)


def _row(spec_field, devices, entries):
    """A row of cells for one field, and its wins as {device index: Reason}.

    ``entries`` holds, per device, (spec value, chip or None) or None.
    """
    cells = []
    for device, entry in zip(devices, entries, strict=True):
        if entry is None:
            cells.append(Cell())
            continue
        spec, chip = entry
        owner = chip or device
        judged_with = owner.category.judged_with
        cells.append(Cell(spec_text(spec), spec.number, chip=chip, judged_with=judged_with))
    wins = {}
    for winner, runner_ups in _judge(spec_field, cells):
        others = [(i, cells[i]) for i in runner_ups]
        wins[winner] = _reason(spec_field, cells[winner], others, devices)
    return Row(spec_field, cells), wins


def _chip_specs(device):
    chip = device.powered_by if device.powered_by_id else None
    return chip, (chip.compare_specs if chip is not None else [])


def build_table(devices, only_differences=False):
    """Rows grouped by spec group and aligned by spec field across all ``devices``, with
    each device's reasons to pick it.

    ``devices`` need ``compare_specs``, their chips too (see with_table_specs and
    devices_for_slugs); no query runs here. A device shows its chip's value for a field
    it has none of; a device with neither shows an empty (missing) cell.
    """
    by_device = []
    fields = {}
    for device in devices:
        values = {}
        for spec, chip in with_chip_values(device.compare_specs, *_chip_specs(device)):
            values[spec.field_id] = (spec, chip)
            fields[spec.field_id] = spec.field
        by_device.append(values)
    groups, hidden = [], 0
    reasons = [[] for _ in devices]
    for spec_field in sorted(fields.values(), key=attrgetter("sheet_position")):
        row, wins = _row(spec_field, devices, [values.get(spec_field.pk) for values in by_device])
        for index, reason in wins.items():
            reasons[index].append(reason)
        if only_differences and not row.differs:
            hidden += 1
            continue
        if groups and groups[-1].group.pk == spec_field.group_id:
            groups[-1].rows.append(row)
        else:
            groups.append(Group(spec_field.group, [row]))
    picks = [
        (device, sorted(found, key=lambda r: -r.margin)[:MAX_REASONS])
        for device, found in zip(devices, reasons, strict=True)
    ]
    return Table(list(devices), groups, only_differences, hidden, picks)


# Rivals: what a device page suggests comparing with.

# Neighbours fetched on each side of a device's price (or release date) before ranking.
