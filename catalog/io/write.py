"""Writing an import: nothing is written before the whole file has passed the planner; then,
in one transaction, only what changed is written, in bulk. New photos are stored with their
resized copies inside the transaction; if it fails, the files it stored are deleted again.
"""

from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch

from core import images
from core.content import content_changed
from core.db import refresh_planner_statistics
from core.history import import_comment, save_revision

from .. import namesakes
from ..models import Brand, Device, DevicePhoto, SpecField, SpecValue
from .format import CatalogError
from .matching import _chunks
from .plan import OutsideFolder, _Planner, image_file

BATCH = 1000


def import_catalog(
    data, *, dry_run=False, base_dir=None, reject_outliers=False, source=None, progress=None
):
    """Check ``data`` (decoded JSON) whole, then write what changed in one transaction.

    Raises CatalogError listing every problem, having changed nothing (and having left no
    stored file behind). With ``dry_run`` nothing is written and the result says what would
    have changed. An import that changes nothing writes nothing, so the content version
    stays where it was. ``base_dir``: the folder image paths are relative to. Values outside
    their field's plausible range are imported and listed (``result.outliers``), or, with
    ``reject_outliers``, refuse the whole file.

    The devices it created or updated (not the unchanged ones) are kept in one revision,
    with their spec values and photos, commented "imported from ``source``" (a file name).

    ``progress(done, total)``, if given, is called as the devices' values and photos are
    written, every BATCH devices of the file (unchanged ones count as done); never in a dry
    run, which writes nothing.
    """
    base_dir = Path(base_dir) if base_dir is not None else None
    if dry_run:
        plan = _Planner(data, dry_run=True, base_dir=base_dir).plan()
        _refuse_outliers(plan, reject_outliers)
        return plan.result
    written = []
    try:
        with transaction.atomic():
            plan = _Planner(data, base_dir=base_dir).plan()
            _refuse_outliers(plan, reject_outliers)
            if plan.result.changed:
                _write(plan, written, progress)
                _keep_revision(plan, source)
                # Bulk writes pass no save(): every namesake group at once.
                namesakes.refresh()
    except BaseException:
        images.delete_files(written)
        raise
    result = plan.result
    if result.changed:
        content_changed()
    if result.devices_new or result.values_new or result.values_removed:
        refresh_planner_statistics()
    return result


def _refuse_outliers(plan, reject_outliers):
    if reject_outliers and plan.result.outliers:
        raise CatalogError(plan.result.outliers)


def _write(plan, written, progress=None):
    """Write what the plan found changed, in bulk; the caller holds the transaction and
    deletes the files listed in ``written`` if it fails."""
    for row in [*plan.new_categories, *plan.new_groups]:
        row.save()
    for category in plan.changed_categories:
        category.save(update_fields=["kind"])
    Brand.objects.bulk_create(plan.new_brands, batch_size=BATCH)
    for brand in plan.changed_brands:
        brand.save(update_fields=["description"])
    # Those without a role first: a field handing its role to another loses it before the
    # other takes it (one holder at a time).
    for row in sorted([*plan.new_fields, *plan.changed_fields], key=lambda row: bool(row.role)):
        row.save()
    links = [
        SpecField.categories.through(specfield_id=row.pk, category_id=category.pk)
        for row, category in plan.new_links
    ]
    SpecField.categories.through.objects.bulk_create(links, batch_size=BATCH)
    _convert_numbers(plan)

    Device.objects.bulk_create(plan.new_devices, batch_size=BATCH)
    devices = {**plan.db_devices, **{device.slug: device for device in plan.new_devices}}
    for device, slug, _is_new in plan.new_links_to:
        device.powered_by = devices[slug]
    linked_new = [device for device, _slug, is_new in plan.new_links_to if is_new]
    Device.objects.bulk_update(linked_new, ["powered_by"], batch_size=BATCH)
    changed = {}
    for device, attrs in plan.changed_devices:
        device.updated_at = plan.now
        for attr in [*attrs, "updated_at"]:
            changed.setdefault(attr, []).append(device)
    for attr, devices_changed in changed.items():
        Device.objects.bulk_update(devices_changed, [attr], batch_size=BATCH)
    _write_values_and_photos(plan, written, progress)


def _write_values_and_photos(plan, written, progress):
    """The devices' spec values and photos, BATCH devices at a time: the planner listed
    them device by device, so a batch is one slice of each list (``plan.device_ends``)."""
    total = len(plan.device_ends)
    start = (0, 0, 0, 0)
    for first in range(0, total, BATCH):
        done = min(first + BATCH, total)
        end = plan.device_ends[done - 1]
        deletes, updates, creates, photo_plans = (
            rows[begin:stop]
            for rows, begin, stop in zip(
                (plan.values_delete, plan.values_update, plan.values_create, plan.photo_plans),
                start,
                end,
                strict=True,
            )
        )
        start = end
        for chunk in _chunks(deletes):
            SpecValue.objects.filter(pk__in=chunk).delete()
        columns = ["value", "number", "source", "changed_at"]
        SpecValue.objects.bulk_update(updates, columns, batch_size=BATCH)
        SpecValue.objects.bulk_create(creates, batch_size=BATCH)
        _write_photos(plan.base_dir, photo_plans, written)
        if progress is not None:
            progress(done, total)


def _keep_revision(plan, source):
    """One revision holding every device the import created or updated (not the unchanged
    ones), each with what a device's revision holds: its spec values and photos."""
    ids = [device.pk for device in plan.new_devices]
    ids += [device.pk for device, _attrs in plan.changed_devices]
    if ids:
        save_revision(_with_parts(ids), comment=import_comment(source))


def _with_parts(ids):
    """Each device, then what its revisions hold (Device's follow): its spec values, with
    their fields (a value's text names its field), and its photos."""
    fields = SpecField.objects.in_bulk()
    specs = Prefetch("specs", queryset=SpecValue.objects.order_by())
    for chunk in _chunks(ids):
        for device in Device.objects.filter(pk__in=chunk).prefetch_related(specs, "photos"):
            yield device
            for spec in device.specs.all():
                spec.field = fields[spec.field_id]
                yield spec
            yield from device.photos.all()


def _convert_numbers(plan):
    """Stored numbers of fields whose unit changed, in the new unit. The figure is the
    same, only written in another unit, so ``changed_at`` stays."""
    rewritten = {value.pk for value in plan.values_update}
    converted = [
        SpecValue(pk=pk, number=number)
        for numbers in plan.conversions.values()
        for pk, number in numbers.items()
        if pk not in rewritten
    ]
    SpecValue.objects.bulk_update(converted, ["number"], batch_size=BATCH)


def _write_photos(base_dir, photo_plans, written):
    """Store the new photos (adding the files to ``written``) and update the rows."""
    creates, updates, deletes, devices = [], [], [], set()
    for device, steps, removed in photo_plans:
        devices.add(device.pk)
        deletes.extend(removed)
        for photo, image, order, label in steps:
            if photo is not None:
                if (photo.order, photo.alt) != (order, image.alt):
                    photo.order, photo.alt = order, image.alt
                    updates.append(photo)
                continue
            photo = DevicePhoto(device=device, order=order, alt=image.alt)
            try:
                # Found again, not reused from the plan: a link may have changed since.
                full = image_file(base_dir, image.path)
                if full is None:
                    raise FileNotFoundError(f"{image.path}: no such file")
                with full.open("rb") as file:
                    written.extend(photo.store(file, image.path))
            except (OSError, images.ImageRefused, OutsideFolder) as error:
                raise CatalogError([f"{label}: {error}"]) from None
            creates.append(photo)
    for chunk in _chunks(deletes):
        DevicePhoto.objects.filter(pk__in=chunk).delete()
    DevicePhoto.objects.bulk_update(updates, ["order", "alt"], batch_size=BATCH)
    DevicePhoto.objects.bulk_create(creates, batch_size=BATCH)
    for chunk in _chunks(devices):
        DevicePhoto.objects.refresh_main(chunk)
