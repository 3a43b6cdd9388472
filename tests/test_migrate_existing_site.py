"""A site made before the catalog had an app of its own migrates without losing or changing a
row: its tables, files, content types, permissions and admin history carry over, and every
public page shows its data afterwards.

The site is built at the old migrations through the models as they were then (today's models
write through the catalog app, which did not exist yet).
"""

import datetime
import io
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from catalog.models import Brand, Category, Device, DevicePhoto, SpecField, SpecGroup, SpecValue
from comparisons import compare
from comparisons.models import CompareItem
from core import images
from core.editors import CHIEF_EDITORS_GROUP, EDITORS_GROUP, ROLES
from news.models import Article, StoryImage
from news.search import search_articles
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

# The last migrations before the move (and before the newsroom's roles, which build on the
# catalog); every other app stays at its newest.
BEFORE = {
    "comparisons": "0007_best_sort_ties_by_device",
    "news": "0004_story_images",
    "core": "0003_editorial",
}
# Apps such a site did not have yet: their tables come with the migration.
NEWER_APPS = {"catalog", "reversion"}
MOVED = ["brand", "category", "specgroup", "specfield", "device", "specvalue", "devicephoto"]
# The old Editors group, as core.editors defined it before the move.
OLD_EDITOR_PERMISSIONS = [
    ("news", "article", ["add", "change", "delete", "view"]),
    ("news", "tag", ["add", "change", "delete", "view"]),
    ("comparisons", "device", ["add", "change", "view"]),
    ("comparisons", "specvalue", ["add", "change", "view"]),
    ("comparisons", "brand", ["add", "change", "view"]),
    ("comparisons", "category", ["view"]),
    ("comparisons", "specgroup", ["view"]),
    ("comparisons", "specfield", ["view"]),
]
CATEGORIES = ["Phones", "Laptops", "Chipsets"]
DEVICES = 30
OLD_LABELS = {("comparisons", model) for model in MOVED}


def before_nodes(loader):
    """The migration state of a site deployed just before the catalog app existed."""
    leaves = [
        (app, name) for app, name in loader.graph.leaf_nodes() if app not in {*NEWER_APPS, *BEFORE}
    ]
    return [*leaves, *BEFORE.items()]


# Columns later migrations add to the old tables, with what they fill in: the rest of every
# row must be as it was.
ADDED_COLUMNS = {
    "comparisons_device": {"distinguisher", "status"},
    "comparisons_category": {"kind"},
    "comparisons_specfield": {"role", "plausible"},
    # search_title: on PostgreSQL only, the title's tsvector (news 0011).
    "news_article": {"author_id", "mentions", "search_title"},
    "comparisons_comparelist": {"confirmed"},
}
# Columns later migrations replace, checked on their own: the byline text became an Author.
REPLACED_COLUMNS = {"news_article": {"author"}}
# Tables later migrations add to apps the old site had.
ADDED_TABLES = {"news_author", "core_sharecard"}
# SQLite's search index data, rebuilt when a migration rebuilds news_article: checked by
# searching instead.
SEARCH_INDEX_DATA = "news_article_fts_"
# The newsroom's groups: migrate gives them the roles' permissions (checked on their own).
ROLE_TABLES = {"auth_group", "auth_group_permissions"}


def snapshot(without=None):
    """Every row of every table (SQLite's own statistics aside), sorted: {table: rows}; the
    columns of ``without`` ({table: {column}}) left out."""
    without = without or {}
    rows = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("sqlite_"):
                continue
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
                if column.name not in without.get(table, ())
            ]
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def stored_image(folder, color):
    """A clean master and its resized copies saved under ``folder``, as the admin stores a
    photo; the Master."""
    master = images.prepare(io.BytesIO(image_bytes(color=color)), "photo.jpg")
    images.store_with_copies(master, folder)
    return master


def fill_old_site(apps):
    """A few rows in every table of the old schema, written through its own models; what a
    test needs to find them again."""
    now = timezone.now()
    get = apps.get_model
    ContentTypeThen = get("contenttypes", "ContentType")
    Permission, Group = get("auth", "Permission"), get("auth", "Group")
    User = get("auth", "User")

    categories = [
        get("comparisons", "Category").objects.create(name=name, slug=name.lower(), order=i)
        for i, name in enumerate(CATEGORIES)
    ]
    phones, laptops, chipsets = categories
    brands = [
        get("comparisons", "Brand").objects.create(
            name=name, slug=name.lower(), description=f"{name} makes things."
        )
        for name in ["Aster", "Boreal", "Cirrus", "Dynamo"]
    ]
    groups = [
        get("comparisons", "SpecGroup").objects.create(name=name, order=i)
        for i, name in enumerate(["Performance", "Display"])
    ]
    SpecField = get("comparisons", "SpecField")
    fields = {
        "ram": SpecField.objects.create(
            group=groups[0],
            name="RAM",
            slug="ram",
            unit="GB",
            kind="number",
            direction="higher",
            order=0,
            filterable=True,
            key=True,
        ),
        "cores": SpecField.objects.create(
            group=groups[0],
            name="CPU cores",
            slug="cpu-cores",
            kind="number",
            direction="higher",
            order=1,
            key=True,
        ),
        "panel": SpecField.objects.create(
            group=groups[1],
            name="Panel",
            slug="panel",
            kind="text",
            order=0,
            key=True,
        ),
        "touch": SpecField.objects.create(
            group=groups[1],
            name="Touch screen",
            slug="touch-screen",
            kind="yes-no",
            order=1,
        ),
    }
    fields["ram"].categories.set([phones, laptops])
    fields["cores"].categories.set(categories)
    fields["panel"].categories.set([phones, laptops])
    fields["touch"].categories.set([laptops])

    Device = get("comparisons", "Device")
    devices = []
    for i in range(DEVICES):
        category = chipsets if i < 6 else (phones, laptops)[i % 2]
        devices.append(
            Device.objects.create(
                name=f"{brands[i % 4].name} {category.name[:-1]} {i}",
                slug=f"{brands[i % 4].slug}-{category.slug[:-1]}-{i}",
                brand=brands[i % 4],
                category=category,
                released=datetime.date(2022, 1, 1) + datetime.timedelta(days=20 * i),
                launch_price=None if i == 7 else Decimal(199 + 10 * i),
                summary=f"Summary of device {i}.",
                powered_by=None if i < 6 else devices[i % 6],
            )
        )
    values = {
        "ram": lambda i: (f"{8 + i} GB", 8 + i),
        "cpu-cores": lambda i: (str(4 + i % 5), 4 + i % 5),
        "panel": lambda i: (f"Panel kind {i}", None),
        "touch-screen": lambda i: ("yes", 1.0) if i % 3 else ("no", 0.0),
    }
    used_in = {field: set(field.categories.all()) for field in fields.values()}
    get("comparisons", "SpecValue").objects.bulk_create(
        get("comparisons", "SpecValue")(
            device=device,
            field=field,
            value=values[field.slug](i)[0],
            number=values[field.slug](i)[1],
            source="Maker's sheet",
        )
        for i, device in enumerate(devices)
        for field in fields.values()
        if device.category in used_in[field]
    )

    photographed = devices[10]
    masters = [
        stored_image(f"devices/{photographed.slug}", color) for color in [(9, 9, 9), (250, 1, 1)]
    ]
    for order, master in enumerate(masters):
        get("comparisons", "DevicePhoto").objects.create(
            device=photographed,
            image=master.name(f"devices/{photographed.slug}"),
            alt=f"View {order} of {photographed.name}",
            order=order,
            width=master.width,
            height=master.height,
            checksum=master.checksum,
            source_checksum=master.source_checksum,
        )
    Device.objects.filter(pk=photographed.pk).update(
        image=masters[0].name(f"devices/{photographed.slug}")
    )

    tags = [
        get("news", "Tag").objects.create(name=name, slug=name.lower())
        for name in ["Reviews", "Launches", "Chips"]
    ]
    Article = get("news", "Article")
    hero = default_storage.save("news/hero.jpg", io.BytesIO(image_bytes()))
    hero_card = default_storage.save("news/cards/hero-640.webp", io.BytesIO(image_bytes()))
    hero_page = default_storage.save("news/pages/hero-1280.webp", io.BytesIO(image_bytes()))
    articles = []
    for i in range(8):
        about = [devices[6 + i], devices[7 + i]]
        article = Article.objects.create(
            title=f"Story {i} about the {about[0].name}",
            slug=f"story-{i}",
            summary=f"Summary of story {i}.",
            body=f"The **{about[0].name}** meets the {about[1].name}.",
            body_html=f"<p>The <strong>{about[0].name}</strong> meets the {about[1].name}.</p>",
            author="Ada Writer",
            status="draft" if i == 7 else "published",
            published_at=now - datetime.timedelta(days=i + 1),
            **(
                {
                    "hero_image": hero,
                    "hero_card": hero_card,
                    "hero_page": hero_page,
                    "hero_alt": "A hero",
                }
                if i == 0
                else {}
            ),
        )
        article.tags.set(tags[: 1 + i % 3])
        article.devices.set(about)
        articles.append(article)
    story_master = images.narrowed(
        images.prepare(io.BytesIO(image_bytes(color=(1, 250, 1))), "inside.jpg"), 1600
    )
    story_name = story_master.name("news/story")
    images.store(story_name, story_master.content)
    get("news", "StoryImage").objects.create(
        article=articles[0], image=story_name, alt="Inside the phone"
    )

    CompareList, CompareItem = get("comparisons", "CompareList"), get("comparisons", "CompareItem")
    lists = {}
    for token, members in [("a" * 43, devices[6:9]), ("b" * 43, devices[20:22])]:
        compare_list = CompareList.objects.create(token=token)
        for device in members:
            CompareItem.objects.create(
                compare_list=compare_list, device=device, device_name=device.name
            )
        lists[token] = [device.pk for device in members]
    pair = sorted([devices[6].slug, devices[8].slug])
    key = "-vs-".join(pair)
    get("comparisons", "ComparisonCount").objects.create(key=key, views=12)
    get("comparisons", "ComparisonCount").objects.create(
        key="-vs-".join(sorted([devices[20].slug, devices[21].slug])), views=3
    )
    for visitor in ["v1", "v2"]:
        get("comparisons", "ComparisonView").objects.create(
            key=key, visitor=visitor, day=now.date()
        )
    get("core", "ContentVersion").objects.update_or_create(pk=1, defaults={"version": 41})

    # Content types and permissions as the old site had them. The test database has them from
    # today's migrate: labelled "catalog" unless migrating back relabelled them already.
    ContentTypeThen.objects.filter(app_label="catalog", model__in=MOVED).update(
        app_label="comparisons"
    )
    old_types = ContentTypeThen.objects.filter(app_label="comparisons", model__in=MOVED)
    assert old_types.count() == len(MOVED)
    device_type = old_types.get(model="device")
    Group.objects.filter(name=CHIEF_EDITORS_GROUP).delete()  # a role the old site had not
    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.set(
        Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
        for app, model, actions in OLD_EDITOR_PERMISSIONS
        for action in actions
    )
    editor = User.objects.create(
        username="editor", password=make_password("x"), is_staff=True, last_login=now
    )
    editor.groups.add(editors)
    buyer = User.objects.create(username="buyer", password=make_password("x"), is_staff=True)
    buyer.user_permissions.add(
        Permission.objects.get(content_type=device_type, codename="delete_device")
    )
    get("admin", "LogEntry").objects.create(
        user=editor,
        content_type=device_type,
        object_id=str(devices[9].pk),
        object_repr=devices[9].name,
        action_flag=2,
        change_message='[{"changed": {"fields": ["Summary"]}}]',
    )
    get("sessions", "Session").objects.create(
        session_key="s" * 32, session_data="e30:old", expire_date=now + datetime.timedelta(1)
    )
    axes = {"user_agent": "Old browser", "ip_address": "192.0.2.1", "username": "intruder"}
    axes |= {"http_accept": "*/*", "path_info": "/admin/login/"}
    attempt = get("axes", "AccessAttempt").objects.create(
        **axes, get_data="", post_data="username=intruder", failures_since_start=1
    )
    get("axes", "AccessAttemptExpiration").objects.create(
        access_attempt=attempt, expires_at=now + datetime.timedelta(hours=1)
    )
    get("axes", "AccessLog").objects.create(**axes, session_hash="h")
    get("axes", "AccessFailureLog").objects.create(**axes, locked_out=False)
    # A task waiting for the worker (its app migrates on its own: never to zero, as its
    # migrations cannot be undone).
    get("django_tasks_database", "DBTaskResult").objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="catalog.imports.run_import_job",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )

    return {
        "devices": [(d.pk, d.slug, d.name, d.powered_by_id) for d in devices],
        "photographed": photographed,
        "photos": [master.name(f"devices/{photographed.slug}") for master in masters],
        "articles": [(a.pk, a.slug, a.title) for a in articles],
        "brands": [(b.pk, b.slug) for b in brands],
        "hero": (hero, hero_card, hero_page),
        "story_image": story_name,
        "lists": lists,
        "popular": key,
        "device_type": device_type.pk,
        "logged": devices[9].pk,
    }


@pytest.fixture
def old_site(transactional_db):
    """The test database migrated back to before the catalog app and filled; migrated to
    the newest state again afterwards, whatever happens, for the tests that follow."""
    executor = MigrationExecutor(connection)
    before = before_nodes(executor.loader)
    executor.migrate([*before, *((app, None) for app in NEWER_APPS)])
    try:
        yield fill_old_site(MigrationExecutor(connection).loader.project_state(before).apps)
    finally:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            migrate_to_today()


def migrate_to_today():
    call_command("migrate", verbosity=0)
    # The process's cached content types were read when the catalog was "comparisons".
    ContentType.objects.clear_cache()


def only_content_types_migrations_and_roles_changed(before, after):
    assert set(before) <= set(after)
    new_tables = set(after) - set(before) - ADDED_TABLES
    assert {table.split("_")[0] for table in new_tables} <= NEWER_APPS
    after = {table: rows for table, rows in after.items() if table in before}
    moved_types = {
        pk for pk, app, model in before["django_content_type"] if (app, model) in OLD_LABELS
    }
    assert len(moved_types) == len(MOVED)
    assert after["django_content_type"] == sorted(
        (
            (pk, "catalog" if pk in moved_types else app, model)
            for pk, app, model in before["django_content_type"]
        ),
        key=repr,
    )
    applied = {row[1:3] for row in after["django_migrations"]} - {
        row[1:3] for row in before["django_migrations"]
    }
    assert {
        ("catalog", "0001_initial"),
        ("comparisons", "0008_catalog_models_moved"),
        ("news", "0005_devices_from_catalog"),
    } <= applied
    assert {app for app, _name in applied} <= {*NEWER_APPS, *BEFORE}
    changed = [
        table
        for table in before
        if table not in {"django_content_type", "django_migrations", *ROLE_TABLES}
        and not table.startswith(SEARCH_INDEX_DATA)
        and after[table] != before[table]
    ]
    assert changed == []
    # The Editors keep every permission they had (what they gain is checked against the
    # roles in permissions_and_history_follow_the_models).
    kept, now = set(before["auth_group_permissions"]), set(after["auth_group_permissions"])
    assert kept <= now


def catalog_models_read_the_old_rows(old_site):
    assert [
        (d.pk, d.slug, d.name, d.powered_by_id) for d in Device.objects.order_by("pk")
    ] == old_site["devices"]
    assert list(Brand.objects.order_by("pk").values_list("pk", "slug")) == old_site["brands"]
    assert Category.objects.count() == 3 and SpecGroup.objects.count() == 2
    assert set(SpecField.objects.get(slug="ram").categories.values_list("slug", flat=True)) == {
        "phones",
        "laptops",
    }
    phone = Device.objects.get(slug=old_site["devices"][12][1])
    assert {value.field.slug: value.value for value in phone.specs.all()} == {
        "ram": "20 GB",
        "cpu-cores": "6",
        "panel": "Panel kind 12",
    }
    photographed = Device.objects.get(pk=old_site["photographed"].pk)
    photos = list(photographed.photos.order_by("order"))
    assert [photo.image.name for photo in photos] == old_site["photos"]
    assert photographed.image.name == old_site["photos"][0]
    for name in [*old_site["photos"], *old_site["hero"], old_site["story_image"]]:
        assert default_storage.exists(name), name
    for name in images.copy_names(old_site["photos"][0]):
        assert default_storage.exists(name), name
    assert StoryImage.objects.get().image.name == old_site["story_image"]

    story = Article.objects.get(slug="story-0")
    assert sorted(story.devices.values_list("pk", flat=True)) == [
        old_site["devices"][6][0],
        old_site["devices"][7][0],
    ]
    assert list(story.tags.values_list("slug", flat=True)) == ["reviews"]
    for token, device_ids in old_site["lists"].items():
        items = CompareItem.objects.filter(compare_list__token=token).select_related("device")
        assert [item.device.pk for item in items] == device_ids
        assert [item.device_name for item in items] == [item.device.name for item in items]


def permissions_and_history_follow_the_models(old_site):
    device_type = ContentType.objects.get_for_model(Device)
    assert (device_type.pk, device_type.app_label) == (old_site["device_type"], "catalog")
    assert not ContentType.objects.filter(app_label="comparisons", model__in=MOVED).exists()
    User = get_user_model()
    editor = User.objects.get(username="editor")
    assert editor.groups.get().name == EDITORS_GROUP
    for name, role in ROLES.items():
        held = Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
        assert set(held) == role.permissions(), name
    assert editor.has_perm("catalog.change_device")
    assert editor.has_perm("catalog.view_specfield")
    assert editor.has_perm("catalog.add_devicephoto")
    assert not editor.has_perm("catalog.change_specfield")
    assert not editor.has_perm("comparisons.change_device")
    assert User.objects.get(username="buyer").has_perm("catalog.delete_device")
    entry = LogEntry.objects.get()
    assert entry.content_type.model_class() is Device
    assert entry.get_edited_object() == Device.objects.get(pk=old_site["logged"])
    assert entry.get_admin_url() == f"/admin/catalog/device/{old_site['logged']}/change/"


def public_pages_show_the_old_data(old_site, client, settings):
    cache.clear()
    devices = {slug: name for _pk, slug, name, _chip in old_site["devices"]}
    phone_slug = old_site["devices"][12][1]
    lead = old_site["articles"][0]
    pair = old_site["popular"].split("-vs-")
    names = [devices[slug] for slug in pair]

    pages = {
        "/": [lead[2], f"{names[0]} vs {names[1]}"],
        "/news/": [title for _pk, _slug, title in old_site["articles"][:7]],
        f"/news/{lead[1]}/": [lead[2], "Reviews", old_site["hero"][2]],
        "/news/tag/chips/": [
            title for _pk, slug, title in old_site["articles"][:7] if slug in {"story-2", "story-5"}
        ],
        "/devices/": [Device.objects.order_by("-released").first().name],
        f"/devices/{phone_slug}/": [devices[phone_slug], "20 GB", "Panel kind 12"],
        f"/devices/{old_site['photographed'].slug}/": [
            old_site["photos"][0].rsplit(".", 1)[0],
            f"View 1 of {old_site['photographed'].name}",
        ],
        "/brands/aster/": ["Aster makes things.", devices[phone_slug]],
        f"/compare/{old_site['popular']}/": [*names, "Panel kind 6", "Panel kind 8"],
        f"/search/?{urlencode({'q': devices[phone_slug]})}": [devices[phone_slug]],
        # The stories' search index survives the copies SQLite makes of their table.
        f"/search/?{urlencode({'q': lead[2]})}": [f"/news/{lead[1]}/"],
        "/news/feed/": [title for _pk, _slug, title in old_site["articles"][:7]],
        "/sitemap.xml": [
            f"sitemap-{name}.xml" for name in ["articles", "tags", "devices", "brands"]
        ],
        "/sitemap-devices.xml": [f"/devices/{slug}/" for slug in devices],
        "/sitemap-brands.xml": ["/brands/aster/", "/brands/dynamo/"],
        "/sitemap-articles.xml": [f"/news/{slug}/" for _pk, slug, _t in old_site["articles"][:7]],
        "/sitemap-tags.xml": ["/news/tag/reviews/", "/news/tag/chips/"],
    }
    for url, wanted in pages.items():
        response = client.get(url)
        assert wanted and response.status_code == 200, url
        text = response.content.decode()
        assert [item for item in wanted if item not in text] == [], url
    assert old_site["articles"][7][2] not in client.get("/news/").content.decode()

    token, device_ids = next(iter(old_site["lists"].items()))
    client.cookies[settings.COMPARE_COOKIE_NAME] = compare.sign_token(token)
    response = client.get("/compare/")
    assert response.status_code == 200
    for device in Device.objects.filter(pk__in=device_ids):
        assert device.name in response.content.decode()


def new_content_comes_after_the_old(old_site, client):
    """Today's code writes the demo and a generated catalog into the old tables: new rows
    come after the old ones (ids, PostgreSQL's sequences), none is lost."""
    old_ids = [pk for pk, _slug, _name, _chip in old_site["devices"]]
    old_values = SpecValue.objects.filter(device_id__in=old_ids).count()
    call_command("load_demo", stdout=io.StringIO())
    call_command("generate_catalog", devices=200, articles=300, stdout=io.StringIO())

    new = Device.objects.exclude(pk__in=old_ids)
    assert new.count() == 206 and min(new.values_list("pk", flat=True)) > max(old_ids)
    assert Device.objects.filter(pk__in=old_ids).count() == DEVICES
    assert Article.objects.filter(slug__startswith="gen-").count() == 300
    assert DevicePhoto.objects.filter(device_id=old_site["photographed"].pk).count() == 2
    assert SpecValue.objects.filter(device_id__in=old_ids).count() == old_values
    cache.clear()
    demo = Device.objects.get(slug="nothing-phone-2")
    generated = new.filter(slug__startswith="gen-").order_by("pk").last()
    old = Device.objects.get(pk=old_ids[12])
    for device in [demo, generated, old]:
        response = client.get(device.get_absolute_url())
        assert response.status_code == 200 and device.name in response.content.decode()
    newest = Article.objects.published().first()
    response = client.get("/news/")
    assert response.status_code == 200 and newest.title in response.content.decode()
    # New stories reach the search index (its triggers outlive the table's copies).
    response = client.get(f"/search/?{urlencode({'q': newest.title})}")
    assert newest.get_absolute_url() in response.content.decode()
    key = compare.canonical_key([demo.slug, old.slug])
    response = client.get(f"/compare/{key}/")
    assert response.status_code == 200 and old.name in response.content.decode()


# Two tests, not one per check: each migrates back and forth, and the flush after a
# transactional test takes seconds on PostgreSQL.


def test_an_existing_site_migrates_without_losing_or_changing_a_row(old_site):
    before = snapshot(without=REPLACED_COLUMNS)
    assert all(before.values()), [table for table, rows in before.items() if not rows]
    migrate_to_today()
    after = snapshot(without=ADDED_COLUMNS)

    only_content_types_migrations_and_roles_changed(before, after)
    catalog_models_read_the_old_rows(old_site)
    # The added columns hold what the migration read from the old names.
    assert dict(Category.objects.values_list("slug", "kind")) == {
        "phones": "phone",
        "laptops": "laptop",
        "chipsets": "chip",
    }
    assert {article.slug: article.author.name for article in Article.objects.all()} == {
        slug: "Ada Writer" for _pk, slug, _title in old_site["articles"]
    }
    assert {article.slug for article in search_articles("story")} == {
        slug for _pk, slug, _title in old_site["articles"][:7]
    }
    # Devices of a site older than statuses have none known.
    assert set(Device.objects.values_list("status", flat=True)) == {""}
    # Number fields named as the demo's get its plausible ranges.
    plausible = dict(SpecField.objects.values_list("slug", "plausible"))
    assert plausible["ram"]["phone"] == [1, 32] and plausible["cpu-cores"]["laptop"] == [1, 64]
    assert (plausible["panel"], plausible["touch-screen"]) == ({}, {})
    permissions_and_history_follow_the_models(old_site)


def test_the_migrated_site_shows_its_data_on_every_public_page_and_takes_new_content(
    old_site, client, settings
):
    migrate_to_today()

    public_pages_show_the_old_data(old_site, client, settings)
    new_content_comes_after_the_old(old_site, client)
