"""deploy/: the nginx front and the systemd units.

The configuration is checked by nginx itself (`nginx -t`), with and without the brotli modules, and then run:
gunicorn in the production shape on a SQLite file of its own, nginx in front of it on 127.0.0.1 (as
deploy/front.sh runs them), and what readers, signed-in users and the admin get from it is asked over HTTP.
Without nginx (or systemd-analyze) those tests skip, saying so.
"""

import grp
import http.client
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = settings.BASE_DIR / "deploy"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
BROTLI_MODULES = [
    Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so"),
    Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"),
]
HAS_BROTLI = all(module.exists() for module in BROTLI_MODULES)
# The ports this project's tests may take (8300-8399; deploy/front.sh uses 8300 and 8301 by default).
PORTS = range(8340, 8400)
# The life the app gives its pages here, short enough to watch one expire.
MAX_AGE = 2

needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx); CI installs it")

SEED = """
import json
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from articles.models import Article, ShareLink
from articles.sharing import new_key, share_url, token_for
from tests.factories import make_article, make_section

section = make_section()
live = make_article(section=section, body="<p>" + "Tin nóng từ Hải Phòng. " * 200 + "</p>")
draft = make_article(live=False, section=section, status=Article.Status.DRAFT)
editor = get_user_model().objects.create_user("bientap", password=None, is_staff=True)
link = ShareLink.objects.create(
    article=draft, key=new_key(), created_by=editor, expires_at=timezone.now() + timedelta(hours=2)
)
session = SessionStore()
session[SESSION_KEY] = str(editor.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = editor.get_session_auth_hash()
session.create()
print(json.dumps({
    "article": live.get_absolute_url(),
    "share": share_url(link).split("://", 1)[1].split("/", 1)[1],
    "sessionid": session.session_key,
}))
"""


def free_ports(count):
    found = []
    for port in PORTS:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                found.append(port)
        if len(found) == count:
            return found
    pytest.skip(f"no {count} free ports in {PORTS.start}-{PORTS.stop - 1} on 127.0.0.1")


def render(template, **values):
    text = (DEPLOY / "nginx" / template).read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    assert "@" not in "".join(line.split("#")[0] for line in text.splitlines()), "a placeholder is left"
    return text


def nginx_prefix(*, upstream, listen, media_root, brotli):
    """A folder nginx runs in as any user (deploy/front.sh's layout): conf/, logs/, cache/, temp/."""
    prefix = Path(tempfile.mkdtemp(prefix="newsroom-front-test-"))
    for name in ("conf", "logs", "cache", "temp"):
        (prefix / name).mkdir()
    user = ""
    if os.geteuid() == 0:
        # nginx's workers run as nobody when the master is root: they must reach the folder and write the cache.
        user = f"user nobody {grp.getgrgid(pwd.getpwnam('nobody').pw_gid).gr_name};"
        prefix.chmod(0o755)
        for name in ("cache", "temp"):
            shutil.chown(prefix / name, user="nobody")
    if brotli:
        shutil.copy(DEPLOY / "nginx" / "newsroom-brotli.conf", prefix / "conf")
    (prefix / "conf" / "newsroom.conf").write_text(
        render(
            "newsroom.conf",
            UPSTREAM=upstream,
            LISTEN=listen,
            SERVER_NAME="127.0.0.1",
            STATIC_ROOT=str(settings.STATIC_ROOT),
            MEDIA_ROOT=str(media_root),
            CACHE_DIR=str(prefix / "cache"),
            LOG_DIR=str(prefix / "logs"),
            SNIPPETS=str(prefix / "conf"),
        )
    )
    modules = " ".join(f"load_module {module};" for module in BROTLI_MODULES) if brotli else ""
    (prefix / "conf" / "nginx.conf").write_text(
        render("loopback.conf", PREFIX=str(prefix), LOAD_MODULES=modules, USER=user)
    )
    return prefix


def nginx_command(prefix, *args):
    return [
        NGINX,
        "-p",
        str(prefix),
        "-e",
        str(prefix / "logs" / "error.log"),
        "-c",
        str(prefix / "conf" / "nginx.conf"),
        *args,
    ]


@needs_nginx
@pytest.mark.parametrize("brotli", [False, pytest.param(True, id="brotli")])
def test_the_configuration_passes_nginx_t(brotli):
    if brotli and not HAS_BROTLI:
        pytest.skip(
            "the brotli modules are not installed (apt-get install libnginx-mod-http-brotli-filter "
            "libnginx-mod-http-brotli-static)"
        )
    prefix = nginx_prefix(upstream="127.0.0.1:8399", listen="127.0.0.1:8398", media_root="/tmp", brotli=brotli)
    try:
        done = subprocess.run(nginx_command(prefix, "-t"), capture_output=True, text=True, timeout=30)
    finally:
        shutil.rmtree(prefix)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_the_script_is_valid_bash_and_refuses_unknown_options():
    script = DEPLOY / "front.sh"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True, timeout=10).returncode == 0
    done = subprocess.run(["bash", str(script), "--seconds", "100000"], capture_output=True, text=True, timeout=10)
    assert done.returncode == 2
    assert "--connections" in done.stderr


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in ("newsroom.service", "newsroom.socket"):
        text = (DEPLOY / "systemd" / unit).read_text()
        # verify insists that ExecStart's program exists: this checkout's gunicorn stands in for /srv's.
        text = text.replace("/srv/newsroom/app/.venv/bin/gunicorn", str(Path(sys.executable).parent / "gunicorn"))
        (tmp_path / unit).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "newsroom.socket"), str(tmp_path / "newsroom.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    service = (DEPLOY / "systemd" / "newsroom.service").read_text()
    for line in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "Restart=on-failure"):
        assert line in service.splitlines()
    assert "EnvironmentFile=" in service and "WEB_CONCURRENCY" in service and "User=newsroom" in service


class Front:
    """gunicorn and nginx running on loopback, and what the seed put in the database."""

    def __init__(self, port, pages):
        self.port = port
        self.pages = pages

    def request(self, method, path, headers=None, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            content = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, content
        finally:
            connection.close()

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def cache_status(self, path, **headers):
        return self.get(path, **headers)[1].get("x-cache-status")


def wait_until_up(port, process, log):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{Path(log).read_text()[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listens on 127.0.0.1:{port} after 30 s:\n{Path(log).read_text()[-3000:]}")


@pytest.fixture(scope="module")
def front():
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx); CI installs it")
    nginx_port, app_port = free_ports(2)
    work = Path(tempfile.mkdtemp(prefix="newsroom-front-app-"))
    # Readable by nginx's workers (nobody, when the tests run as root): the media are in it.
    work.chmod(0o755)
    (work / "media").mkdir()
    env = os.environ | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{nginx_port}",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SERVE_MEDIA": "0",
        "MEDIA_ROOT": str(work / "media"),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "PAGE_CACHE": "on",
        "PAGE_MAX_AGE": str(MAX_AGE),
        "PAGE_STALE_SECONDS": "30",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]

    def run(*args):
        done = subprocess.run(
            [*manage, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    processes = []
    prefix = None
    try:
        run("migrate", "--no-input", "-v", "0")
        pages = json.loads(run("shell", "-v", "0", "-c", SEED).strip().splitlines()[-1])
        run("collectstatic", "--no-input", "-v", "0")
        app_log = work / "gunicorn.log"
        with open(app_log, "w") as log:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "newsroom.wsgi",
                        "--bind",
                        f"127.0.0.1:{app_port}",
                        "--workers",
                        "2",
                        "--graceful-timeout",
                        "2",
                    ],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_until_up(app_port, processes[-1], app_log)
        prefix = nginx_prefix(
            upstream=f"127.0.0.1:{app_port}",
            listen=f"127.0.0.1:{nginx_port}",
            media_root=work / "media",
            brotli=HAS_BROTLI,
        )
        (work / "media" / "hello.txt").write_text("xin chào")
        nginx_log = prefix / "logs" / "error.log"
        processes.append(
            subprocess.Popen(
                nginx_command(prefix, "-g", "daemon off;"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        nginx_log.touch()
        wait_until_up(nginx_port, processes[-1], nginx_log)
        yield Front(nginx_port, pages)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(work, ignore_errors=True)
        if prefix is not None:
            shutil.rmtree(prefix, ignore_errors=True)


def test_an_anonymous_article_page_is_served_from_nginx_cache_the_second_time(front):
    path = front.pages["article"]
    status, headers, first = front.get(path)
    assert status == 200
    assert headers["x-cache-status"] == "MISS"
    # Fresh from the app: the app's own header, counted from now.
    assert headers["cache-control"] == f"public, max-age={MAX_AGE}, stale-while-revalidate=30"
    assert "etag" in headers and "last-modified" in headers
    status, headers, second = front.get(path)
    assert (status, headers["x-cache-status"], second) == (200, "HIT", first)
    # A kept copy is part of its life old already: browsers ask again instead of keeping it max-age more.
    assert headers["cache-control"] == "public, no-cache"
    assert headers["server"] == "nginx"
    # Asked again with its ETag, nginx answers 304 from its copy.
    status, _, body = front.get(path, **{"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")


def test_a_kept_page_expires_with_the_app_max_age_and_is_revalidated(front):
    path = front.pages["article"] + "?lan=het-han"
    assert front.cache_status(path) == "MISS"
    assert front.cache_status(path) == "HIT"
    # nginx counts whole seconds: a copy kept for max-age seconds is expired a second later at most.
    time.sleep(MAX_AGE + 1.1)
    # Past max-age, within the app's stale-while-revalidate: the old copy once, brought up to date behind it.
    assert front.cache_status(path) == "STALE"
    deadline = time.monotonic() + 10
    while (status := front.cache_status(path)) != "HIT" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status == "HIT"


def test_a_signed_in_user_is_never_served_from_nor_stored_in_nginx_cache(front):
    cookie = {"Cookie": f"sessionid={front.pages['sessionid']}"}
    kept = front.pages["article"] + "?lan=dang-nhap"
    assert front.cache_status(kept) == "MISS"
    assert front.cache_status(kept) == "HIT"
    status, headers, body = front.get(kept, **cookie)
    assert status == 200 and headers["x-cache-status"] == "BYPASS"
    assert "private" in headers["cache-control"] and "no-store" in headers["cache-control"]
    # A page first asked by the signed-in user: its answer was not kept for the next reader.
    fresh = front.pages["article"] + "?lan=chi-dang-nhap"
    assert front.cache_status(fresh, **cookie) == "BYPASS"
    assert front.cache_status(fresh, **cookie) == "BYPASS"
    assert front.cache_status(fresh) == "MISS"


def test_a_share_link_preview_is_never_kept(front):
    path = "/" + front.pages["share"]
    for _ in range(3):
        status, headers, _ = front.get(path)
        assert status == 200
        assert headers["x-cache-status"] == "MISS"
        assert "no-store" in headers["cache-control"]


def test_a_post_is_never_cached(front):
    path = front.pages["article"] + "?lan=post"
    for _ in range(2):
        status, headers, _ = front.request(
            "POST", path, body=b"a=1", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status != 200
        assert headers.get("x-cache-status") != "HIT"
    assert front.cache_status(path) == "MISS"


def test_the_admin_is_never_cached(front):
    for _ in range(2):
        status, headers, _ = front.get("/admin/login/")
        assert status == 200
        assert "x-cache-status" not in headers
        assert "no-store" in headers["cache-control"]


def test_static_files_are_served_by_nginx_for_a_year_and_compressed(front):
    manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())["paths"]
    hashed = next(name for original, name in manifest.items() if original.endswith(".css"))
    status, headers, body = front.get(f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-encoding"] == "gzip"
    # nginx's, not WhiteNoise's (which would go through gunicorn and the micro-cache).
    assert "x-cache-status" not in headers and "x-frame-options" not in headers
    status, headers, _ = front.get("/static/favicon.ico")
    assert status == 200 and headers["cache-control"] == "public, max-age=3600"


def test_media_is_served_by_nginx(front):
    status, headers, body = front.get("/media/hello.txt")
    assert (status, body) == (200, "xin chào".encode())
    assert headers["cache-control"] == "public, max-age=2592000"
    assert "sandbox" in headers["content-security-policy"]
    assert front.get("/media/../db.sqlite3")[0] in (400, 404)


def test_pages_are_compressed(front):
    path = front.pages["article"]
    status, headers, _ = front.get(path, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    if HAS_BROTLI:
        status, headers, _ = front.get(path, **{"Accept-Encoding": "br"})
        assert status == 200 and headers["content-encoding"] == "br"
    _, headers, _ = front.get(path)
    assert "content-encoding" not in headers
