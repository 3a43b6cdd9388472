"""Benchmark: serve the synthetic catalog with gunicorn (production settings) and measure.

    make bench                              # hot pages (one URL per page type, repeated)
    make bench BENCH_ARGS="--long-tail"     # random URLs over the whole catalog
    .venv/bin/python scripts/bench.py [--long-tail] [--devices N --articles M] [--fresh]
        [--seconds S] [--postgres URL --redis URL]

Builds the database with ``generate_catalog --devices 10000 --articles 20000`` the first time
(``--fresh`` rebuilds it; a database of another size is rebuilt too): bench.sqlite3 for the
hot pages, one file per size for the long tail (bench-50000-100000.sqlite3), or the
PostgreSQL database named by ``--postgres`` (created if missing), with Redis as cache and
session store (``--redis``, keys prefixed "bench"). Then it starts gunicorn on a free local
port and measures.

Hot pages: for each page a fixed number of client threads for a fixed time; prints
requests/s, p50 and p99 latency and throughput as a ratio of /healthz measured just before
it. Ratios, not absolute numbers, are what compare across machines; the target is every
page >= 0.5, for a visitor with three devices in their compare list as for one with none.

Long tail (``--long-tail``): for device, comparison (2-4 random devices), article and
catalog pages (every category x every sort offered, pages 1-8 and the last one linked from
page 1), URLs sampled over the whole catalog (comparisons of 2-4 devices drawn from all of
it too), each requested once, in a random order, by ``wrk`` (``scripts/bench_urls.lua``; -c8
against 2 workers) or, without wrk, by the Python client, so every request renders afresh
(a list that runs out starts again and the report counts the repeats; the catalog listings
are fewer than the requests). Prints requests/s, the ratio to /healthz (measured
just before each page type), p50 and p99 latency, against the targets in LONG_TAIL_TARGETS
(to be met at 50,000 devices / 100,000 articles on SQLite).

Search (``--search``, best with ``--devices 50000 --articles 100000``): queries typed as
people do, one or two adjacent words of a real device name, half of them with two adjacent
letters swapped ("Corvo Zne 22"), each once, by wrk as above: the header search page
(/search/?q=, devices and stories) and the compare widget's answer (/compare/find/?q= as
htmx asks for it), against SEARCH_TARGETS (p99 in ms). Each worker builds its search index
during the warm-up (once per content version; the build time is printed).
"""

import argparse
import http.client
import itertools
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET_RATIO = 0.5
CATALOG = "/devices/?category=phones&min_ram=8&max_price=900&sort=price-low"
# A word in thousands of generated articles. The search page is kept by the page cache per
# query, as the others are, and held to the same target; --search measures typed queries.
SEARCH = "/search/?q=battery"
# Long tail, random URLs: the least share of /healthz's throughput each page type keeps, and
# the slowest p99 (ms), at 50,000 devices / 100,000 articles on SQLite.
LONG_TAIL_TARGETS = {"device": 0.06, "comparison": 0.05, "article": 0.05, "catalog": 0.03}
LONG_TAIL_P99_MS = 250
# --search: the slowest p99 (ms) at 50,000 devices, and how many typed queries to replay.
SEARCH_TARGETS = {"search": 50, "widget": 30}
SEARCH_QUERIES = 4000
CATALOG_PAGES = 8  # pages 1-8 of every category x sort, and the last one
LUA = Path(__file__).with_name("bench_urls.lua")
WRK_THREADS = 2
REDIS_PREFIX = "bench"
HEADERS = {"X-Forwarded-Proto": "https", "Accept": "text/html"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(database_url, redis_url=None):
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.production",
        DATABASE_URL=database_url,
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # No TLS proxy in front here; the bench client sends X-Forwarded-Proto instead.
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env.update(REDIS_URL=redis_url, CACHE_KEY_PREFIX=REDIS_PREFIX)
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def django_output(env, code):
    """Run ``code`` in ``manage.py shell``; returns the JSON it prints last."""
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def generated_size(env):
    """(devices, articles) made by generate_catalog in the bench database."""
    return tuple(
        django_output(
            env,
            "import json\n"
            "from catalog.models import Device\n"
            "from news.models import Article\n"
            "from news.management.commands.generate_catalog import PREFIX\n"
            "print(json.dumps([Device.objects.filter(slug__startswith=PREFIX).count(),"
            " Article.objects.filter(slug__startswith=PREFIX).count()]))\n",
        )
    )


def postgres_database(url, fresh):
    """Create the database named in ``url`` if missing (dropped first when ``fresh``)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if fresh:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def clear_redis(url):
    """Drop the bench's keys (pages cached by an earlier run would answer as hits)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{REDIS_PREFIX}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def prepare_database(args):
    """Environment for the bench database at the requested size; builds it when needed."""
    if args.postgres:
        postgres_database(args.postgres, args.fresh)
        env = bench_env(args.postgres, args.redis)
    else:
        if args.db:
            db = Path(args.db)
        elif args.long_tail or args.search or args.admin:
            db = ROOT / f"bench-{args.devices}-{args.articles}.sqlite3"
        else:
            db = ROOT / "bench.sqlite3"
        if args.fresh:
            for path in db.parent.glob(db.name + "*"):
                path.unlink()
        env = bench_env(f"sqlite:///{db}", args.redis)
    manage(env, "migrate", "--noinput", "-v", "0")
    if args.fresh or generated_size(env) != (args.devices, args.articles):
        manage(env, "load_demo")
        manage(
            env,
            "generate_catalog",
            "--replace",
            "--devices",
            str(args.devices),
            "--articles",
            str(args.articles),
        )
        if args.postgres:
            # What autovacuum does soon after a bulk load: index-only scans need it.
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
    if args.redis:
        clear_redis(args.redis)
    return env


def pick_urls(env):
    """Real slugs from the bench database: an article, a device, four phones to compare."""
    code = (
        "import json\n"
        "from catalog.models import Device, Category\n"
        "from comparisons.compare import canonical_key\n"
        "from news.models import Article\n"
        "article = Article.objects.published().order_by('-published_at').first()\n"
        "phones = Category.objects.get(slug='phones')\n"
        "device = Device.objects.filter(category=phones, specs__isnull=False)"
        ".order_by('-released').first()\n"
        "four = list(Device.objects.filter(category=phones).order_by('pk')"
        ".values_list('slug', flat=True)[:4])\n"
        "print(json.dumps({'article': article.slug, 'device': device.slug,"
        " 'compare': canonical_key(four), 'listed': four[:3]}))\n"
    )
    slugs = django_output(env, code)
    return [
        ("healthz", "/healthz"),
        ("home", "/"),
        ("article", f"/news/{slugs['article']}/"),
        ("device", f"/devices/{slugs['device']}/"),
        ("catalog (filtered)", CATALOG),
        ("compare (4 devices)", f"/compare/{slugs['compare']}/"),
    ], slugs["listed"]


def compare_cookie(base, slugs):
    """Build a compare list through the site itself; returns the Cookie header for it."""
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    https = {"X-Forwarded-Proto": "https", "Referer": f"https://{base.netloc}/"}
    conn.request("GET", "/compare/find/", headers=https)
    response = conn.getresponse()
    html = response.read().decode()
    csrf_cookie = response.getheader("Set-Cookie").split(";")[0]
    token = html.split('"X-CSRFToken": "')[1].split('"')[0]
    cookies = [csrf_cookie]
    for slug in slugs:
        headers = {
            **https,
            "Cookie": "; ".join(cookies),
            "X-CSRFToken": token,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        conn.request("POST", "/compare/add/", body=f"device={slug}", headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, f"adding {slug} answered {response.status}"
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("specwise_compare="):
                cookies = [csrf_cookie, header.split(";")[0]]
    conn.close()
    return {"Cookie": "; ".join(cookies)}


def wait_until_up(base, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(base.hostname, base.port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def hammer(base, path, seconds, threads, extra_headers=None):
    """Keep-alive clients in threads for ``seconds``; returns (count, latencies, errors).

    ``path`` is one path, or a list the threads walk through together, each path once
    (from the start again if the list runs out).
    """
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {**HEADERS, **(extra_headers or {})}
    paths = itertools.cycle([path] if isinstance(path, str) else path)

    def next_path():
        with lock:
            return next(paths)

    def worker():
        conn = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", next_path(), headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except OSError:
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies), latencies, sum(errors)


def start_server(env, port, workers):
    return subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def run_hot(args, env, base):
    urls, listed = pick_urls(env)
    results = []
    # A visitor with three devices in their list: one more query, their own cached page.
    own_list = compare_cookie(base, listed)
    home_path, device_path, catalog_path = urls[1][1], urls[3][1], urls[4][1]
    urls += [
        ("home, own list", home_path, own_list),
        ("device, own list", device_path, own_list),
        ("catalog, own list", catalog_path, own_list),
        ("search", SEARCH),
    ]
    for _, path, *extra in urls:  # warm up caches and connections
        hammer(base, path, 1.0, 1, *extra)
    for name, path, *extra in urls:
        # /healthz just before each page too, as in the long tail: on a shared machine the
        # load drifts during a run, and a ratio should compare what ran under the same load.
        health = hammer(base, urls[0][1], args.seconds / 2, args.threads)[0] / (args.seconds / 2)
        count, latencies, errors = hammer(base, path, args.seconds, args.threads, *extra)
        rps = count / args.seconds
        p99 = statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) > 100 else 0
        p50 = statistics.median(latencies) * 1000 if latencies else 0
        results.append(
            {
                "page": name,
                "path": path,
                "rps": rps,
                "healthz_rps": health,
                "p50_ms": p50,
                "p99_ms": p99,
                "errors": errors,
            }
        )
    return results


def report_hot(results):
    print(
        f"\n{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'/healthz':>10}{'ratio':>8}"
        "  errors  path"
    )
    failed = False
    for row in results:
        row["ratio"] = row["rps"] / (row["healthz_rps"] or 1)
        ok = row["page"] == "healthz" or row["ratio"] >= TARGET_RATIO
        failed |= not ok or row["errors"] > 0
        mark = "" if ok else "  < target"
        if row["page"].endswith("own list"):
            mark += "  (visitor with 3 devices listed)"
        print(
            f"{row['page']:<22}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['healthz_rps']:>10.0f}{row['ratio']:>8.2f}  {row['errors']:>6}  {row['path']}"
            f"{mark}"
        )
    (ROOT / "bench-results.json").write_text(json.dumps(results, indent=2))
    print(
        f"\nTarget: every page >= {TARGET_RATIO} of /healthz (measured for half as long just "
        "before each page), with a list as without. Results in bench-results.json."
    )
    return 1 if failed else 0


# Long tail


def emit_urls(out_dir, per_type, seed):
    """In Django: write device, article and comparison paths sampled over the whole catalog.

    Slugs are streamed from the database and sampled as they pass (reservoir sampling), so
    the benchmark process never holds the catalog.
    """
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from catalog.models import Device
    from comparisons.compare import canonical_key
    from news.models import Article

    rng = random.Random(seed)

    def sample(queryset, k):
        chosen = []
        for seen, slug in enumerate(
            queryset.order_by().values_list("slug", flat=True).iterator(2000)
        ):
            if seen < k:
                chosen.append(slug)
            elif (slot := rng.randrange(seen + 1)) < k:
                chosen[slot] = slug
        rng.shuffle(chosen)
        return chosen

    # Comparisons of 2-4 devices drawn from the whole catalog (a smaller pool lets the
    # per-device work of one comparison serve the next): consecutive runs of a sample.
    slugs = sample(Device.objects.all(), per_type * 3)
    comparisons, start = [], 0
    while len(comparisons) < per_type and start + 2 <= len(slugs):
        size = rng.randint(2, 4)
        comparisons.append(f"/compare/{canonical_key(slugs[start : start + size])}/")
        start += size
    lists = {
        "device": [f"/devices/{slug}/" for slug in sample(Device.objects.all(), per_type)],
        "comparison": comparisons,
        "article": [f"/news/{slug}/" for slug in sample(Article.objects.published(), per_type)],
    }
    for name, paths in lists.items():
        (Path(out_dir) / f"{name}.txt").write_text("\n".join(paths) + "\n")


class CatalogPage(HTMLParser):
    """What a catalog page offers: its select boxes' option values and the pages it links."""

    def __init__(self, html):
        super().__init__()
        self.options, self.pages, self._select = {}, set(), None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("name")
            self.options.setdefault(self._select, [])
        elif tag == "option" and self._select:
            self.options[self._select].append(attrs.get("value") or "")
        elif tag == "a" and attrs.get("href"):
            page = dict(parse_qsl(urlsplit(attrs["href"]).query)).get("page", "")
            if page.isdigit():
                self.pages.add(int(page))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def fetch(base, path):
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=120)
    try:
        conn.request("GET", path, headers=HEADERS)
        response = conn.getresponse()
        body = response.read().decode()
    finally:
        conn.close()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return body


def catalog_urls(base):
    """Every category (and all) x every sort offered: pages 1-8 and the last page linked."""

    def catalog(pairs):
        query = urlencode([(k, v) for k, v in pairs if v])
        return "/devices/" + (f"?{query}" if query else "")

    categories = CatalogPage(fetch(base, "/devices/")).options.get("category", [""])
    with ThreadPoolExecutor(4) as pool:
        sorts = list(
            pool.map(
                lambda c: CatalogPage(fetch(base, catalog([("category", c)]))).options["sort"],
                categories,
            )
        )
        combos = [
            [("category", c), ("sort", s)]
            for c, offered in zip(categories, sorts, strict=True)
            for s in offered
        ]
        firsts = list(
            pool.map(lambda pairs: CatalogPage(fetch(base, catalog(pairs))).pages, combos)
        )
        urls = []
        for pairs, linked in zip(combos, firsts, strict=True):
            last = max(linked, default=1)
            pages = sorted({*range(1, min(CATALOG_PAGES, last) + 1), last})
            urls += [catalog(pairs + ([("page", str(n))] if n > 1 else [])) for n in pages]
    return urls, len(combos)


def run_wrk(base, paths_file, seconds, connections, extra_headers=None):
    headers = {**HEADERS, **(extra_headers or {})}
    out = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            *[arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")],
            f"http://{base.netloc}",
            "--",
            str(paths_file),
            str(WRK_THREADS),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    stats = json.loads(out.strip().splitlines()[-1])
    return {
        "rps": stats["requests"] / stats["seconds"],
        "p50_ms": stats["p50_us"] / 1000,
        "p99_ms": stats["p99_us"] / 1000,
        "errors": stats["errors"],
    }


def run_python_client(base, paths_file, seconds, connections, extra_headers=None):
    paths = Path(paths_file).read_text().split()
    count, latencies, errors = hammer(base, paths, seconds, connections, extra_headers)
    latencies = sorted(latencies) or [0]

    def percentile(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "rps": count / seconds,
        "p50_ms": percentile(0.5),
        "p99_ms": percentile(0.99),
        "errors": errors,
    }


def run_long_tail(args, env, base, workdir):
    started = time.perf_counter()
    urls, combos = catalog_urls(base)
    (workdir / "catalog.txt").write_text("\n".join(urls) + "\n")
    subprocess.run(
        [PYTHON, __file__, "--emit-urls", str(workdir), "--urls", str(args.urls)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    (workdir / "healthz.txt").write_text("/healthz\n")
    # Finding the catalog's last pages rendered (and cached) every page 1: start cold.
    manage(
        env, "shell", "-v", "0", "-c", "from core.content import content_changed; content_changed()"
    )
    print(f"URL lists ready in {time.perf_counter() - started:.0f} s ({combos} catalog listings).")

    client = run_wrk if shutil.which("wrk") else run_python_client
    if client is run_python_client:
        print("wrk not found (apt-get install wrk): measuring with the Python client instead.")
    types = ["device", "comparison", "article", "catalog"]
    paths = {name: workdir / f"{name}.txt" for name in ["healthz", *types]}
    # Warm up each worker (imports, templates, connections) on a few URLs of each type,
    # kept out of the measured list: a page warmed up would answer from the cache.
    for name in ["healthz", *types]:
        listed = paths[name].read_text().split()
        warm = listed[:6] if name == "healthz" else listed[-6:]
        hammer(base, warm, 1.0, 2)
        if name != "healthz":
            paths[name].write_text("\n".join(random.Random(7).sample(listed[:-6], len(listed) - 6)))
    # /healthz just before each page type, so a load that drifts (a shared machine) moves
    # both sides of the ratio.
    rows = {}
    for name in types:
        health = client(base, paths["healthz"], args.seconds / 2, args.connections)
        rows[name] = client(base, paths[name], args.seconds, args.connections)
        urls = len(paths[name].read_text().split())
        rows[name].update(urls=urls, healthz_rps=health["rps"])
        # Requests beyond the list's length asked for a page already rendered (maybe cached).
        rows[name]["repeats"] = max(0, round(rows[name]["rps"] * args.seconds) - urls)
        rows[f"healthz before {name}"] = health
    return rows


def typed(rng, name):
    """One or two adjacent words of ``name``, as a visitor types them: half the time with two
    adjacent letters swapped."""
    words = name.split()
    size = min(len(words), rng.randint(1, 2))
    start = rng.randrange(len(words) - size + 1)
    query = " ".join(words[start : start + size])
    if rng.random() < 0.5 and len(query) >= 2:
        spots = [i for i in range(len(query) - 1) if query[i] != " " != query[i + 1]]
        if spots:
            i = rng.choice(spots)
            query = query[:i] + query[i + 1] + query[i] + query[i + 2 :]
    return query


def emit_queries(out_dir, count, seed):
    """In Django: typed queries for device names sampled over the whole catalog, as the
    search page's and the widget's paths."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from catalog.models import Device

    rng = random.Random(seed)
    names = []
    for seen, name in enumerate(
        Device.objects.order_by().values_list("name", flat=True).iterator(2000)
    ):
        if seen < count:
            names.append(name)
        elif (slot := rng.randrange(seen + 1)) < count:
            names[slot] = name
    rng.shuffle(names)
    queries = [typed(rng, name) for name in names]
    Path(out_dir, "search.txt").write_text(
        "".join(f"/search/?{urlencode({'q': q})}\n" for q in queries)
    )
    Path(out_dir, "widget.txt").write_text(
        "".join(f"/compare/find/?{urlencode({'q': q})}\n" for q in reversed(queries))
    )


def search_index_build_ms(env):
    """How long building the search index takes in a fresh process (ms): the cost of a
    content version change, per worker."""
    code = (
        "import json, time\n"
        "from catalog.search import build_index\n"
        "build_index()\n"
        "started = time.perf_counter(); build_index()\n"
        "print(json.dumps(round((time.perf_counter() - started) * 1000)))"
    )
    return django_output(env, code)


def run_search(args, env, base, workdir):
    subprocess.run(
        [PYTHON, __file__, "--emit-queries", str(workdir), "--urls", str(SEARCH_QUERIES)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    (workdir / "healthz.txt").write_text("/healthz\n")
    client = run_wrk if shutil.which("wrk") else run_python_client
    widget_headers = {"HX-Request": "true", "HX-Target": "compare-find-results"}
    # Warm-up: every worker builds its index (and loads its templates) on a few queries
    # kept out of the measured lists.
    for name in ("search", "widget"):
        path = workdir / f"{name}.txt"
        listed = path.read_text().split()
        hammer(base, listed[-20:], 3.0, args.connections)
        path.write_text("\n".join(listed[:-20]) + "\n")
    rows = {}
    for name, headers in (("search", None), ("widget", widget_headers)):
        health = client(base, workdir / "healthz.txt", args.seconds / 2, args.connections)
        rows[name] = client(base, workdir / f"{name}.txt", args.seconds, args.connections, headers)
        rows[name].update(healthz_rps=health["rps"])
    rows["index_build_ms"] = search_index_build_ms(env)
    return rows


def run_setting(args):
    """How a random-URL run was made: "50,000 devices / 100,000 articles, SQLite, 2 gunicorn
    workers, wrk -t2 -c8"."""
    database = "PostgreSQL + Redis" if args.postgres else "SQLite"
    client = "wrk -t2" if shutil.which("wrk") else "Python client"
    return (
        f"{args.devices:,} devices / {args.articles:,} articles, {database}, "
        f"{args.workers} gunicorn workers, {client} -c{args.connections}"
    )


def report_search(args, rows):
    print(
        f"\nSearch: {run_setting(args)}, typed queries (one or two words of a name, half with "
        f"two letters swapped), {args.seconds:g} s each"
    )
    print(
        f"{'page':<10}{'req/s':>8}{'/healthz':>10}{'p50 ms':>9}{'p99 ms':>9}{'target':>8}  errors"
    )
    failed = False
    for name, target in SEARCH_TARGETS.items():
        row = rows[name]
        slow = row["p99_ms"] > target
        failed |= slow or row["errors"] > 0
        print(
            f"{name:<10}{row['rps']:>8.1f}{row['healthz_rps']:>10.0f}{row['p50_ms']:>9.1f}"
            f"{row['p99_ms']:>9.1f}{target:>8}  {row['errors']:>6}{'  > target' if slow else ''}"
        )
    print(f"Search index build (one worker, once per content version): {rows['index_build_ms']} ms")
    label = f"{'postgres' if args.postgres else 'sqlite'}-{args.devices}-{args.articles}"
    results = ROOT / f"bench-search-{label}.json"
    results.write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2, default=str))
    print(f"Results in {results.name}.")
    return 1 if failed else 0


def report_long_tail(args, rows):
    print(f"\nLong tail: {run_setting(args)}, {args.seconds:g} s per page type")
    print(
        f"{'page':<12}{'URLs':>6}{'req/s':>8}{'/healthz':>10}{'ratio':>8}{'target':>8}"
        f"{'p50 ms':>9}{'p99 ms':>9}  errors  repeats"
    )
    failed = False
    for name, target in LONG_TAIL_TARGETS.items():
        row = rows[name]
        row["ratio"] = row["rps"] / (row["healthz_rps"] or 1)
        slow = row["ratio"] < target or row["p99_ms"] > LONG_TAIL_P99_MS
        failed |= slow or row["errors"] > 0
        print(
            f"{name:<12}{row['urls']:>6}{row['rps']:>8.1f}{row['healthz_rps']:>10.0f}"
            f"{row['ratio']:>8.3f}{target:>8}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"  {row['errors']:>6}  {row['repeats']:>7}{'  < target' if slow else ''}"
        )
    label = f"{'postgres' if args.postgres else 'sqlite'}-{args.devices}-{args.articles}"
    results = ROOT / f"bench-long-tail-{label}.json"
    results.write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2, default=str))
    print(
        f"\n/healthz measured for half as long just before each page type. Targets at 50,000 "
        f"devices / 100,000 articles: ratio as shown, p99 <= {LONG_TAIL_P99_MS} ms. "
        f"Results in {results.name}."
    )
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long-tail", action="store_true", help="random URLs, cache misses")
    parser.add_argument("--search", action="store_true", help="typed queries: search, widget")
    parser.add_argument(
        "--admin", action="store_true", help="admin pages in-process (scripts/bench_admin.py)"
    )
    parser.add_argument("--db", help="SQLite file (default: one per mode and size)")
    parser.add_argument("--postgres", metavar="URL", help="bench on this PostgreSQL database")
    parser.add_argument("--redis", metavar="URL", help="Redis as cache and session store")
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench database")
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=None, help="per page (8; long tail 10)")
    parser.add_argument("--threads", type=int, default=4, help="concurrent clients (hot pages)")
    parser.add_argument("--connections", type=int, default=8, help="connections (long tail)")
    parser.add_argument("--urls", type=int, default=10_000, help="URLs per page type (long tail)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--emit-urls", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--emit-queries", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.emit_urls:
        emit_urls(args.emit_urls, args.urls, seed=11)
        return 0
    if args.emit_queries:
        emit_queries(args.emit_queries, args.urls, seed=13)
        return 0
    if args.seconds is None:
        args.seconds = 10.0 if args.long_tail or args.search else 8.0
    if args.admin and not any(a.startswith(("--devices", "--articles")) for a in sys.argv):
        args.devices, args.articles = 50_000, 100_000

    env = prepare_database(args)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    if args.admin:
        admin = subprocess.run([PYTHON, str(Path(__file__).with_name("bench_admin.py"))], env=env)
        return admin.returncode
    port = free_port()
    server = start_server(env, port, args.workers)
    base = urlsplit(f"http://127.0.0.1:{port}")
    try:
        wait_until_up(base)
        if args.search:
            with tempfile.TemporaryDirectory(prefix="bench-search-") as workdir:
                rows = run_search(args, env, base, Path(workdir))
        elif args.long_tail:
            with tempfile.TemporaryDirectory(prefix="bench-urls-") as workdir:
                rows = run_long_tail(args, env, base, Path(workdir))
        else:
            results = run_hot(args, env, base)
    finally:
        server.terminate()
        server.wait(timeout=10)
    if args.search:
        return report_search(args, rows)
    return report_long_tail(args, rows) if args.long_tail else report_hot(results)


if __name__ == "__main__":
    sys.exit(main())
