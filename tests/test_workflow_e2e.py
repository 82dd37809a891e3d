"""The newsroom's day, end to end in a real browser: a reporter writes and submits, an editor schedules from the
desk, readers see the story once its time comes, and a reporter whose login expired mid-edit keeps the text.

Headless Debian Chromium through Playwright (see tests/test_browser.py); skipped, with the reason, without it.
The clock is the process's own, moved with time_machine (the live server runs in this process), so "a few
seconds ahead" needs no waiting for a minute to turn.
"""

import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.utils import timezone

from articles.models import Article, ArticleEvent
from tests.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]

PASSWORD = "mat-khau-e2e-2026"
TITLE = "Cảng Lạch Huyện đón chuyến tàu đầu tiên của tuyến mới"


@pytest.fixture
def staff(newsroom_groups):
    def make(username, group, first_name, last_name):
        user = get_user_model().objects.create_user(
            username, password=PASSWORD, is_staff=True, first_name=first_name, last_name=last_name
        )
        user.groups.add(Group.objects.get(name=group))
        return user

    return {
        "reporter": make("phongvien", "Phóng viên", "Thu Hà", "Phạm"),
        "editor": make("bientap", "Biên tập viên", "Quang Huy", "Nguyễn"),
    }


def logged_in(browser, live_server, username, path, width=1280):
    """A page of its own browser context (its own cookies), logged in through the admin's form, at `path`."""
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/admin/login/?next={path}")
    log_in(page, username)
    page.wait_for_url("**" + path)
    return context, page, errors


def log_in(page, username):
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def write_in_the_editor(page, title, text):
    page.locator(".tiptap").wait_for()
    page.fill("#id_title", title)
    page.locator(".tiptap").click()
    page.keyboard.type(text)


def a_moment_before_the_minute_turns():
    """Now, moved on to the next hh:mm:50, so a time typed to the minute is ten seconds ahead."""
    now = timezone.localtime()
    moment = now.replace(second=50, microsecond=0)
    return moment if moment > now + timedelta(seconds=2) else moment + timedelta(minutes=1)


def test_a_story_goes_from_the_reporter_through_the_desk_to_readers(browser, live_server, staff, time_machine):
    # The reporter writes the story in the prose editor and sends it for review.
    add = "/admin/articles/article/add/"
    reporter, page, reporter_errors = logged_in(browser, live_server, "phongvien", add)
    write_in_the_editor(page, TITLE, "Sáng nay, con tàu dài 366 m đã cập cảng.")
    page.click("input[name=_nr_submit]")
    page.wait_for_url("**/admin/articles/article/")
    assert page.locator(".messagelist .success").filter(has_text="gửi cho biên tập viên").count() == 1

    article = Article.objects.get(title=TITLE)
    assert (article.status, article.created_by) == (Article.Status.REVIEW, staff["reporter"])
    assert article.body == "<p>Sáng nay, con tàu dài 366 m đã cập cảng.</p>"
    assert article.events.get().kind == ArticleEvent.Kind.SUBMIT
    # A reporter has no desk: theirs is "my stories", where the story waits in review.
    page.goto(live_server.url + "/admin/desk/")
    page.wait_for_url("**/admin/my-stories/")
    assert page.get_by_text(TITLE).count() == 1
    reporter.close()

    # The editor opens the desk, finds it waiting, and schedules it a few seconds ahead: two clicks.
    time_machine.move_to(a_moment_before_the_minute_turns(), tick=True)
    goes_live = (timezone.localtime() + timedelta(minutes=1)).replace(second=0)
    editor, page, editor_errors = logged_in(browser, live_server, "bientap", "/admin/desk/")
    row = page.locator("#review li").filter(has_text=TITLE)
    assert row.get_by_text("Phóng viên: Phạm Thu Hà").count() == 1
    row.get_by_text("Lên lịch…").click()  # one
    row.locator(f"#review-{article.pk}-publish-at").fill(goes_live.strftime("%d/%m/%Y %H:%M"))
    row.get_by_role("button", name="Hẹn giờ").click()  # two
    page.wait_for_url("**/admin/desk/")
    article.refresh_from_db()
    assert article.is_scheduled
    assert timezone.localtime(article.publish_at) == goes_live
    scheduled = page.locator("#scheduled li").filter(has_text=TITLE)
    assert scheduled.locator("time").inner_text() == goes_live.strftime("%H:%M")
    editor.close()

    # A reader: not there before its time (the ordinary 404), there once the time has passed.
    reader = browser.new_context(viewport={"width": 360, "height": 800})
    page = reader.new_page()
    address = live_server.url + article.get_absolute_url()
    assert page.goto(address).status == 404
    assert page.goto(live_server.url + "/").ok and page.get_by_text(TITLE).count() == 0
    while timezone.now() < article.publish_at:
        page.wait_for_timeout(250)
    response = page.goto(address)
    assert response.status == 200
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(".preview-banner").count() == 0
    assert page.locator("time").first.inner_text() == goes_live.strftime("%d/%m/%Y %H:%M")
    page.goto(live_server.url + "/")
    assert page.get_by_text(TITLE).count() >= 1
    reader.close()
    assert reporter_errors == editor_errors == []


def test_a_reporter_whose_login_expired_mid_edit_gets_the_text_back(browser, live_server, staff):
    add = "/admin/articles/article/add/"
    context, page, errors = logged_in(browser, live_server, "phongvien", add, width=360)
    write_in_the_editor(page, "Tin viết dở khi phiên hết hạn", "Đoạn văn viết trong lúc phiên đăng nhập hết hạn.")
    page.wait_for_function(
        "() => Object.keys(localStorage).some(key => key.startsWith('newsroom:copy:')"
        " && localStorage.getItem(key).includes('phiên đăng nhập hết hạn'))"
    )
    # The login ends on the server (timed out, or signed out elsewhere) while the reporter is still writing.
    session_key = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "sessionid")
    Session.objects.filter(session_key=session_key).delete()

    page.click("input[name=_save]")
    page.wait_for_url("**/admin/login/**")
    assert not Article.objects.exists()
    log_in(page, "phongvien")
    page.wait_for_url("**" + add)
    banner = page.locator(".nr-editing-restore")
    banner.wait_for()
    banner.get_by_role("button", name="Khôi phục bản chưa lưu").click()

    assert page.locator("#id_title").input_value() == "Tin viết dở khi phiên hết hạn"
    assert page.locator(".tiptap").inner_text() == "Đoạn văn viết trong lúc phiên đăng nhập hết hạn."
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    article = Article.objects.get()
    assert (article.title, article.body, article.status, article.created_by) == (
        "Tin viết dở khi phiên hết hạn",
        "<p>Đoạn văn viết trong lúc phiên đăng nhập hết hạn.</p>",
        Article.Status.DRAFT,
        staff["reporter"],
    )
    assert errors == []
    context.close()
