"""Pages in a real browser: headless Debian Chromium driven by Playwright.

Skipped, with the reason, where /usr/bin/chromium is missing; .ci/run installs it.
"""

import os
from urllib.parse import urlparse

import pytest

from tests.conftest import CHROMIUM
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]


@pytest.fixture
def story():
    section = make_section(name="Giáo dục")
    photo = make_photo(caption="Lễ ký kết hợp tác đào tạo", credit="Ảnh: Minh Anh", alt_text="Đại biểu ký kết")
    return make_article(
        title="Hải Phòng đặt hàng đào tạo nhân lực chất lượng cao",
        lead="Đề án đào tạo giai đoạn mới được Hội Khoa học phát triển nguồn nhân lực công bố.",
        body="<p>Đoạn đầu của bài.</p><blockquote><p>Trích dẫn.</p></blockquote>",
        section=section,
        authors=[make_author(name="Đặng Thùy Dương")],
        organizations=[make_organization(name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng")],
        tags=[make_tag(name="Nguồn nhân lực")],
        featured_photo=photo,
    )


def _open(browser, url, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    return page, response, requested


@pytest.mark.parametrize("width", [360, 1280])
def test_article_page_reads_well_in_a_browser(browser, live_server, story, width):
    page, response, requested = _open(browser, live_server.url + story.get_absolute_url(), width)

    assert response.status == 200
    assert page.locator("h1").inner_text() == story.title
    assert page.locator("html").get_attribute("lang") == "vi"
    for landmark in ("header", "nav", "main", "footer"):
        assert page.locator(landmark).count() >= 1
    assert page.locator("time").first.inner_text().count("/") == 2
    # Nothing is loaded from another site.
    hosts = {urlparse(url).netloc for url in requested}
    assert hosts == {urlparse(live_server.url).netloc}
    # The paper's own fonts are in use, Vietnamese glyphs included.
    assert page.evaluate("document.fonts.check('700 2rem \"Noto Serif\"', 'Hải Phòng đặt hàng')")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('Noto Serif') && f.status === 'loaded')")
    # No sideways scrolling on a phone or a desktop.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Every image has alt text (empty for decorative thumbnails, which are aria-hidden links).
    assert page.evaluate("[...document.images].every(img => img.hasAttribute('alt'))")
    assert page.locator("figcaption").first.inner_text() == "Lễ ký kết hợp tác đào tạo Ảnh: Minh Anh"
    assert page.locator("figcaption .credit").evaluate("e => getComputedStyle(e, '::before').content") == '"— "'
    page.close()


def test_home_page_has_the_lead_story_and_no_overflow_on_a_phone(browser, live_server, story):
    page, response, _ = _open(browser, live_server.url + "/", 360)
    assert response.status == 200
    assert page.locator(".lead-story h2").inner_text() == story.title
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.close()


def test_reporter_writes_in_the_prose_editor(browser, live_server, admin_user):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_server.url + "/admin/login/?next=/admin/articles/article/add/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/articles/article/add/")

    editor = page.locator(".ProseMirror:visible").first
    editor.wait_for(state="visible")
    editor.click()
    page.keyboard.type("Đoạn văn đầu tiên của phóng viên.")
    page.fill("#id_title", "Đề án đào tạo nhân lực")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")

    from articles.models import Article

    article = Article.objects.get(title="Đề án đào tạo nhân lực")
    assert article.slug == "de-an-dao-tao-nhan-luc"
    assert article.body == "<p>Đoạn văn đầu tiên của phóng viên.</p>"
    page.close()
