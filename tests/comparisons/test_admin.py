import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages
from django.urls import reverse
from pytest_django.asserts import assertContains

from comparisons.models import Device, SpecField, SpecValue
from core.editors import EDITORS_GROUP
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    DeviceFactory,
    SpecFieldFactory,
    SpecGroupFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_schema():
    phones = CategoryFactory(name="Phones")
    laptops = CategoryFactory(name="Laptops")
    battery = SpecGroupFactory(name="Battery", order=2)
    display = SpecGroupFactory(name="Display", order=1)
    fields = {
        "capacity": SpecFieldFactory(
            name="Battery capacity",
            group=battery,
            unit="mAh",
            kind=SpecField.Kind.NUMBER,
            categories=[phones],
        ),
        "size": SpecFieldFactory(
            name="Display size",
            group=display,
            unit="in",
            kind=SpecField.Kind.NUMBER,
            categories=[phones, laptops],
        ),
        "panel": SpecFieldFactory(name="Display type", group=display, categories=[phones]),
        "keyboard": SpecFieldFactory(name="Keyboard", group=display, categories=[laptops]),
    }
    return {"phones": phones, "laptops": laptops, **fields}


def _inline_data(device, rows):
    """POST data for the device change form with these inline rows."""
    data = {
        "name": device.name,
        "slug": device.slug,
        "brand": device.brand_id,
        "category": device.category_id,
        "released": device.released.isoformat() if device.released else "",
        "launch_price": device.launch_price or "",
        "summary": device.summary,
        "powered_by": "",
        "specs-TOTAL_FORMS": len(rows),
        "specs-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "specs-MIN_NUM_FORMS": 0,
        "specs-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data[f"specs-{i}-id"] = row.get("id", "")
        data[f"specs-{i}-device"] = device.pk
        data[f"specs-{i}-field"] = row.get("field", "")
        data[f"specs-{i}-value"] = row.get("value", "")
        data[f"specs-{i}-number"] = row.get("number", "")
    return data


@pytest.mark.parametrize(
    "model", ["brand", "category", "specgroup", "specfield", "device", "comparisoncount"]
)
def test_changelists_render_for_a_superuser(admin_client, phone_schema, model):
    DeviceFactory(category=phone_schema["phones"])
    response = admin_client.get(reverse(f"admin:comparisons_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["brand", "category", "specgroup", "specfield", "device"])
def test_add_pages_render_for_a_superuser(admin_client, model):
    response = admin_client.get(reverse(f"admin:comparisons_{model}_add"))
    assert response.status_code == 200


def test_device_changelist_searches_by_brand_and_filters_by_year(admin_client):
    DeviceFactory(name="Phone Two", brand=BrandFactory(name="Nothing"), released="2023-07-17")
    DeviceFactory(name="Yoga Slim", brand=BrandFactory(name="Lenovo"), released="2024-06-18")
    url = reverse("admin:comparisons_device_changelist")
    by_brand = admin_client.get(url, {"q": "nothing"})
    assert [d.name for d in by_brand.context["cl"].result_list] == ["Phone Two"]
    by_year = admin_client.get(url, {"year": "2024"})
    assert [d.name for d in by_year.context["cl"].result_list] == ["Yoga Slim"]
    assert admin_client.get(url, {"year": "junk"}).status_code == 200


def test_change_page_prefills_a_row_for_each_missing_field_of_the_category(
    admin_client, phone_schema
):
    device = DeviceFactory(category=phone_schema["phones"])
    SpecValueFactory(device=device, field=phone_schema["capacity"], value="4700 mAh")
    response = admin_client.get(reverse("admin:comparisons_device_change", args=[device.pk]))
    formset = response.context["inline_admin_formsets"][0].formset
    existing = [form.instance.field.name for form in formset.initial_forms]
    prefilled = [form.initial["field"].name for form in formset.extra_forms]
    assert existing == ["Battery capacity"]
    # Grouped: Display (order 1) before Battery (order 2) would apply to existing rows;
    # the prefilled rows are the phone fields without a value, in sheet order.
    assert prefilled == ["Display size", "Display type"]
    offered = set(formset.forms[0].fields["field"].queryset.values_list("name", flat=True))
    assert offered == {"Battery capacity", "Display size", "Display type"}
    assert "Keyboard" not in response.text
    # The prefilled rows show their group too.
    assertContains(response, '<td class="field-group"><p>Display</p></td>', count=2, html=True)


def test_existing_values_are_listed_by_group_then_field_with_the_group_shown(
    admin_client, phone_schema
):
    device = DeviceFactory(category=phone_schema["phones"])
    SpecValueFactory(device=device, field=phone_schema["capacity"], value="4700 mAh")
    SpecValueFactory(device=device, field=phone_schema["panel"], value="OLED")
    SpecValueFactory(device=device, field=phone_schema["size"], value="6.7 in")
    response = admin_client.get(reverse("admin:comparisons_device_change", args=[device.pk]))
    formset = response.context["inline_admin_formsets"][0].formset
    names = [form.instance.field.name for form in formset.initial_forms]
    assert names == ["Display size", "Display type", "Battery capacity"]
    assertContains(response, '<td class="field-group"><p>Display</p></td>', count=2, html=True)
    assertContains(response, '<td class="field-group"><p>Battery</p></td>', count=1, html=True)


def test_add_page_offers_every_field(admin_client, phone_schema):
    response = admin_client.get(reverse("admin:comparisons_device_add"))
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].fields["field"].queryset.count() == SpecField.objects.count()


def test_saving_edits_a_value_and_reads_its_number_again(admin_client, phone_schema):
    device = DeviceFactory(category=phone_schema["phones"])
    spec = SpecValueFactory(device=device, field=phone_schema["capacity"], value="4700 mAh")
    assert spec.number == 4700
    rows = [
        {"id": spec.pk, "field": spec.field_id, "value": "5000 mAh", "number": "4700"},
        # Pre-filled rows left blank create nothing.
        {"field": phone_schema["size"].pk},
        {"field": phone_schema["panel"].pk, "value": "LTPO OLED"},
    ]
    response = admin_client.post(
        reverse("admin:comparisons_device_change", args=[device.pk]), _inline_data(device, rows)
    )
    assert response.status_code == 302, response.context["errors"]
    spec.refresh_from_db()
    assert (spec.value, spec.number) == ("5000 mAh", 5000)
    values = dict(device.specs.values_list("field__name", "value"))
    assert values == {"Battery capacity": "5000 mAh", "Display type": "LTPO OLED"}


def test_a_number_field_without_any_number_is_refused(admin_client, phone_schema):
    device = DeviceFactory(category=phone_schema["phones"])
    rows = [{"field": phone_schema["capacity"].pk, "value": "big"}]
    response = admin_client.post(
        reverse("admin:comparisons_device_change", args=[device.pk]), _inline_data(device, rows)
    )
    assert response.status_code == 200
    assert "Battery capacity is a number" in response.text
    assert not device.specs.exists()


def test_a_field_of_another_category_is_not_accepted(admin_client, phone_schema):
    device = DeviceFactory(category=phone_schema["phones"])
    rows = [{"field": phone_schema["keyboard"].pk, "value": "Backlit"}]
    response = admin_client.post(
        reverse("admin:comparisons_device_change", args=[device.pk]), _inline_data(device, rows)
    )
    assert response.status_code == 200
    assert not device.specs.exists()


def test_duplicate_action_copies_the_device_and_its_specs_under_new_slugs(
    admin_client, phone_schema
):
    device = DeviceFactory(name="Nothing Phone (2)", slug="nothing-phone-2")
    SpecValueFactory(device=device, field=phone_schema["capacity"], value="4700 mAh")
    SpecValueFactory(device=device, field=phone_schema["panel"], value="OLED")
    url = reverse("admin:comparisons_device_changelist")
    data = {"action": "duplicate", "_selected_action": [device.pk]}
    first = admin_client.post(url, data)
    admin_client.post(url, data)
    copy = Device.objects.get(slug="nothing-phone-2-copy")
    second = Device.objects.get(slug="nothing-phone-2-copy-2")
    assert copy.name == second.name == "Nothing Phone (2) (copy)"
    assert (copy.brand, copy.category, copy.launch_price) == (
        device.brand,
        device.category,
        device.launch_price,
    )
    assert dict(copy.specs.values_list("field__name", "number")) == {
        "Battery capacity": 4700,
        "Display type": None,
    }
    assert device.specs.count() == 2
    assert [str(m) for m in get_messages(first.wsgi_request)] == [
        "Duplicated 1 device: Nothing Phone (2) (copy)."
    ]


def test_kind_is_read_only_once_a_field_has_values(admin_client, phone_schema):
    SpecValueFactory(field=phone_schema["capacity"], value="4700 mAh")
    used = admin_client.get(
        reverse("admin:comparisons_specfield_change", args=[phone_schema["capacity"].pk])
    )
    unused = admin_client.get(
        reverse("admin:comparisons_specfield_change", args=[phone_schema["keyboard"].pk])
    )
    assert "kind" not in used.context["adminform"].form.fields
    assert "kind" in unused.context["adminform"].form.fields


def test_yes_no_values_are_normalised(admin_client):
    category = CategoryFactory(name="Phones")
    five_g = SpecFieldFactory(name="5G", kind=SpecField.Kind.BOOLEAN, categories=[category])
    device = DeviceFactory(category=category)
    rows = [{"field": five_g.pk, "value": "yes"}]
    admin_client.post(
        reverse("admin:comparisons_device_change", args=[device.pk]), _inline_data(device, rows)
    )
    assert SpecValue.objects.get(device=device).value == "Yes"


def _offered_actions(response):
    """Names of the actions the changelist offers (none at all: no action form)."""
    form = response.context["action_form"]
    return {name for name, _label in form.fields["action"].choices} if form else set()


@pytest.mark.parametrize(
    "codenames",
    [["view_device"], ["view_device", "change_device", "delete_device"]],
    ids=["view-only", "all-but-add"],
)
def test_duplicate_needs_the_add_permission(client, codenames):
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="comparisons", codename__in=codenames)
    )
    client.force_login(user)
    device = DeviceFactory(slug="nothing-phone-2")
    url = reverse("admin:comparisons_device_changelist")
    changelist = client.get(url)
    assert changelist.status_code == 200
    assert "duplicate" not in _offered_actions(changelist)
    client.post(url, {"action": "duplicate", "_selected_action": [device.pk]})
    assert list(Device.objects.values_list("slug", flat=True)) == ["nothing-phone-2"]


def test_an_editor_can_duplicate(client):
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(editor)
    device = DeviceFactory(slug="nothing-phone-2")
    url = reverse("admin:comparisons_device_changelist")
    assert "duplicate" in _offered_actions(client.get(url))
    response = client.post(url, {"action": "duplicate", "_selected_action": [device.pk]})
    assert response.status_code == 302
    assert Device.objects.filter(slug="nothing-phone-2-copy").exists()
