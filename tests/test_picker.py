"""The photo picker's endpoints (photos/picker.py) and the featured photo's chooser widget (photos/widgets.py)."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image

from photos.images import ImageRefused, inspect_image
from photos.models import Photo
from photos.picker import MAX_FILES, PAGE_SIZE
from photos.widgets import PhotoChooserWidget
from tests.factories import jpeg_bytes, make_photo

pytestmark = pytest.mark.django_db

SEARCH = "/admin/photo-picker/photos/"
UPLOAD = "/admin/photo-picker/upload/"
DIALOG = "/admin/photo-picker/dialog/"


def staff(username, *permissions, groups=()):
    user = get_user_model().objects.create_user(username, password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def viewer():
    return client_for(staff("xem", "view_photo"))


@pytest.fixture
def reporter():
    return staff("phongvien", groups=["Phóng viên"])


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return buffer.getvalue()


def aged(photo, days):
    """Move a photo's upload time `days` into the past (uploaded_at is auto_now_add)."""
    Photo.objects.filter(pk=photo.pk).update(uploaded_at=timezone.now() - timedelta(days=days))
    return photo


# Who may ask


@pytest.mark.parametrize("url", [SEARCH, DIALOG])
def test_anyone_not_logged_in_as_staff_goes_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_an_upload_not_logged_in_goes_to_the_login_and_saves_nothing(client):
    response = client.post(UPLOAD, {"files": SimpleUploadedFile("a.jpg", jpeg_bytes())})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not Photo.objects.exists()


def test_a_logged_in_non_staff_user_goes_to_the_login(client):
    user = get_user_model().objects.create_user("doc-gia", password="x")
    response = client_for(user).get(SEARCH)
    assert response.status_code == 302


@pytest.mark.parametrize("url", [SEARCH, DIALOG])
def test_staff_without_the_view_permission_get_a_json_403(url):
    response = client_for(staff("khach")).get(url)
    assert response.status_code == 403
    assert response.json() == {"error": _("You may not use the photo library.")}


def test_staff_who_may_only_view_may_not_upload(viewer):
    response = viewer.post(UPLOAD, {"files": SimpleUploadedFile("a.jpg", jpeg_bytes())})
    assert response.status_code == 403
    assert response.json() == {"error": _("You may not use the photo library.")}
    assert not Photo.objects.exists()


def test_the_search_and_the_dialog_answer_only_get(viewer):
    assert viewer.post(SEARCH).status_code == 405
    assert viewer.get(UPLOAD).status_code == 405


# The search list


def test_the_list_is_newest_first_with_what_the_picker_shows(viewer):
    old = aged(make_photo(caption="Cảng Lạch Huyện", credit="Ảnh: Minh Anh", alt_text="Tàu cập cảng"), 2)
    new = make_photo(caption="Hội nghị", credit="Ảnh: Lan")
    missing = aged(make_photo(with_image=False, caption="Ảnh chưa có tệp"), 5)
    data = viewer.get(SEARCH).json()
    assert [item["id"] for item in data["results"]] == [new.pk, old.pk, missing.pk]
    assert (data["count"], data["page"], data["next_page"]) == (3, 1, None)
    old.refresh_from_db()
    thumbnail = old.rendition("square", "jpeg", 320)
    assert data["results"][1] == {
        "id": old.pk,
        "src": f"/anh/{old.pk}/",
        "label": "Cảng Lạch Huyện",
        "caption": "Cảng Lạch Huyện",
        "credit": "Ảnh: Minh Anh",
        "alt_text": "Tàu cập cảng",
        "thumbnail": thumbnail.url,
        "width": old.width,
        "height": old.height,
        "file_size": old.file_size,
        "missing": False,
    }
    assert thumbnail.url.startswith("/media/") and (thumbnail.width, thumbnail.height) == (thumbnail.width,) * 2
    assert data["results"][2]["missing"] is True
    assert data["results"][2]["thumbnail"] is None


@pytest.mark.parametrize(
    "query",
    ["hai phong", "HẢI PHÒNG", "Hải phòng", "  phong   hai ", "cang hai", "minh anh", "hai-phong"],
)
def test_the_search_ignores_accents_and_case_and_needs_every_word(viewer, query):
    wanted = make_photo(caption="Cảng Hải Phòng đón tàu", credit="Ảnh: Minh Anh", original_filename="hai-phong.jpg")
    make_photo(caption="Hội nghị ở Hà Nội", credit="Ảnh: Lan")
    make_photo(caption="Phòng họp mới", credit="Ảnh: Lan")
    ids = [item["id"] for item in viewer.get(SEARCH, {"q": query}).json()["results"]]
    assert ids == [wanted.pk]


def test_the_search_covers_alt_text_and_the_file_name_and_d_folds(viewer):
    by_alt = make_photo(caption="", alt_text="Đoàn đại biểu chụp ảnh")
    by_name = make_photo(caption="", original_filename="le-khai-giang-2024.jpg")
    assert [p["id"] for p in viewer.get(SEARCH, {"q": "doan dai bieu"}).json()["results"]] == [by_alt.pk]
    assert [p["id"] for p in viewer.get(SEARCH, {"q": "khai-giang"}).json()["results"]] == [by_name.pk]


def test_percent_and_underscore_are_plain_characters(viewer):
    make_photo(caption="Tăng 5 phần trăm")
    assert viewer.get(SEARCH, {"q": "%"}).json()["count"] == 0
    assert viewer.get(SEARCH, {"q": "_"}).json()["count"] == 0


def test_the_summary_says_how_many_or_that_none_match(viewer):
    assert viewer.get(SEARCH).json()["summary"] == _("The library has no photos yet.")
    make_photo(caption="Một")
    make_photo(caption="Hai")
    assert viewer.get(SEARCH).json()["summary"] == ngettext("%(count)d photo", "%(count)d photos", 2) % {"count": 2}
    assert viewer.get(SEARCH, {"q": "khong co"}).json()["summary"] == _("No photo matches this search.")


def test_pages_of_24_then_load_more_until_the_end(viewer):
    photos = [make_photo(caption=f"Ảnh số {n}") for n in range(PAGE_SIZE + 3)]
    first = viewer.get(SEARCH).json()
    second = viewer.get(SEARCH, {"page": first["next_page"]}).json()
    assert (len(first["results"]), first["next_page"]) == (PAGE_SIZE, 2)
    assert (len(second["results"]), second["next_page"]) == (3, None)
    newest_first = [photo.pk for photo in reversed(photos)]
    assert [item["id"] for item in first["results"] + second["results"]] == newest_first


@pytest.mark.parametrize("count", [3, 30])
def test_a_page_costs_the_same_queries_whatever_the_library_holds(viewer, count, django_assert_num_queries):
    for n in range(count):
        make_photo(caption=f"Ảnh {n}")
    viewer.get(SEARCH)  # the session and permissions, cached per request anyway
    # session, user, the user's and groups' permissions, the count, the page.
    with django_assert_num_queries(6):
        assert viewer.get(SEARCH).status_code == 200


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", " 1", "١", str(10**30), "1e3", "2\x00"])
def test_a_page_that_is_not_a_positive_number_is_a_json_400(viewer, page):
    response = viewer.get(SEARCH, {"page": page})
    assert response.status_code == 400
    assert response.json() == {"error": _("That page number is not valid.")}


@pytest.mark.parametrize("page", ["2", "999999"])
def test_a_page_past_the_end_is_a_json_404(viewer, page):
    make_photo()
    response = viewer.get(SEARCH, {"page": page})
    assert response.status_code == 404
    assert response.json() == {"error": _("There is no such page of results.")}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("a" * 201, "The search is too long."),
        ("hai\x00phong", "The search contains characters that are not allowed."),
        ("x\x1b[31m", "The search contains characters that are not allowed."),
        (" ".join("abcdefghijklm"), "The search has too many words."),
    ],
)
def test_a_hostile_search_is_a_json_400(viewer, query, message):
    response = viewer.get(SEARCH, {"q": query})
    assert response.status_code == 400
    assert response.json() == {"error": _(message)}


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "' OR 1=1 --", "😀 ảnh", "a" * 200, "\t"])
def test_odd_searches_are_answered_with_results_not_errors(viewer, query):
    make_photo(caption="<script>alert(1)</script>")
    response = viewer.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_the_caption_comes_back_as_json_text_never_markup(viewer):
    make_photo(caption='<img src=x onerror="alert(1)">')
    response = viewer.get(SEARCH)
    # JSON, never sniffed as HTML; the script puts it on the page as text (textContent).
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("application/json", "nosniff")
    assert response.json()["results"][0]["caption"] == '<img src=x onerror="alert(1)">'


def test_the_answers_are_never_cached(viewer):
    assert "no-cache" in viewer.get(SEARCH)["Cache-Control"]


# The dialog


def test_the_dialog_is_a_labelled_dialog_with_search_grid_more_and_a_multiple_upload(reporter):
    response = client_for(reporter).get(DIALOG)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<dialog id="nr-photo-picker" class="nr-picker" aria-labelledby="nr-picker-title"' in html
    assert f'<h2 id="nr-picker-title">{_("Choose a photo from the library")}</h2>' in html
    assert f'data-search-url="{SEARCH}"' in html
    assert '<label for="nr-picker-q">' in html and '<input type="search" id="nr-picker-q"' in html
    assert 'class="button nr-picker-more" hidden' in html
    assert f'action="{UPLOAD}"' in html and 'name="csrfmiddlewaretoken"' in html
    assert '<input type="file" id="nr-picker-files" name="files" multiple required' in html
    assert "<script" not in html  # the CSP allows no inline script


def test_the_dialog_offers_no_upload_to_someone_who_may_not_upload(viewer):
    html = viewer.get(DIALOG).content.decode()
    assert "nr-picker-grid" in html
    assert "nr-picker-upload" not in html


# Uploads


def test_several_files_at_once_each_through_the_pipeline(reporter):
    response = client_for(reporter).post(
        UPLOAD,
        {
            "files": [
                SimpleUploadedFile("cang.jpg", jpeg_bytes((80, 60)), content_type="image/jpeg"),
                SimpleUploadedFile("ban-do.png", png_bytes(), content_type="image/png"),
            ],
            "caption": "Cảng Hải Phòng",
            "credit": "Ảnh: Minh Anh",
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    photos = {photo.original_filename: photo for photo in Photo.objects.all()}
    assert sorted(photos) == ["ban-do.png", "cang.jpg"]
    assert [(r["name"], r["ok"], r["photo"]["id"]) for r in results] == [
        ("cang.jpg", True, photos["cang.jpg"].pk),
        ("ban-do.png", True, photos["ban-do.png"].pk),
    ]
    for photo in photos.values():
        assert (photo.caption, photo.credit, photo.uploaded_by) == ("Cảng Hải Phòng", "Ảnh: Minh Anh", reporter)
        assert not photo.is_missing
        assert photo.image.name != photo.original_filename  # a name of the project's making
    assert results[0]["photo"]["thumbnail"] == photos["cang.jpg"].rendition("square", "jpeg", 320).url


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"<!doctype html><script>alert(1)</script>",
        b"%PDF-1.7\n",
        jpeg_bytes()[:60],
    ],
    ids=["empty", "svg", "html", "pdf", "truncated"],
)
def test_a_refused_file_saves_nothing_and_says_why_beside_the_accepted_ones(reporter, data):
    response = client_for(reporter).post(
        UPLOAD,
        {
            "files": [
                SimpleUploadedFile("tot.jpg", jpeg_bytes()),
                SimpleUploadedFile("anh.jpg", data, content_type="image/jpeg"),
            ]
        },
    )
    assert response.status_code == 200
    good, bad = response.json()["results"]
    assert good["ok"] is True
    assert (bad["name"], bad["ok"]) == ("anh.jpg", False)
    assert bad["error"]  # the pipeline's own message, in the user's language
    assert list(Photo.objects.values_list("original_filename", flat=True)) == ["tot.jpg"]


def test_the_refusal_is_the_pipelines_message(reporter):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    with pytest.raises(ImageRefused) as refused:
        inspect_image(io.BytesIO(svg))
    response = client_for(reporter).post(UPLOAD, {"files": SimpleUploadedFile("x.svg", svg)})
    assert response.json()["results"][0]["error"] == str(refused.value.reason)


def test_an_upload_without_files_is_a_json_400(reporter):
    response = client_for(reporter).post(UPLOAD, {"caption": "Không có tệp"})
    assert response.status_code == 400
    assert response.json() == {"error": _("Choose at least one photo to upload.")}


def test_too_many_files_at_once_is_a_json_400_saving_nothing(reporter):
    files = [SimpleUploadedFile(f"{n}.jpg", jpeg_bytes()) for n in range(MAX_FILES + 1)]
    response = client_for(reporter).post(UPLOAD, {"files": files})
    assert response.status_code == 400
    assert response.json() == {"error": _("Upload at most %(count)d photos at a time.") % {"count": MAX_FILES}}
    assert not Photo.objects.exists()


@pytest.mark.parametrize(
    "fields", [{"caption": "a\x00b"}, {"credit": "x" * 201}, {"alt_text": "x" * 301}], ids=["nul", "credit", "alt"]
)
def test_bad_texts_are_a_json_400_saving_nothing(reporter, fields):
    response = client_for(reporter).post(UPLOAD, {"files": SimpleUploadedFile("a.jpg", jpeg_bytes()), **fields})
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Photo.objects.exists()


def test_an_upload_without_the_csrf_token_is_refused_saving_nothing(reporter):
    client = client_for(reporter, enforce_csrf_checks=True)
    response = client.post(UPLOAD, {"files": SimpleUploadedFile("a.jpg", jpeg_bytes())})
    assert response.status_code == 403
    assert not Photo.objects.exists()


def test_an_upload_with_the_dialogs_csrf_token_goes_through(reporter):
    client = client_for(reporter, enforce_csrf_checks=True)
    client.get(DIALOG)
    token = client.cookies["csrftoken"].value
    response = client.post(UPLOAD, {"files": SimpleUploadedFile("a.jpg", jpeg_bytes()), "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert Photo.objects.count() == 1


def test_a_file_name_with_a_nul_or_a_path_is_kept_harmlessly(reporter):
    response = client_for(reporter).post(
        UPLOAD, {"files": SimpleUploadedFile("../../etc/pa\x00sswd.jpg", jpeg_bytes())}
    )
    assert response.status_code == 200
    photo = Photo.objects.get()
    assert "/" not in photo.original_filename and "\x00" not in photo.original_filename
    assert ".." not in photo.image.name


# The featured photo's chooser


def test_the_chooser_without_a_choice_is_a_number_input_with_hidden_buttons():
    html = PhotoChooserWidget().render("featured_photo", None, {"id": "id_featured_photo"})
    assert '<input type="number" name="featured_photo" min="1" step="1" id="id_featured_photo">' in html
    assert 'data-photo-chooser data-dialog-url="/admin/photo-picker/dialog/"' in html
    assert f'<button type="button" class="button nr-chooser-choose" hidden>{_("Choose photo…")}</button>' in html
    assert f'<button type="button" class="button nr-chooser-clear" hidden>{_("Remove photo")}</button>' in html
    assert '<figure class="nr-chooser-current" hidden>' in html
    assert f'<p class="nr-chooser-empty">{_("No photo chosen.")}</p>' in html
    assert '<a href="/admin/photos/photo/" target="_blank" rel="noopener">' in html


def test_the_chooser_shows_the_current_photos_thumbnail_and_caption(django_assert_num_queries):
    photo = make_photo(caption="Cảng Hải Phòng", credit="Ảnh: Minh Anh")
    with django_assert_num_queries(1):
        html = PhotoChooserWidget().render("featured_photo", photo.pk, {"id": "id_featured_photo"})
    thumbnail = photo.rendition("square", "jpeg", 320)
    assert f'value="{photo.pk}"' in html
    assert f'<img src="{thumbnail.url}" alt="" width="160" height="160">' in html
    assert "<figcaption>Cảng Hải Phòng — Ảnh: Minh Anh</figcaption>" in html
    assert '<figure class="nr-chooser-current">' in html
    assert '<p class="nr-chooser-empty" hidden>' in html


def test_the_chooser_marks_a_photo_without_its_file():
    photo = make_photo(with_image=False, caption="", credit="")
    html = PhotoChooserWidget().render("featured_photo", photo.pk)
    assert f'<span class="nr-badge nr-badge-missing">{_("Missing file")}</span>' in html
    assert f"<figcaption>{_('(no caption yet)')}</figcaption>" in html


@pytest.mark.parametrize("value", ["abc", "-1", str(10**30), "1\x00", "<script>", "999999"])
def test_the_chooser_given_a_value_that_is_no_photo_shows_no_choice_and_escapes_it(value):
    html = PhotoChooserWidget().render("featured_photo", value)
    assert '<figure class="nr-chooser-current" hidden>' in html
    assert "<script>" not in html


def test_the_chooser_escapes_the_caption():
    photo = make_photo(caption="<script>alert(1)</script>")
    html = PhotoChooserWidget().render("featured_photo", photo.pk)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_chooser_posts_the_id_a_model_choice_field_takes():
    from django import forms

    class FeaturedForm(forms.Form):
        featured_photo = forms.ModelChoiceField(Photo.objects.all(), required=False, widget=PhotoChooserWidget())

    photo = make_photo()
    assert FeaturedForm({"featured_photo": str(photo.pk)}).is_valid()
    empty = FeaturedForm({"featured_photo": ""})
    assert empty.is_valid() and empty.cleaned_data["featured_photo"] is None
    for bad in ["abc", str(10**30), "-1", "99999999"]:
        form = FeaturedForm({"featured_photo": bad})
        assert not form.is_valid() and "featured_photo" in form.errors


def test_the_chooser_media_is_the_picker_module_and_css():
    media = str(PhotoChooserWidget().media)
    assert '<script src="/static/photos/picker.js" type="module"></script>' in media
    assert '<link href="/static/photos/picker.css" media="all" rel="stylesheet">' in media
