"""The newsroom's roles, tried through the admin as staff members who are only in their group:
an editor does the daily job (stories and their images, tags, devices with their values and
photos, brands), a chief editor also the spec schema, imports and the trash."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from catalog.models import Category, Device, DevicePhoto, SpecField, SpecGroup, SpecValue
from core import images
from core.editors import CHIEF_EDITORS_GROUP, EDITORS_GROUP, ROLES, apply_roles
from news.models import Article, StoryImage
from tests.catalog.test_photos import change_data
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    DeviceFactory,
    DevicePhotoFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
    device_form_data,
    image_upload,
)
from tests.news.test_story_images import story_data

pytestmark = pytest.mark.django_db


def held(group_name):
    group = Group.objects.get(name=group_name)
    return {(p.content_type.app_label, p.codename) for p in group.permissions.all()}


# The groups as migrate leaves them.


def test_after_migrate_each_group_holds_exactly_its_roles_permissions():
    for name, role in ROLES.items():
        # Equal sets: every permission the table names exists, and nothing else is held.
        assert held(name) == role.permissions(), name
    assert held(EDITORS_GROUP) < held(CHIEF_EDITORS_GROUP)


def test_applying_the_roles_again_undoes_changes_made_by_hand():
    editors = Group.objects.get(name=EDITORS_GROUP)
    editors.permissions.remove(Permission.objects.get(codename="add_devicephoto"))
    editors.permissions.add(Permission.objects.get(codename="change_user"))
    Group.objects.get(name=CHIEF_EDITORS_GROUP).delete()
    apply_roles()
    apply_roles()
    assert Group.objects.filter(name__in=ROLES).count() == len(ROLES)
    for name, role in ROLES.items():
        assert held(name) == role.permissions(), name


# What an editor does every day, through the admin.


def test_an_editor_adds_two_photos_and_the_device_page_shows_both(editor_client, client, committed):
    device = DeviceFactory(slug="pixel-8")
    url = reverse("admin:catalog_device_change", args=[device.pk])
    assert 'name="photos-TOTAL_FORMS"' in editor_client.get(url).text
    front = image_upload("front.jpg", width=600, height=800)
    back = image_upload("back.png", fmt="PNG", width=300, height=200)
    with committed():
        response = editor_client.post(
            url, change_data(device, uploads=[(front, "Front"), (back, "Back")])
        )
    assert response.status_code == 302
    photos = list(DevicePhoto.objects.filter(device=device))
    assert [photo.alt for photo in photos] == ["Front", "Back"]
    page = client.get(device.get_absolute_url()).text
    for photo in photos:
        assert f'href="{images.copy_url(photo.image.name, 1280)}"' in page
        assert images.copy_url(photo.image.name, 320, "webp") in page


def test_an_editor_adds_a_story_with_a_hero_and_a_story_image_and_gets_its_markdown(
    editor_client,
):
    data = story_data(
        hero_image=image_upload("hero.jpg", width=1600, height=900),
        **{
            "images-TOTAL_FORMS": 1,
            "images-0-image": image_upload("chart.jpg", width=1200, height=600),
            "images-0-alt": "Sales by quarter",
        },
    )
    response = editor_client.post(reverse("admin:news_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get(slug="fresh-story")
    assert article.hero_image and article.hero_card
    image = StoryImage.objects.get(article=article)
    page = editor_client.get(reverse("admin:news_article_change", args=[article.pk])).text
    assert f'value="{image.markdown}"' in page.replace("&quot;", '"')
    assert image.markdown.startswith("![Sales by quarter](/media/news/story/")


def test_an_editor_removes_a_spec_value_and_the_device_page_no_longer_shows_it(
    editor_client, client, committed
):
    device = DeviceFactory()
    battery = SpecValueFactory(
        device=device, field=SpecFieldFactory(name="Battery"), value="Swappable cell"
    )
    panel = SpecValueFactory(
        device=device, field=SpecFieldFactory(name="Panel"), value="Quantum dot panel"
    )
    assert "Quantum dot panel" in client.get(device.get_absolute_url()).text
    data = {
        **device_form_data(device),
        "specs-TOTAL_FORMS": 2,
        "specs-INITIAL_FORMS": 2,
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
    }
    for i, spec in enumerate([battery, panel]):
        data |= {
            f"specs-{i}-id": spec.pk,
            f"specs-{i}-device": device.pk,
            f"specs-{i}-field": spec.field_id,
            f"specs-{i}-value": spec.value,
            f"specs-{i}-number": "",
            f"specs-{i}-source": "",
        }
    data["specs-1-DELETE"] = "on"
    url = reverse("admin:catalog_device_change", args=[device.pk])
    with committed():
        response = editor_client.post(url, data)
    assert response.status_code == 302
    assert list(SpecValue.objects.filter(device=device)) == [battery]
    page = client.get(device.get_absolute_url()).text
    assert "Swappable cell" in page and "Quantum dot panel" not in page


def test_an_editor_deletes_a_device_with_its_values_and_photos_and_it_is_gone(
    editor_client, client, committed
):
    device = DeviceFactory(name="Doomed Phone")
    SpecValueFactory(device=device)
    DevicePhotoFactory(device=device)
    assert client.get(device.get_absolute_url()).status_code == 200
    url = reverse("admin:catalog_device_delete", args=[device.pk])
    assert editor_client.get(url).status_code == 200
    with committed():
        response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Device.objects.filter(pk=device.pk).exists()
    assert client.get(device.get_absolute_url()).status_code == 404
    assert "Doomed Phone" not in client.get(reverse("catalog:device-list")).text


def test_an_editor_deletes_a_story_with_its_images_and_it_is_gone(editor_client, client, committed):
    story = ArticleFactory(title="Retracted story")
    StoryImage.objects.create(article=story, image=image_upload("a.jpg"), alt="Chart")
    assert client.get(story.get_absolute_url()).status_code == 200
    assert "Retracted story" in client.get(reverse("news:article-list")).text
    url = reverse("admin:news_article_delete", args=[story.pk])
    with committed():
        response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=story.pk).exists()
    assert client.get(story.get_absolute_url()).status_code == 404
    assert "Retracted story" not in client.get(reverse("news:article-list")).text


# The spec schema, comparison counts and the newsroom's own permissions: chief editors only.


def _category_data():
    return {"name": "Tablets", "slug": "tablets", "order": 0, "kind": "tablet"}


def _specgroup_data():
    return {"name": "Camera", "order": 3}


def _specfield_data():
    group = SpecGroupFactory(name="Camera")
    return {
        "name": "Optical zoom",
        "slug": "optical-zoom",
        "group": group.pk,
        "unit": "x",
        "kind": "number",
        "direction": "higher",
        "order": 0,
        "categories": [CategoryFactory().pk],
        "role": "",
    }


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Category, _category_data),
        (SpecGroup, _specgroup_data),
        (SpecField, _specfield_data),
    ],
)
def test_a_chief_editor_adds_and_changes_the_spec_schema_an_editor_cannot(
    editor_client, chief_editor_client, model, data
):
    data = data()
    name = model._meta.model_name
    add = reverse(f"admin:catalog_{name}_add")
    assert editor_client.post(add, data).status_code == 403
    assert not model.objects.filter(name=data["name"]).exists()
    assert chief_editor_client.get(add).status_code == 200
    response = chief_editor_client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = model.objects.get(name=data["name"])
    change = reverse(f"admin:catalog_{name}_change", args=[row.pk])
    assert editor_client.post(change, data | {"name": "By an editor"}).status_code == 403
    assert editor_client.get(change).status_code == 200
    response = chief_editor_client.post(change, data | {"name": "Renamed by the chief"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.name == "Renamed by the chief"


def test_only_a_chief_editor_sees_the_comparison_counts(editor_client, chief_editor_client):
    url = reverse("admin:comparisons_comparisoncount_changelist")
    assert editor_client.get(url).status_code == 403
    assert chief_editor_client.get(url).status_code == 200


@pytest.mark.parametrize("codename", ["import_catalog", "restore_from_trash", "delete_for_good"])
def test_imports_and_the_trash_belong_to_chief_editors(
    editor_client, chief_editor_client, codename
):
    # No view uses these yet: the groups' members are asked directly.
    assert not User.objects.get(username="editor").has_perm(f"core.{codename}")
    assert User.objects.get(username="chief-editor").has_perm(f"core.{codename}")


def test_neither_role_manages_user_accounts(editor_client, chief_editor_client):
    url = reverse("admin:auth_user_changelist")
    assert editor_client.get(url).status_code == 403
    assert chief_editor_client.get(url).status_code == 403
