"""Pages in a real browser: headless Debian Chromium driven by Playwright.

Skipped, with the reason, where /usr/bin/chromium is missing; .ci/run installs it.
"""

import os
import re
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


# The admin's article form ------------------------------------------------------------------

# English the admin showed, or could show, on the article form: django-prose-editor's toolbar and dialogs,
# Django's strings its Vietnamese catalogue lacks, and our own. Matched as whole words, any case.
KNOWN_ENGLISH = [
    "bold", "italic", "underline", "strike", "subscript", "superscript", "insert link", "remove link", "link",
    "heading", "paragraph", "blockquote", "horizontal rule", "figure", "ordered list", "unordered list", "list",
    "properties", "undo", "redo", "edit", "url", "title", "update", "cancel", "insert", "open in new window",
    "caption", "image", "alternative text", "table", "rows", "columns", "merge cells", "split cell", "column", "row",
    "header", "toggle", "fullscreen", "start at", "bullets", "numerals", "letters", "view selected", "add another",
    "change selected", "delete selected", "breadcrumbs", "save", "delete", "history", "preview", "today", "now",
    "choose", "position", "author", "remove", "move", "drag", "up", "down", "date", "time", "error",
]  # fmt: skip
# Every string a person (or a screen reader) meets: visible text outside the story being edited and the
# toolbar's icon ligatures ("format_bold" is drawn as an icon), and every title, aria-label and placeholder.
PAGE_STRINGS = """() => {
  const strings = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (!text || element.closest(".material-icons, script, style, noscript, .tiptap")) continue;
    if (element.checkVisibility()) strings.push(text);
  }
  for (const element of document.querySelectorAll("[title], [aria-label], [placeholder], input[type=submit]")) {
    for (const name of ["title", "aria-label", "placeholder"]) {
      if (element.getAttribute(name)) strings.push(element.getAttribute(name));
    }
    if (element.matches("input[type=submit]")) strings.push(element.value);
  }
  return strings;
}"""


def _english(strings):
    return sorted(
        {(text, word) for text in strings for word in KNOWN_ENGLISH if re.search(rf"\b{word}\b", text, re.IGNORECASE)}
    )


def _open_admin(browser, live_server, admin_user, path, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + "/admin/login/?next=" + path)
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**" + path)
    page.locator(".prose-menubar").first.wait_for()
    page.wait_for_function("document.querySelector('.prose-menubar [aria-label]').title !== 'bold'")
    return page, errors


def _walk_the_editor(page):
    """Everything the editor can show: the page, its block-type menu, and its link, list, table and photo dialogs."""
    seen = page.evaluate(PAGE_STRINGS)

    def shown(action, wait_for):
        action()
        page.locator(wait_for).first.wait_for()
        page.wait_for_timeout(50)  # the translation runs on the next animation frame
        seen.extend(page.evaluate(PAGE_STRINGS))

    def cancel():
        page.locator("dialog.prose-editor-dialog button[value=cancel]").click()
        page.locator("dialog.prose-editor-dialog").wait_for(state="detached")

    shown(lambda: page.click(".prose-menubar__selected"), ".prose-menubar__picker:popover-open")
    page.keyboard.press("Escape")
    editor = page.locator(".tiptap")
    editor.click()
    page.keyboard.type("Hải Phòng đón tàu lớn")
    page.keyboard.press("Control+A")
    shown(lambda: page.click(".prose-menubar [data-name=link]"), "dialog.prose-editor-dialog[open]")
    cancel()
    # Into a paragraph, then a numbered list; its properties button shows only once the list exists.
    page.locator(".tiptap p").last.click()
    page.click(".prose-menubar [data-name=orderedList]")
    page.locator(".tiptap ol").wait_for()
    page.locator(".prose-menubar [data-name=orderedListProperties]").wait_for(state="visible")
    shown(lambda: page.click(".prose-menubar [data-name=orderedListProperties]"), "dialog.prose-editor-dialog[open]")
    cancel()
    shown(lambda: page.click(".prose-menubar [data-name=table]"), "dialog.prose-editor-dialog[open]")
    page.locator("dialog.prose-editor-dialog button[type=submit]").click()
    page.locator(".tiptap table").wait_for()
    page.wait_for_timeout(50)
    seen.extend(page.evaluate(PAGE_STRINGS))  # the table's own buttons
    page.locator(".tiptap td").first.click()
    shown(lambda: page.click(".prose-menubar [data-name=figure]"), "dialog.prose-editor-dialog[open]")
    cancel()
    return seen


@pytest.mark.parametrize("form", ["add", "change"])
def test_the_article_form_has_no_english_left(browser, live_server, admin_user, form):
    article = make_article(
        title="Cảng Lạch Huyện đón tàu",
        body='<h2>Tàu lớn</h2><p>Đọc <a href="https://haiphong.gov.vn/">cổng thông tin</a>.</p>',
        section=make_section(name="Kinh tế"),
        authors=[make_author(name="Vũ Minh")],
        organizations=[make_organization()],
        tags=[make_tag()],
        live=False,
    )
    path = "/admin/articles/article/add/" if form == "add" else f"/admin/articles/article/{article.pk}/change/"
    page, errors = _open_admin(browser, live_server, admin_user, path)

    seen = _walk_the_editor(page)

    assert _english(seen) == []
    # The walk did reach the toolbar, its menu and the dialogs, in Vietnamese.
    for vietnamese in ("Chữ đậm", "Chèn liên kết", "Tiêu đề cấp 2", "Đoạn văn", "Sửa liên kết", "Địa chỉ liên kết",
                       "Cập nhật", "Hủy", "Thuộc tính danh sách", "Thuộc tính bảng", "Chèn bảng", "Thêm cột",
                       "Chèn ảnh", "Chú thích", "Đưa lên", "Xuất bản lúc, ngày"):  # fmt: skip
        assert vietnamese in seen, vietnamese
    assert errors == []
    page.close()


def test_the_editing_area_is_spell_checked_as_vietnamese(browser, live_server, admin_user):
    page, _ = _open_admin(browser, live_server, admin_user, "/admin/articles/article/add/")
    area = page.locator(".prose-editor > .ProseMirror[contenteditable]")

    area.click()
    page.keyboard.type("Thành phố Hải Phòng")
    page.keyboard.press("Control+B")
    page.keyboard.type(" đậm")

    assert area.get_attribute("spellcheck") == "true"
    assert area.get_attribute("lang") == "vi"
    label = area.get_attribute("aria-labelledby")
    assert page.locator(f"#{label}").inner_text() == "Nội dung:"
    assert page.locator("#id_body").input_value() == "<p>Thành phố Hải Phòng<strong> đậm</strong></p>"
    page.close()


def _byline(page):
    """The authors' names in the order of the rows on screen, with the position each row shows and posts."""
    return page.evaluate("""() => [...document.querySelectorAll('#bylines-group tbody tr.form-row:not(.empty-form)')]
        .map(row => [row.querySelector('.field-author select').selectedOptions[0]?.textContent.trim() ?? '',
                     row.querySelector('.nr-byline-rank').textContent,
                     row.querySelector('.field-position input').value])""")


def test_byline_authors_are_reordered_by_buttons_keyboard_and_dragging(browser, live_server, admin_user):
    article = make_article(authors=[make_author(name=name) for name in ("An", "Bình", "Chi")], live=False)
    path = f"/admin/articles/article/{article.pk}/change/"
    page, errors = _open_admin(browser, live_server, admin_user, path)

    assert page.locator("#id_bylines-0-position").get_attribute("type") == "hidden"
    # The empty extra row has no number: Django would read a number there as a row filled in.
    assert _byline(page) == [["An", "1", "1"], ["Bình", "2", "2"], ["Chi", "3", "3"], ["", "–", ""]]

    page.locator("#bylines-0 .nr-byline-down").click()
    assert [row[0] for row in _byline(page)] == ["Bình", "An", "Chi", ""]
    assert page.locator(".nr-byline-status").inner_text() == "An giờ đứng thứ 2 trên dòng tác giả."

    up = page.locator("#bylines-2 .nr-byline-up")
    assert up.get_attribute("aria-label") == "Đưa tác giả thứ 3 lên"
    up.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")  # focus stays on the moved row's button
    assert [row[0] for row in _byline(page)] == ["Chi", "Bình", "An", ""]

    # Bình dragged by the handle to the lower half of An's row: Bình goes after An.
    target = page.locator("#bylines-0")
    box = target.bounding_box()
    page.locator("#bylines-1 .nr-byline-handle").drag_to(target, target_position={"x": 20, "y": box["height"] - 4})
    assert _byline(page)[:3] == [["Chi", "1", "1"], ["An", "2", "2"], ["Bình", "3", "3"]]

    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    assert [(b.author.name, b.position) for b in article.bylines.select_related("author")] == [
        ("Chi", 1), ("An", 2), ("Bình", 3)
    ]  # fmt: skip
    assert errors == []
    page.close()


def _choose_author(page, row, name):
    page.locator(f"#bylines-{row} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(name)
    page.locator(".select2-results__option", has_text=name).click()


def test_authors_added_on_a_new_article_are_saved_in_the_order_shown(browser, live_server, admin_user):
    make_author(name="Đặng Thùy Dương")
    make_author(name="Vũ Minh")
    page, _ = _open_admin(browser, live_server, admin_user, "/admin/articles/article/add/")
    page.fill("#id_title", "Tàu lớn cập cảng Lạch Huyện")

    _choose_author(page, 0, "Vũ Minh")
    page.locator("#bylines-group .add-row a").click()
    _choose_author(page, 1, "Đặng Thùy Dương")
    page.locator("#bylines-1 .nr-byline-up").click()
    assert _byline(page) == [["Đặng Thùy Dương", "1", "1"], ["Vũ Minh", "2", "2"]]

    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")

    from articles.models import Article

    article = Article.objects.get(title="Tàu lớn cập cảng Lạch Huyện")
    assert [(b.author.name, b.position) for b in article.bylines.select_related("author")] == [
        ("Đặng Thùy Dương", 1), ("Vũ Minh", 2)
    ]  # fmt: skip
    page.close()


def test_the_admin_language_menu_switches_without_inline_script(browser, live_server, admin_user):
    page, errors = _open_admin(browser, live_server, admin_user, "/admin/articles/article/add/")

    with page.expect_navigation():
        page.select_option("#nr-language", "en")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Add article"
    with page.expect_navigation():
        page.select_option("#nr-language", "vi")
    assert page.locator("h1").inner_text() == "Thêm bài viết"
    assert errors == []  # a Content-Security-Policy refusal would be logged here
    page.close()
