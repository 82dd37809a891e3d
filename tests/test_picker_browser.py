"""The photo library picker in Chromium: from the body editor's toolbar and from the featured photo's chooser.

Headless Debian Chromium through Playwright (see tests/test_browser.py); skipped, with the reason, without it.
The fixture `library_in_editor` turns on the editor's LibraryPhoto extension the way the settings'
DJANGO_PROSE_EDITOR_EXTENSIONS and articles/sanitize.py's EDITOR_EXTENSIONS do once they name it.
"""

import io
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from articles.admin import ArticleAdmin
from articles.models import Article
from articles.sanitize import EDITOR_EXTENSIONS
from photos.images import ImageRefused, inspect_image
from photos.models import Photo
from photos.widgets import PhotoChooserWidget
from tests.axe import AXE_JS, MISSING, report, violations
from tests.conftest import CHROMIUM
from tests.factories import jpeg_bytes, make_photo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]

PASSWORD = "mat-khau-thu-nghiem-9"
ADD = "/admin/articles/article/add/"
SHOTS = Path("/tmp/shots")


@pytest.fixture
def library_in_editor(monkeypatch, settings):
    from django_prose_editor.config import html_tags
    from js_asset import static_lazy

    monkeypatch.setitem(
        EDITOR_EXTENSIONS,
        "LibraryPhoto",
        {
            "dialogUrl": reverse_lazy("photo_picker:dialog"),
            "title": gettext_lazy("Photo from the library"),
            "errorText": gettext_lazy("The photo library could not be opened. Reload the page and try again."),
        },
    )
    settings.DJANGO_PROSE_EDITOR_EXTENSIONS = [
        {"js": [static_lazy("photos/editor-photo.js")], "extensions": {"LibraryPhoto": html_tags([])}}
    ]


@pytest.fixture
def featured_chooser(monkeypatch):
    """The featured photo field as ArticleAdmin gets it once wired (the coordinator's change to articles/admin.py)."""
    original = ArticleAdmin.formfield_for_dbfield

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "featured_photo":
            return db_field.formfield(widget=PhotoChooserWidget())
        return original(self, db_field, request, **kwargs)

    monkeypatch.setattr(ArticleAdmin, "formfield_for_dbfield", formfield_for_dbfield)


@pytest.fixture
def reporter(newsroom_groups):
    user = get_user_model().objects.create_user(
        "phongvien", password=PASSWORD, is_staff=True, first_name="Thu Hà", last_name="Phạm"
    )
    user.groups.add(Group.objects.get(name="Phóng viên"))
    return user


@pytest.fixture
def library(reporter):
    """Three photos; the one of Hải Phòng is neither the newest nor the oldest."""
    make_photo(caption="Lễ khai giảng ở Hà Nội", credit="Ảnh: Lan", uploaded_by=reporter)
    wanted = make_photo(
        caption="Hải Phòng đón tàu container lớn nhất",
        credit="Ảnh: Minh Anh",
        alt_text="Tàu container cập cảng Lạch Huyện",
        uploaded_by=reporter,
    )
    make_photo(caption="Phòng họp của Sở Giáo dục", credit="Ảnh: Lan", uploaded_by=reporter)
    return wanted


def open_add_form(browser, live_server, width=1280, height=1000, **context):
    page = browser.new_context(viewport={"width": width, "height": height}, **context).new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/admin/login/?next=" + ADD)
    page.fill("#id_username", "phongvien")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**" + ADD)
    page.locator(".tiptap").wait_for()
    return page, errors


def open_picker(page):
    page.locator(".nr-library-photo").click()
    dialog = page.get_by_role("dialog", name=_("Choose a photo from the library"))
    dialog.wait_for()
    return dialog


def grid_captions(dialog):
    return dialog.locator(".nr-picker-grid .nr-picker-caption").all_inner_texts()


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_photo_found_by_typing_without_accents_is_inserted_at_the_cursor_and_saved(
    browser, live_server, library_in_editor, library
):
    page, errors = open_add_form(browser, live_server)
    page.fill("#id_title", "Cảng Hải Phòng đón tàu lớn")
    page.locator(".tiptap p").first.click()
    page.keyboard.type("Đoạn đầu.")
    page.keyboard.press("Enter")
    page.keyboard.type("Đoạn cuối.")
    page.keyboard.press("Home")

    dialog = open_picker(page)
    # The search box has the focus and every photo is listed, newest first.
    assert page.evaluate("document.activeElement.id") == "nr-picker-q"
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 3")
    assert grid_captions(dialog)[0] == "Phòng họp của Sở Giáo dục"

    page.keyboard.type("hai phong")
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 1")
    assert grid_captions(dialog) == ["Hải Phòng đón tàu container lớn nhất"]
    # By keyboard: Tab from the search to the photo, Enter to choose it.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.photoId")
    assert focused == str(library.pk)
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")

    figure = page.locator(".tiptap figure")
    assert figure.locator("img").get_attribute("src") == f"/anh/{library.pk}/"
    assert figure.locator("figcaption").inner_text() == "Hải Phòng đón tàu container lớn nhất"
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")

    article = Article.objects.get()
    assert article.body == (
        "<p>Đoạn đầu.</p>"
        f'<figure><img src="/anh/{library.pk}/" alt="Tàu container cập cảng Lạch Huyện">'
        "<figcaption>Hải Phòng đón tàu container lớn nhất</figcaption></figure>"
        "<p>Đoạn cuối.</p>"
    )
    assert list(article.body_photos.all()) == [library]
    assert errors == []


def test_load_more_and_escape_closes_giving_the_focus_back(browser, live_server, library_in_editor, reporter):
    for n in range(30):
        make_photo(caption=f"Ảnh số {n:02d}", uploaded_by=reporter)
    page, errors = open_add_form(browser, live_server)
    page.locator(".tiptap p").first.click()
    dialog = open_picker(page)
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 24")
    more = dialog.get_by_role("button", name=_("Load more photos"))
    more.click()
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 30")
    assert more.is_hidden()
    assert grid_captions(dialog)[0] == "Ảnh số 29" and grid_captions(dialog)[-1] == "Ảnh số 00"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('nr-library-photo')")
    assert page.locator(".tiptap figure").count() == 0
    assert errors == []


def test_a_login_expired_while_the_picker_is_open_is_said_not_shown_as_a_page(
    browser, live_server, library_in_editor, library
):
    page, errors = open_add_form(browser, live_server)
    page.locator(".tiptap p").first.click()
    dialog = open_picker(page)
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 3")
    Session.objects.all().delete()
    page.keyboard.type("hai phong")
    status = dialog.get_by_role("status")
    status.filter(has_text=_("Your login has expired. Log in again in another tab, then try again.")).wait_for()
    assert page.locator(".nr-picker-grid li").count() == 3  # what was shown stays

    # Logged in again in another tab, the dialog left open uploads again.
    other = page.context.new_page()
    other.goto(live_server.url + "/admin/login/")
    other.fill("#id_username", "phongvien")
    other.fill("#id_password", PASSWORD)
    other.click("input[type=submit]")
    other.wait_for_url("**/admin/")
    other.close()
    dialog.get_by_text(_("Upload new photos")).click()
    dialog.locator("#nr-picker-files").set_input_files(
        [{"name": "sau-dang-nhap.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    dialog.locator(".nr-picker-send").click()
    dialog.locator(".nr-picker-ok").filter(has_text="sau-dang-nhap.jpg").wait_for()
    assert Photo.objects.filter(original_filename="sau-dang-nhap.jpg").count() == 1
    assert errors == []


def test_two_files_uploaded_from_the_dialog_and_one_refused_with_its_message(
    browser, live_server, library_in_editor, library
):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    with pytest.raises(ImageRefused) as refused:
        inspect_image(io.BytesIO(svg))
    page, errors = open_add_form(browser, live_server)
    page.locator(".tiptap p").first.click()
    dialog = open_picker(page)
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 3")
    dialog.get_by_text(_("Upload new photos")).click()
    dialog.locator("#nr-picker-files").set_input_files(
        [
            {"name": "tau-cap-cang.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((200, 150))},
            {"name": "ban-do.png", "mimeType": "image/png", "buffer": png_bytes()},
            {"name": "anh-dep.jpg", "mimeType": "image/jpeg", "buffer": svg},
        ]
    )
    dialog.locator("#nr-picker-caption").fill("Ảnh mới tải lên")
    dialog.locator("#nr-picker-credit").fill("Ảnh: Hoàng Long")
    dialog.locator(".nr-picker-send").click()
    results = dialog.locator(".nr-picker-results li")
    results.nth(2).wait_for()
    assert results.all_inner_texts() == [
        f"tau-cap-cang.jpg: {_('uploaded')}",
        f"ban-do.png: {_('uploaded')}",
        f"anh-dep.jpg: {refused.value.reason}",
    ]
    assert dialog.locator(".nr-picker-refused").inner_text() == f"anh-dep.jpg: {refused.value.reason}"
    # The two new photos head the grid, ready to be chosen.
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 5")
    assert grid_captions(dialog)[:2] == ["Ảnh mới tải lên", "Ảnh mới tải lên"]
    new = {photo.original_filename: photo for photo in Photo.objects.filter(caption="Ảnh mới tải lên")}
    assert sorted(new) == ["ban-do.png", "tau-cap-cang.jpg"]
    assert {(photo.credit, photo.uploaded_by.username) for photo in new.values()} == {("Ảnh: Hoàng Long", "phongvien")}
    assert not Photo.objects.filter(original_filename="anh-dep.jpg").exists()

    dialog.locator(f"[data-photo-id='{new['ban-do.png'].pk}']").click()
    dialog.wait_for(state="hidden")
    assert page.locator(".tiptap figure img").get_attribute("src") == f"/anh/{new['ban-do.png'].pk}/"
    assert errors == []


def test_the_featured_photo_is_chosen_in_the_same_dialog_and_removed(
    browser, live_server, library_in_editor, featured_chooser, library
):
    page, errors = open_add_form(browser, live_server)
    chooser = page.locator("[data-photo-chooser]")
    choose = chooser.get_by_role("button", name=_("Choose photo…"))
    # With JavaScript the number input becomes hidden behind the buttons.
    assert choose.is_visible() and chooser.locator(".nr-chooser-fallback").is_hidden()
    assert chooser.locator("input[name=featured_photo]").get_attribute("type") == "hidden"
    choose.click()
    dialog = page.get_by_role("dialog", name=_("Choose a photo from the library"))
    dialog.wait_for()
    page.keyboard.type("HAI PHONG")
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 1")
    dialog.locator(".nr-picker-item").click()
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('nr-chooser-choose')")
    assert chooser.locator("input[name=featured_photo]").input_value() == str(library.pk)
    assert chooser.locator("figcaption").inner_text() == "Hải Phòng đón tàu container lớn nhất — Ảnh: Minh Anh"
    library.refresh_from_db()
    assert chooser.locator("img").get_attribute("src") == library.rendition("square", "jpeg", 320).url

    remove = chooser.get_by_role("button", name=_("Remove photo"))
    remove.click()
    assert chooser.locator("input[name=featured_photo]").input_value() == ""
    assert chooser.locator(".nr-chooser-current").is_hidden() and remove.is_hidden()
    choose.click()
    dialog.wait_for()
    page.keyboard.type("hai phong")
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 1")
    dialog.locator(".nr-picker-item").click()

    page.fill("#id_title", "Tin có ảnh đại diện")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    assert Article.objects.get().featured_photo == library
    assert errors == []


def test_the_featured_chooser_works_without_javascript(browser, live_server, featured_chooser, library):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/?next=" + ADD)
    page.fill("#id_username", "phongvien")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**" + ADD)
    chooser = page.locator("[data-photo-chooser]")
    assert chooser.locator(".nr-chooser-choose").is_hidden()
    page.fill("#id_title", "Tin viết không có JavaScript")
    page.fill("#id_body", "<p>Thân bài.</p>")
    page.fill("#id_featured_photo", str(library.pk))
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    assert Article.objects.get().featured_photo == library
    context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_screenshot_of_the_picker_over_the_article_form(browser, live_server, library_in_editor, library, width):
    colours = [(31, 95, 140), (196, 120, 40), (60, 140, 90), (120, 70, 150), (200, 180, 60), (90, 90, 100)]
    for n, colour in enumerate(colours * 2):
        image = SimpleUploadedFile(f"tu-lieu-{n}.jpg", jpeg_bytes((480, 320), colour), content_type="image/jpeg")
        make_photo(image=image, caption=f"Hải Phòng: ảnh tư liệu số {n + 1} về cảng biển và đô thị")
    page, errors = open_add_form(browser, live_server, width=width, height=900 if width > 400 else 780)
    page.fill("#id_title", "Cảng Hải Phòng đón tàu lớn")
    page.locator(".tiptap p").first.click()
    dialog = open_picker(page)
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li img').length >= 10")
    first_four_loaded = "[...document.querySelectorAll('.nr-picker-grid img')].slice(0, 4).every(i => i.naturalWidth)"
    page.wait_for_function(f"() => {first_four_loaded}")
    # Nothing sideways: the dialog fits the screen at both widths.
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.querySelector('#nr-photo-picker').scrollWidth <= innerWidth")
    page.mouse.move(0, 0)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"picker-{width}.png"))
    assert errors == []


@pytest.mark.parametrize("width", [1280, 360])
def test_the_open_picker_has_no_axe_violations(
    browser, live_server, library_in_editor, featured_chooser, library, width
):
    if not AXE_JS.exists():
        pytest.skip(MISSING)
    # bypass_csp: axe-core is added to the page from disk, which the page's policy would refuse.
    page, errors = open_add_form(browser, live_server, width=width, height=800, bypass_csp=True)
    page.locator(".tiptap p").first.click()
    dialog = open_picker(page)
    page.wait_for_function("() => document.querySelectorAll('.nr-picker-grid li').length === 3")
    dialog.get_by_text(_("Upload new photos")).click()
    dialog.locator("#nr-picker-files").set_input_files(
        [{"name": "x.svg", "mimeType": "image/svg+xml", "buffer": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}]
    )
    dialog.locator(".nr-picker-send").click()
    dialog.locator(".nr-picker-refused").wait_for()
    found = violations(page)
    assert not found, f"axe-core found {len(found)} violation(s) in the picker:\n{report(found)}"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    found = violations(page)
    assert not found, f"axe-core found {len(found)} violation(s) around the chooser:\n{report(found)}"
    assert errors == []
