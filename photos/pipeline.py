"""What happens to a photo file on its way in: a clean master, then every rendition and crop, at save time.

- clean_upload(): the upload (already checked by photos.images) is decoded once, turned upright by its EXIF
  orientation, converted to sRGB, and encoded again with no metadata at all (no EXIF, GPS, XMP, IPTC, maker
  notes, comments or ICC profile). That clean master is what the storage keeps, under a name the project
  makes (photos/storage.py). Caption and credit found in the file become suggestions, never served bytes.
- make_renditions(): the widths and crops of photos/renditions.py, in WebP and JPEG, written through the
  storage API and recorded on the row, so reader pages need no file system or storage call.

Files a photo no longer uses (a replaced master, old renditions) are deleted once the transaction commits.
"""

import io
import logging
import warnings

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageCms, ImageOps, IptcImagePlugin

from .renditions import CROPS, FORMATS, WIDTHS
from .storage import master_name, rendition_name

logger = logging.getLogger(__name__)

MASTER_QUALITY = {"JPEG": 92, "WEBP": 92, "AVIF": 85}
RENDITION_QUALITY = {"jpeg": 82, "webp": 80}
PIL_FORMAT = {"jpeg": "JPEG", "webp": "WEBP"}
_SRGB = ImageCms.createProfile("sRGB")


# The master ------------------------------------------------------------------


def needs_cleaning(photo):
    """A file that has not been through clean_upload(): a new upload, a file stored some other way
    (FieldFile.save(), an older version of the project), never one this module wrote."""
    return bool(photo.image) and (not photo.image._committed or not photo.format)


def clean_upload(photo):
    """Replace photo.image (a new upload, or a file stored without this pipeline) by its clean master, stored;
    fills width, height, format, file size, original file name and the suggestions. Files the photo no
    longer uses go once the transaction commits. A stored file that cannot be read is left as it is."""
    upload = photo.image
    if not photo.original_filename:
        photo.original_filename = upload.name.rsplit("/", 1)[-1][:255]
    unused = _stored_files(photo)
    if upload._committed:
        unused.add(upload.name)
        try:
            source = default_storage.open(upload.name, "rb")
        except OSError:
            logger.warning("Photo %s: its file %s cannot be read; left as it is.", photo.pk, upload.name)
            return
    else:
        source = upload.file
        source.seek(0)
    with source, _open(source) as image:
        fmt = image.format
        photo.suggested_caption, photo.suggested_credit = suggestions(image)
        clean = upright_srgb(image)
    data = encode_master(clean, fmt)
    name = default_storage.save(master_name(photo, fmt), ContentFile(data))
    photo.image = name
    photo.width, photo.height = clean.size
    photo.format = fmt
    photo.file_size = len(data)
    photo.renditions = {}
    unused.discard(name)
    if unused:
        delete_after_commit(unused)


def _open(file):
    with warnings.catch_warnings():
        # photos.images has checked the pixel limit; Pillow's own warning would only be noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(file)


def upright_srgb(image):
    """The picture turned by its EXIF orientation, in sRGB, as RGB (or RGBA where it has transparency),
    carrying no metadata of any kind."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    icc = image.info.get("icc_profile")
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        image = image.point(lambda value: value / 256).convert("L")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode not in {"RGB", "RGBA", "CMYK", "L"}:
                image = image.convert(mode)
            image = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            logger.warning("Photo colour profile unreadable; colours kept as they are.")
    clean = image.convert(mode) if image.mode != mode else image.copy()
    clean.info = {}
    return clean


def encode_master(image, fmt):
    buffer = io.BytesIO()
    if fmt == "PNG":
        image.save(buffer, "PNG", optimize=True)
    elif fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=MASTER_QUALITY["JPEG"], optimize=True, progressive=True)
    else:
        image.save(buffer, fmt, quality=MASTER_QUALITY[fmt])
    return buffer.getvalue()


def suggestions(image):
    """(caption, credit) written in the file by the camera or the agency, "" where there is none."""
    caption = credit = ""
    try:
        iptc = IptcImagePlugin.getiptcinfo(image) or {}
    except (OSError, SyntaxError, ValueError, IndexError):
        iptc = {}

    def iptc_text(key):
        value = iptc.get(key)
        if isinstance(value, list):
            value = value[0] if value else b""
        return _text(value)

    caption = iptc_text((2, 120))
    credit = iptc_text((2, 110)) or iptc_text((2, 80))
    try:
        exif = image.getexif()
    except (OSError, SyntaxError, ValueError):
        exif = {}
    caption = caption or _text(exif.get(0x010E))  # ImageDescription
    credit = credit or _text(exif.get(0x013B)) or _text(exif.get(0x8298))  # Artist, Copyright
    return caption[:2000], credit[:200]


def _text(value):
    if isinstance(value, bytes):
        for encoding in ("utf-8", "cp1252"):
            try:
                value = value.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return ""
    return " ".join(str(value or "").replace("\x00", " ").split())


# Renditions ------------------------------------------------------------------


def crops_outdated(photo):
    """True when the photo has renditions made for another focal point than its own."""
    made_for = photo.renditions.get("focal")
    return bool(photo.image) and bool(photo.renditions) and made_for != [photo.focal_x, photo.focal_y]


def make_renditions(photo):
    """Make and store every rendition and crop of the photo's master, and record them on its row."""
    from .models import Photo

    old = _rendition_names(photo.renditions)
    with default_storage.open(photo.image.name, "rb") as file, _open(file) as opened:
        opened.load()
        master = opened.convert("RGBA" if opened.mode == "RGBA" else "RGB")
    renditions = {"focal": [photo.focal_x, photo.focal_y]}
    renditions["w"] = _sized(photo.image.name, "w", master, WIDTHS, FORMATS)
    for kind, (aspect_w, aspect_h, widths, formats) in CROPS.items():
        box = focal_crop(master.size, aspect_w / aspect_h, photo.focal_x, photo.focal_y)
        renditions[kind] = _sized(photo.image.name, kind, master.crop(box), widths, formats)
    Photo.objects.filter(pk=photo.pk).update(renditions=renditions)
    photo.renditions = renditions
    stale = old - _rendition_names(renditions)
    if stale:
        delete_after_commit(stale)


def _sized(master_name_, kind, image, widths, formats):
    """The picture at each width it is at least as wide as (at least one: its own width if it is narrower)."""
    fitting = [width for width in widths if width <= image.width] or [image.width]
    made = {fmt: [] for fmt in formats}
    source = image
    for width in sorted(fitting, reverse=True):
        height = max(1, round(image.height * width / image.width))
        source = source.resize((width, height), Image.Resampling.LANCZOS) if source.width != width else source
        for fmt in formats:
            name = _save_rendition(source, rendition_name(master_name_, kind, width, fmt), fmt)
            made[fmt].insert(0, [width, height, name])
    return made


def _save_rendition(image, name, fmt):
    buffer = io.BytesIO()
    if fmt == "jpeg":
        if image.mode == "RGBA":
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(buffer, "JPEG", quality=RENDITION_QUALITY[fmt], optimize=True, progressive=True)
    else:
        image.save(buffer, PIL_FORMAT[fmt], quality=RENDITION_QUALITY[fmt], method=4)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(buffer.getvalue()))


def focal_crop(size, aspect, focal_x, focal_y):
    """The largest box of the given aspect ratio inside `size`, centred on the focal point as far as it can be."""
    width, height = size
    if width / height > aspect:
        crop_w, crop_h = round(height * aspect), height
    else:
        crop_w, crop_h = width, round(width / aspect)
    crop_w, crop_h = max(1, min(crop_w, width)), max(1, min(crop_h, height))
    left = min(max(round(focal_x * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focal_y * height - crop_h / 2), 0), height - crop_h)
    return (left, top, left + crop_w, top + crop_h)


# Files that go -----------------------------------------------------------------


def _rendition_names(renditions):
    return {
        entry[2]
        for kind, by_format in renditions.items()
        if isinstance(by_format, dict)
        for entries in by_format.values()
        for entry in entries
    }


def all_files(photo):
    """Every stored name a photo uses: its master and its renditions."""
    return ({photo.image.name} if photo.image else set()) | _rendition_names(photo.renditions)


def _stored_files(photo):
    if photo.pk is None:
        return set()
    from .models import Photo

    stored = Photo.objects.filter(pk=photo.pk).values("image", "renditions").first()
    if not stored:
        return set()
    return ({stored["image"]} if stored["image"] else set()) | _rendition_names(stored["renditions"] or {})


def delete_after_commit(names):
    names = sorted(names)

    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("Could not delete the photo file %s.", name)

    transaction.on_commit(delete)
