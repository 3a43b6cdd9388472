"""How a device's History page tells its spec values and photos (see core.history)."""

from django.core.files.storage import default_storage

from core.history import ADDED, EMPTY, REMOVED, Change, History, number_text

from . import namesakes
from .models import DevicePhoto, SpecField, SpecValue


class DeviceHistory(History):
    """A device's revisions hold its spec values and photos (Device's follow). A value is
    told by its field's name ("Weight: 201 g → 199 g"). A restore leaves out a value whose
    field is deleted and a photo whose file is gone, and says so."""

    parts = ((SpecValue, "device"), (DevicePhoto, "device"))
    name_querysets = {SpecField: SpecField.objects.select_related("group")}

    def part_changes(self, model, old, new, names):
        if model is SpecValue:
            return value_changes(old, new, names)
        return super().part_changes(model, old, new, names)

    def cannot_restore(self, part):
        model = self.part_model(part)
        if model is SpecValue and part.field_dict["field_id"] not in self._field_ids():
            return f"The value “{part.object_repr}” did not come back: its field is deleted."
        if model is DevicePhoto:
            name = part.field_dict["image"].name
            if not name or not default_storage.exists(name):
                return f"The photo “{part.object_repr}” did not come back: its file is gone."
        return None

    def _field_ids(self):
        if not hasattr(self, "_fields"):
            self._fields = set(SpecField.objects.values_list("pk", flat=True))
        return self._fields

    def restored(self):
        # The main photo is the first of those that came back.
        DevicePhoto.objects.refresh_main([self.obj.pk])
        # The row was written as it was, past save(): the namesakes of the name it had and
        # of the name it has again (and of the devices it powers) are refreshed at the commit.
        namesakes.refresh_later(
            names=[self.obj.name], devices=[self.obj.pk], using=self.obj._state.db
        )


def value_changes(old, new, names):
    """Spec values added, removed or changed between two lists of versions, by field, in
    sheet order: the text, else the number the editor typed; and the source."""
    old = {version.field_dict["field_id"]: version.field_dict for version in old}
    new = {version.field_dict["field_id"]: version.field_dict for version in new}

    def position(field_id):
        field = names.get(SpecField, field_id)
        return (0, field.sheet_position) if field else (1, (field_id,))

    changes = []
    for field_id in sorted(old.keys() | new.keys(), key=position):
        field = names.get(SpecField, field_id)
        label = field.name if field else f"Field #{field_id} (deleted)"
        before, after = old.get(field_id), new.get(field_id)
        if before is None:
            changes.append(Change(label, new=after["value"], kind=ADDED))
            continue
        if after is None:
            changes.append(Change(label, old=before["value"], kind=REMOVED))
            continue
        if before["value"] != after["value"]:
            changes.append(Change(label, before["value"], after["value"]))
        elif before["number"] != after["number"]:
            numbers = number_text(before["number"]), number_text(after["number"])
            changes.append(Change(f"{label} (number)", *numbers))
        if before["source"] != after["source"]:
            sources = before["source"] or EMPTY, after["source"] or EMPTY
            changes.append(Change(f"{label} (source)", *sources))
    return changes
