"""Settings come from the environment, and production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

ROOT = Path(__file__).resolve().parent.parent


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
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": "news.example.vn"}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is not set"),
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": ""}, "SECRET_KEY and ALLOWED_HOSTS are not set"),
    ],
)
def test_production_refuses_to_start_and_says_what_is_missing(env, missing):
    result = start_django(DEBUG="0", **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_starts_when_configured():
    result = start_django(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example.vn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


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
