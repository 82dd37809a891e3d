"""A database out of reach: every surface answers a designed 503, a slow query is cut, the next request recovers.

The outages here are real driver failures, not mocks: the connection's settings point at a closed port
(PostgreSQL) or a file that cannot be opened (SQLite) for one request, or PostgreSQL itself ends the
connection (pg_terminate_backend) or cancels the query (statement_timeout). The server is never stopped.
"""

import json
import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import IntegrityError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import include, path

from articles.models import Section
from tests.factories import make_article, make_section

ROOT = Path(__file__).resolve().parent.parent
POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
PAGE_HEADING = "Trang tạm thời chưa thể hiển thị"


# Views this module's tests route to (with the site's own URLs behind them), for what no page of the
# site does on purpose: a query that runs too long, a bug that breaks a constraint.
# A value a query carries, which the outage log must not show.
QUERY_PARAMETER = "-".join(["tham", "so", "bi", "mat"])


def slow_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2), %s", [QUERY_PARAMETER])
    return HttpResponse("finished")


def duplicate_view(request):
    Section.objects.create(name="Trùng", slug="trung", position=1)
    Section.objects.create(name="Trùng", slug="trung", position=2)
    return HttpResponse("saved twice")


urlpatterns = [
    path("test-outage/slow/", slow_view),
    path("test-outage/duplicate/", duplicate_view),
    path("", include("newsroom.urls")),
]


class ReadsTheUserFirst:
    """A middleware that reads the database before any view runs, as an authorization check would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user.is_authenticated  # noqa: B018 - the session and user rows are read here, before the view
        return self.get_response(request)


@contextmanager
def database_unreachable():
    """For the requests inside, the default database cannot be reached: a real failure from the driver.

    The open connection is set aside (an in-memory SQLite test database would vanish if closed), so Django
    connects anew with settings that fail; afterwards the open connection is put back.
    """
    connection.ensure_connection()
    held = connection.connection
    connection.connection = None
    unreachable = {"HOST": "127.0.0.1", "PORT": "1"} if POSTGRESQL else {"NAME": str(ROOT / "no-such-dir" / "db")}
    try:
        with mock.patch.dict(connection.settings_dict, unreachable):
            yield
    finally:
        if connection.connection is not None:
            connection.connection.close()
        connection.connection = held
        connection.errors_occurred = False


def outage_records(caplog):
    return [r for r in caplog.records if r.name == "newsroom.outage"]


def assert_designed_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert f"<h1>{PAGE_HEADING}</h1>" in body
    assert "Traceback" not in body
    # The site's Content-Security-Policy and security headers, as on every page.
    assert "default-src" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_503_page_needs_nothing_but_the_stylesheet():
    source = (ROOT / "templates" / "503.html").read_text()
    # No variable and no tag but comments: nothing that could read the database or need a request.
    assert "{{" not in source
    assert "{%" not in source
    html = render_to_string("503.html")
    assert f'<link rel="stylesheet" href="{settings.STATIC_URL}css/site.css">' in html
    # The Content-Security-Policy refuses inline styles and scripts.
    assert "style=" not in html
    assert "<style" not in html
    assert "<script" not in html
    assert '<html lang="vi">' in html


@pytest.fixture
def live_article(db):
    return make_article(section=make_section(), title="Cầu Hoàng Văn Thụ thông xe")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "url", ["/", "/rss/", "/atom/", "/tim-kiem/?q=c%E1%BA%A7u", "/chuyen-muc/khong-co/", "/bai-viet/cau-hoang-van-thu/"]
)
def test_reader_pages_and_feeds_answer_the_designed_503_and_recover(client, caplog, live_article, url):
    with database_unreachable(), caplog.at_level(logging.ERROR):
        response = client.get(url)
    assert_designed_page(response)
    records = outage_records(caplog)
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert "OperationalError" in records[0].getMessage()
    # Logged once, on newsroom.outage, not a second time as Django's "Internal Server Error".
    assert not [r for r in caplog.records if r.name == "django.request"]

    assert client.get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("debug", [False, True])
def test_the_api_answers_its_own_json_error_shape(client, live_article, settings, debug):
    # With DEBUG on, Django Ninja would answer an exception itself with a traceback; the API hands an outage on.
    settings.DEBUG = debug
    with database_unreachable():
        response = client.get("/api/v1/articles")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == {
        "error": "service_unavailable",
        "detail": "The database is unavailable; try again shortly.",
    }
    assert client.get("/api/v1/articles").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_admin_answers_the_designed_503_to_a_logged_in_editor(admin_client):
    with database_unreachable():
        response = admin_client.get("/admin/")
    assert_designed_page(response)
    assert admin_client.get("/admin/").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_an_outage_in_a_middleware_before_the_view_answers_503(settings, admin_user, caplog):
    # Django turns an error raised in a middleware into its 500 where it happens; the outage middleware
    # must still answer 503, and the test client must not see the exception re-raised.
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[
            : settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
        ],
        "tests.test_outage.ReadsTheUserFirst",
        *settings.MIDDLEWARE[
            settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1 :
        ],
    ]
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    with database_unreachable(), caplog.at_level(logging.ERROR):
        response = client.get("/")
    assert_designed_page(response)
    assert len(outage_records(caplog)) == 1
    assert not [r for r in caplog.records if r.name == "django.request"]
    assert client.get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_outage_while_rendering_the_404_page_answers_503(caplog):
    # The 404 page offers the latest stories, read from the database while Django renders its error page.
    client = Client(raise_request_exception=False)
    with database_unreachable(), caplog.at_level(logging.ERROR):
        response = client.get("/khong/co/trang/nay/")
    assert_designed_page(response)
    assert len(outage_records(caplog)) == 1
    assert client.get("/khong/co/trang/nay/").status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_a_programming_error_stays_a_500(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.get("/test-outage/duplicate/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert PAGE_HEADING not in response.content.decode()
    assert not outage_records(caplog)
    # Raised as itself, for the error tracker and the tests, not swallowed.
    with pytest.raises(IntegrityError):
        Client().get("/test-outage/duplicate/")


def test_the_statement_timeout_is_a_postgresql_connection_option():
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if POSTGRESQL:
        assert f"-c statement_timeout={settings.DB_STATEMENT_TIMEOUT_MS}" in options["options"]
    else:
        # sqlite3.connect() would refuse an "options" argument; SQLite has no statement timeout.
        assert "options" not in options


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_a_query_beyond_the_statement_timeout_is_cancelled_and_answers_503(caplog):
    if not POSTGRESQL:
        # SQLite has no statement timeout to cut the query; what it has, a real failure to open, answers 503.
        with database_unreachable():
            assert_designed_page(Client().get("/"))
        return
    connection.close()
    with mock.patch.dict(connection.settings_dict["OPTIONS"], {"options": "-c statement_timeout=100"}):
        with caplog.at_level(logging.ERROR):
            response = Client().get("/test-outage/slow/")
        [record] = outage_records(caplog)
        with pytest.raises(OperationalError) as cancelled, connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
    connection.close()
    assert_designed_page(response)
    assert "canceling statement due to statement timeout" in record.getMessage()
    assert QUERY_PARAMETER not in logging.Formatter().format(record)
    assert type(cancelled.value.__cause__).__name__ == "QueryCanceled"
    # A new connection has the configured timeout again (pg_settings says it in milliseconds).
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        assert cursor.fetchone() == (str(settings.DB_STATEMENT_TIMEOUT_MS),)


def wsgi_get(url):
    """One request through Django's WSGI handler, as gunicorn makes it: with the request_started and
    request_finished signals that close dead or old connections (the test client turns those off)."""
    environ = RequestFactory().get(url).environ
    statuses = []
    response = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
    body = b"".join(response)
    response.close()
    return int(statuses[0].split()[0]), body


if POSTGRESQL:
    # No backend process to end on SQLite: this test exists on PostgreSQL only (CI runs both), rather
    # than skipping on SQLite.

    @pytest.mark.django_db(transaction=True)
    def test_a_connection_postgresql_ended_is_replaced_on_the_next_request(live_article):
        assert wsgi_get("/")[0] == 200
        pid = connection.connection.info.backend_pid
        other = connection.copy()
        try:
            with other.cursor() as cursor:
                # With a timeout (PostgreSQL 14+): returns once the backend has gone, not merely been signalled.
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
                assert cursor.fetchone() == (True,)
        finally:
            other.close()
        # CONN_HEALTH_CHECKS: the request finds its kept connection dead and opens a new one.
        status, body = wsgi_get("/")
        assert status == 200, body.decode()[:500]
        assert connection.connection.info.backend_pid != pid


def start_django(**env):
    """Set Django up in a fresh interpreter with `env` over the current environment (None: unset)."""
    environ = {
        k: v for k, v in (os.environ | {"DJANGO_SETTINGS_MODULE": "newsroom.settings"} | env).items() if v is not None
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default'].get('OPTIONS', {}).get('options', ''))",
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("value", "option"), [(None, "0"), ("250", "250"), (" 0 ", "0")])
def test_the_statement_timeout_comes_from_the_environment(value, option):
    result = start_django(DATABASE_URL="postgres://newsroom@127.0.0.1:5432/newsroom", DB_STATEMENT_TIMEOUT_MS=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"-c statement_timeout={option}"


@pytest.mark.parametrize(
    ("module", "value", "option"), [("wsgi", None, "5000"), ("asgi", None, "5000"), ("wsgi", "70", "70")]
)
def test_the_web_server_cuts_statements_after_5_seconds_unless_told_otherwise(module, value, option):
    """gunicorn loads newsroom.wsgi: its requests get 5 s; manage.py commands (migrations, batches) none."""
    environ = os.environ | {"DATABASE_URL": "postgres://newsroom@127.0.0.1:5432/newsroom"}
    environ.pop("DB_STATEMENT_TIMEOUT_MS", None)
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    if value is not None:
        environ["DB_STATEMENT_TIMEOUT_MS"] = value
    code = (
        f"import newsroom.{module}; from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS']['options'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"-c statement_timeout={option}"


def test_sqlite_gets_no_statement_timeout_option():
    result = start_django(DATABASE_URL=None, DB_STATEMENT_TIMEOUT_MS="250")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_options_in_the_database_url_are_kept():
    result = start_django(
        DATABASE_URL="postgres://newsroom@127.0.0.1:5432/newsroom?options=-c%20search_path%3Dnews",
        DB_STATEMENT_TIMEOUT_MS="250",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c search_path=news -c statement_timeout=250"


@pytest.mark.parametrize("value", ["abc", "-5", "1.5", "５"])
def test_a_statement_timeout_that_is_not_whole_milliseconds_refuses_to_start(value):
    result = start_django(DB_STATEMENT_TIMEOUT_MS=value)
    assert result.returncode != 0
    assert "DB_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds" in result.stderr
