"""Benchmark: serve the synthetic catalog with gunicorn (production settings) and measure.

    make bench                  # or: .venv/bin/python scripts/bench.py [--fresh] [--seconds 8]

Builds bench.sqlite3 with ``generate_catalog --devices 10000 --articles 20000`` the first time
(``--fresh`` rebuilds it), starts gunicorn on a free local port, then for each page runs a
fixed number of client threads for a fixed time and prints requests/s, p50 and p95 latency and
throughput as a ratio of /healthz measured in the same run. Ratios, not absolute numbers, are
what compare across machines; the target is every page >= 0.5.
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET_RATIO = 0.5
CATALOG = "/devices/?category=phones&min_ram=8&max_price=900&sort=price-low"
# A word in thousands of generated articles: the full-text index ranks them all. Search pages
# are not cached, so the row is for information, with no target.
SEARCH = "/search/?q=battery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(db_path):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.production",
        DATABASE_URL=f"sqlite:///{db_path}",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # No TLS proxy in front here; the bench client sends X-Forwarded-Proto instead.
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def pick_urls(env):
    """Real slugs from the bench database: an article, a device, four phones to compare."""
    code = (
        "import json\n"
        "from comparisons.models import Device, Category\n"
        "from comparisons.compare import canonical_key\n"
        "from news.models import Article\n"
        "article = Article.objects.published().order_by('-published_at').first()\n"
        "phones = Category.objects.get(slug='phones')\n"
        "device = Device.objects.filter(category=phones, specs__isnull=False)"
        ".order_by('-released').first()\n"
        "four = list(Device.objects.filter(category=phones).order_by('pk')"
        ".values_list('slug', flat=True)[:4])\n"
        "print(json.dumps({'article': article.slug, 'device': device.slug,"
        " 'compare': canonical_key(four), 'two': four[:2]}))\n"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    slugs = json.loads(out.strip().splitlines()[-1])
    return [
        ("healthz", "/healthz"),
        ("home", "/"),
        ("article", f"/news/{slugs['article']}/"),
        ("device", f"/devices/{slugs['device']}/"),
        ("catalog (filtered)", CATALOG),
        ("compare (4 devices)", f"/compare/{slugs['compare']}/"),
    ], slugs["two"]


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
    """Keep-alive clients in threads for ``seconds``; returns (count, latencies, errors)."""
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"X-Forwarded-Proto": "https", "Accept": "text/html", **(extra_headers or {})}

    def worker():
        conn = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "bench.sqlite3"))
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench database")
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=8.0, help="per page")
    parser.add_argument("--threads", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    port = free_port()
    db = Path(args.db)
    env = bench_env(db)
    if args.fresh:
        for path in db.parent.glob(db.name + "*"):
            path.unlink()
    if not db.exists():
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_demo")
        manage(
            env,
            "generate_catalog",
            "--devices",
            str(args.devices),
            "--articles",
            str(args.articles),
        )
    else:
        manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    urls, listed = pick_urls(env)

    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = urlsplit(f"http://127.0.0.1:{port}")
    results = []
    try:
        wait_until_up(base)
        # A visitor with two devices in their list: one more query, their own cached page.
        own_list = compare_cookie(base, listed)
        device_path, catalog_path = urls[3][1], urls[4][1]
        urls += [
            ("device, own list", device_path, own_list),
            ("catalog, own list", catalog_path, own_list),
            ("search", SEARCH),
        ]
        for _, path, *extra in urls:  # warm up caches and connections
            hammer(base, path, 1.0, 1, *extra)
        for name, path, *extra in urls:
            count, latencies, errors = hammer(base, path, args.seconds, args.threads, *extra)
            rps = count / args.seconds
            p95 = statistics.quantiles(latencies, n=20)[18] * 1000 if len(latencies) > 20 else 0
            p50 = statistics.median(latencies) * 1000 if latencies else 0
            results.append(
                {
                    "page": name,
                    "path": path,
                    "rps": rps,
                    "p50_ms": p50,
                    "p95_ms": p95,
                    "errors": errors,
                    "counted": not extra and path != SEARCH,
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=10)

    baseline = results[0]["rps"] or 1
    print(f"\n{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'ratio':>8}  errors  path")
    failed = False
    for row in results:
        row["ratio"] = row["rps"] / baseline
        ok = row["page"] == "healthz" or row["ratio"] >= TARGET_RATIO or not row["counted"]
        failed |= not ok or row["errors"] > 0
        mark = "" if ok else "  < target"
        if not row["counted"]:
            uncached = row["path"] == SEARCH
            mark += "  (info: uncached)" if uncached else "  (info: visitor with 2 devices listed)"
        print(
            f"{row['page']:<22}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['ratio']:>8.2f}  {row['errors']:>6}  {row['path']}{mark}"
        )
    (ROOT / "bench-results.json").write_text(json.dumps(results, indent=2))
    print(f"\nTarget: every page >= {TARGET_RATIO} of /healthz. Results in bench-results.json.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
