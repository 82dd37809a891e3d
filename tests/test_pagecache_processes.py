"""The page cache across processes and across the clock: gunicorn with two workers, saves made by another
process, a story going live and another expiring by the clock alone. Every surface is checked on every
answer, so both workers' stores are tried: none may show a stale state.

Each case runs against its own SQLite file; the generation lives in that database, or in a Redis of the
test's own. Real seconds pass (about 20 per case); nothing is asserted about how long anything takes.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from benchmarks.server import PRODUCTION_ENV, collect_static, free_port
from tests.test_pagecache import needs_redis, redis_server

MANAGE = str(settings.BASE_DIR / "manage.py")
GOES_LIVE_AFTER, EXPIRES_AFTER = 8, 16

CONTENT = """
import json, datetime as dt
from django.utils import timezone
from tests.factories import make_article, make_section, make_tag
now = timezone.now()
section, tag = make_section(name="Thời sự", slug="thoi-su"), make_tag(name="Cảng biển", slug="cang-bien")
common = dict(section=section, tags=[tag], lead="Tin cảng Hải Phòng.")
make_article(title="Hải Phòng mở tuyến mới", slug="tuyen-moi", publish_at=now - dt.timedelta(hours=1), **common)
make_article(title="Hải Phòng hẹn giờ", slug="hen-gio", publish_at=now + dt.timedelta(seconds=LIVE_IN), **common)
make_article(title="Hải Phòng hết hạn", slug="het-han", publish_at=now - dt.timedelta(hours=2),
             expire_at=now + dt.timedelta(seconds=EXPIRES_AFTER), **common)
print(json.dumps({"now": now.timestamp()}))
""".replace("LIVE_IN", str(GOES_LIVE_AFTER)).replace("EXPIRES_AFTER", str(EXPIRES_AFTER))

EDIT = """
from articles.models import Article
article = Article.objects.get(slug="tuyen-moi")
article.title = "Hải Phòng mở tuyến mới ĐÃ SỬA"
article.save()
"""

# Every surface, each naming the stories it lists by their slugs.
SURFACES = [
    "/",
    "/chuyen-muc/thoi-su/",
    "/tu-khoa/cang-bien/",
    "/bai-viet/tuyen-moi/",  # the two others are its related stories
    "/tim-kiem/?q=hai+phong",
    "/rss/",
    "/chuyen-muc/thoi-su/atom/",
    "/sitemap-bai-viet.xml",
    "/sitemap-news.xml",
    "/api/v1/articles",
]
ROUNDS = 4  # answers per surface per check: with two workers, both are asked


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(), response.headers.get("X-Cache")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("X-Cache")


class Site:
    def __init__(self, tmp_path, redis_url=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environ = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
        self.env = (
            environ
            | PRODUCTION_ENV
            | {
                "ALLOWED_HOSTS": "127.0.0.1",
                "SITE_URL": self.base,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
                "MEDIA_ROOT": str(tmp_path / "media"),
                "PAGE_CACHE": "on",
                "DB_STATEMENT_TIMEOUT_MS": "0",
            }
        )
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.manage("migrate", "--no-input", "--verbosity", "0")
        self.log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 (closed in stop())
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "2", "--graceful-timeout", "2"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(150):
            try:
                if get(self.base + "/robots.txt")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            pytest.fail("gunicorn did not answer")

    def manage(self, *args, code=None):
        command = [sys.executable, MANAGE, *args] + (["-c", code] if code else [])
        done = subprocess.run(command, cwd=settings.BASE_DIR, env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def answers(self, path):
        return [get(self.base + path) for _ in range(ROUNDS)]

    def stop(self):
        self.server.terminate()
        self.server.wait(10)
        self.log.seek(0)
        log = self.log.read()
        self.log.close()
        return log


def wait_until(moment):
    time.sleep(max(0, moment - time.time()))


def check_every_surface(site, *, shows, hides, title=None, until=None):
    """Every surface, ROUNDS times each. `until`: the next instant the clock changes what must be seen; an
    answer that came back after it (a slow machine) proves nothing about the state before it and is not
    judged, so the test never fails for being slow, only for a stale answer."""
    hits = judged = 0
    for path in SURFACES:
        for status, body, cache in site.answers(path):
            assert status == 200, (path, status)
            hits += cache == "HIT"
            if until is not None and time.time() >= until:
                continue
            judged += 1
            for slug in shows:
                assert slug in body, (path, slug, "missing")
            for slug in hides:
                assert slug not in body, (path, slug, "stale")
            if title and "sitemap-bai-viet" not in path:
                assert title in body, (path, title)
    assert judged, "every answer came after the instant: nothing was checked"
    return hits


@pytest.fixture(scope="module", autouse=True)
def _static():
    collect_static()


@pytest.fixture(params=["database", pytest.param("redis", marks=needs_redis)])
def site(request, tmp_path):
    if request.param == "redis":
        port = free_port()
        with redis_server(port):
            site = Site(tmp_path, redis_url=f"redis://127.0.0.1:{port}/0")
            yield site
            log = site.stop()
    else:
        site = Site(tmp_path)
        yield site
        log = site.stop()
    assert "Traceback" not in log, log


def test_no_surface_shows_a_stale_state_across_two_workers_a_publish_an_expiry_and_a_save(site):
    start = json.loads(site.manage("shell", code=CONTENT).strip().splitlines()[-1])["now"]

    # Before: the scheduled story nowhere, the expiring one everywhere; asked again, answers come from the store.
    live, gone = start + GOES_LIVE_AFTER, start + EXPIRES_AFTER
    hits = check_every_surface(site, shows=["tuyen-moi", "het-han"], hides=["hen-gio"], until=live)
    hits += check_every_surface(site, shows=["tuyen-moi", "het-han"], hides=["hen-gio"], until=live)
    assert hits >= len(SURFACES) * ROUNDS
    assert get(site.base + "/bai-viet/hen-gio/")[0] == 404 or time.time() >= live

    # The clock alone: live at publish_at on every surface, gone at expire_at, with no save and no restart.
    wait_until(live + 0.2)
    check_every_surface(site, shows=["tuyen-moi", "het-han", "hen-gio"], hides=[], until=gone)
    assert get(site.base + "/bai-viet/hen-gio/")[0] == 200
    wait_until(gone + 0.2)
    check_every_surface(site, shows=["tuyen-moi", "hen-gio"], hides=["het-han"])
    assert get(site.base + "/bai-viet/het-han/")[0] == 404

    # A save in another process: both workers serve the new title at their next answer.
    check_every_surface(site, shows=["tuyen-moi"], hides=["het-han"])
    site.manage("shell", code=EDIT)
    check_every_surface(site, shows=["tuyen-moi", "hen-gio"], hides=["het-han"], title="ĐÃ SỬA")
