"""Outages under load: a production-like site (gunicorn, config.production, its own
PostgreSQL and Redis) keeps answering while Redis stops and comes back empty and while
PostgreSQL restarts. No answer is a 500; 503s (each with Retry-After) come only while the
database is down, each logged once; every visitor's compare list holds what their
answered adds and removes imply; the editor signed in before stays signed in.

The servers are this test's own (a fresh cluster in a temporary folder, Redis on a free
port), whatever DATABASE_URL and REDIS_URL the run has; all of them stop, and the folder
goes, even when the test fails.
"""

import glob
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def tool(name):
    """A PostgreSQL or Redis program: on the PATH, else the newest Debian PostgreSQL's."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    return versions[-1] if versions else None


AS_ROOT = os.geteuid() == 0
TOOLS = {name: tool(name) for name in ("initdb", "pg_ctl", "redis-server")}
if AS_ROOT:
    # PostgreSQL refuses to run as root: its programs run as the postgres user.
    TOOLS["runuser"] = shutil.which("runuser")
MISSING = sorted(name for name, path in TOOLS.items() if not path)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"fault test skipped: {', '.join(MISSING)} not found "
        "(apt-get install postgresql redis-server)",
    ),
]

# Seconds of load before the first fault, Redis down, between faults, and after the last.
WARM_UP, REDIS_DOWN, BETWEEN, COOL_DOWN = 2, 3, 2, 3
VISITORS = 4
WIDGET_LIST = re.compile(r'<ol class="compare-widget__list">(.*?)</ol>', re.S)
CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"')
CSRF_IN_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*command, timeout=120, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode:
        pytest.fail(f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Postgres:
    """A PostgreSQL cluster of its own in ``folder``, on a free port."""

    def __init__(self, folder):
        self.data, self.log, self.port = folder / "pgdata", folder / "postgres.log", free_port()
        self.user = ["runuser", "-u", "postgres", "--"] if AS_ROOT else []
        run(
            *self.user,
            TOOLS["initdb"],
            "-D",
            self.data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{folder}'\n"
                # A throwaway cluster: nothing has to survive a crash of the machine.
                "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
            )

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/specwise"

    def pg_ctl(self, *args):
        return run(*self.user, TOOLS["pg_ctl"], "-D", self.data, "-l", self.log, "-w", *args)

    def start(self):
        self.pg_ctl("start")
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres") as db:
            db.autocommit = True
            db.execute("CREATE DATABASE specwise")

    def restart(self):
        self.pg_ctl("-m", "fast", "restart")

    def stop(self):
        subprocess.run(
            [*self.user, TOOLS["pg_ctl"], "-D", self.data, "-w", "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )


class Redis:
    """A Redis of its own without persistence: a restart loses everything it held."""

    def __init__(self):
        self.port, self.process = free_port(), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                TOOLS["redis-server"],
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def folder():
    path = Path(tempfile.mkdtemp(prefix="specwise-faults-"))
    if AS_ROOT:
        shutil.chown(path, "postgres", "postgres")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def postgres(folder):
    server = Postgres(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_server():
    server = Redis()
    try:
        server.start()
        yield server
    finally:
        server.stop()


SETUP = """
import json
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from catalog.models import Device
from core.editors import EDITORS_GROUP

call_command("load_demo", verbosity=0)
editor = User.objects.create_user("editor", password={password!r}, is_staff=True)
editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
print(json.dumps(list(Device.objects.order_by("pk").values_list("slug", flat=True))))
"""


@dataclass
class Site:
    base: str
    password: str
    slugs: list
    log: Path


@pytest.fixture
def site(folder, postgres, redis_server):
    """The site on gunicorn with production settings, migrated, with the demo and an editor."""
    # Production settings, with static files collected into the temporary folder.
    (folder / "fault_settings.py").write_text(
        f"from config.production import *  # noqa: F403\nSTATIC_ROOT = {str(folder / 'static')!r}\n"
    )
    password = secrets.token_urlsafe(16)
    unwanted = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "TEST_DB_SUFFIX", "CACHE_KEY_PREFIX"}
    env = {name: value for name, value in os.environ.items() if name not in unwanted}
    env.update(
        DJANGO_SETTINGS_MODULE="fault_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")])),
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=postgres.url,
        REDIS_URL=redis_server.url,
        LOG_LEVEL="WARNING",
    )
    # Static files need no database: collected while it migrates.
    collect = subprocess.Popen(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        run(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0", cwd=ROOT, env=env)
    finally:
        _, errors = collect.communicate(timeout=120)
    if collect.returncode:
        pytest.fail(f"collectstatic failed:\n{errors}")
    setup = SETUP.format(password=password)
    out = run(PYTHON, "manage.py", "shell", "-c", setup, cwd=ROOT, env=env)
    slugs = json.loads(out.strip().splitlines()[-1])
    port, log = free_port(), folder / "gunicorn.log"
    with open(log, "w") as log_file:
        server = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "config.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while Client(base).request("GET", "/healthz").status != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield Site(base, password, slugs, log)
    finally:
        server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@dataclass
class Answer:
    started: float
    ended: float
    method: str
    path: str
    status: int | None
    retry_after: str | None = None
    body: str = field(default="", repr=False)


class Client:
    """One browser behind the TLS proxy production expects: its own cookies (secure ones
    included), the CSRF token, no redirects followed; every answer kept with its times."""

    def __init__(self, base):
        self.base, self.host = base, base.removeprefix("http://")
        self.cookies, self.csrf, self.answers = {}, None, []

    def request(self, method, path, form=None):
        headers = {"X-Forwarded-Proto": "https", "Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": self.csrf, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
        started = time.monotonic()
        connection = http.client.HTTPConnection(self.host, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        except OSError:
            answer = Answer(started, time.monotonic(), method, path, None)
        else:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            answer = Answer(
                started,
                time.monotonic(),
                method,
                path,
                response.status,
                response.getheader("Retry-After"),
                text,
            )
        finally:
            connection.close()
        self.answers.append(answer)
        return answer

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, **form):
        return self.request("POST", path, form)


class Visitor(threading.Thread):
    """Reads pages and changes their compare list until told to stop. A change refused
    with 503 is tried again until it is answered: adding a listed device or removing an
    unlisted one changes nothing, so a change that went through before its answer was
    lost lands on the same list."""

    def __init__(self, site, number, stop):
        super().__init__(daemon=True)
        self.client, self.stop, self.slugs = Client(site.base), stop, site.slugs
        self.random, self.expected, self.failure = random.Random(number), [], None
        a, b = sorted(self.slugs[:2])  # a shared comparison's own URL
        self.pages = [
            "/",
            "/devices/",
            "/news/",
            f"/devices/{a}/",
            f"/compare/{a}-vs-{b}/",
            "/compare/",
            "/healthz",
        ]

    def run(self):
        try:
            self.client.csrf = CSRF_IN_PAGE.search(self.client.get("/compare/find/").body)[1]
            while not self.stop.is_set():
                self.client.get(self.random.choice(self.pages))
                self.change()
                time.sleep(0.05)
        except Exception as error:  # reported by the test, not lost in the thread
            self.failure = error

    def change(self):
        listed = self.expected
        if len(listed) < 3 and (not listed or self.random.random() < 0.6):
            slug = self.random.choice([s for s in self.slugs if s not in listed])
            action, after = "add", [*listed, slug]
        else:
            slug = self.random.choice(listed)
            action, after = "remove", [s for s in listed if s != slug]
        deadline = time.monotonic() + 30
        while self.client.post(f"/compare/{action}/", device=slug).status != 303:
            if time.monotonic() > deadline:
                raise AssertionError(f"{action} {slug} never went through")
            time.sleep(0.1)
        self.expected = after

    def listed(self):
        widget = WIDGET_LIST.search(self.client.get("/compare/").body)
        return re.findall(r'href="/devices/([^/"]+)/"', widget[1]) if widget else []


class Editor(threading.Thread):
    """An editor reading the admin with one session cookie until told to stop."""

    def __init__(self, site, stop):
        super().__init__(daemon=True)
        self.client, self.stop = Client(site.base), stop
        login = self.client.get("/admin/login/")
        self.client.csrf = CSRF_IN_FORM.search(login.body)[1]
        signed_in = self.client.post(
            "/admin/login/?next=/admin/", username="editor", password=site.password
        )
        assert (signed_in.status, "sessionid" in self.client.cookies) == (302, True)

    def run(self):
        while not self.stop.is_set():
            self.client.get(random.choice(["/admin/", "/admin/news/article/"]))
            time.sleep(0.1)


def overlaps(answer, window):
    return answer.started <= window[1] and answer.ended >= window[0]


def test_outages_under_load_cost_no_500_no_list_and_no_sign_in(site, postgres, redis_server):
    stop = threading.Event()
    editor = Editor(site, stop)
    visitors = [Visitor(site, number, stop) for number in range(VISITORS)]
    threads = [editor, *visitors]
    try:
        for thread in threads:
            thread.start()
        time.sleep(WARM_UP)
        redis_down = [time.monotonic()]
        redis_server.stop()
        time.sleep(REDIS_DOWN)
        redis_server.start()
        redis_down.append(time.monotonic())
        time.sleep(BETWEEN)
        database_down = [time.monotonic()]
        postgres.restart()
        database_down.append(time.monotonic())
        time.sleep(COOL_DOWN)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    for visitor in visitors:
        assert visitor.failure is None, repr(visitor.failure)
    answers = [answer for thread in threads for answer in thread.client.answers]
    assert any(overlaps(answer, redis_down) for answer in answers)
    assert any(overlaps(answer, database_down) for answer in answers)

    # Pages 200, changes 303, the editor's pages 200 (never the sign-in page), else 503.
    visited = [answer for visitor in visitors for answer in visitor.client.answers]
    after_sign_in = editor.client.answers[2:]
    unexpected = [a for a in visited if a.status not in (200, 303, 503)]
    unexpected += [a for a in after_sign_in if a.status not in (200, 503)]
    assert unexpected == [], unexpected[:5]
    refused = [a for a in answers if a.status == 503]
    assert all(a.retry_after == "5" for a in refused)
    assert [a for a in refused if not overlaps(a, database_down)] == []
    log = site.log.read_text()
    assert "Internal Server Error" not in log
    assert log.count("Database unavailable, answered 503") == len(refused)

    assert editor.client.get("/admin/").status == 200
    for visitor in visitors:
        assert visitor.listed() == visitor.expected
