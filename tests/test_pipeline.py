"""photos.pipeline through the admin's upload: clean masters, renditions and crops at save time, files that go."""

import io
import re
import struct
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import FileField, ImageField
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageCms

from photos import pipeline
from photos.images import NOT_A_PHOTO, POLYGLOT, UNREADABLE
from photos.models import Photo
from photos.renditions import CROPS, FORMATS, WIDTHS
from tests.factories import make_article, make_photo

pytestmark = pytest.mark.django_db

PHOTO_ADD = reverse("admin:photos_photo_add")
GPS, EXIF_IFD = 0x8825, 0x8769
SERIAL = "CAM-SERIAL-4417"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="XMP Credit">'
    '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Cảng Lạch Huyện &amp; tàu</rdf:li></rdf:Alt>'
    "</dc:description><dc:creator><rdf:Seq><rdf:li>Nguyễn Văn XMP</rdf:li></rdf:Seq></dc:creator>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
).encode()


def photo_like(size, seed=3):
    """Not flat colour: gradients, noise and shapes, so encoders and crops have something to work on."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 50)
    image = Image.merge("RGB", [gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    return image


def camera_exif(orientation=1):
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS R5"  # Model
    exif[0x0112] = orientation
    # ImageDescription, as UTF-8 bytes: the tag is "ASCII", and Vietnamese cameras and tools write UTF-8 in it.
    exif[0x010E] = "Mô tả từ máy ảnh".encode()
    exif[0x013B] = "EXIF Artist"
    exif.get_ifd(EXIF_IFD)[0xA431] = SERIAL  # BodySerialNumber
    exif.get_ifd(EXIF_IFD)[0x927C] = b"MAKERNOTE-SECRET"
    gps = exif.get_ifd(GPS)
    gps[1], gps[2] = "N", (20.0, 51.0, 30.0)
    gps[3], gps[4] = "E", (106.0, 41.0, 15.0)
    return exif


def iptc_segment(caption, credit):
    """An APP13 (Photoshop 3.0) segment with IPTC caption (2:120) and credit (2:110), as agencies send them."""

    def dataset(number, value):
        data = value.encode()
        return b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(data)) + data

    iptc = dataset(120, caption) + dataset(110, credit)
    iptc += b"\x00" * (len(iptc) % 2)
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def camera_jpeg(size=(1200, 900), orientation=1, image=None):
    """A JPEG as a camera and an agency leave it: EXIF with GPS, serial and maker notes, XMP, IPTC, a comment
    and an ICC profile."""
    buffer = io.BytesIO()
    image = image or photo_like(size)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(buffer, "JPEG", exif=camera_exif(orientation), xmp=XMP, comment=b"COMMENT-SECRET", icc_profile=icc)
    data = buffer.getvalue()
    return data[:2] + iptc_segment("Chú thích IPTC", "Ảnh: IPTC") + data[2:]


def upload(admin_client, name, data, **fields):
    form = {"caption": "", "credit": "", "alt_text": "", "_save": "Lưu lại", **fields}
    return admin_client.post(PHOTO_ADD, {"image": SimpleUploadedFile(name, data, "image/jpeg"), **form})


def stored_files(settings):
    media = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()} if media.exists() else set()


# What a file carries besides its pixels ------------------------------------------------------


def jpeg_segments(data):
    """The marker and first bytes of every segment before the image data."""
    position, segments = 2, []
    while data[position] == 0xFF and data[position + 1] != 0xDA:
        marker = data[position + 1]
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segments.append((marker, data[position + 4 : position + 4 + min(length - 2, 14)]))
        position += 2 + length
    return segments


def png_chunks(data):
    position, chunks = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunks.append(kind.decode())
        position += 12 + length
    return chunks


def webp_chunks(data):
    position, chunks = 12, []
    while position < len(data):
        kind, length = struct.unpack("<4sI", data[position : position + 8])
        chunks.append(kind.decode())
        position += 8 + length + (length & 1)
    return chunks


def assert_no_metadata(data):
    for secret in [b"Exif", b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"8BIM", b"COMMENT", b"ICC_PROFILE"]:
        assert secret not in data
    for secret in [SERIAL.encode(), b"MAKERNOTE", b"Canon", b"EOS R5", "Lạch".encode()]:
        assert secret not in data
    if data[:2] == b"\xff\xd8":
        # JFIF (APP0) only: no EXIF/XMP (APP1), ICC (APP2), IPTC (APP13) or comment (COM) segment.
        assert [marker for marker, _ in jpeg_segments(data) if marker >= 0xE1 or marker == 0xFE] == []
    elif data[:4] == b"RIFF":
        assert set(webp_chunks(data)) <= {"VP8 ", "VP8L", "VP8X", "ALPH"}
    else:
        assert set(png_chunks(data)) <= {"IHDR", "IDAT", "IEND", "PLTE", "tRNS", "pHYs"}
    with Image.open(io.BytesIO(data)) as image:
        assert not set(image.info) & {"exif", "xmp", "icc_profile", "comment", "photoshop", "XML:com.adobe.xmp"}
        assert dict(image.getexif()) == {}


def every_name(photo):
    return [photo.image.name] + [
        entry[2]
        for kind, by_format in photo.renditions.items()
        if kind != "focal"
        for entries in by_format.values()
        for entry in entries
    ]


def test_the_camera_file_carries_what_the_pipeline_must_drop():
    data = camera_jpeg()
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert exif.get_ifd(GPS)[2] == (20.0, 51.0, 30.0)
        assert exif.get_ifd(EXIF_IFD)[0xA431] == SERIAL
        assert {"xmp", "icc_profile", "comment"} <= set(image.info)
    for segment in [b"Photoshop 3.0", b"8BIM", b"http://ns.adobe.com/xap", b"COMMENT-SECRET"]:
        assert segment in data


def test_an_admin_upload_keeps_no_metadata_in_the_master_or_any_rendition(admin_client, client, settings):
    response = upload(admin_client, "IMG_0001.JPG", camera_jpeg(), caption="Cảng biển")
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.format == "JPEG"
    names = every_name(photo)
    assert set(names) == stored_files(settings)
    for name in names:
        with default_storage.open(name) as file:
            assert_no_metadata(file.read())
        # Served as stored, with the type its content calls for.
        served = client.get(default_storage.url(name))
        assert served.status_code == 200
        assert served["Content-Type"] == ("image/webp" if name.endswith(".webp") else "image/jpeg")
        assert_no_metadata(b"".join(served.streaming_content))


def test_caption_and_credit_in_the_file_become_suggestions_only(admin_client):
    upload(admin_client, "a.jpg", camera_jpeg())
    photo = Photo.objects.get()
    assert (photo.caption, photo.credit) == ("", "")
    assert (photo.suggested_caption, photo.suggested_credit) == ("Chú thích IPTC", "Ảnh: IPTC")


def test_exif_and_then_xmp_are_read_when_there_is_no_iptc():
    buffer = io.BytesIO()
    photo_like((64, 48)).save(buffer, "JPEG", exif=camera_exif(), xmp=XMP)
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        assert pipeline.suggestions(image) == ("Mô tả từ máy ảnh", "EXIF Artist")
    buffer = io.BytesIO()
    photo_like((64, 48)).save(buffer, "JPEG", xmp=XMP)
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        assert pipeline.suggestions(image) == ("Cảng Lạch Huyện & tàu", "XMP Credit")


def test_png_text_chunks_and_its_profile_are_dropped(admin_client, settings):
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "COMMENT-SECRET")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    buffer = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo_like((400, 300)).convert("RGBA").save(buffer, "PNG", pnginfo=text, icc_profile=icc)
    assert upload(admin_client, "ban-do.png", buffer.getvalue()).status_code == 302
    photo = Photo.objects.get()
    assert (photo.format, photo.image.name[-4:]) == ("PNG", ".png")
    for name in every_name(photo):
        with default_storage.open(name) as file:
            assert_no_metadata(file.read())


@pytest.mark.parametrize("orientation, turned", [(6, Image.Transpose.ROTATE_270), (8, Image.Transpose.ROTATE_90)])
def test_orientation_is_applied_to_the_pixels(admin_client, orientation, turned):
    # A tall picture, red on top and blue below, that the camera says to show turned: it comes out wide.
    tall = Image.new("RGB", (300, 600), (220, 20, 20))
    tall.paste((20, 20, 220), (0, 300, 300, 600))
    assert upload(admin_client, "doc.jpg", camera_jpeg(image=tall, orientation=orientation)).status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (600, 300)
    expected = tall.transpose(turned)
    with default_storage.open(photo.image.name) as file, Image.open(file) as master:
        assert master.size == (600, 300)
        for point in [(100, 150), (500, 150)]:
            assert _close(master.getpixel(point), expected.getpixel(point))
        assert 0x0112 not in master.getexif()


def _close(color, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(color, expected, strict=True))


def test_the_stored_name_and_type_follow_the_content_not_the_upload(admin_client, client):
    assert upload(admin_client, "x.pdf", camera_jpeg(size=(64, 48)), caption="Đề án đào tạo").status_code == 302
    photo = Photo.objects.get()
    assert photo.original_filename == "x.pdf"
    assert re.fullmatch(r"photos/\d{4}/\d{2}/de-an-dao-tao-[a-z2-9]{12}\.jpg", photo.image.name)
    response = client.get(photo.image.url)
    assert response["Content-Type"] == "image/jpeg"


def test_a_webp_upload_named_jpg_is_stored_as_webp(admin_client):
    buffer = io.BytesIO()
    photo_like((200, 100)).save(buffer, "WEBP", exif=camera_exif(), xmp=XMP)
    assert upload(admin_client, "anh.jpg", buffer.getvalue()).status_code == 302
    photo = Photo.objects.get()
    assert (photo.format, photo.image.name.rsplit(".", 1)[1]) == ("WEBP", "webp")
    for name in every_name(photo):
        with default_storage.open(name) as file:
            assert_no_metadata(file.read())


# Refused uploads ------------------------------------------------------------------------


def _django(field, code):
    return str(field.default_error_messages[code])


def _bomb():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _cut_jpeg():
    data = camera_jpeg(size=(640, 480))
    return data[: len(data) // 2]


def _png_with_a_page():
    buffer = io.BytesIO()
    photo_like((64, 48)).save(buffer, "PNG")
    return buffer.getvalue() + b"<html><body><script>alert(document.cookie)</script></body></html>"


REFUSED = {
    # 100 megapixels in a few kilobytes: refused from the header (Django's own check lets it through).
    "decompression bomb": (
        "bom.png",
        _bomb,
        lambda: (
            _("This image is %(width)d×%(height)d pixels, more than the limit of %(limit)g megapixels.")
            % {"width": 10_000, "height": 10_000, "limit": 64}
        ),
    ),
    # Django's ImageField refuses what Pillow cannot open at all, before the model's checks.
    "SVG with a script": (
        "ve.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        lambda: _django(ImageField, "invalid_image"),
    ),
    "PNG renamed .jpg with HTML after it": (
        "anh.jpg",
        _png_with_a_page,
        lambda: str(POLYGLOT),
    ),
    "empty file": ("rong.jpg", lambda: b"", lambda: _django(FileField, "empty")),
    "truncated JPEG": (
        "nua.jpg",
        _cut_jpeg,
        lambda: str(UNREADABLE),
    ),
    "GIF": ("dong.gif", lambda: _gif(), lambda: str(NOT_A_PHOTO)),
}


def _gif():
    buffer = io.BytesIO()
    photo_like((64, 48)).convert("P").save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("kind", REFUSED)
def test_refused_uploads_say_why_and_save_nothing(admin_client, settings, kind):
    name, content, message = REFUSED[kind]
    with translation.override("vi"):
        response = upload(admin_client, name, content(), caption="Ảnh thử")
        expected = message()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"image": [expected]}
    assert not Photo.objects.exists()
    assert stored_files(settings) == set()


def test_a_file_over_the_size_limit_is_refused(admin_client, settings):
    data = camera_jpeg(size=(64, 48))
    settings.PHOTO_MAX_BYTES = len(data) - 1
    response = upload(admin_client, "lon.jpg", data)
    assert response.status_code == 200
    sizes = {"size": filesizeformat(len(data)), "limit": filesizeformat(len(data) - 1)}
    expected = _("This file is %(size)s, more than the limit of %(limit)s.") % sizes
    assert response.context["adminform"].form.errors == {"image": [expected]}
    assert not Photo.objects.exists()
    assert stored_files(settings) == set()


# Renditions and crops -------------------------------------------------------------------


def _aspect_ok(width, height, aspect_w, aspect_h):
    return abs(height - width * aspect_h / aspect_w) <= 1


@pytest.mark.parametrize("size", [(2400, 1600), (700, 1000), (500, 400), (120, 90)])
def test_every_width_and_crop_in_every_format_is_stored_never_wider_than_the_master(size):
    buffer = io.BytesIO()
    photo_like(size).save(buffer, "JPEG")
    photo = make_photo(image=SimpleUploadedFile("a.jpg", buffer.getvalue()))
    width, height = size
    kinds = {
        "w": (width, height, WIDTHS, FORMATS),
        **{kind: (*spec[:2], spec[2], spec[3]) for kind, spec in CROPS.items()},
    }
    assert set(photo.renditions) == {"focal", *kinds}
    for kind, (aspect_w, aspect_h, widths, formats) in kinds.items():
        crop_w = (
            width
            if kind == "w"
            else pipeline.focal_crop(size, aspect_w / aspect_h, 0.5, 0.5)[2]
            - pipeline.focal_crop(size, aspect_w / aspect_h, 0.5, 0.5)[0]
        )
        expected_widths = [w for w in widths if w <= crop_w] or [crop_w]
        assert set(photo.renditions[kind]) == set(formats)
        for fmt in formats:
            entries = photo.renditions[kind][fmt]
            assert [entry[0] for entry in entries] == expected_widths
            for rendition in photo.rendition_list(kind, fmt):
                assert rendition.width <= width
                assert _aspect_ok(rendition.width, rendition.height, aspect_w, aspect_h)
                with default_storage.open(rendition.name) as file, Image.open(file) as image:
                    assert image.size == (rendition.width, rendition.height)
                    assert image.format == {"jpeg": "JPEG", "webp": "WEBP"}[fmt]
    share = photo.rendition("share", "jpeg", 1200)
    if width >= 1200:
        assert (share.width, share.height) == (1200, 630)


def test_the_focal_point_moves_the_crops_and_the_old_crops_go_after_commit(django_capture_on_commit_callbacks):
    # Red on the left third, blue on the right third.
    image = Image.new("RGB", (1600, 900), (128, 128, 128))
    image.paste((220, 20, 20), (0, 0, 500, 900))
    image.paste((20, 20, 220), (1100, 0, 1600, 900))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    photo = make_photo(image=SimpleUploadedFile("a.jpg", buffer.getvalue()), focal_x=0.0)

    def square_centre():
        with default_storage.open(photo.rendition("square", "jpeg", 320).name) as file, Image.open(file) as crop:
            return crop.getpixel((crop.width // 2, crop.height // 2))

    assert _close(square_centre(), (220, 20, 20))
    whole = photo.renditions["w"]
    old_square = photo.rendition("square", "jpeg", 320).name
    photo.focal_x = 1.0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        photo.save()
        assert default_storage.exists(old_square)  # until the commit
    assert callbacks
    photo.refresh_from_db()
    assert _close(square_centre(), (20, 20, 220))
    assert photo.renditions["focal"] == [1.0, 0.5]
    assert photo.renditions["w"] == whole  # the whole picture does not depend on the focal point
    assert not default_storage.exists(old_square)
    assert set(every_name(photo)) == {
        str(p.relative_to(default_storage.location)) for p in Path(default_storage.location).rglob("*") if p.is_file()
    }


def test_replacing_the_file_deletes_the_old_files_after_commit(settings, django_capture_on_commit_callbacks):
    photo = make_photo()
    old = set(every_name(photo))
    photo.image = SimpleUploadedFile("moi.png", _png(), "image/png")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo.save()
    assert old < stored_files(settings) | old
    assert old <= stored_files(settings)  # nothing deleted before the commit
    for callback in callbacks:
        callback()
    photo.refresh_from_db()
    assert photo.format == "PNG"
    assert stored_files(settings) == set(every_name(photo))
    assert not old & stored_files(settings)


def _png(size=(300, 200)):
    buffer = io.BytesIO()
    photo_like(size).save(buffer, "PNG")
    return buffer.getvalue()


def test_deleting_the_photo_deletes_all_its_files(settings, django_capture_on_commit_callbacks):
    photo = make_photo()
    other = make_photo()
    assert len(every_name(photo)) == 8  # the master, 7 renditions
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert stored_files(settings) == set(every_name(other))


def test_a_storage_failure_while_making_renditions_leaves_no_file(settings, monkeypatch):
    real_save = FileSystemStorage._save

    def fail_on_the_square(self, name, content):
        if "/square-" in name:
            raise PermissionError(13, "Permission denied")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", fail_on_the_square)
    with pytest.raises(PermissionError), pipeline.removed_on_failure() as stored:
        make_photo()
    assert any("/w-" in name for name in stored)  # the master and the widths came before the square crops
    assert stored_files(settings) == set()


def test_a_readers_page_never_asks_the_storage_anything(client, monkeypatch):
    photo = make_photo(alt_text="Tàu vào cảng")
    article = make_article(featured_photo=photo, body=f'<figure><img src="{photo.get_absolute_url()}"></figure>')

    def refuse(*args, **kwargs):
        raise AssertionError("a reader's request touched the storage")

    for method in ["exists", "open", "size", "listdir", "save", "get_modified_time"]:
        monkeypatch.setattr(FileSystemStorage, method, refuse)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert photo.rendition("w", "webp", 64).url in response.content.decode()
