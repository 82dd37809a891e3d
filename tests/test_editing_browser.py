"""No lost edits in a real browser: the article form's local copy survives a reload and an expired login.

Headless Debian Chromium through Playwright (see tests/test_browser.py); skipped, with the reason, without it.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.utils import timezone

from articles.models import Article
from tests.conftest import CHROMIUM
from tests.factories import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]

PASSWORD = "mat-khau-thu-nghiem-9"


@pytest.fixture
def reporter(newsroom_groups):
    user = get_user_model().objects.create_user(
        "phongvien", password=PASSWORD, is_staff=True, first_name="Thu Hà", last_name="Phạm"
    )
    user.groups.add(Group.objects.get(name="Phóng viên"))
    return user


@pytest.fixture
def draft(reporter):
    return make_article(
        title="Cảng Lạch Huyện đón tàu lớn",
        lead="Sapo của bài.",
        body="<p>Đoạn đầu đã lưu.</p>",
        created_by=reporter,
        status=Article.Status.DRAFT,
        live=False,
    )


def log_in(page, username=None):
    page.fill("#id_username", username or "phongvien")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def open_form(browser, live_server, path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + "/admin/login/?next=" + path)
    log_in(page)
    page.wait_for_url("**" + path)
    page.locator(".tiptap").wait_for()
    return page, errors


def type_at_the_end(page, text):
    page.locator(".tiptap p").last.click()
    page.keyboard.press("End")
    page.keyboard.type(text)
    # The copy is written 400 ms after the last key; the test waits for it rather than for a time.
    page.wait_for_function(
        "text => Object.keys(localStorage).some(key => key.startsWith('newsroom:copy:')"
        " && localStorage.getItem(key).includes(text))",
        arg=text,
    )


def restore(page):
    banner = page.locator(".nr-editing-restore")
    banner.wait_for()
    assert "Trình duyệt này còn giữ một bản của bài chưa được lưu." in banner.inner_text()
    button = banner.get_by_role("button", name="Khôi phục bản chưa lưu")
    assert button.inner_text().startswith("Khôi phục bản chưa lưu (")
    assert banner.get_by_role("button", name="Bỏ bản này").is_visible()
    button.click()
    page.get_by_role("status").filter(has_text="Bản chưa lưu đã được đưa lại vào biểu mẫu").wait_for()


def test_the_body_typed_and_reloaded_is_offered_back_and_saved_over_a_conflict(browser, live_server, draft):
    path = f"/admin/articles/article/{draft.pk}/change/"
    page, errors = open_form(browser, live_server, path)
    assert page.locator(".nr-editing-restore").count() == 0

    type_at_the_end(page, " Thêm một câu chưa lưu.")
    page.reload()
    page.locator(".tiptap").wait_for()
    # The reload shows the stored text, and offers the typed one back.
    assert page.locator(".tiptap").inner_text() == "Đoạn đầu đã lưu."
    restore(page)

    assert page.locator(".tiptap").inner_text() == "Đoạn đầu đã lưu. Thêm một câu chưa lưu."
    assert page.locator("#id_body").input_value() == "<p>Đoạn đầu đã lưu. Thêm một câu chưa lưu.</p>"

    # Meanwhile a script changes the lead: the save is refused, the text stays in the editor, the diff shows.
    Article.objects.filter(pk=draft.pk).update(lead="Sapo sửa nơi khác.", updated_at=timezone.now())
    page.click("input[name=_continue]")
    page.wait_for_url("**" + path)
    page.locator(".tiptap").wait_for()
    assert page.locator(".errorlist.nonfield").inner_text().startswith("Bài đã được người khác lưu lúc")
    assert page.locator(".nr-conflict ins.rev-ins").all_inner_texts() == ["của bài.", "Thêm một câu chưa lưu."]
    assert page.locator(".tiptap").inner_text() == "Đoạn đầu đã lưu. Thêm một câu chưa lưu."
    assert page.locator(".nr-editing-restore").count() == 0  # the form holds the copy's text already
    assert Article.objects.get(pk=draft.pk).body == "<p>Đoạn đầu đã lưu.</p>"

    # Saving again is the deliberate overwrite.
    page.click("input[name=_continue]")
    page.wait_for_url("**" + path)
    page.locator(".tiptap").wait_for()
    draft.refresh_from_db()
    assert (draft.lead, draft.body) == ("Sapo của bài.", "<p>Đoạn đầu đã lưu. Thêm một câu chưa lưu.</p>")
    # Saved: the copy is gone and nothing is offered any more.
    assert page.evaluate("Object.keys(localStorage).filter(key => key.startsWith('newsroom:copy:'))") == []
    assert page.locator(".nr-editing-restore").count() == 0
    assert errors == []
    page.close()


def test_a_save_after_the_login_expired_goes_through_the_login_back_to_the_text(browser, live_server, draft):
    path = f"/admin/articles/article/{draft.pk}/change/"
    page, errors = open_form(browser, live_server, path)
    page.fill("#id_title", "Cảng Lạch Huyện đón tàu 100.000 tấn")
    type_at_the_end(page, " Viết thêm khi phiên đã hết.")

    # The login ends on the server while the reporter writes.
    Session.objects.all().delete()
    # The heartbeat notices (it beats when the tab is looked at again, and every 30 s).
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().startswith(
        "Phiên đăng nhập đã hết hạn. Bài bạn đang viết vẫn được giữ trên máy này; hãy đăng nhập lại, bài sẽ được "
        "khôi phục."
    )
    assert alert.get_by_role("link", name="Đăng nhập lại").get_attribute("href") == f"/admin/login/?next={path}"

    page.click("input[name=_save]")
    page.wait_for_url("**/admin/login/**")
    assert Article.objects.get(pk=draft.pk).title == "Cảng Lạch Huyện đón tàu lớn"
    log_in(page)
    page.wait_for_url("**" + path)
    page.locator(".tiptap").wait_for()
    restore(page)

    assert page.locator("#id_title").input_value() == "Cảng Lạch Huyện đón tàu 100.000 tấn"
    assert page.locator(".tiptap").inner_text() == "Đoạn đầu đã lưu. Viết thêm khi phiên đã hết."
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")

    draft.refresh_from_db()
    assert (draft.title, draft.body) == (
        "Cảng Lạch Huyện đón tàu 100.000 tấn",
        "<p>Đoạn đầu đã lưu. Viết thêm khi phiên đã hết.</p>",
    )
    # The list the save leads to forgets the copy the save stored.
    assert page.evaluate("Object.keys(localStorage).filter(key => key.startsWith('newsroom:copy:'))") == []
    assert errors == []
    page.close()


def test_a_new_story_survives_an_expired_login_and_is_not_offered_again_once_saved(browser, live_server, reporter):
    path = "/admin/articles/article/add/"
    page, errors = open_form(browser, live_server, path)
    page.fill("#id_title", "Tin mới viết dở")
    type_at_the_end(page, "Đoạn đầu của tin mới.")
    Session.objects.all().delete()

    page.click("input[name=_save]")
    page.wait_for_url("**/admin/login/**")
    assert not Article.objects.exists()
    log_in(page)
    page.wait_for_url("**" + path)
    page.locator(".tiptap").wait_for()
    restore(page)

    assert page.locator("#id_title").input_value() == "Tin mới viết dở"
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    article = Article.objects.get()
    assert (article.title, article.body, article.created_by) == (
        "Tin mới viết dở",
        "<p>Đoạn đầu của tin mới.</p>",
        reporter,
    )
    assert page.evaluate("Object.keys(localStorage).filter(key => key.startsWith('newsroom:copy:'))") == []
    # A new article started afterwards is not offered the one already saved.
    page.goto(live_server.url + path)
    page.locator(".tiptap").wait_for()
    assert page.locator(".nr-editing-restore").count() == 0
    assert errors == []
    page.close()
