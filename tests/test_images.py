"""photos.images: image files judged by their bytes, the same on every way in (admin upload, importer)."""

import io

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from photos.images import ImageRefused, inspect_image

NOT_A_PHOTO = "This file is not a JPEG, PNG, WebP or AVIF image."
UNREADABLE = "This file is not a readable image (it may be damaged or incomplete)."
POLYGLOT = (
    "This file carries other data after the end of its image. Save the picture again as a plain JPEG, PNG, "
    "WebP or AVIF file and send that."
)


def _bytes(fmt, size=(64, 48), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, fmt)
    return buffer.getvalue()


def _noise(fmt, size=(400, 300), **options):
    buffer = io.BytesIO()
    # Noise, so that the image data is large and a cut falls inside it.
    Image.effect_noise(size, 80).convert("RGB").save(buffer, fmt, **options)
    return buffer.getvalue()


def refusal(data):
    with pytest.raises(ImageRefused) as refused:
        inspect_image(io.BytesIO(data))
    return str(refused.value.reason)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "AVIF"])
def test_accepted_formats_give_their_format_and_size(fmt):
    info = inspect_image(io.BytesIO(_bytes(fmt)))
    assert (info.format, info.width, info.height) == (fmt, 64, 48)


def test_a_path_works_like_an_open_file(tmp_path):
    path = tmp_path / "anh.png"
    path.write_bytes(_bytes("PNG"))
    assert inspect_image(path).format == "PNG"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_the_file_is_rewound_for_whoever_stores_it_next(fmt):
    data = io.BytesIO(_bytes(fmt))
    inspect_image(data)
    assert data.tell() == 0


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"<!doctype html><script>alert(1)</script>",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        _bytes("GIF"),
        _bytes("BMP"),
        _bytes("TIFF"),
        _bytes("ICO"),
        _bytes("PPM"),
    ],
    ids=["svg", "html", "pdf", "gif", "bmp", "tiff", "ico", "ppm"],
)
def test_what_is_not_a_photo_is_refused_whatever_its_name(data):
    assert refusal(data) == _(NOT_A_PHOTO)


def test_an_empty_file_is_refused_as_empty():
    assert refusal(b"") == _("This file is empty.")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "AVIF"])
def test_a_file_cut_off_halfway_is_refused(fmt):
    whole = _noise(fmt)
    assert refusal(whole[: len(whole) // 2]) == _(UNREADABLE)


def test_a_progressive_jpeg_cut_off_between_its_scans_is_refused():
    whole = _noise("JPEG", progressive=True)
    assert inspect_image(io.BytesIO(whole)).format == "JPEG"
    assert refusal(whole[: len(whole) * 3 // 4]) == _(UNREADABLE)


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "AVIF"])
@pytest.mark.parametrize(
    "tail", [HTML, b"PK\x03\x04" + b"\x00" * 30, b"\x00" * 7 + HTML], ids=["html", "zip", "nul-html"]
)
def test_data_after_the_end_of_the_image_is_refused(fmt, tail):
    assert refusal(_noise(fmt, size=(64, 48)) + tail) == _(POLYGLOT)


def test_a_png_renamed_jpg_with_a_page_after_it_is_refused(tmp_path):
    path = tmp_path / "anh.jpg"
    path.write_bytes(_bytes("PNG") + HTML)
    with pytest.raises(ImageRefused) as refused:
        inspect_image(path)
    assert str(refused.value.reason) == _(POLYGLOT)


def test_a_jpeg_may_end_with_padding_or_further_jpeg_images():
    image = Image.effect_noise((64, 48), 80).convert("RGB")
    buffer = io.BytesIO()
    # MPF, as cameras and phones write it: a second JPEG (a preview, a gain map) after the first one's end.
    image.save(buffer, "MPO", save_all=True, append_images=[image.resize((32, 24))])
    info = inspect_image(io.BytesIO(buffer.getvalue()))
    assert (info.format, info.width, info.height) == ("JPEG", 64, 48)
    assert inspect_image(io.BytesIO(_noise("JPEG") + b"\x00" * 512)).format == "JPEG"
    assert inspect_image(io.BytesIO(_noise("JPEG") + b"\xff" * 16)).format == "JPEG"
    # …but not a JPEG followed by something else after the embedded one.
    assert refusal(buffer.getvalue() + HTML) == _(POLYGLOT)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    data = _noise("PNG")
    settings.PHOTO_MAX_BYTES = len(data) - 1

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read although too large")

    with pytest.raises(ImageRefused) as refused:
        inspect_image(Unreadable(data))
    sizes = {"size": filesizeformat(len(data)), "limit": filesizeformat(len(data) - 1)}
    assert str(refused.value.reason) == _("This file is %(size)s, more than the limit of %(limit)s.") % sizes
    settings.PHOTO_MAX_BYTES = len(data)
    assert inspect_image(io.BytesIO(data)).format == "PNG"


def test_an_open_file_is_read_from_where_it_stands_and_left_there():
    data = io.BytesIO(b"prefix" + _bytes("JPEG"))
    data.seek(6)
    assert inspect_image(data).format == "JPEG"
    assert data.tell() == 6


def test_more_pixels_than_the_limit_is_refused_before_decoding(settings):
    settings.PHOTO_MAX_PIXELS = 10_000
    with pytest.raises(ImageRefused, match="101×100"):
        inspect_image(io.BytesIO(_bytes("PNG", size=(101, 100))))
    assert inspect_image(io.BytesIO(_bytes("PNG", size=(100, 100)))).width == 100


def test_a_decompression_bomb_is_refused_from_its_header():
    # 1-bit, 20000×20000: 400 megapixels that compress to a few kilobytes.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(ImageRefused, match="megapixel"):
        inspect_image(io.BytesIO(buffer.getvalue()))
