"""Request handling for the whole site, not one app: the language each page is served in, and the
page a reader gets while the database is out of reach."""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils import translation

outage_logger = logging.getLogger("newsroom.outage")


class LanguageMiddleware:
    """The paper's pages in Vietnamese; the admin in the language its user chose.

    Django's LocaleMiddleware would follow the browser's Accept-Language and show
    a Vietnamese paper with English dates to every visitor with an English browser.
    Here readers always get the paper's language, and staff may switch the admin to
    English through the language cookie (/i18n/setlang/).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        if request.path.startswith(self.admin_prefix):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = chosen if chosen in self.available else language
        request.LANGUAGE_CODE = language
        # Only for this request: the thread goes back to its language afterwards (a test's, a command's).
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# What a database out of reach raises: the server down or restarting, a connection it dropped, a query it
# cancelled (statement_timeout, newsroom/settings.py). Django wraps psycopg2's and sqlite3's errors in these.
# ProgrammingError, IntegrityError and DataError are bugs or bad data, not an outage: they stay 500s.
OUTAGE_ERRORS = (OperationalError, InterfaceError)
# How long a client is asked to wait before it tries again: about as long as PostgreSQL takes to restart.
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/v1/"


def outage_response(request):
    """503 with Retry-After: the API's JSON error shape under /api/v1/, templates/503.html everywhere else.

    The page is rendered without the request, so no context processor runs and nothing reads the database.
    """
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(
            {"error": "service_unavailable", "detail": "The database is unavailable; try again shortly."},
            status=503,
            content_type="application/json; charset=utf-8",  # as the API's own answers
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _log_outage(request, exc):
    # The error's class and the driver's message (no SQL parameters: Django's errors carry none) and where
    # it was raised; Django's own "Internal Server Error" line for the same request is dropped (below).
    outage_logger.error(
        "Database unavailable, answered 503: %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip(),
        exc_info=exc,
    )


def _mark_outage(sender, request=None, **kwargs):
    """An outage error raised outside a view: in a middleware, or while rendering an error page.

    Django turns those into its 500 response where they happen, before any outer middleware sees the
    exception, but sends this signal first; OutageMiddleware swaps the 500 for the 503 on the way out.
    """
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, OUTAGE_ERRORS) and not hasattr(request, "_newsroom_outage"):
        request._newsroom_outage = exc
        _log_outage(request, exc)


class _DropLoggedOutages(logging.Filter):
    """Keep django.request from logging, as a 500, a request already logged on newsroom.outage."""

    def filter(self, record):
        return not hasattr(getattr(record, "request", None), "_newsroom_outage")


class OutageMiddleware:
    """A 503 page, never a stack trace, while the database is unreachable; the next request recovers.

    Two ways an outage error arrives. From a view, its template or a context processor (by far the most:
    the session and the user are read lazily, the first time a view or template touches them):
    process_exception answers 503. From another middleware's own code or an error page's rendering:
    Django has already made its 500 response there; the got_request_exception signal marks the request
    and __call__ replaces that response. Hence this middleware's place in MIDDLEWARE: outside every
    middleware that may read the database (sessions, auth, messages, axes), and inside the security and
    CSP middleware, so the 503 gets their headers as any page does.

    Recovery needs no restart: CONN_HEALTH_CHECKS makes the next request test its persistent connection
    and open a new one if the server dropped it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_mark_outage, dispatch_uid="newsroom.outage")
        request_logger = logging.getLogger("django.request")
        if not any(isinstance(f, _DropLoggedOutages) for f in request_logger.filters):
            request_logger.addFilter(_DropLoggedOutages())

    def __call__(self, request):
        response = self.get_response(request)
        if hasattr(request, "_newsroom_outage") and response.status_code != 503:
            return outage_response(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, OUTAGE_ERRORS) or hasattr(request, "_newsroom_outage"):
            return None
        request._newsroom_outage = exception
        _log_outage(request, exception)
        return outage_response(request)
