"""The Content-Security-Policy in Chromium: reader pages and the admin, prose editor included, work under it.

Each page records the `securitypolicyviolation` events and console errors it raises, from before its
first script runs. A page is clean when it raised none; then an inline script is injected, which the
policy must block: that proves the header is enforced there, and since violations are reported in
order, that no earlier one was still on its way. The header itself is checked in tests/test_csp.py.
"""

import os

import pytest

from articles.models import Article
from tests.conftest import CHROMIUM
from tests.factories import make_article, make_author, make_organization, make_photo, make_section

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} blocked ${event.blockedURI || "?"}`
    + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""
# Run as the page's own script would: an inline <script> added to the document. Resolves once its
# violation has been reported (events come in order, so every earlier one has been recorded too).
INJECT_INLINE_SCRIPT = """() => new Promise((resolve) => {
  document.addEventListener("securitypolicyviolation", () => resolve({
    ran: window.__inlineRan === true, violations: window.__csp,
  }), {once: true});
  const script = document.createElement("script");
  script.textContent = "window.__inlineRan = true;";
  document.head.append(script);
})"""


class Watched:
    """A page with its policy violations and console errors recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def goto(self, url, status=200):
        response = self.page.goto(url, wait_until="networkidle")
        assert response.status == status, url
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        if status == 404:  # the document's own status, which Chromium reports as a console error
            self.errors.remove("Failed to load resource: the server responded with a status of 404 (Not Found)")
        return response

    def assert_clean(self):
        """No violation and no console error so far, and the policy is enforced on this document."""
        assert self.errors == [], self.page.url
        found = self.page.evaluate(INJECT_INLINE_SCRIPT)
        assert found["ran"] is False, self.page.url
        (violation,) = found["violations"]
        assert violation.startswith("script-src-elem blocked inline"), (self.page.url, found["violations"])
        self.page.evaluate("window.__csp.length = 0")
        self.errors.clear()


@pytest.fixture
def context(browser):
    """A browser context that keeps the page's policy (no bypass_csp), recording every page."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_init_script(RECORD_VIOLATIONS)
    yield context
    context.close()


@pytest.fixture
def story():
    section = make_section(name="Giáo dục", slug="giao-duc")
    in_body = make_photo(caption="Sinh viên thực hành tại xưởng", alt_text="Sinh viên trong xưởng")
    return make_article(
        title="Hải Phòng đặt hàng đào tạo nhân lực chất lượng cao",
        body=(
            "<p>Đoạn đầu của bài.</p>"
            f'<figure><img src="/anh/{in_body.pk}/" alt=""><figcaption>Chú thích</figcaption></figure>'
            "<p>Đoạn cuối.</p>"
        ),
        section=section,
        authors=[make_author(name="Đặng Thùy Dương")],
        organizations=[
            make_organization(
                name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
                slug="hoi-khoa-hoc",
                website="https://hoikhoahoc.example.vn/",
                logo=make_photo(caption="Biểu trưng của Hội"),
            )
        ],
        featured_photo=make_photo(caption="Lễ ký kết hợp tác đào tạo", alt_text="Đại biểu ký kết"),
    )


def test_reader_pages_work_under_the_policy(context, live_server, story):
    watched = Watched(context)
    for url in ("/", "/chuyen-muc/giao-duc/", story.get_absolute_url(), "/to-chuc/hoi-khoa-hoc/"):
        watched.goto(live_server.url + url)
        # Every image, the body photo and the featured photo included, is loaded and drawn.
        assert watched.page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)"), url
        watched.assert_clean()
    assert watched.page.locator("img").count() >= 1
    watched.goto(live_server.url + story.get_absolute_url())
    assert watched.page.locator("main figure img").count() == 2  # the featured photo and the body photo
    # The paper's own fonts load under font-src 'self'.
    assert watched.page.evaluate("document.fonts.check('700 2rem \"Noto Serif\"', 'Hải Phòng')")
    watched.assert_clean()
    watched.goto(live_server.url + "/bai-viet/khong-co-bai-nay/", status=404)
    watched.assert_clean()


def _choose(page, select_id, typed, option):
    """Pick `option` in the select2 autocomplete that replaces <select id=select_id>, typing `typed`."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).click()


def test_the_admin_and_its_prose_editor_work_under_the_policy(context, live_server, admin_user, story):
    watched = Watched(context)
    page = watched.page
    watched.goto(live_server.url + "/admin/login/")
    watched.assert_clean()
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.wait_for_load_state("networkidle")
    watched.assert_clean()

    watched.goto(live_server.url + "/admin/articles/article/")
    assert page.locator("#result_list tbody tr").count() == 1
    watched.assert_clean()

    watched.goto(live_server.url + "/admin/articles/article/add/")
    editor = page.locator('.ProseMirror[contenteditable="true"]')
    editor.wait_for()
    page.fill("#id_title", "Đề án đào tạo nhân lực")
    _choose(page, "id_section", "Giáo", "Giáo dục")
    _choose(page, "id_bylines-0-author", "Đặng", "Đặng Thùy Dương")

    # The date and time pop-ups (Django's DateTimeShortcuts.js), opened and closed.
    page.click("#calendarlink0")
    page.locator("#calendarbox0 .calendar-cancel a").click()
    page.click("#clocklink0")
    page.locator("#clockbox0 .calendar-cancel a").click()

    editor.click()
    # A heading, from the block-type menu.
    page.locator(".prose-menubar__selected").first.click()
    page.locator('.prose-menubar__option[data-name="heading2"]').click()
    page.keyboard.type("Nhân lực cho cảng biển")
    page.keyboard.press("Enter")
    # Bold, from its button, switched on and off while typing.
    page.keyboard.type("Thành phố ")
    page.locator('.prose-menubar__button[data-name="bold"]').click()
    page.keyboard.type("đặt hàng")
    page.locator('.prose-menubar__button[data-name="bold"]').click()
    page.keyboard.type(" 500 kỹ sư.")
    page.keyboard.press("Enter")
    # A link, through the editor's link dialog, on the words just typed.
    page.keyboard.type("Đề án")
    page.keyboard.press("Shift+Home")
    page.locator('.prose-menubar__button[data-name="link"]').click()
    dialog = page.locator("dialog.prose-editor-dialog[open]")
    dialog.locator("input").first.fill("https://haiphong.gov.vn/de-an")
    dialog.locator("button[type=submit], button.prose-editor-primary, button").first.click()
    dialog.wait_for(state="detached")
    page.keyboard.press("End")
    watched.assert_clean()
    assert editor.locator("h2").inner_text() == "Nhân lực cho cảng biển"
    assert editor.locator("strong").inner_text() == "đặt hàng"
    assert editor.locator("a").get_attribute("href") == "https://haiphong.gov.vn/de-an"

    page.click("input[name=_save]")
    page.wait_for_url(live_server.url + "/admin/articles/article/")
    page.wait_for_load_state("networkidle")
    watched.assert_clean()
    article = Article.objects.get(title="Đề án đào tạo nhân lực")
    assert article.section.name == "Giáo dục"
    assert [author.name for author in article.authors.all()] == ["Đặng Thùy Dương"]
    typed = (
        "<h2>Nhân lực cho cảng biển</h2>"
        "<p>Thành phố <strong>đặt hàng</strong> 500 kỹ sư.</p>"
        '<p><a href="https://haiphong.gov.vn/de-an" rel="noopener noreferrer">Đề án</a></p>'
    )
    # The link dialog leaves an empty title, which the sanitiser drops.
    assert article.body == typed

    watched.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    page.locator('.ProseMirror[contenteditable="true"] h2').wait_for()
    watched.assert_clean()

    watched.goto(live_server.url + "/admin/photos/photo/add/")
    watched.assert_clean()

    # The language menu in the header sends its form from a static script, not an inline handler.
    with page.expect_navigation(wait_until="networkidle"):
        page.select_option("#nr-language", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    watched.assert_clean()
