"""Logins slowed, then locked, by django-axes: whose address a failure counts against, and the refusal pages.

The settings that choose the limit, the cool-off and what is counted are in newsroom/settings.py;
docs/architecture.md, "Security", says why.
"""

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


def _address(value):
    """`value` as an IP address the database stores, or None (a scope like %eth0 it would refuse)."""
    value = (value or "").strip()
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return None if getattr(address, "scope_id", None) else str(address)


def client_ip(request):
    """The address a login failure counts against.

    REMOTE_ADDR, unless SECURE_PROXY says a reverse proxy stands in front: then the last address in
    X-Forwarded-For, the one that proxy appended for the client it saw. Anything before it was sent
    by the client and could be anything, so it is never read; nor is the header without a proxy.
    """
    if settings.SECURE_PROXY:
        forwarded = _address(request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1])
        if forwarded:
            return forwarded
    return _address(request.META.get("REMOTE_ADDR"))


def client_username(request, credentials=None):
    """The login name a failure counts against, cut to the 255 characters axes stores.

    Django's login form does not enforce the username's length (it sets max_length after building
    its validators), so a name of any length reaches authenticate(); PostgreSQL would refuse to store
    it and the login would be a 500. No account has a name that long, so the cut merges nothing real.
    """
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:255] if isinstance(username, str) else username


class LoginBackend(AxesStandaloneBackend):
    """axes' lock-out check, for logins over HTTP: authenticate() without a request passes on to the next backend.

    Outside a request (the shell, a management command, a test checking a password) there is no
    address to count against and nobody guessing over the network; axes would raise ValueError.
    Every way to log in over HTTP passes the request (Django's LoginView; tests/test_login.py).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginAttempts(AxesDatabaseHandler):
    """axes' database handler, except that a successful login clears less.

    axes clears every failure matching any lock-out parameter: all failures from the address too,
    so whoever holds one account could log in with it between guesses at a colleague's password and
    never reach the limit. Here a login clears only that account's failures from that address.
    """

    def is_allowed(self, request, credentials=None):
        """axes' checks, then the slow-down: after two failures each further try waits, doubling each time.

        A try that comes too soon is answered at once with how long to wait (lockout_response), without
        checking the password, and is not counted; no worker sleeps, so slowing guessers costs nothing.
        """
        if not super().is_allowed(request, credentials):
            return False
        wait = self.wait_left(request, credentials)
        if wait > 0:
            request.axes_slowed_for = wait
            request.axes_locked_out = True  # the middleware's cue to answer with lockout_response()
            return False
        return True

    def wait_left(self, request, credentials=None):
        """Seconds this try must still wait: LOGIN_SLOWDOWN_SECONDS × 2^(failures − 2) after the last failure."""
        base = settings.LOGIN_SLOWDOWN_SECONDS
        if not base:
            return 0
        now, wait = timezone.now(), 0
        # One queryset per lock-out parameter (this account, this address); the longer wait applies.
        for attempts in self.get_user_attempts(request, credentials):
            seen = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            if (seen["failures"] or 0) >= 2:
                wait = max(wait, base * 2 ** (seen["failures"] - 2) - (now - seen["last"]).total_seconds())
        return math.ceil(wait) if wait > 0 else 0

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is None:  # axes logs an error for each failure without a request (LoginBackend)
            return
        if getattr(request, "axes_slowed_for", 0):
            return  # refused for coming too soon, the password unchecked: not a failure to count
        super().user_login_failed(sender, credentials, request=request, **kwargs)

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """The page a refused login gets instead of the login form: 429 Too Many Requests, with Retry-After."""
    if wait := getattr(request, "axes_slowed_for", 0):
        context = admin.site.each_context(request) | {"title": None, "seconds": wait}
        response = render(request, "axes/slowed.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    cool_off = get_cool_off(request)
    context = admin.site.each_context(request) | {
        "title": None,
        "minutes": int(cool_off.total_seconds() // 60),
        "failure_limit": get_failure_limit(request, credentials),
    }
    response = render(request, "axes/lockout.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
