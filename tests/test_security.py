"""Holes a hostile look found: whatever wrote a row, readers get only what the rules allow."""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.forms import FileField, ImageField
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article, Organization
from photos.models import Photo
from tests.factories import jpeg_bytes, make_article, make_organization, make_photo

pytestmark = pytest.mark.django_db

# (what a writer stores, what the reader page shows in the body)
PAYLOADS = [
    ("<p>a<img src=x onerror=alert(1)>b</p>", "<p>ab</p>"),
    ("<p>x</p><script>alert(1)</script>", "<p>x</p>"),
    ('<p><a href="javascript:alert(1)">bấm</a></p>', '<p><a rel="noopener noreferrer">bấm</a></p>'),
    ('<p><a href="JaVaScRiPt&colon;alert(1)">bấm</a></p>', '<p><a rel="noopener noreferrer">bấm</a></p>'),
    ("<p>v</p><svg onload=alert(1)><circle r=1 /></svg>", "<p>v</p>"),
    ('<iframe src="https://evil.example/"></iframe><p>k</p>', "<p>k</p>"),
    ('<p style="background:url(javascript:alert(1))">s</p>', "<p>s</p>"),
    ('<p><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">d</a></p>',
     '<p><a rel="noopener noreferrer">d</a></p>'),
    ('<p>e<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"></p>', "<p>e</p>"),
    ('<figure><img src="https://tracker.example/p.gif" alt="theo dõi"><figcaption>c</figcaption></figure><p>f</p>',
     "<p>f</p>"),
    ("<p>Tin \u202enóng\u2066</p>", "<p>Tin nóng</p>"),
]  # fmt: skip


def store_by_update(body, tmp_path):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(body=body)
    return article.slug


def store_by_raw_sql(body, tmp_path):
    article = make_article()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Article._meta.db_table} SET body = %s WHERE id = %s", [body, article.pk])
    return article.slug


def store_by_bulk_create(body, tmp_path):
    now = timezone.now()
    Article.objects.bulk_create(
        [Article(title="Hàng loạt", slug="hang-loat", body=body, status="published", publish_at=now - timedelta(1))]
    )
    return "hang-loat"


def store_by_loaddata(body, tmp_path):
    now = (timezone.now() - timedelta(days=1)).isoformat()
    fixture = tmp_path / "bai.json"
    fields = {"title": "Từ fixture", "slug": "tu-fixture", "body": body, "status": "published", "publish_at": now}
    fields |= {"created_at": now, "updated_at": now}
    fixture.write_text(json.dumps([{"model": "articles.article", "pk": 9001, "fields": fields}]), encoding="utf-8")
    call_command("loaddata", str(fixture), verbosity=0)
    return "tu-fixture"


WRITERS = [store_by_update, store_by_raw_sql, store_by_bulk_create, store_by_loaddata]


@pytest.mark.parametrize("writer", WRITERS, ids=lambda writer: writer.__name__)
@pytest.mark.parametrize(("stored", "shown"), PAYLOADS)
def test_reader_page_shows_only_sanitised_body_whatever_wrote_the_row(client, tmp_path, writer, stored, shown):
    slug = writer(stored, tmp_path)
    assert Article.objects.get(slug=slug).body == stored  # the row really holds the raw HTML
    response = client.get(reverse("articles:article", kwargs={"slug": slug}))
    assertContains(response, f'<div class="article__body">{shown}</div>')
    for harm in ("alert(1)", "tracker.example", "theo dõi", "\u202e", "\u2066"):
        assertNotContains(response, harm)


def test_library_photo_in_a_raw_body_is_still_drawn_from_the_library(client):
    photo = make_photo(caption="Cảng Lạch Huyện", alt_text="Tàu vào cảng")
    article = make_article()
    body = f'<figure><img src="{photo.get_absolute_url()}" onerror="alert(1)"></figure>'
    Article.objects.filter(pk=article.pk).update(body=body)
    response = client.get(article.get_absolute_url())
    # Drawn from the library's renditions (never the master), with the library's alt text.
    rendition = photo.rendition("w", "jpeg")
    assertContains(response, f'<img src="{rendition.url}" srcset="{rendition.url} 64w"', count=1)
    assertContains(response, 'alt="Tàu vào cảng"', count=1)
    assertNotContains(response, photo.image.url + '"')
    assertNotContains(response, "alert(1)")


def test_titles_and_leads_lose_bidi_controls_on_save():
    article = make_article(title="Tin \u202enóng\u202c \u2067Hải Phòng\u2069", lead="Sapo\u200f \u061c\u200eđây")
    article.refresh_from_db()
    assert article.title == "Tin nóng Hải Phòng"
    assert article.lead == "Sapo đây"


# Organisation websites: http/https only, at the model, in the database and in the template.

ORGANIZATION_WEBSITE = '<dt>Trang web</dt><dd><a href="{url}" rel="noopener noreferrer">{url}</a></dd>'
HOSTILE_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://files.example/",
    "//evil.example/",
    "/duong-dan",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_organization_website_must_be_http_or_https(url):
    organization = Organization(name="Hội thử", slug="hoi-thu", website=url)
    with pytest.raises(ValidationError) as refused:
        organization.full_clean()
    assert "website" in refused.value.message_dict


def test_organization_website_refusal_is_in_vietnamese():
    organization = Organization(name="Hội thử", slug="hoi-thu", website="javascript:alert(1)")
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        organization.full_clean()
    assert refused.value.message_dict["website"] == ["Hãy nhập địa chỉ web bắt đầu bằng http:// hoặc https://."]


@pytest.mark.parametrize("url", ["https://haiphong.gov.vn/", "HTTP://HAIPHONG.GOV.VN", "http://127.0.0.1:8000/x"])
def test_organization_website_accepts_web_addresses_in_any_case(url):
    Organization(name="Hội thử", slug="hoi-thu", website=url).full_clean()
    organization = make_organization()
    Organization.objects.filter(pk=organization.pk).update(website=url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " http://x.vn", "data:,x"])
def test_database_refuses_other_schemes_from_update_bulk_create_and_sql(url):
    organization = make_organization()
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=organization.pk).update(website=url)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.bulk_create([Organization(name="Hội mới", slug="hoi-moi", website=url)])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Organization._meta.db_table} SET website = %s", [url])


def bypass_check_constraints(cursor):
    """Let a row in that the database would refuse, as a dump restored without constraints would."""
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA ignore_check_constraints = ON")
    else:
        # DDL is transactional in PostgreSQL: the test's rollback puts the constraint back. Deferred
        # foreign-key checks are run first, as PostgreSQL alters no table with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {Organization._meta.db_table} DROP CONSTRAINT organization_website_http")


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_organization_page_never_links_another_scheme(client, url):
    organization = make_organization()
    with connection.cursor() as cursor:
        bypass_check_constraints(cursor)
        cursor.execute(f"UPDATE {Organization._meta.db_table} SET website = %s", [url])
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    assert Organization.objects.get(pk=organization.pk).website == url
    response = client.get(organization.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, "Trang web")
    assertNotContains(response, url.strip(), html=False)


def test_organization_page_links_its_website(client):
    organization = make_organization(website="https://haiphong.gov.vn/")
    response = client.get(organization.get_absolute_url())
    assertContains(response, ORGANIZATION_WEBSITE.format(url="https://haiphong.gov.vn/"), html=True)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://haiphong.gov.vn/", "https://haiphong.gov.vn/"),
        ("  HTTP://haiphong.gov.vn\n", "HTTP://haiphong.gov.vn"),
        ("\u202ehttps://haiphong.gov.vn/\u202c", "https://haiphong.gov.vn/"),
        ("javascript:alert(1)", ""),
        ("\x01javascript:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("\u202ejavascript:alert(1)", ""),
        ("data:text/html,x", ""),
        ("//evil.example/", ""),
        ("http:evil.example", ""),
        ("/media/x.jpg", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_http_url_filter_refuses_anything_but_http_and_https(value, shown):
    template = Template("{% load safe_urls %}[{{ value|http_url }}]")
    assert template.render(Context({"value": value})) == f"[{shown}]"


# The admin's photo upload: the importer's checks, a Vietnamese form error, nothing saved.

PHOTO_ADD = reverse("admin:photos_photo_add")


def bilevel_png(width, height):
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def django_message(field, code):
    with translation.override("vi"):
        return str(field.default_error_messages[code])


UPLOADS = {
    "100 megapixel PNG": (
        "lon.png",
        lambda: bilevel_png(10_000, 10_000),
        "Ảnh này có kích thước 10000×10000 điểm ảnh, vượt quá giới hạn 64 megapixel.",
    ),
    "SVG renamed .jpg": (
        "ve.jpg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>',
        django_message(ImageField, "invalid_image"),
    ),
    "HTML renamed .png": (
        "trang.png",
        lambda: b"<!doctype html><html><body><script>alert(1)</script></body></html>",
        django_message(ImageField, "invalid_image"),
    ),
    "JPEG cut after its header": (
        "cut.jpg",
        lambda: jpeg_bytes((640, 480))[:300],
        django_message(ImageField, "invalid_image"),
    ),
    "JPEG cut halfway": (
        "nua.jpg",
        lambda: (lambda data: data[: len(data) // 2])(jpeg_bytes((640, 480))),
        "Không đọc được ảnh trong tệp này (tệp có thể bị hỏng hoặc không đầy đủ).",
    ),
    "empty file": ("rong.jpg", lambda: b"", django_message(FileField, "empty")),
}


# Django's own form field opens the file before the model's validator refuses it, and Pillow warns.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("kind", UPLOADS)
def test_admin_photo_upload_refuses_what_the_importer_refuses(admin_client, settings, kind):
    name, content, message = UPLOADS[kind]
    upload = SimpleUploadedFile(name, content(), content_type="image/jpeg")
    data = {"image": upload, "caption": "Ảnh thử", "credit": "", "alt_text": "", "_save": "Lưu lại"}
    response = admin_client.post(PHOTO_ADD, data, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"image": [message]}
    assertContains(response, message)
    assert not Photo.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_admin_photo_upload_still_takes_a_good_photo(admin_client):
    upload = SimpleUploadedFile("tot.jpg", jpeg_bytes((640, 480)), content_type="image/jpeg")
    data = {"image": upload, "caption": "Ảnh tốt", "credit": "", "alt_text": "", "_save": "Lưu lại"}
    response = admin_client.post(PHOTO_ADD, data)
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height, photo.caption) == (640, 480, "Ảnh tốt")


def test_a_stored_photo_is_not_read_again_when_its_caption_is_edited(admin_client, monkeypatch):
    photo = make_photo()
    renditions = photo.renditions
    opened = []
    monkeypatch.setattr("photos.images.inspect_image", lambda file: opened.append(file))
    real_open = FileSystemStorage.open
    monkeypatch.setattr(
        FileSystemStorage, "open", lambda self, name, *args: opened.append(name) or real_open(self, name, *args)
    )
    url = reverse("admin:photos_photo_change", args=[photo.pk])
    data = {
        "caption": "Chú thích mới",
        "credit": "",
        "alt_text": "",
        "focal_x": "0.5",
        "focal_y": "0.5",
        "_save": "Lưu lại",
    }
    assert admin_client.post(url, data).status_code == 302
    assert opened == []
    photo.refresh_from_db()
    assert (photo.caption, photo.renditions) == ("Chú thích mới", renditions)
