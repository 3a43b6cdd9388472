"""The admin bench rows (``make bench BENCH_ARGS="--admin"``): every admin page an editor
uses on a big catalog, in-process, each within ADMIN_QUERIES queries and ADMIN_MS ms.

Run by scripts/bench.py in the bench database's environment (production settings): signs
in as a member of the Editors group, requests each page three times with Django's test
client and keeps the fastest, counting the queries of that request. The device save posts
the change form as the page drew it (nothing changed), as an editor pressing "Save" does,
and again with its summary and a spec value's source edited.
"""

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_QUERIES = 15
ADMIN_MS = 300
TRIES = 3
USERNAME = "bench-editor"
STORY_SEARCH = "battery"
DEEP_PAGE = 500


def setup():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def editor_client():
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from core.editors import EDITORS_GROUP

    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
    user.groups.set([Group.objects.get(name=EDITORS_GROUP)])
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    return client


def pages():
    """(name, method, path, post data or a function of the page for it)."""
    from django.db.models import Count

    from catalog.models import Brand, Category, Device

    device = (
        Device.objects.annotate(n=Count("specs"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .only("pk")
        .first()
    )
    category = Category.objects.order_by("pk").first()
    brand = Brand.objects.annotate(n=Count("devices")).order_by("-n").first()
    year = Device.objects.filter(released__isnull=False).order_by("-released").first().released
    # A series name, as an editor would type it ("Nova"): in thousands of names.
    word = Device.objects.filter(slug__startswith="gen-").order_by("pk").first().name.split()[1]
    base = "/admin/catalog/device/"
    change = f"{base}{device.pk}/change/"
    rows = [
        ("device list", "get", base),
        (f"device list page {DEEP_PAGE}", "get", f"{base}?p={DEEP_PAGE}"),
        (f"device search {word!r}", "get", f"{base}?q={word}"),
        ("device filter category", "get", f"{base}?category__id__exact={category.pk}"),
        ("device filter brand", "get", f"{base}?brand__id__exact={brand.pk}"),
        ("device filter year", "get", f"{base}?year={year.year}"),
        ("device filter status", "get", f"{base}?status__exact=announced"),
    ]
    # Each sortable column, both ways (the list's columns are numbered from 1).
    for number, name in enumerate(["name", "brand", "category", "released", "price"], 1):
        rows.append((f"device sort {name} asc", "get", f"{base}?o={number}"))
        rows.append((f"device sort {name} desc", "get", f"{base}?o=-{number}"))
    rows += [
        ("device form", "get", change),
        ("device save (POST)", "post", change),
        ("device save, edited (POST)", "edit", change),
        (
            "device autocomplete",
            "get",
            "/admin/autocomplete/?app_label=catalog&model_name=device"
            f"&field_name=powered_by&term={word}",
        ),
        ("story list", "get", "/admin/news/article/"),
        (f"story list page {DEEP_PAGE}", "get", f"/admin/news/article/?p={DEEP_PAGE}"),
        (f"story search {STORY_SEARCH!r}", "get", f"/admin/news/article/?q={STORY_SEARCH}"),
        ("story filter scheduled", "get", "/admin/news/article/?state=scheduled"),
    ]
    return rows


def measure(client, method, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.conflicts import TOKEN_FIELD as TOKEN

    data = None
    posts = method in {"post", "edit"}
    if posts:
        sys.path.insert(0, str(ROOT))
        from tests.admin_forms import form_data

        data = form_data(client.get(path), "device")
        data["_continue"] = ["Save and continue editing"]
    best = None
    for attempt in range(TRIES):
        if posts:
            # A fresh token each time: a save bumps the version the form must carry.
            data.update(
                {k: v for k, v in form_data(client.get(path), "device").items() if k == TOKEN}
            )
        if method == "edit":
            # The summary and the source of the sheet's first value, new each time.
            data["summary"] = [f"Edited in the bench, take {attempt}."]
            data["specs-0-source"] = [f"https://example.com/bench/{attempt}"]
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(path, data) if posts else client.get(path)
            ms = (time.perf_counter() - started) * 1000
        expected = 302 if posts else 200
        if response.status_code != expected:
            raise SystemExit(f"{method.upper()} {path} answered {response.status_code}")
        if best is None or ms < best[0]:
            best = (ms, len(queries))
    return best


def main():
    setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    client = editor_client()
    from catalog.models import Device
    from news.models import Article

    size = f"{Device.objects.count():,} devices / {Article.objects.count():,} stories"
    print(f"\nAdmin, in-process, {connection.vendor}, {size}; best of {TRIES}, as an Editor")
    print(f"{'page':<30}{'queries':>8}{'ms':>9}  path")
    failed, rows = False, []
    for name, method, path in pages():
        ms, count = measure(client, method, path)
        slow = count > ADMIN_QUERIES or ms > ADMIN_MS
        failed |= slow
        rows.append({"page": name, "method": method, "path": path, "queries": count, "ms": ms})
        mark = "  < target" if slow else ""
        verb = "POST" if method == "edit" else method.upper()
        print(f"{name:<30}{count:>8}{ms:>9.0f}  {verb} {path}{mark}")
    label = f"{connection.vendor}-{Device.objects.count()}-{Article.objects.count()}"
    out = ROOT / f"bench-admin-{label}.json"
    out.write_text(json.dumps(rows, indent=2))
    print(f"\nTarget: every page <= {ADMIN_QUERIES} queries and <= {ADMIN_MS} ms. In {out.name}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
