"""axe-core (WCAG 2.0–2.2, A and AA) on every kind of reader page and on the admin's article form.

axe-core is the npm package pinned in package.json, installed into node_modules/ by `make test`, and loaded
from disk into the page (the browser context bypasses the Content-Security-Policy for that one script).
"""

import os
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from reversion.models import Version

from articles.corrections import article_correct, article_mark_updated
from tests.axe import AXE_JS, MISSING, report, violations
from tests.conftest import CHROMIUM
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.skipif(not AXE_JS.exists(), reason=MISSING),
]


@pytest.fixture
def paper():
    """A small paper: one story with everything on it, and enough in its section for a second page."""
    section = make_section(name="Giáo dục", slug="giao-duc")
    author = make_author(name="Đặng Thùy Dương", slug="dang-thuy-duong", bio="Phóng viên mảng giáo dục.")
    organization = make_organization(
        name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
        slug="hoi-khoa-hoc",
        short_name="Hội Khoa học",
        founding_document="Quyết định số 520 QĐ-CT",
        member_count=125,
    )
    tag = make_tag(name="Nguồn nhân lực", slug="nguon-nhan-luc")
    story = make_article(
        title="Hải Phòng đặt hàng đào tạo nhân lực chất lượng cao",
        lead="Đề án đào tạo giai đoạn mới được Hội công bố.",
        body='<h2>Đề án</h2><p>Đoạn đầu, với <a href="https://haiphong.gov.vn/">cổng thông tin</a>.</p>'
        "<ul><li>Một</li><li>Hai</li></ul><blockquote><p>Trích dẫn.</p></blockquote>",
        section=section,
        authors=[author, make_author(name="Vũ Minh")],
        organizations=[organization],
        tags=[tag],
        featured_photo=make_photo(caption="Lễ ký kết", credit="Ảnh: Minh Anh", alt_text="Đại biểu ký kết"),
    )
    # A correction and a marked update, as an editor adds them: the dateline's "Cập nhật", the foot's notes.
    editor = get_user_model().objects.create_superuser("bientap-a11y", password="password")
    article_correct(article=story, by=editor, text="Bản trước ghi sai số hội viên; con số đúng là 125.")
    article_mark_updated(article=story, by=editor, note="Bổ sung ý kiến của Viện.")
    for _ in range(24):
        make_article(section=section, authors=[author], tags=[tag], organizations=[organization])
    make_article(section=make_section(name="Kinh tế"))
    return story


READER_PAGES = {
    "home": "/",
    "section": "/chuyen-muc/giao-duc/",
    "listing page 2": "/chuyen-muc/giao-duc/?trang=2",
    "tag": "/tu-khoa/nguon-nhan-luc/",
    "author": "/tac-gia/dang-thuy-duong/",
    "organization": "/to-chuc/hoi-khoa-hoc/",
    "article": "/bai-viet/hai-phong-dat-hang-dao-tao-nhan-luc-chat-luong-cao/",
    "corrections": "/dinh-chinh/",
    "search results": "/tim-kiem/?q=nhan+luc",
    "search form with an error": "/tim-kiem/?q=nhan+luc&tu_ngay=31/02/2024",
    "search with no result": "/tim-kiem/?q=khong+co+gi+ca",
    "404": "/bai-viet/khong-co-bai-nay/",
}


def _axe_page(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    return context, context.new_page()


def _assert_no_violations(page, url):
    found = violations(page)
    assert not found, f"axe-core found {len(found)} violation(s) on {url}:\n{report(found)}"


@pytest.mark.parametrize("name", READER_PAGES)
def test_reader_pages_have_no_axe_violations(browser, live_server, paper, name):
    context, page = _axe_page(browser)
    url = live_server.url + READER_PAGES[name]

    response = page.goto(url, wait_until="networkidle")

    assert response.status == (404 if name == "404" else 200)
    _assert_no_violations(page, url)
    context.close()


@pytest.mark.parametrize("form", ["add", "change"])
def test_the_article_form_has_no_axe_violations(browser, live_server, admin_user, paper, form):
    context, page = _axe_page(browser)
    path = "/admin/articles/article/add/" if form == "add" else f"/admin/articles/article/{paper.pk}/change/"
    page.goto(f"{live_server.url}/admin/login/?next={path}")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**" + path)
    # The editor and select2 build their parts after the page loads; our scripts name them next frame.
    page.locator(".tiptap[aria-labelledby]").wait_for()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(100)

    _assert_no_violations(page, page.url)
    # The byline's order controls, once an author has moved, and the editor's link dialog.
    if form == "change":
        page.locator("#bylines-group .nr-byline-down").first.click()
    page.locator(".tiptap").click()
    page.keyboard.type("Cảng Lạch Huyện")
    page.keyboard.press("Control+A")
    page.click(".prose-menubar [data-name=link]")
    page.locator("dialog.prose-editor-dialog[open]").wait_for()
    _assert_no_violations(page, page.url + " (link dialog open)")
    context.close()


def _admin_page(browser, live_server, user, path, width=1280):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next={quote(path)}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**" + path.split("?")[0] + "*")
    page.wait_for_load_state("networkidle")
    return context, page


@pytest.fixture
def versions(paper, admin_user):
    """Two versions of the story, as two saves through the services make them."""
    from articles import services

    paper.title = "Hải Phòng đặt hàng đào tạo nhân lực chất lượng cao hơn"
    services.article_save(article=paper, by=admin_user)
    paper.lead = "Đề án đào tạo giai đoạn mới được Hội công bố sáng nay."
    services.article_save(article=paper, by=admin_user)
    return list(Version.objects.get_for_object(paper).values_list("pk", flat=True))


ADMIN_PAGES = {
    "desk": lambda story, versions: "/admin/desk/",
    "my stories": lambda story, versions: "/admin/my-stories/",
    "history": lambda story, versions: f"/admin/articles/article/{story.pk}/history/",
    "compare": lambda story, versions: (
        f"/admin/articles/article/{story.pk}/history/compare/?a={versions[-1]}&b={versions[0]}"
    ),
    "restore": lambda story, versions: f"/admin/articles/article/{story.pk}/history/{versions[-1]}/",
    "recover": lambda story, versions: "/admin/articles/article/recover/",
}


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_the_workflow_pages_have_no_axe_violations(browser, live_server, admin_user, paper, versions, name, width):
    path = ADMIN_PAGES[name](paper, versions)
    context, page = _admin_page(browser, live_server, admin_user, path, width)

    assert page.locator("#content h1").count() == 1
    _assert_no_violations(page, f"{page.url} at {width} px")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


# The photo library: its grid, a photo's change page (focal point, crops, where it is used, a suggestion from
# its file) and the upload of several photos at once.
LIBRARY_PAGES = {
    "library grid": lambda photo: "/admin/photos/photo/",
    "photo change page": lambda photo: f"/admin/photos/photo/{photo.pk}/change/",
    "multi-upload page": lambda photo: "/admin/photos/photo/upload/",
}


@pytest.fixture
def library(paper):
    from photos.models import Photo

    photo = paper.featured_photo
    Photo.objects.filter(pk=photo.pk).update(caption="", suggested_caption="Lễ ký kết hợp tác đào tạo")
    make_photo(with_image=False, original_filename="hoi-thao-1712209912.jpg")
    for n in range(5):
        make_photo(caption=f"Cảng Lạch Huyện, ảnh {n}", credit="Ảnh: Minh Anh")
    return Photo.objects.get(pk=photo.pk)


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("name", LIBRARY_PAGES)
def test_the_photo_library_pages_have_no_axe_violations(browser, live_server, admin_user, library, name, width):
    path = LIBRARY_PAGES[name](library)
    context, page = _admin_page(browser, live_server, admin_user, path, width)

    assert page.locator("#content h1").count() == 1
    if name == "photo change page":
        page.locator(".nr-focal-marker:not([hidden])").wait_for()
    _assert_no_violations(page, f"{page.url} at {width} px")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
