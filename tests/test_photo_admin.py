"""The photo library in the admin: the grid, its search and filters, the focal point, where a photo is used,
the rules on deleting and changing photos, and the upload of several photos at once."""

import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from photos.models import Photo
from tests.conftest import CHROMIUM
from tests.factories import jpeg_bytes, make_article, make_photo

pytestmark = pytest.mark.django_db

LIBRARY = reverse("admin:photos_photo_changelist")
UPLOAD = reverse("admin:photos_photo_upload")


def change_url(photo):
    return reverse("admin:photos_photo_change", args=[photo.pk])


def delete_url(photo):
    return reverse("admin:photos_photo_delete", args=[photo.pk])


def staff_user(username, group, **names):
    user = get_user_model().objects.create_user(username, password="password", is_staff=True, **names)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(newsroom_groups):
    return staff_user("bientap", "Biên tập viên", first_name="Lan", last_name="Nguyễn")


@pytest.fixture
def reporter(newsroom_groups):
    return staff_user("phongvien", "Phóng viên", first_name="Minh", last_name="Trần")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


def upload(name="anh.jpg", size=(64, 48), color=(200, 40, 40)):
    return SimpleUploadedFile(name, jpeg_bytes(size=size, color=color), content_type="image/jpeg")


def change_data(photo, **fields):
    """The POST the photo change form sends, with the photo's current values."""
    return {
        "caption": photo.caption,
        "credit": photo.credit,
        "alt_text": photo.alt_text,
        "original_filename": photo.original_filename,
        "focal_x": str(photo.focal_x),
        "focal_y": str(photo.focal_y),
        "_save": "Lưu lại",
        **fields,
    }


def result_pks(response):
    return [photo.pk for photo in response.context["cl"].result_list]


# The grid -----------------------------------------------------------------------------------------------


def test_the_grid_shows_each_photo_as_a_tile_of_its_square_crop(editor_client, editor):
    photo = make_photo(caption="Cảng Lạch Huyện", credit="Ảnh: Minh Anh", uploaded_by=editor)
    make_article(featured_photo=photo)
    make_article(live=False, body=f'<figure><img src="{photo.get_absolute_url()}" alt=""></figure>')
    make_photo(with_image=False, caption="", original_filename="cang-1712209912.jpg")

    response = editor_client.get(LIBRARY)

    square = photo.rendition("square", "jpeg", 320)
    assert square.width == 48  # a 64×48 master: its square crop is 48 px
    assertContains(response, f'<img src="{square.url}" width="160" height="160"', html=False)
    assertContains(response, '<span class="nr-tile-missing"><span class="nr-badge nr-badge-missing">', count=1)
    assertContains(response, "Cảng Lạch Huyện")
    assertContains(response, "Ảnh: Minh Anh")
    assertContains(response, "64×48")
    assertContains(response, "Nguyễn Lan")
    assertContains(response, "cang-1712209912.jpg")
    used = ngettext("Used in %(counter)s article", "Used in %(counter)s articles", 2) % {"counter": 2}
    assertContains(response, used, count=1, html=False)
    assertContains(response, _("Not used yet"), count=1)
    # The admin's actions stay usable: the select-all box and one checkbox per photo, inside #result_list's rows.
    assertContains(response, 'id="action-toggle"')
    assertContains(response, f'name="_selected_action" value="{photo.pk}" class="action-select"')
    assertContains(response, '<table id="result_list" role="presentation">')
    assertContains(response, 'href="/static/photos/library.css"')


def test_the_grid_fetches_photos_uploaders_and_counts_in_a_fixed_number_of_queries(editor_client, editor):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(LIBRARY)
        assert response.status_code == 200
        return len(queries)

    for _n in range(2):
        make_article(featured_photo=make_photo(uploaded_by=editor))
    before = count()
    other = staff_user("bientap2", "Biên tập viên")
    for _n in range(8):
        photo = make_photo(uploaded_by=other)
        make_article(featured_photo=photo, body=f'<figure><img src="{photo.get_absolute_url()}" alt=""></figure>')
    assert count() == before


def test_an_unused_photo_says_so_and_a_reporter_gets_no_checkboxes(reporter_client, reporter):
    make_photo(uploaded_by=reporter)

    response = reporter_client.get(LIBRARY)

    assertContains(response, _("Not used yet"))
    assertNotContains(response, 'class="action-select"')
    assertNotContains(response, 'id="action-toggle"')


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("hai phong", ["hai"]),
        ("HẢI PHÒNG", ["hai"]),
        ("ĐỀ ÁN", ["de"]),
        ("de an", ["de"]),
        ("phong cang", ["hai"]),  # every word, in any order
        ("hai phong nhan luc", []),  # each word must match
        ("minh anh", ["hai", "de"]),  # the credit too
        ("lach-huyen.jpg", ["hai"]),  # and the original file name
    ],
)
def test_search_ignores_accents_and_capitals_and_needs_every_word(editor_client, query, found):
    photos = {
        "hai": make_photo(caption="Cảng Hải Phòng", credit="Ảnh: Minh Anh", original_filename="lach-huyen.jpg"),
        "de": make_photo(caption="Lễ công bố đề án", credit="Ảnh: Minh Anh"),
        "other": make_photo(caption="Cầu Hoàng Văn Thụ", credit="Ảnh: Thu Hà"),
    }

    response = editor_client.get(LIBRARY, {"q": query})

    assert sorted(result_pks(response)) == sorted(photos[key].pk for key in found)


def test_a_huge_or_hostile_search_is_a_page_not_an_error(editor_client):
    make_photo(caption="Cảng")
    for query in ("x " * 5000, "<script>alert(1)</script>", "%", "_", "' OR 1=1 --"):
        response = editor_client.get(LIBRARY, {"q": query})
        assert response.status_code == 200, query
        assert result_pks(response) == [], query
    assert editor_client.get(LIBRARY, {"q": "\x00"}).status_code == 200
    assertNotContains(editor_client.get(LIBRARY, {"q": "<script>alert(1)</script>"}), "<script>alert(1)")


def test_the_uploader_filter_lists_who_uploaded_and_filters(editor_client, editor, reporter):
    mine, theirs = make_photo(uploaded_by=editor), make_photo(uploaded_by=reporter)
    make_photo()  # no uploader (an import)
    staff_user("khac", "Phóng viên", first_name="Ai", last_name="Khác")  # uploaded nothing

    response = editor_client.get(LIBRARY)
    assertContains(response, "Trần Minh")
    assertNotContains(response, "Khác Ai")

    assert result_pks(editor_client.get(LIBRARY, {"nguoi_tai": reporter.pk})) == [theirs.pk]
    assert result_pks(editor_client.get(LIBRARY, {"nguoi_tai": editor.pk})) == [mine.pk]
    for hostile in ("abc", "9" * 40, "-1", "1;DROP", "١"):
        response = editor_client.get(LIBRARY, {"nguoi_tai": hostile})
        assert (response.status_code, response["Location"]) == (302, f"{LIBRARY}?e=1"), hostile


def test_the_file_filter_finds_photos_without_renditions_too(editor_client):
    whole, without_file = make_photo(), make_photo(with_image=False)
    no_renditions = make_photo()
    Photo.objects.filter(pk=no_renditions.pk).update(renditions={})

    assert result_pks(editor_client.get(LIBRARY, {"tep_anh": "co"})) == [whole.pk]
    assert sorted(result_pks(editor_client.get(LIBRARY, {"tep_anh": "thieu"}))) == [without_file.pk, no_renditions.pk]


def test_the_alt_text_filter_finds_photos_a_live_article_shows_without_one(editor_client):
    lacking = make_photo(alt_text="")
    make_article(featured_photo=lacking)
    in_body = make_photo(alt_text="")
    make_article(body=f'<figure><img src="{in_body.get_absolute_url()}" alt=""></figure>')
    described = make_photo(alt_text="Cảng nhìn từ trên cao")
    make_article(featured_photo=described)
    on_a_draft = make_photo(alt_text="")
    make_article(featured_photo=on_a_draft, live=False)
    make_photo(alt_text="")  # unused

    response = editor_client.get(LIBRARY, {"mo_ta": "thieu"})

    assert sorted(result_pks(response)) == sorted([lacking.pk, in_body.pk])


def test_the_date_hierarchy_and_its_guard_stay(editor_client):
    make_photo()
    response = editor_client.get(LIBRARY, {"uploaded_at__year": "9" * 20})
    assert (response.status_code, response["Location"]) == (302, f"{LIBRARY}?e=1")
    assertContains(editor_client.get(LIBRARY), '<nav class="toplinks">', html=False)  # the date hierarchy


def test_the_grid_links_to_the_upload_page(editor_client):
    assertContains(editor_client.get(LIBRARY), f'<a href="{UPLOAD}" class="addlink">')


def test_the_grid_in_english(editor_client):
    editor_client.post(reverse("set_language"), {"language": "en", "next": LIBRARY})
    make_photo(caption="Cảng")

    response = editor_client.get(LIBRARY)

    assertContains(response, '<html lang="en"', html=False)
    assertContains(response, "Upload several photos")
    assertContains(response, "Not used yet")
    assertContains(response, "Select every photo on this page")


# The change page ----------------------------------------------------------------------------------------


def test_the_change_page_shows_the_focal_point_the_crops_and_the_fields(editor_client):
    photo = make_photo(caption="Cảng", alt_text="Cảng nhìn từ trên cao")
    Photo.objects.filter(pk=photo.pk).update(focal_x=0.25, focal_y=0.75)
    photo.refresh_from_db()

    response = editor_client.get(change_url(photo))

    shown = photo.rendition("w", "jpeg", 640)
    assertContains(
        response,
        f'<div class="nr-focal" data-focal-x="0.25" data-focal-y="0.75"><img src="{shown.url}" width="64" height="48" '
        'alt="Cảng nhìn từ trên cao" class="nr-focal-img">',
        html=False,
    )
    for name in ("focal_x", "focal_y"):
        assertContains(response, f'name="{name}"', count=1)
        assertContains(response, 'step="0.01"')
    assertContains(response, 'min="0"')
    assertContains(response, 'max="1"')
    for kind in ("card", "square", "share"):
        crop = photo.rendition(kind, "jpeg", 320)
        assertContains(response, f'src="{crop.url}"', html=False)
    assertContains(response, 'src="/static/photos/focal.js"')
    assertContains(response, _("No article uses this photo."))


def test_saving_a_new_focal_point_remakes_the_crops(editor_client):
    # A picture whose left half is red and right half blue: the square crop takes one side or the other.
    image = Image.new("RGB", (200, 100), (220, 0, 0))
    image.paste((0, 0, 220), (100, 0, 200, 100))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    photo = make_photo(image=SimpleUploadedFile("hai-mau.jpg", buffer.getvalue(), content_type="image/jpeg"))

    response = editor_client.post(change_url(photo), change_data(photo, focal_x="0.9", focal_y="0.5"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    photo.refresh_from_db()
    assert (photo.focal_x, photo.focal_y) == (0.9, 0.5)
    assert photo.renditions["focal"] == [0.9, 0.5]
    square = photo.rendition("square", "jpeg", 160)
    with default_storage.open(square.name) as file, Image.open(file) as crop:
        red, green, blue = crop.convert("RGB").getpixel((crop.width // 2, crop.height // 2))
    assert blue > 150 > red


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "inf", "abc", "9" * 400, "0.5<script>"])
def test_a_focal_point_outside_the_picture_is_a_form_error(editor_client, value):
    photo = make_photo()

    response = editor_client.post(change_url(photo), change_data(photo, focal_x=value))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["focal_x"]
    photo.refresh_from_db()
    assert photo.focal_x == 0.5


def test_a_post_without_the_focal_point_keeps_it(editor_client):
    photo = make_photo()
    Photo.objects.filter(pk=photo.pk).update(focal_x=0.2, focal_y=0.8)
    photo.refresh_from_db()
    data = change_data(photo, caption="Cảng mới")
    del data["focal_x"], data["focal_y"]

    response = editor_client.post(change_url(photo), data)

    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.caption, photo.focal_x, photo.focal_y) == ("Cảng mới", 0.2, 0.8)


def test_the_change_page_lists_the_articles_using_the_photo_with_their_status(editor_client):
    photo = make_photo()
    live = make_article(title="Cảng mở rộng", featured_photo=photo)
    draft = make_article(
        title="Bài nháp <b>", live=False, body=f'<figure><img src="{photo.get_absolute_url()}" alt=""></figure>'
    )
    make_article(title="Không dùng ảnh")

    response = editor_client.get(change_url(photo))

    live_url = reverse("admin:articles_article_change", args=[live.pk])
    draft_url = reverse("admin:articles_article_change", args=[draft.pk])
    assertContains(
        response,
        f'<li><a href="{live_url}">Cảng mở rộng</a> <span class="nr-badge nr-badge-live">{_("Live")}</span> '
        f"<span>({_('featured')})</span></li>",
        html=True,
    )
    assertContains(response, f'<a href="{draft_url}">Bài nháp &lt;b&gt;</a>', html=True)
    assertContains(response, f"<span>({_('in the body')})</span>", html=True)
    assertContains(response, 'class="nr-badge nr-badge-draft"')
    assertNotContains(response, "Không dùng ảnh")


def test_suggestions_from_the_file_are_offered_for_empty_fields_only_and_never_filled_in(editor_client):
    photo = make_photo(caption="", credit="Ảnh: TTXVN")
    Photo.objects.filter(pk=photo.pk).update(suggested_caption="Cảng <Lạch Huyện>", suggested_credit="Reuters")

    response = editor_client.get(change_url(photo))

    suggestion = _("Suggested by the photo's file: «{}»").format("Cảng &lt;Lạch Huyện&gt;")
    assertContains(response, suggestion, count=1)
    assertContains(
        response,
        '<button type="button" class="button nr-suggestion-use" data-target="id_caption" '
        f'data-value="Cảng &lt;Lạch Huyện&gt;">{_("Use this suggestion")}</button>',
        html=True,
    )
    assertNotContains(response, 'data-value="Reuters"')  # the credit is filled in already
    form = response.context["adminform"].form
    assert form["caption"].value() == ""
    assertContains(response, 'src="/static/photos/library.js"')


def test_clearing_the_alt_text_of_a_photo_on_a_live_article_is_a_form_error(editor_client):
    photo = make_photo(alt_text="Cảng nhìn từ trên cao")
    make_article(title="Cảng mở rộng", featured_photo=photo)
    make_article(title="Bài nháp", featured_photo=photo, live=False)

    response = editor_client.post(change_url(photo), change_data(photo, alt_text="  "))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["alt_text"]
    assert error == _("Live articles show this photo, so it needs an alt text: %(titles)s") % {"titles": "Cảng mở rộng"}
    photo.refresh_from_db()
    assert photo.alt_text == "Cảng nhìn từ trên cao"


def test_a_photo_on_a_live_article_still_without_alt_text_says_so_and_can_get_its_file(editor_client):
    # An imported photo: no file, no alt text, already on a live story; adding its file must not be blocked.
    photo = make_photo(with_image=False, alt_text="")
    make_article(title="Cảng mở rộng", featured_photo=photo)

    page = editor_client.get(change_url(photo))
    response = editor_client.post(change_url(photo), change_data(photo, image=upload()))

    warning = _("Live articles show this photo without an alt text: %(titles)s") % {"titles": "Cảng mở rộng"}
    assertContains(page, f'<span class="nr-alt-missing">{warning}</span>', html=True)
    assert response.status_code == 302
    photo.refresh_from_db()
    assert not photo.is_missing


def test_the_alt_text_of_a_photo_no_live_article_shows_may_be_empty(editor_client):
    photo = make_photo(alt_text="Cảng")
    make_article(featured_photo=photo, live=False)

    response = editor_client.post(change_url(photo), change_data(photo, alt_text=""))

    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.alt_text == ""


def test_the_change_page_in_english(editor_client):
    photo = make_photo()
    editor_client.post(reverse("set_language"), {"language": "en", "next": LIBRARY})

    response = editor_client.get(change_url(photo))

    assertContains(response, "Focal point")
    assertContains(response, "Crops")
    assertContains(response, "No article uses this photo.")


# Deleting -----------------------------------------------------------------------------------------------


def test_deleting_a_photo_a_live_article_shows_is_refused_with_the_articles(editor_client):
    photo = make_photo()
    live = make_article(title="Cảng mở rộng", featured_photo=photo)
    make_article(title="Bài nháp", featured_photo=photo, live=False)

    page = editor_client.get(delete_url(photo))
    response = editor_client.post(delete_url(photo), {"post": "yes"})

    for answer in (page, response):
        assert answer.status_code == 200
        refusal = _(
            "Live articles show this photo, so it cannot be deleted. Take it out of these articles (or take them "
            "down) first:"
        )
        assertContains(answer, f'<p class="errornote">{refusal}</p>', html=True)
        live_url = reverse("admin:articles_article_change", args=[live.pk])
        assertContains(answer, f'<a href="{live_url}">Cảng mở rộng</a>')
        assertNotContains(answer, "Bài nháp</a>")
        assertNotContains(answer, 'name="post"')
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_the_bulk_delete_refuses_when_a_live_article_shows_any_photo(editor_client):
    used, unused = make_photo(), make_photo()
    make_article(title="Cảng mở rộng", featured_photo=used)
    data = {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"}

    response = editor_client.post(LIBRARY, data)

    assert response.status_code == 200
    refusal = _(
        "Live articles show some of these photos, so none of them was deleted. Take the photos out of these articles "
        "(or take them down) first:"
    )
    assertContains(response, f'<p class="errornote">{refusal}</p>', html=True)
    assertContains(response, "Cảng mở rộng</a>")
    assert Photo.objects.count() == 2


def test_deleting_an_unused_photo_removes_it_and_its_files(editor_client, django_capture_on_commit_callbacks):
    photo = make_photo()
    make_article(featured_photo=photo, live=False)  # a draft does not keep it
    names = {photo.image.name} | {r.name for kind in ("w", "card", "square") for r in photo.rendition_list(kind)}
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(delete_url(photo), {"post": "yes"})

    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
    assert Article.objects.get().featured_photo is None


def test_the_bulk_delete_of_unused_photos_works(editor_client, django_capture_on_commit_callbacks):
    photos = [make_photo(), make_photo()]
    data = {"action": "delete_selected", "_selected_action": [p.pk for p in photos], "post": "yes"}

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(LIBRARY, data)

    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert not any(default_storage.exists(p.image.name) for p in photos)


# Reporters upload; only editors delete -------------------------------------------------------------------


def test_a_reporter_uploads_and_changes_their_own_photo(reporter_client, reporter):
    response = reporter_client.post(
        reverse("admin:photos_photo_add"),
        {"image": upload(), "caption": "Cảng", "credit": "", "alt_text": "", "_save": "Lưu"},
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.uploaded_by == reporter

    response = reporter_client.post(change_url(photo), change_data(photo, caption="Cảng Lạch Huyện"))

    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.caption == "Cảng Lạch Huyện"


def test_a_reporter_sees_another_s_photo_read_only_and_cannot_change_it(reporter_client, editor):
    photo = make_photo(caption="Của biên tập", uploaded_by=editor)

    page = reporter_client.get(change_url(photo))
    response = reporter_client.post(change_url(photo), change_data(photo, caption="Đã sửa", focal_x="0.1"))

    assert page.status_code == 200
    assertNotContains(page, 'name="caption"')
    assertNotContains(page, 'name="focal_x"')
    assertContains(page, 'class="nr-focal"')  # the point is shown, not movable
    assert response.status_code == 403
    photo.refresh_from_db()
    assert (photo.caption, photo.focal_x) == ("Của biên tập", 0.5)


def test_a_reporter_cannot_delete_any_photo(reporter_client, reporter):
    own = make_photo(uploaded_by=reporter)

    assert reporter_client.get(delete_url(own)).status_code == 403
    assert reporter_client.post(delete_url(own), {"post": "yes"}).status_code == 403
    response = reporter_client.post(LIBRARY, {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"})
    assert response.status_code in (200, 302, 403)
    assert Photo.objects.filter(pk=own.pk).exists()
    assertNotContains(reporter_client.get(change_url(own)), 'class="deletelink"')


def test_an_editor_changes_anyone_s_photo(editor_client, reporter):
    photo = make_photo(uploaded_by=reporter)

    response = editor_client.post(change_url(photo), change_data(photo, caption="Sửa bởi biên tập"))

    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.caption == "Sửa bởi biên tập"


# Several photos at once -----------------------------------------------------------------------------------


def test_the_upload_page_takes_several_files(editor_client):
    response = editor_client.get(UPLOAD)

    assert response.status_code == 200
    assertContains(response, f"<h1>{_('Upload several photos')}</h1>", html=True)
    assertContains(response, 'type="file" name="files"')
    assertContains(response, " multiple", html=False)
    assertContains(response, 'enctype="multipart/form-data"')


def test_uploading_several_files_saves_each_good_one_and_refuses_the_bad_one(editor_client, editor):
    files = [
        upload("mot.jpg", (120, 90)),
        SimpleUploadedFile("hai.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"),
        upload("ba.jpg", (90, 120), (0, 0, 200)),
    ]

    response = editor_client.post(UPLOAD, {"files": files, "caption": "Hội thảo", "credit": "Ảnh: Minh Anh"})

    assert response.status_code == 200
    photos = list(Photo.objects.order_by("pk"))
    assert [p.original_filename for p in photos] == ["mot.jpg", "ba.jpg"]
    assert {(p.caption, p.credit, p.uploaded_by) for p in photos} == {("Hội thảo", "Ảnh: Minh Anh", editor)}
    assert all(not p.is_missing for p in photos)
    results = response.context["results"]
    assert [(r["name"], bool(r["photo"])) for r in results] == [("mot.jpg", True), ("hai.jpg", False), ("ba.jpg", True)]
    assert results[1]["errors"]
    assertContains(response, 'class="nr-upload-refused"', count=1)
    assertContains(response, 'class="nr-upload-saved"', count=2)
    assertContains(response, f'href="{change_url(photos[0])}"')
    assertNotContains(response, "<script>alert(1)")


def test_uploading_without_a_file_is_a_form_error(editor_client):
    response = editor_client.post(UPLOAD, {"caption": "x"})

    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert not Photo.objects.exists()


def test_a_reporter_uploads_several_photos(reporter_client, reporter):
    response = reporter_client.post(UPLOAD, {"files": [upload("a.jpg"), upload("b.jpg")]})

    assert response.status_code == 200
    assert Photo.objects.filter(uploaded_by=reporter).count() == 2


def test_staff_without_the_add_permission_cannot_upload(client):
    user = get_user_model().objects.create_user("khach", password="x", is_staff=True)
    client.force_login(user)

    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"files": [upload()]}).status_code == 403
    assert not Photo.objects.exists()


def test_the_upload_page_in_english(editor_client):
    editor_client.post(reverse("set_language"), {"language": "en", "next": UPLOAD})

    response = editor_client.get(UPLOAD)

    with translation.override("en"):
        assertContains(response, "<h1>Upload several photos</h1>", html=True)


# In the browser: the focal point by a click and by the keyboard, a suggestion copied in -------------------


def browser_test(test):
    """A test in Chromium against the live server (its database committed, so a transactional test)."""
    for mark in (
        pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
        pytest.mark.django_db(transaction=True),
        pytest.mark.browser,
    ):
        test = mark(test)
    return test


def _logged_in_page(browser, live_server, user, path, width=1280):
    # The narrow one is a phone: touch, so the picture is tapped rather than clicked.
    context = browser.new_context(viewport={"width": width, "height": 900}, has_touch=width < 768)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next={path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{path}")
    return context, page


def _marker_at(page):
    """The marker's centre as fractions of the picture's box."""
    return page.evaluate(
        """() => {
          const image = document.querySelector('.nr-focal-img').getBoundingClientRect();
          const marker = document.querySelector('.nr-focal-marker').getBoundingClientRect();
          return [(marker.left + marker.width / 2 - image.left) / image.width,
                  (marker.top + marker.height / 2 - image.top) / image.height];
        }"""
    )


@pytest.mark.parametrize("width", [1280, 360])
@browser_test
def test_clicking_the_picture_sets_the_focal_point_and_saving_remakes_the_crops(browser, live_server, editor, width):
    photo = make_photo(image=upload("rong.jpg", size=(400, 200)), alt_text="Cảng")
    old_square = photo.rendition("square", "jpeg", 160).name
    context, page = _logged_in_page(browser, live_server, editor, change_url(photo), width)
    page.locator(".nr-focal-marker:not([hidden])").wait_for()
    assert _marker_at(page) == pytest.approx([0.5, 0.5], abs=0.02)

    picture = page.locator(".nr-focal-img")
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    point = {"x": box["width"] * 0.8, "y": box["height"] * 0.25}
    if width < 768:
        picture.tap(position=point)
    else:
        picture.click(position=point)

    assert float(page.input_value("#id_focal_x")) == pytest.approx(0.8, abs=0.01)
    assert float(page.input_value("#id_focal_y")) == pytest.approx(0.25, abs=0.01)
    assert _marker_at(page) == pytest.approx([0.8, 0.25], abs=0.02)
    # The keyboard's way: the number fields move the marker too.
    page.fill("#id_focal_y", "0.6")
    assert _marker_at(page) == pytest.approx([0.8, 0.6], abs=0.02)
    page.click("input[name=_continue]")
    page.wait_for_url(f"**{change_url(photo)}")
    photo.refresh_from_db()
    assert photo.renditions["focal"] == pytest.approx([0.8, 0.6], abs=0.01)
    new_square = photo.rendition("square", "jpeg", 160)
    assert new_square.name != old_square
    assert page.locator(f'.nr-crops img[src="{new_square.url}"]').count() == 1
    context.close()


@browser_test
def test_the_suggestion_button_copies_the_caption_found_in_the_file(browser, live_server, editor):
    photo = make_photo(caption="")
    Photo.objects.filter(pk=photo.pk).update(suggested_caption="Lễ ký kết hợp tác đào tạo")
    context, page = _logged_in_page(browser, live_server, editor, change_url(photo))

    assert page.input_value("#id_caption") == ""  # never filled in by itself
    page.click(".field-caption .nr-suggestion-use")

    assert page.input_value("#id_caption") == "Lễ ký kết hợp tác đào tạo"
    assert page.evaluate("document.activeElement.id") == "id_caption"
    context.close()


@browser_test
def test_the_grid_s_checkboxes_drive_the_admin_s_actions(browser, live_server, editor):
    keep, *doomed = [make_photo(caption=f"Ảnh {n}") for n in range(3)]
    context, page = _logged_in_page(browser, live_server, editor, LIBRARY)

    for photo in doomed:
        page.check(f"#nr-select-{photo.pk}")
    assert page.locator("tr.nr-tile.selected").count() == 2
    # "2 của 3 được chọn": the counter is Django's script's, in its own catalogue.
    counter = page.locator(".action-counter").inner_text().split()
    assert (counter[0], counter[2]) == ("2", "3")
    page.select_option("select[name=action]", "delete_selected")
    page.click("button[name=index]")
    page.wait_for_selector("input[name=post]", state="attached")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{LIBRARY}")

    assert list(Photo.objects.values_list("pk", flat=True)) == [keep.pk]
    page.check("#action-toggle")
    assert page.locator("tr.nr-tile.selected").count() == 1
    context.close()
