"""Settings come from the environment, and production refuses to start half-configured."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import cache
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SITE = "https://news.example.vn"


def start_django(**env):
    """Set Django up in a fresh interpreter with `env` over the current environment."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('ok')"],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "newsroom.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": "news.example.vn", "SITE_URL": SITE}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "", "SITE_URL": SITE}, "ALLOWED_HOSTS is not set"),
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": "", "SITE_URL": SITE}, "SECRET_KEY and ALLOWED_HOSTS are not set"),
    ],
)
def test_production_refuses_to_start_and_says_what_is_missing(env, missing):
    result = start_django(DEBUG="0", **env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    "address", ["news.example.vn", "ftp://news.example.vn", "https://news.example.vn/tin", "javascript:alert(1)"]
)
def test_a_site_url_that_is_not_a_scheme_and_host_refuses_to_start(address):
    result = start_django(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example.vn", SITE_URL=address)
    assert result.returncode != 0
    assert "SITE_URL must be a scheme and a host" in result.stderr


def test_without_site_url_production_names_its_first_host_and_check_deploy_warns():
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "DEBUG": "0", "SECRET_KEY": "x" * 50}
    env |= {"ALLOWED_HOSTS": ".example.vn,*", "SITE_URL": "", "SECURE_HSTS_PRELOAD": "1"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert shown.stdout.strip() == "https://example.vn", shown.stderr
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode != 0
    assert "newsroom.W001" in checked.stderr and "SITE_URL is not set" in checked.stderr
    # With SITE_URL set the warning is gone.
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env | {"SITE_URL": SITE},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "newsroom.W001" not in checked.stderr + checked.stdout


def test_production_starts_when_configured():
    result = start_django(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example.vn", SITE_URL=SITE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize(
    "env", [{"AXES_FAILURE_LIMIT": "0"}, {"AXES_FAILURE_LIMIT": "-1"}, {"AXES_COOLOFF_MINUTES": "0"}]
)
def test_login_limits_below_one_refuse_to_start(env):
    result = start_django(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example.vn", SITE_URL=SITE, **env)
    assert result.returncode != 0
    assert "AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be whole numbers of at least 1." in result.stderr


def test_login_limits_come_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.SECURE_PROXY)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=os.environ
        | {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "DEBUG": "0", "SECRET_KEY": "x" * 50}
        | {"ALLOWED_HOSTS": "news.example.vn", "SITE_URL": SITE}
        | {"AXES_FAILURE_LIMIT": "8", "AXES_COOLOFF_MINUTES": "30"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["8", "0:30:00", "False"], result.stderr


def test_time_zone_and_language():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "vi"


def test_the_cache_is_redis_when_redis_url_is_set():
    """CI runs the PostgreSQL pass with REDIS_URL, so this round-trips through a real Redis."""
    expected = "RedisCache" if os.environ.get("REDIS_URL") else "LocMemCache"
    assert settings.CACHES["default"]["BACKEND"].endswith(expected)
    cache.set("newsroom-test", "Hải Phòng", 30)
    assert cache.get("newsroom-test") == "Hải Phòng"
    cache.delete("newsroom-test")


# Uploaded media, served by Django on a single server (SERVE_MEDIA=1, the default) -------------------

HOSTILE_MEDIA_NAMES = [
    "a" * 256,  # one name longer than the file system allows
    "a" * 5000,
    "thu-muc/" + "b" * 256 + ".jpg",
    ("c" * 200 + "/") * 30,  # a path longer than PATH_MAX
    "anh%00.jpg",  # NUL
    "%00",
    "anh.jpg%00.png",
]
TRAVERSALS = ["..%2fbi-mat.txt", "..%2f..%2fbi-mat.txt", "%2e%2e%2fbi-mat.txt", "anh%2f..%2f..%2fbi-mat.txt"]


@pytest.fixture
def media_files(settings):
    """One photo in MEDIA_ROOT and a secret file beside (outside) it."""
    media = Path(settings.MEDIA_ROOT)
    (media / "anh").mkdir(parents=True)
    (media / "anh" / "cang-hai-phong.jpg").write_bytes(b"\xff\xd8\xff\xe0 JPEG")
    (media.parent / "bi-mat.txt").write_text("SECRET_KEY=bi-mat", encoding="utf-8")
    return media


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("staff", [False, True])
def test_media_names_the_os_refuses_are_a_404(client, admin_user, settings, media_files, debug, staff):
    settings.DEBUG = debug
    assert settings.SERVE_MEDIA
    if staff:
        client.force_login(admin_user)
    for name in HOSTILE_MEDIA_NAMES:
        response = client.get(f"/media/{name}")
        assert response.status_code == 404, name[:40]
    for name in TRAVERSALS:
        response = client.get(f"/media/{name}")
        # Django's safe_join refuses a path out of MEDIA_ROOT as a suspicious operation (400, logged).
        assert response.status_code in {400, 404}, name
        assert b"SECRET_KEY=bi-mat" not in b"".join(getattr(response, "streaming_content", [response.content])), name
    # What is really there is still served.
    response = client.get("/media/anh/cang-hai-phong.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff\xe0 JPEG"


# Logging in -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "",
    ],
)
def test_a_login_whose_next_is_refused_lands_on_the_admin_index(client, admin_user, next_url):
    credentials = {"username": admin_user.username, "password": "password", "next": next_url}
    response = client.post("/admin/login/?" + urlencode({"next": next_url}), credentials)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_login_with_a_safe_next_goes_there(client, admin_user):
    credentials = {"username": admin_user.username, "password": "password", "next": "/admin/articles/article/"}
    response = client.post("/admin/login/?next=/admin/articles/article/", credentials)
    assert response.status_code == 302
    assert response["Location"] == "/admin/articles/article/"


# Logging ----------------------------------------------------------------------------------------

LOG_SOME_LINES = """
import logging
import django
django.setup()
logging.getLogger("django.request").warning("Not Found: /khong-co-trang-nay/")
logging.getLogger("django.server").info('"GET /bai-viet/ HTTP/1.1" 200 5120')
logging.getLogger("articles").info("Da nhap 3 bai")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("django.request").exception("Internal Server Error: /loi/")
"""


@pytest.mark.parametrize("debug", ["1", "0"])
def test_every_log_line_is_printed_once(debug):
    result = subprocess.run(
        [sys.executable, "-c", LOG_SOME_LINES],
        cwd=ROOT,
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": debug,
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "news.example.vn",
            "SITE_URL": SITE,
            "LOG_LEVEL": "INFO",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    for message in (
        "Not Found: /khong-co-trang-nay/",
        '"GET /bai-viet/ HTTP/1.1" 200 5120',  # runserver's request line
        "Da nhap 3 bai",
        "Internal Server Error: /loi/",
        "ZeroDivisionError: division by zero",
    ):
        assert sum(message in line for line in lines) == 1, (message, result.stderr)
    # runserver's request lines keep their own format, with the time first.
    (request_line,) = (line for line in lines if "GET /bai-viet/" in line)
    assert re.fullmatch(r"\[[^]]+\] \"GET /bai-viet/ HTTP/1.1\" 200 5120", request_line)


# The favicon browsers ask for at the site's root ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("staff", [False, True])
def test_favicon_ico_is_served(client, admin_user, django_assert_num_queries, staff):
    if staff:
        client.force_login(admin_user)
    with django_assert_num_queries(0):
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response["Cache-Control"] == "public, max-age=86400"
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= icon.info["sizes"]
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAGE_CACHE_SECONDS", "-1"),
        ("PAGE_MAX_AGE", "ten"),
        ("PAGE_STALE_SECONDS", "1.5"),
        ("PAGE_CACHE_ENTRIES", "٣"),
        ("REDIS_TIMEOUT_MS", "0"),
    ],
)
def test_page_cache_and_redis_numbers_that_are_not_whole_refuse_to_start_and_name_the_variable(name, value):
    result = start_django(DEBUG="1", SECRET_KEY="x" * 50, **{name: value})
    assert result.returncode != 0
    assert name in result.stderr and "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize(
    ("debug", "value", "on"),
    [
        ("0", "", True),
        ("0", "on", True),
        ("0", "1", True),
        ("0", "off", False),
        ("0", "0", False),
        ("1", "", False),
        ("1", "on", True),
    ],
)
def test_page_cache_is_on_in_production_unless_turned_off_and_off_in_development_unless_turned_on(debug, value, on):
    production = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "news.example.vn", "SITE_URL": SITE}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.PAGE_CACHE)",
        ],
        cwd=ROOT,
        env=os.environ
        | production
        | {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "DEBUG": debug, "PAGE_CACHE": value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == str(on)
