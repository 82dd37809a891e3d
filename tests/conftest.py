import importlib
import os
import shutil

import pytest
from django.db import connections

# Debian's Chromium, driven by Playwright; browser tests skip with the reason where it is missing.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads in tests go to a temporary folder, never into media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


@pytest.fixture(autouse=True)
def _content_types_as_stored():
    """Content types as the database holds them now.

    A transactional test's flush makes the content types again with new ids, and ContentType's per-process
    cache would hand out the old ones: a version (django-reversion) or permission pointing at a row that is
    gone, refused when the transaction commits.
    """
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium (Debian's, never one Playwright downloads) for tests marked `browser`."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make between page loads are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop runs get connections of their own,
        # which would keep PostgreSQL from dropping the test database at the end.
        connections.close_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With NEWSROOM_NO_SKIPS=1 (CI sets it) a skipped test fails: a missing browser or axe-core must not pass."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("NEWSROOM_NO_SKIPS") == "1" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but NEWSROOM_NO_SKIPS=1 requires every test to run: {reason}"


@pytest.fixture
def newsroom_groups(db):
    """The Reporter and Editor groups as migration 0005 makes them, for tests whose database was flushed.

    A transactional test (live server, browser) empties every table at its end, the migration's groups
    included, so a later one asks for them here.
    """
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("articles.migrations.0005_newsroom_groups")
    migration.sync_groups(apps, SimpleNamespace(connection=connections["default"]))


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    """Tests make their pages afresh: a test's saves roll back without the commit that would raise the page
    cache's generation. tests/test_pagecache.py turns the cache on where it tests it. The store starts empty:
    in Redis it outlives each test's rolled-back rows, and the generation need not have moved between them."""
    from django.core.cache import caches

    settings.PAGE_CACHE = False
    caches["pages"].clear()
