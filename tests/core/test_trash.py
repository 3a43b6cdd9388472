"""The trash: an editor's delete keeps a revision first; chief editors restore from the Trash
page (with what went with the object, and only that) or delete for good; public pages show
a restore at the next request."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from reversion.models import Revision, Version

from catalog.models import Device, DevicePhoto, SpecValue
from core.editors import EDITORS_GROUP
from news.models import Article, StoryImage
from tests.factories import (
    ArticleFactory,
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    DevicePhotoFactory,
    SpecFieldFactory,
    SpecValueFactory,
    TagFactory,
    device_form_data,
    image_bytes,
)

pytestmark = pytest.mark.django_db

CHIEF_EDITORS_GROUP = "Chief editors"
# The device form's inlines, empty.
NO_ROWS = {
    f"{inline}-{count}": 0
    for inline in ["specs", "photos"]
    for count in ["TOTAL_FORMS", "INITIAL_FORMS"]
}
# What an editor deletes: devices with their values and photos (the Editors role grants it).
EDITOR_DELETES = ["delete_device", "delete_specvalue", "delete_devicephoto"]


def member_of(group_name, username, extra=()):
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.add(*Permission.objects.filter(codename__in=extra))
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(group)
    return user


@pytest.fixture
def editor():
    """A staff member only in the Editors group."""
    editors = Group.objects.get(name=EDITORS_GROUP)
    editors.permissions.add(*Permission.objects.filter(codename__in=EDITOR_DELETES))
    return member_of(EDITORS_GROUP, "ed")


@pytest.fixture
def chief():
    """A staff member only in Chief editors: the editors' permissions and the trash's."""
    editors = Group.objects.get(name=EDITORS_GROUP).permissions.all()
    user = member_of(CHIEF_EDITORS_GROUP, "chief", ["restore_from_trash", "delete_for_good"])
    user.groups.get().permissions.add(*editors)
    user.first_name, user.last_name = "Chief", "Editor"
    user.save()
    return user


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"admin:catalog_device_{name}", args=args)


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def chip_world():
    """A chip with three values and a photo, powering two phones (one with a value of its
    own for one of the chip's fields), mentioned in a story."""
    chips, phones = CategoryFactory(name="Chipsets"), CategoryFactory(name="Phones")
    process, cores, gpu = (SpecFieldFactory(name=name) for name in ["Process", "Cores", "GPU"])
    chip = DeviceFactory(name="Dragon 9", slug="dragon-9", category=chips)
    for field, value in [(process, "3 nm"), (cores, "8"), (gpu, "Adreno 830")]:
        SpecValueFactory(device=chip, field=field, value=value)
    photo = DevicePhotoFactory(device=chip)
    first = DeviceFactory(name="Phone One", slug="phone-one", category=phones, powered_by=chip)
    second = DeviceFactory(name="Phone Two", slug="phone-two", category=phones, powered_by=chip)
    SpecValueFactory(device=second, field=gpu, value="Own GPU")
    story = ArticleFactory(title="Dragon inside", slug="dragon-inside", devices=[chip, first])
    return {"chip": chip, "phones": [first, second], "photo": photo, "story": story}


def delete_as(user, device, committed):
    with committed():
        response = signed_in(user).post(url("delete", device.pk), {"post": "yes"})
    assert response.status_code == 302
    return Version.objects.get_for_object_reference(Device, device.pk).first()


def restore_as(user, entry, committed, model="device"):
    with committed():
        return signed_in(user).post(reverse(f"admin:{_label(model)}_recover", args=[entry.pk]))


def _label(model):
    return {"device": "catalog_device", "article": "news_article"}[model]


def test_an_editor_deleting_a_chip_keeps_it_with_its_values_photos_phones_and_links(
    editor, chip_world, committed
):
    chip, photo = chip_world["chip"], chip_world["photo"]
    entry = delete_as(editor, chip, committed)
    assert not Device.objects.filter(pk=chip.pk).exists()
    assert entry.revision.comment == "Deleted by ed"
    assert entry.revision.user == editor
    held = {
        (version.content_type.model, version.object_id)
        for version in entry.revision.version_set.select_related("content_type")
    }
    assert {
        ("device", str(chip.pk)),
        ("devicephoto", str(photo.pk)),
        *(("device", str(phone.pk)) for phone in chip_world["phones"]),
    } <= held
    assert sum(1 for model, _pk in held if model == "specvalue") == 4  # 3 + the phone's own
    assert sum(1 for model, _pk in held if model == Article.devices.through._meta.model_name) == 1


def test_restoring_a_deleted_chip_brings_back_everything_at_the_next_request(
    editor, chief, chip_world, committed
):
    chip, (first, second) = chip_world["chip"], chip_world["phones"]
    visitor = Client()
    phone_page = visitor.get(first.get_absolute_url()).text  # cached now
    assert "Powered by" in phone_page and "Adreno 830" in phone_page
    entry = delete_as(editor, chip, committed)
    gone = visitor.get(first.get_absolute_url()).text
    assert "Powered by" not in gone and "Adreno 830" not in gone

    response = restore_as(chief, entry, committed)

    assert response.status_code == 302
    assert response.url == url("change", chip.pk)
    assert sorted(SpecValue.objects.filter(device=chip).values_list("value", flat=True)) == [
        "3 nm",
        "8",
        "Adreno 830",
    ]
    assert DevicePhoto.objects.filter(device=chip).count() == 1
    assert set(Device.objects.filter(powered_by=chip)) == {first, second}
    assert set(chip_world["story"].devices.all()) == {chip, first}
    page = visitor.get(first.get_absolute_url()).text
    assert "Powered by" in page
    assert all(value in page for value in ["3 nm", "Adreno 830"])
    second_page = visitor.get(second.get_absolute_url()).text
    assert "Own GPU" in second_page and "Adreno 830" not in second_page  # its own value wins
    assert visitor.get(chip.get_absolute_url()).status_code == 200
    story = visitor.get(chip_world["story"].get_absolute_url()).text
    assert "Dragon 9" in story
    restored = Version.objects.get_for_object(chip).first().revision
    assert restored.comment == "Restored from the trash by Chief Editor"


def test_restoring_keeps_what_was_edited_since_on_the_phones(editor, chief, chip_world, committed):
    chip, (first, second) = chip_world["chip"], chip_world["phones"]
    entry = delete_as(editor, chip, committed)
    Device.objects.filter(pk=first.pk).update(name="Phone One Pro")
    other_chip = DeviceFactory(name="Other chip")
    Device.objects.filter(pk=second.pk).update(powered_by=other_chip)

    restore_as(chief, entry, committed)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.name, first.powered_by) == ("Phone One Pro", chip)
    assert second.powered_by == other_chip  # pointed elsewhere since: left so


def test_deleting_selected_devices_puts_each_in_the_trash_on_its_own(
    editor, chief, chip_world, committed
):
    chip, (first, second) = chip_world["chip"], chip_world["phones"]
    changelist = signed_in(editor)
    confirm = changelist.post(
        url("changelist"), {"action": "delete_selected", "_selected_action": [chip.pk, first.pk]}
    )
    assert "1 device loses “Powered by” and 2 carried values." in confirm.text
    assert "They go to the trash: a chief editor can restore them." in confirm.text
    with committed():
        changelist.post(
            url("changelist"),
            {"action": "delete_selected", "_selected_action": [chip.pk, first.pk], "post": "yes"},
        )
    assert list(Device.objects.filter(pk__in=[chip.pk, first.pk])) == []
    trash = signed_in(chief).get(url("recoverlist"))
    entries = list(trash.context["page"].object_list)
    assert {entry.object_repr for entry in entries} == {"Dragon 9", "Phone One"}
    assert all(entry.revision.comment == "Deleted by ed" for entry in entries)

    chip_entry = next(entry for entry in entries if entry.object_repr == "Dragon 9")
    restore_as(chief, chip_entry, committed)
    # The phone deleted with it has its own entry: the chip alone came back.
    assert not Device.objects.filter(pk=first.pk).exists()
    second.refresh_from_db()
    assert second.powered_by == chip
    phone_entry = next(entry for entry in entries if entry.object_repr == "Phone One")
    restore_as(chief, phone_entry, committed)
    first.refresh_from_db()
    assert first.powered_by == chip
    assert set(chip_world["story"].devices.all()) == {chip, first}


def test_the_delete_page_says_what_else_changes(editor, chip_world):
    response = signed_in(editor).get(url("delete", chip_world["chip"].pk))
    notes = response.text
    assert "Photos: 1, spec values: 3, mentioned in 1 article (the articles stay)." in notes
    # Phone One carries all three values, Phone Two has its own GPU.
    assert "2 devices lose “Powered by” and 5 carried values." in notes
    assert "It goes to the trash: a chief editor can restore it." in notes


def test_the_delete_page_costs_the_same_queries_with_more_phones(
    editor, chip_world, django_assert_max_num_queries
):
    client = signed_in(editor)
    chip = chip_world["chip"]
    client.get(url("delete", chip.pk))
    with django_assert_max_num_queries(100) as few:
        client.get(url("delete", chip.pk))
    budget = len(few)  # now: the next request clears the query log
    for i in range(10):
        phone = DeviceFactory(name=f"Extra {i}", powered_by=chip)
        SpecValueFactory(device=phone)
        ArticleFactory(devices=[chip])
    with django_assert_max_num_queries(budget):
        response = client.get(url("delete", chip.pk))
    assert "12 devices lose" in response.text


def test_an_editor_cannot_use_the_trash(editor, chief, chip_world, committed):
    entry = delete_as(editor, chip_world["chip"], committed)
    client = signed_in(editor)
    changelist = client.get(url("changelist"))
    assert changelist.status_code == 200
    assert "Trash (" not in changelist.text
    assert client.get(url("recoverlist")).status_code == 403
    assert client.post(url("recover", entry.pk)).status_code == 403
    assert client.get(url("delete_for_good", entry.pk)).status_code == 403
    assert client.post(url("delete_for_good", entry.pk)).status_code == 403
    assert not Device.objects.filter(pk=chip_world["chip"].pk).exists()
    assert Version.objects.filter(pk=entry.pk).exists()


def test_a_chief_editor_finds_the_trash_from_the_changelist(editor, chief, chip_world, committed):
    delete_as(editor, chip_world["phones"][0], committed)
    changelist = signed_in(chief).get(url("changelist"))
    assert f'<a href="{url("recoverlist")}" class="trashlink">Trash (1)</a>' in changelist.text
    trash = signed_in(chief).get(url("recoverlist"))
    assert '<th scope="row">Phone One</th>' in trash.text
    assert "<td>ed</td>" in trash.text
    assert "Delete for good…" in trash.text


def test_a_device_deleted_outside_the_admin_is_in_the_trash_as_last_saved(editor, chief, committed):
    device = DeviceFactory(name="Scripted")
    with committed():
        signed_in(editor).post(url("change", device.pk), {**device_form_data(device), **NO_ROWS})
    device.delete()
    trash = signed_in(chief).get(url("recoverlist"))
    assert "outside the admin (as last saved then)" in trash.text
    (entry,) = trash.context["page"].object_list
    restore_as(chief, entry, committed)
    assert Device.objects.filter(name="Scripted").exists()


def test_the_trash_list_costs_the_same_queries_for_3_or_30_entries(
    editor, chief, committed, django_assert_max_num_queries
):
    def delete(n):
        for device in DeviceFactory.create_batch(n):
            delete_as(editor, device, committed)

    client = signed_in(chief)
    delete(3)
    client.get(url("recoverlist"))
    with django_assert_max_num_queries(50) as few:
        client.get(url("recoverlist"))
    budget = len(few)  # now: the next request clears the query log
    delete(27)
    with django_assert_max_num_queries(budget):
        response = client.get(url("recoverlist"))
    assert len(response.context["page"].object_list) == 30


def test_an_entry_is_restored_once(editor, chief, chip_world, committed):
    entry = delete_as(editor, chip_world["chip"], committed)
    restore_as(chief, entry, committed)
    again = restore_as(chief, entry, committed)
    assert again.status_code == 302 and again.url == url("recoverlist")
    assert Device.objects.filter(slug="dragon-9").count() == 1
    assert SpecValue.objects.filter(device=chip_world["chip"]).count() == 3
    assert list(signed_in(chief).get(url("recoverlist")).context["page"].object_list) == []


def test_a_device_whose_brand_is_gone_is_not_restored_and_says_why(editor, chief, committed):
    device = DeviceFactory(brand=BrandFactory(name="Gone Brand"))
    entry = delete_as(editor, device, committed)
    device.brand.delete()
    client = signed_in(chief)
    with committed():
        response = client.post(url("recover", entry.pk), follow=True)
    assert "cannot come back: its brand is no longer there" in response.text
    assert not Device.objects.filter(pk=device.pk).exists()


def test_a_device_whose_slug_was_taken_since_is_not_restored(editor, chief, committed):
    device = DeviceFactory(slug="taken")
    entry = delete_as(editor, device, committed)
    DeviceFactory(slug="taken")
    with committed():
        response = signed_in(chief).post(url("recover", entry.pk), follow=True)
    assert "cannot come back as it was" in response.text
    assert Device.objects.filter(slug="taken").count() == 1


def test_a_phone_whose_chip_is_gone_comes_back_without_it(editor, chief, chip_world, committed):
    first = chip_world["phones"][0]
    entry = delete_as(editor, first, committed)
    delete_as(editor, chip_world["chip"], committed)
    with committed():
        response = signed_in(chief).post(url("recover", entry.pk), follow=True)
    first.refresh_from_db()
    assert first.powered_by is None
    assert "“powered by” was left empty" in response.text


@pytest.mark.parametrize("version_id", ["99999999999999999999999", "0"])
def test_junk_entries_are_refused_without_an_error(chief, version_id):
    client = signed_in(chief)
    response = client.post(f"{url('recoverlist')}{version_id}/", follow=True)
    assert response.status_code == 200
    assert "That entry is not in the trash." in response.text
    assert client.get(f"{url('recoverlist')}{version_id}/delete/").status_code in (302, 404)
    assert client.get(f"{url('recoverlist')}?p=junk").status_code == 200


def test_restoring_needs_a_post(editor, chief, chip_world, committed):
    entry = delete_as(editor, chip_world["chip"], committed)
    assert signed_in(chief).get(url("recover", entry.pk)).status_code == 405
    assert not Device.objects.filter(pk=chip_world["chip"].pk).exists()


def test_deleting_for_good_leaves_nothing_and_then_the_photo_files_go(
    editor, chief, chip_world, committed
):
    chip, photo = chip_world["chip"], chip_world["photo"]
    files = [name for name in stored_files() if name.startswith("devices/")]
    assert photo.image.name in files
    entry = delete_as(editor, chip, committed)
    assert photo.image.name in stored_files()  # the trash can bring the photo back
    client = signed_in(chief)
    confirm = client.get(url("delete_for_good", entry.pk))
    assert "This cannot be undone." in confirm.text

    with committed():
        response = client.post(url("delete_for_good", entry.pk))

    assert response.status_code == 302 and response.url == url("recoverlist")
    assert not Revision.objects.filter(pk=entry.revision_id).exists()
    device_type = ContentType.objects.get_for_model(Device)
    assert not Version.objects.filter(content_type=device_type, object_id=chip.pk).exists()
    photo_type = ContentType.objects.get_for_model(DevicePhoto)
    assert not Version.objects.filter(content_type=photo_type).exists()
    assert not any(name in stored_files() for name in files)
    assert list(client.get(url("recoverlist")).context["page"].object_list) == []
    # The phones it powered keep their rows and their own history.
    assert Device.objects.filter(pk__in=[p.pk for p in chip_world["phones"]]).count() == 2


def test_deleting_for_good_keeps_other_devices_history(editor, chief, committed):
    kept, gone = DeviceFactory(name="Kept"), DeviceFactory(name="Gone")
    client = signed_in(editor)
    with committed():
        client.post(
            url("changelist"),
            {"action": "delete_selected", "post": "yes", "_selected_action": [kept.pk, gone.pk]},
        )
    entries = {e.object_repr: e for e in signed_in(chief).get(url("recoverlist")).context["page"]}
    with committed():
        signed_in(chief).post(url("delete_for_good", entries["Gone"].pk))
    remaining = signed_in(chief).get(url("recoverlist")).context["page"].object_list
    assert [entry.object_repr for entry in remaining] == ["Kept"]
    restore_as(chief, entries["Kept"], committed)
    assert Device.objects.filter(name="Kept").exists()


def test_deleting_for_good_needs_its_own_permission(editor, chip_world, committed):
    restorer = member_of("Restorers", "restorer", ["restore_from_trash"])
    entry = delete_as(editor, chip_world["chip"], committed)
    client = signed_in(restorer)
    trash = client.get(url("recoverlist"))
    assert trash.status_code == 200 and "Delete for good" not in trash.text
    assert client.post(url("delete_for_good", entry.pk)).status_code == 403
    assert Version.objects.filter(pk=entry.pk).exists()


def test_a_story_comes_back_with_its_images_tags_and_devices(editor, chief, committed):
    device, tag = DeviceFactory(name="Mentioned Phone"), TagFactory(name="Folding")
    story = ArticleFactory(title="Fold it", slug="fold-it", devices=[device], tags=[tag])
    image = StoryImage(article=story, alt="A fold", image=ContentFile(image_bytes(), "f.jpg"))
    image.save()
    visitor = Client()
    assert visitor.get(story.get_absolute_url()).status_code == 200
    with committed():
        signed_in(editor).post(
            reverse("admin:news_article_delete", args=[story.pk]), {"post": "yes"}
        )
    assert visitor.get(story.get_absolute_url()).status_code == 404
    stories = signed_in(chief).get(reverse("admin:news_article_changelist"))
    assert "Trash (1)" in stories.text
    trash = signed_in(chief).get(reverse("admin:news_article_recoverlist"))
    (entry,) = trash.context["page"].object_list

    response = restore_as(chief, entry, committed, model="article")

    assert response.url == reverse("admin:news_article_change", args=[story.pk])
    story = Article.objects.get(pk=story.pk)
    assert list(story.devices.all()) == [device] and list(story.tags.all()) == [tag]
    assert list(story.images.values_list("alt", flat=True)) == ["A fold"]
    page = visitor.get(story.get_absolute_url())
    assert page.status_code == 200 and "Mentioned Phone" in page.text
    assert signed_in(editor).get(reverse("admin:news_article_recoverlist")).status_code == 403
