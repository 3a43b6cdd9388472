import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from catalog.models import Brand, Category, Device, SpecField, SpecGroup, SpecValue

IMMEDIATE_TASKS = "django.tasks.backends.immediate.ImmediateBackend"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """A cheap hasher for the whole run: the real one is slow on purpose, and tests create
    users and sign in by the hundred. Settings tests run manage.py in their own process."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _immediate_tasks():
    """Tasks run as they are enqueued, inside the test: no worker process to wait for."""
    with override_settings(TASKS={"default": {"BACKEND": IMMEDIATE_TASKS}}):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Counters and cached fragments must not leak between tests (or from a dev run in Redis).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_fields(monkeypatch):
    # Each test's rolled-back transaction hands out the same content version again, with
    # other fields behind it: the per-process copy of the fields must start empty.
    from catalog import models

    monkeypatch.setattr(models, "_fields_seen", (None, {}))


@pytest.fixture(autouse=True)
def _fresh_search_index(monkeypatch):
    # The same goes for the per-process device search index (catalog.search).
    from catalog import search

    monkeypatch.setattr(search, "_current", (None, None))


@pytest.fixture(autouse=True)
def _fresh_view_buffer(monkeypatch):
    # Comparison views wait in a per-process buffer: none may reach another test's queries.
    from comparisons import popular

    monkeypatch.setattr(popular, "buffer", popular.ViewBuffer())


@pytest.fixture(autouse=True)
def _fresh_namesake_queue(monkeypatch):
    # Names a rolled-back transaction left to refresh wait for the next commit in the
    # thread (catalog.namesakes): a test's must not reach the next test's queries.
    import threading

    from catalog import namesakes

    monkeypatch.setattr(namesakes, "_pending", threading.local())


@pytest.fixture
def give_list(settings):
    """``give_list(client, devices)``: the client becomes a visitor whose genuine compare
    list holds ``devices``, as if they had added them."""
    from comparisons import compare

    def give(client, devices):
        token = compare.new_token()
        for device in devices:
            compare.add(token, device)
        client.cookies[settings.COMPARE_COOKIE_NAME] = compare.sign_token(token)
        return token

    return give


def _signed_in_member(username, group_name, first_name="", last_name=""):
    """A new client signed in as a staff member whose only permissions are the group's."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    member = User.objects.create_user(
        username, password="pw", is_staff=True, first_name=first_name, last_name=last_name
    )
    member.groups.add(Group.objects.get(name=group_name))
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def editor_client(db):
    """A client signed in as a member of the Editors group only (``client`` stays a visitor)."""
    from core.editors import EDITORS_GROUP

    return _signed_in_member("editor", EDITORS_GROUP)


@pytest.fixture
def chief_editor_client(db):
    """A client signed in as a member of the Chief editors group only."""
    from core.editors import CHIEF_EDITORS_GROUP

    return _signed_in_member("chief-editor", CHIEF_EDITORS_GROUP)


@pytest.fixture
def ann(db):
    """Ann Archer, an editor: one of two editing the same page (see the conflict tests)."""
    from core.editors import EDITORS_GROUP

    return _signed_in_member("ann", EDITORS_GROUP, "Ann", "Archer")


@pytest.fixture
def bea(db):
    """Bea Baker, the other editor."""
    from core.editors import EDITORS_GROUP

    return _signed_in_member("bea", EDITORS_GROUP, "Bea", "Baker")


@pytest.fixture
def version_queries(settings):
    """Queries a page costs just to read the content version (none when Redis keeps it)."""
    return 0 if settings.CONTENT_VERSION_STORE == "cache" else 1


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what the block queues for the commit (the content version
    bump), as production does when the transaction ends; tests run inside one that never
    commits, so what earlier statements queued never runs.

    The block is a transaction of its own: a transaction queues one content version bump
    however many rows it changes, so one the test's earlier writes queued is set aside
    first (never run, as before), or the block's writes would queue none."""
    from core.content import PendingBump
    from core.django_private import on_commit_queue

    @contextmanager
    def block():
        for queued in on_commit_queue():
            if isinstance(queued, PendingBump):
                queued.ran = True
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return block


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_ROOT = tmp_path / "imports"


@pytest.fixture
def big_catalog(db):
    """60 devices in 3 categories with 36 spec values each: enough to expose an N+1."""
    categories = [
        Category.objects.create(name=name, slug=name.lower(), order=i)
        for i, name in enumerate(["Phones", "Laptops", "Chipsets"])
    ]
    brands = [Brand.objects.create(name=f"Maker {i}", slug=f"maker-{i}") for i in range(6)]
    groups = [SpecGroup.objects.create(name=f"Group {i}", order=i) for i in range(6)]
    fields = []
    for i in range(36):
        number = i % 3 != 2
        fields.append(
            SpecField.objects.create(
                group=groups[i % 6],
                name=f"Spec {i}",
                slug=f"spec-{i}",
                unit="GB" if number else "",
                kind=SpecField.Kind.NUMBER if number else SpecField.Kind.TEXT,
                direction=SpecField.Direction.HIGHER if number else SpecField.Direction.NONE,
                order=i,
                filterable=i < 4,
                key=i < 3,
            )
        )
    for field in fields:
        field.categories.set(categories)
    devices = Device.objects.bulk_create(
        Device(
            name=f"Gadget {i}",
            slug=f"gadget-{i}",
            brand=brands[i % 6],
            category=categories[i % 3],
            launch_price=100 + i * 10,
        )
        for i in range(60)
    )
    SpecValue.objects.bulk_create(
        SpecValue(
            device=device,
            field=field,
            value=f"{d + f} {field.unit}".strip(),
            number=float(d + f) if field.kind == SpecField.Kind.NUMBER else None,
        )
        for d, device in enumerate(devices)
        for f, field in enumerate(fields)
    )
    return {"categories": categories, "brands": brands, "fields": fields, "devices": devices}


# Browser tests: Playwright drives the system Chromium; never a downloaded browser.


def chromium_path():
    """CHROMIUM_PATH if set (and nothing else), else the system Chromium."""
    if CHROMIUM:
        return CHROMIUM if Path(CHROMIUM).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        where = CHROMIUM or "/usr/bin/chromium"
        pytest.skip(f"browser tests skipped: no Chromium at {where} (apt-get install chromium)")
    # Playwright's sync API runs an event loop; the ORM calls in these tests are plain
    # synchronous code on the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    if any("browser tests skipped" in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(
            "NOTE: browser tests were skipped: no Chromium found (apt-get install chromium).",
            yellow=True,
        )
