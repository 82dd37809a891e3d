"""photos.images: image files judged by their bytes, the same on every way in (admin upload, importer)."""

import io

import pytest
from PIL import Image

from photos.images import ImageRefused, inspect_image


def _bytes(fmt, size=(64, 48), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
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
        b"",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"<!doctype html><script>alert(1)</script>",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        _bytes("BMP"),
        _bytes("TIFF"),
    ],
    ids=["empty", "svg", "html", "pdf", "bmp", "tiff"],
)
def test_what_is_not_a_photo_is_refused_whatever_its_name(data):
    with pytest.raises(ImageRefused):
        inspect_image(io.BytesIO(data))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_a_file_cut_off_halfway_is_refused(fmt):
    whole = _bytes(fmt, size=(400, 300), mode="RGB" if fmt != "GIF" else "P")
    # Noise, so that the image data is large and the cut falls inside it.
    image = Image.effect_noise((400, 300), 80).convert("RGB" if fmt != "GIF" else "P")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    whole = buffer.getvalue()
    with pytest.raises(ImageRefused, match="Không đọc được ảnh"):
        inspect_image(io.BytesIO(whole[: len(whole) // 2]))


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
