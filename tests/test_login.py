"""Logging in: wrong passwords are counted per account and per address, then refused for a while (django-axes)."""

import datetime as dt

import pytest
from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from django.utils.module_loading import import_string

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
LIMIT = settings.AXES_FAILURE_LIMIT
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """Dozens of logins per test: a quick hasher instead of PBKDF2's ~0.2 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_slowdown(request, settings):
    """The lock-out tests fail many times in a row; the slow-down has tests of its own (marked `slowdown`)."""
    if not request.node.get_closest_marker("slowdown"):
        settings.LOGIN_SLOWDOWN_SECONDS = 0


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("bientap", password="mat-khau-dung-1", is_staff=True)


def login(client, username, password="sai-mat-khau", address=ATTACKER, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail(client, username, times, address=ATTACKER):
    return [login(client, username, address=address).status_code for _ in range(times)]


def assert_logged_in(response, client):
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "_auth_user_id" in client.session


def assert_locked(response):
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.AXES_COOLOFF_MINUTES * 60)
    assert "_auth_user_id" not in response.client.session


def test_the_settings_count_per_account_and_per_address_in_the_database():
    assert settings.AUTHENTICATION_BACKENDS == [
        "newsroom.logins.LoginBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert issubclass(import_string(settings.AUTHENTICATION_BACKENDS[0]), AxesStandaloneBackend)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AXES_HANDLER == "newsroom.logins.LoginAttempts"  # a subclass of the database handler
    assert LIMIT == 5
    assert settings.AXES_COOLOFF_MINUTES == 15
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_wrong_passwords_get_the_form_until_the_limit_then_the_lock_out(client, editor):
    statuses = fail(client, "bientap", LIMIT + 3)

    # Each of the first LIMIT - 1 gets the form back with its error; the LIMIT-th locks.
    assert statuses == [200] * (LIMIT - 1) + [429] * 4
    assert AccessAttempt.objects.get(username="bientap", ip_address=ATTACKER).failures_since_start == LIMIT + 3


def test_the_right_password_is_refused_during_the_lock_out(client, editor):
    fail(client, "bientap", LIMIT)

    response = login(client, "bientap", "mat-khau-dung-1")

    assert_locked(response)
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_the_lock_out_page_is_vietnamese_and_says_how_long_and_who_can_lift_it(client, editor):
    response = fail(client, "bientap", LIMIT) and login(client, "bientap")

    assert_locked(response)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<h1>Tạm thời không đăng nhập được</h1>" in html
    assert "Sau 5 lần nhập sai mật khẩu, tài khoản này hoặc địa chỉ này tạm thời bị khóa đăng nhập." in html
    assert "Hãy thử lại sau 15 phút." in html
    assert "kể cả mật khẩu đúng cũng bị từ chối" in html
    assert "<code>manage.py axes_reset_username</code>" in html
    assert "Lần đăng nhập thử" in html
    assert '<a href="/admin/login/">Về trang đăng nhập</a>' in html
    assert "Traceback" not in html
    assert "sai-mat-khau" not in html


def test_the_lock_out_page_in_english_for_staff_who_chose_it(client, editor):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = fail(client, "bientap", LIMIT) and login(client, "bientap")

    assert response.status_code == 429
    assert "Try again in 15 minutes." in response.content.decode()


def test_the_account_is_locked_from_every_address(client, editor):
    """Guessing one password from many addresses reaches the limit too."""
    for n in range(LIMIT):
        login(client, "bientap", address=f"192.0.2.{n + 1}")

    assert_locked(login(client, "bientap", "mat-khau-dung-1", address=ELSEWHERE))


def test_the_address_is_locked_for_every_account(client, editor, django_user_model):
    """Guessing many accounts' passwords from one address reaches the limit too."""
    django_user_model.objects.create_user("phongvien", password="mat-khau-dung-2", is_staff=True)
    for n in range(LIMIT):
        login(client, f"ten-{n}")

    assert_locked(login(client, "phongvien", "mat-khau-dung-2"))
    # The same account from another address is not affected.
    assert_logged_in(login(client, "phongvien", "mat-khau-dung-2", address=ELSEWHERE), client)


def test_below_the_limit_the_right_password_works_and_clears_that_accounts_count(client, editor):
    fail(client, "bientap", LIMIT - 1)

    assert_logged_in(login(client, "bientap", "mat-khau-dung-1"), client)
    assert not AccessAttempt.objects.filter(username="bientap", ip_address=ATTACKER).exists()
    client.logout()
    # A full set of wrong passwords is needed again to lock.
    assert fail(client, "bientap", LIMIT - 1) == [200] * (LIMIT - 1)
    assert_logged_in(login(client, "bientap", "mat-khau-dung-1"), client)


def test_a_login_clears_only_its_own_account_from_its_address(client, editor, django_user_model):
    """Logging in with one's own account between guesses at a colleague's does not reset the address's count."""
    django_user_model.objects.create_user("phongvien", password="mat-khau-dung-2", is_staff=True)
    fail(client, "bientap", LIMIT - 1)

    assert_logged_in(login(client, "phongvien", "mat-khau-dung-2"), client)
    client.logout()

    assert_locked(login(client, "bientap"))


def test_the_lock_out_is_lifted_by_time(client, editor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    fail(client, "bientap", LIMIT)

    time_machine.shift(dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES) - dt.timedelta(seconds=1))
    assert_locked(login(client, "bientap", "mat-khau-dung-1"))  # a try while locked starts the wait again

    time_machine.shift(dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES) - dt.timedelta(seconds=1))
    assert_locked(login(client, "bientap", "mat-khau-dung-1"))

    time_machine.shift(dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES, seconds=1))
    assert_logged_in(login(client, "bientap", "mat-khau-dung-1"), client)


@pytest.mark.parametrize(
    ("command", "argument"),
    [("axes_reset_username", "bientap"), ("axes_reset_ip", ATTACKER), ("axes_reset", None)],
)
def test_the_lock_out_is_lifted_by_an_administrator(client, editor, command, argument):
    fail(client, "bientap", LIMIT)
    assert_locked(login(client, "bientap", "mat-khau-dung-1"))

    call_command(command, *([argument] if argument else []), stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert_logged_in(login(client, "bientap", "mat-khau-dung-1"), client)


def test_an_administrator_sees_and_deletes_attempts_in_the_admin(client, admin_client, editor):
    fail(client, "bientap", LIMIT)
    attempt = AccessAttempt.objects.get(username="bientap")

    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "bientap" in listing.content.decode()
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert_logged_in(login(client, "bientap", "mat-khau-dung-1"), client)


def test_authenticate_outside_a_request_checks_the_password_and_is_not_counted(client, editor):
    """The shell or a management command checking a password: no address, nothing to count."""
    assert authenticate(username="bientap", password="mat-khau-dung-1") == editor
    assert authenticate(username="bientap", password="sai") is None
    assert not AccessAttempt.objects.exists()


def test_authenticate_with_a_request_is_counted_and_refused_when_locked(client, editor):
    fail(client, "bientap", LIMIT)
    request = RequestFactory().post(LOGIN, REMOTE_ADDR=ELSEWHERE)

    assert authenticate(request, username="bientap", password="mat-khau-dung-1") is None
    assert request.axes_locked_out


def test_the_admin_login_works_normally(client, admin_user):
    page = client.get(LOGIN, REMOTE_ADDR=ATTACKER)
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()

    assert_logged_in(login(client, admin_user.username, "password"), client)
    assert client.get("/admin/").status_code == 200


def test_a_wrong_password_gets_the_forms_error(client, editor):
    response = login(client, "bientap")

    assert response.status_code == 200
    assert "errornote" in response.content.decode()


# Addresses: X-Forwarded-For only behind the proxy that SECURE_PROXY names --------------------------


def test_without_secure_proxy_x_forwarded_for_is_ignored(client, editor):
    """Otherwise an attacker would send a new made-up address with every guess."""
    for n in range(LIMIT):
        login(client, f"ten-{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert_locked(login(client, "bientap", "mat-khau-dung-1", HTTP_X_FORWARDED_FOR="192.0.2.99"))


def test_behind_the_proxy_the_address_it_appended_counts(client, editor, settings):
    settings.SECURE_PROXY = True
    proxy = "10.0.0.2"
    for n in range(LIMIT):
        # What the client sent first is its own and ignored; the proxy appended the last address.
        login(client, f"ten-{n}", address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}, {ATTACKER}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert_locked(login(client, "bientap", "mat-khau-dung-1", address=proxy, HTTP_X_FORWARDED_FOR=ATTACKER))
    # Someone else behind the same proxy is not locked out.
    assert_logged_in(login(client, "bientap", "mat-khau-dung-1", address=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE), client)


@pytest.mark.parametrize("forwarded", ["", "khong-phai-dia-chi", "1.2.3.4, <script>", "fe80::1%eth0", "9" * 5000])
def test_behind_the_proxy_a_malformed_header_counts_against_the_proxy(client, editor, settings, forwarded):
    settings.SECURE_PROXY = True

    response = login(client, "bientap", address="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "10.0.0.2"


# Hostile usernames: a form error or the lock-out, never a 500 ---------------------------------------

HOSTILE_USERNAMES = [
    "a" * 151,  # longer than a username may be
    "a" * 100_000,
    "bien\x00tap",
    "\x00",
    "' OR 1=1 --",
    "admin'--",
    "<script>alert(1)</script>",
    "Hải Phòng 🗞️",
    "\u202ebientap",  # right-to-left override
    "ｂｉｅｎｔａｐ",  # fullwidth letters, NFKC-normalised to "bientap" by the form
    " ",
]


@pytest.mark.parametrize("username", HOSTILE_USERNAMES)
def test_a_hostile_username_gets_a_form_error(client, editor, username):
    response = login(client, username)

    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html or "errorlist" in html
    assert "<script>alert(1)</script>" not in html
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("username", HOSTILE_USERNAMES)
def test_a_hostile_username_after_the_limit_gets_a_form_error_or_the_lock_out(client, editor, username):
    fail(client, "bientap", LIMIT)

    response = login(client, username)

    assert response.status_code in {200, 429}
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_huge_username_is_counted_under_its_first_255_characters(client, editor):
    """Django's form lets a name of any length through to authenticate(); PostgreSQL stores 255 at most."""
    response = login(client, "a" * 100_000)

    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "a" * 255


def test_the_attempt_stores_no_password(client, editor):
    fail(client, "bientap", 2)

    attempt = AccessAttempt.objects.get()
    assert "sai-mat-khau" not in attempt.post_data
    assert "password=********************" in attempt.post_data


# The slow-down before the lock-out ----------------------------------------------------------------


def failures(username="bientap", address=ATTACKER):
    return AccessAttempt.objects.get(username=username, ip_address=address).failures_since_start


@pytest.mark.slowdown
def test_the_slowdown_is_on_by_default(settings):
    assert settings.LOGIN_SLOWDOWN_SECONDS == 1


@pytest.mark.slowdown
def test_after_two_failures_a_try_that_comes_too_soon_waits_unchecked_and_uncounted(client, editor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    assert fail(client, "bientap", 2) == [200, 200]

    response = login(client, "bientap", "mat-khau-dung-1")  # the right password, too soon

    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    html = response.content.decode()
    assert "<h1>Vui lòng chờ một chút rồi thử lại</h1>" in html
    assert "Hãy thử lại sau 1 giây." in html
    assert "mat-khau-dung-1" not in html
    assert "_auth_user_id" not in client.session
    assert failures() == 2  # not counted

    time_machine.shift(dt.timedelta(seconds=1))
    assert_logged_in(login(client, "bientap", "mat-khau-dung-1"), client)


@pytest.mark.slowdown
def test_each_failure_doubles_the_wait_then_the_lock_out_comes(client, editor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    fail(client, "bientap", 2)
    waits = []
    for _ in range(LIMIT - 2):
        wait = 0
        while login(client, "bientap").status_code == 429 and failures() < LIMIT:
            wait += 1
            time_machine.shift(dt.timedelta(seconds=1))
        waits.append(wait)
    # 1 s after the 2nd failure, 2 s after the 3rd, 4 s after the 4th; the 5th locks as before.
    assert waits == [1, 2, 4]
    assert failures() == LIMIT
    assert_locked(login(client, "bientap", "mat-khau-dung-1"))


@pytest.mark.slowdown
def test_tries_that_come_too_soon_never_lock_the_account(client, editor, time_machine):
    """A colleague hammering the button after two typos is slowed, not locked out for fifteen minutes."""
    time_machine.move_to(timezone.now(), tick=False)
    fail(client, "bientap", 2)

    statuses = {login(client, "bientap").status_code for _ in range(20)}

    assert statuses == {429}
    assert failures() == 2
    time_machine.shift(dt.timedelta(seconds=1))
    assert_logged_in(login(client, "bientap", "mat-khau-dung-1"), client)


@pytest.mark.slowdown
def test_the_slowdown_counts_per_address_too(client, editor, django_user_model, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    django_user_model.objects.create_user("phongvien", password="mat-khau-pv-1", is_staff=True)
    login(client, "bientap")
    login(client, "khongco")

    # Two failures from the address, on two accounts: a third account's try from there waits as well.
    assert login(client, "phongvien", "mat-khau-pv-1").status_code == 429
    assert login(client, "phongvien", "mat-khau-pv-1", address=ELSEWHERE).status_code == 302


@pytest.mark.slowdown
def test_the_slowdown_page_in_english(client, editor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(client, "bientap", 2)
    assert "Try again in 1 s." in login(client, "bientap").content.decode()
