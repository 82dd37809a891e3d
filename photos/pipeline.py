"""What happens to a photo file on its way in: a clean master, then every rendition and crop, at save time.

- clean_upload(): the upload (already checked by photos.images) is decoded once, turned upright by its EXIF
  orientation, converted to sRGB, and encoded again with no metadata at all (no EXIF, GPS, XMP, IPTC, maker
  notes, comments, PNG text or ICC profile). That clean master is what the storage keeps, under a name the
  project makes (photos/storage.py), in the format its content calls for. Caption and credit found in the
  file become suggestions on the row, never served bytes.
- make_renditions(): the widths and crops of photos/renditions.py, in WebP and JPEG, written through the
  storage API (never a path: an S3-compatible storage works unchanged) and recorded on the row, so reader
  pages need no storage call. Widths are never wider than the picture. They are made from the clean master
  still in memory after an upload; from a stored JPEG master, libjpeg decodes it at the smallest scale the
  widest rendition allows (draft mode). Each size is resized from the one above it, not from the master.
- Files a photo no longer uses (a replaced master, old renditions) are deleted once the transaction
  commits; files stored for a transaction that fails are the caller's to remove, and track_stored() lists
  them (the importer uses it).
"""

import contextlib
import contextvars
import html
import io
import logging
import math
import re
import warnings

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageCms, ImageOps, IptcImagePlugin

from newsroom import pagecache

from .renditions import CROPS, FORMATS, WIDTHS
from .storage import master_name, rendition_name

logger = logging.getLogger(__name__)

# The master is the source of every later rendition, not what readers download: high quality, quick to write.
MASTER_QUALITY = {"JPEG": 92, "WEBP": 92, "AVIF": 85}
RENDITION_QUALITY = {"jpeg": 82, "webp": 80}
# libwebp's effort (its default): 2 would save a third of the time at 9 % more bytes for every reader.
WEBP_METHOD = 4
PIL_FORMAT = {"jpeg": "JPEG", "webp": "WEBP"}
# What a stored master may be; a file of another format stored by older code (a GIF) becomes a PNG.
MASTER_FORMATS = {"JPEG", "PNG", "WEBP", "AVIF"}
_SRGB = ImageCms.createProfile("sRGB")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)

_trackers = contextvars.ContextVar("photo_files_stored", default=())


class PhotoFileError(Exception):
    """A stored photo file that cannot be read or decoded."""


@contextlib.contextmanager
def track_stored():
    """Collects the name of every file the pipeline stores inside the block, for a caller that may have to
    remove them (a rolled-back transaction takes back rows, not stored files)."""
    names = []
    token = _trackers.set((*_trackers.get(), names))
    try:
        yield names
    finally:
        _trackers.reset(token)


@contextlib.contextmanager
def removed_on_failure():
    """Files the pipeline stores inside the block are deleted again if the block raises (a rolled-back
    transaction takes back rows, not stored files); yields their names as track_stored() does."""
    with track_stored() as names:
        try:
            yield names
        except BaseException:
            for name in names:
                with contextlib.suppress(Exception):
                    default_storage.delete(name)
            raise


def _store(name, data):
    stored = default_storage.save(name, ContentFile(data))
    for names in _trackers.get():
        names.append(stored)
    return stored


# The master ------------------------------------------------------------------


def needs_cleaning(photo):
    """A file that has not been through clean_upload(): a new upload, a file stored some other way
    (FieldFile.save(), an older version of the project), never one this module wrote."""
    return bool(photo.image) and (not photo.image._committed or not photo.format)


def clean_upload(photo, *, strict=False):
    """Replace photo.image (a new upload, or a file stored without this pipeline) by its clean master, stored;
    fills width, height, format, file size, original file name and the suggestions. Files the photo no
    longer uses go once the transaction commits. A stored file that cannot be read is left as it is (logged),
    or raises PhotoFileError when `strict`."""
    upload = photo.image
    if not photo.original_filename:
        photo.original_filename = upload.name.rsplit("/", 1)[-1][:255]
    unused = _stored_files(photo)
    try:
        if upload._committed:
            unused.add(upload.name)
            source = default_storage.open(upload.name, "rb")
        else:
            source = upload.file
            source.seek(0)
        with source, _open(source) as image:
            fmt = "JPEG" if image.format == "MPO" else image.format
            photo.suggested_caption, photo.suggested_credit = suggestions(image)
            clean = upright_srgb(image)
    except _DECODE_ERRORS as error:
        if strict or not upload._committed:
            raise PhotoFileError(f"{upload.name}: {error}") from error
        logger.warning("Photo %s: its file %s cannot be read (%s); left as it is.", photo.pk, upload.name, error)
        return
    fmt = fmt if fmt in MASTER_FORMATS else "PNG"
    data = encode_master(clean, fmt)
    name = _store(master_name(photo, fmt), data)
    photo.image = name
    photo.width, photo.height = clean.size
    photo.format = fmt
    photo.file_size = len(data)
    photo.renditions = {}
    # make_renditions() starts from these pixels instead of decoding the master it has just written.
    photo._clean_master = clean
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
    icc = image.info.get("icc_profile")
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    image = ImageOps.exif_transpose(image)
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
        image.save(buffer, "PNG", compress_level=6)
    elif fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=MASTER_QUALITY["JPEG"])
    else:
        image.save(buffer, fmt, quality=MASTER_QUALITY[fmt])
    return buffer.getvalue()


def suggestions(image):
    """(caption, credit) written in the file by the camera or the agency (IPTC, then EXIF, then XMP), "" where
    there is none."""
    try:
        iptc = IptcImagePlugin.getiptcinfo(image) or {}
    except (OSError, SyntaxError, ValueError, IndexError, TypeError):
        iptc = {}

    def iptc_text(key):
        value = iptc.get(key)
        if isinstance(value, list):
            value = value[0] if value else b""
        return _text(value)

    try:
        exif = image.getexif()
    except (OSError, SyntaxError, ValueError):
        exif = {}
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    xmp = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else str(xmp)
    caption = (
        iptc_text((2, 120))  # Caption/Abstract
        or _text(exif.get(0x010E))  # ImageDescription
        or _xmp_text(xmp, "dc:description")
    )
    credit = (
        iptc_text((2, 110))  # Credit
        or iptc_text((2, 80))  # By-line
        or _text(exif.get(0x013B))  # Artist
        or _text(exif.get(0x8298))  # Copyright
        or _xmp_text(xmp, "photoshop:Credit")
        or _xmp_text(xmp, "dc:creator")
    )
    return caption[:2000], credit[:200]


def _xmp_text(xmp, name):
    """The first value of an XMP property, written as an element (with rdf:li items or not) or an attribute.
    Read with regular expressions: the packet is untrusted XML, and nothing here needs a parser."""
    if not xmp:
        return ""
    element = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", xmp, re.DOTALL)
    if element:
        item = re.search(r"<rdf:li\b[^>]*>(.*?)</rdf:li>", element[1], re.DOTALL)
        return _text(html.unescape(re.sub(r"<[^>]*>", "", item[1] if item else element[1])))
    attribute = re.search(rf'\b{name}="([^"]*)"', xmp)
    return _text(html.unescape(attribute[1])) if attribute else ""


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
    elif isinstance(value, str) and not value.isascii():
        # Pillow reads EXIF's "ASCII" strings as Latin-1; the UTF-8 that tools write in them reads back here.
        with contextlib.suppress(UnicodeError):
            value = value.encode("latin-1").decode("utf-8")
    return " ".join(str(value or "").replace("\x00", " ").split())


# Renditions ------------------------------------------------------------------


def crops_outdated(photo):
    """True when the photo has renditions made for another focal point than its own."""
    made_for = photo.renditions.get("focal")
    return bool(photo.image) and bool(photo.renditions) and made_for != [photo.focal_x, photo.focal_y]


def plan(size, focal):
    """What photos/renditions.py calls for from a master of `size` with focal point `focal`:
    {kind: (box in the master, formats, [(width, height), ...] narrowest first)}. Never wider than the box."""
    width, height = size
    whole = [(w, max(1, round(height * w / width))) for w in _fitting(WIDTHS, width)]
    planned = {"w": ((0, 0, width, height), FORMATS, whole)}
    for kind, (aspect_w, aspect_h, widths, formats) in CROPS.items():
        box = focal_crop(size, aspect_w / aspect_h, *focal)
        crop_w, crop_h = box[2] - box[0], box[3] - box[1]
        sizes = [(w, max(1, min(crop_h, round(w * aspect_h / aspect_w)))) for w in _fitting(widths, crop_w)]
        planned[kind] = (box, formats, sizes)
    return planned


def _fitting(widths, available):
    """The widths a picture `available` pixels wide can give without upscaling; its own width if none."""
    return [w for w in widths if w <= available] or [available]


def recorded_matches_plan(photo):
    """True when the row records exactly the renditions the current photos/renditions.py calls for."""
    if not photo.format or not photo.width or not photo.height:
        return False
    if photo.renditions.get("focal") != [photo.focal_x, photo.focal_y]:
        return False
    for kind, (_box, formats, sizes) in plan((photo.width, photo.height), (photo.focal_x, photo.focal_y)).items():
        recorded = photo.renditions.get(kind, {})
        if set(recorded) != set(formats):
            return False
        for fmt in formats:
            if [(entry[0], entry[1]) for entry in recorded[fmt]] != sizes:
                return False
            if any(len(entry) != 4 for entry in recorded[fmt]):
                return False  # recorded before byte sizes were: a rebuild records them
    kinds = {kind for kind in photo.renditions if kind != "focal"}
    return kinds == {"w", *CROPS}


def make_renditions(photo, *, reuse=True):
    """Make and store every rendition and crop of the photo's master, and record them on its row.

    With `reuse`, a kind already recorded under the very names this master and focal point give is kept
    (moving the focal point remakes the crops, not the whole-picture widths). Files stored before a failure
    are removed before the error goes on.
    """
    from .models import Photo

    focal = (photo.focal_x, photo.focal_y)
    image, full_size = _master_pixels(photo)
    planned = plan(full_size, focal)
    # A box filter by a whole factor first (cheap), to no less than the widest rendition needs: every crop
    # and width is then resized from a quarter of the pixels, or fewer.
    factor = int(image.width / (full_size[0] * _scale_needed(planned)))
    if factor >= 2:
        image = image.reduce(factor)
    old = dict(photo.renditions)
    renditions = {"focal": list(focal)}
    made = []
    try:
        for kind, (box, formats, sizes) in planned.items():
            names = {
                (fmt, w): rendition_name(photo.image.name, kind, w, fmt, focal) for fmt in formats for w, _ in sizes
            }
            kept = old.get(kind, {})
            expected = {fmt: [[w, h, names[fmt, w]] for w, h in sizes] for fmt in formats}
            # Kept only when each entry records its byte size too (rows from before sizes were get them now).
            recorded = {fmt: [entry[:3] for entry in entries if len(entry) == 4] for fmt, entries in kept.items()}
            if reuse and recorded == expected:
                renditions[kind] = kept
                continue
            renditions[kind] = _sized(image, _scaled_box(box, image.size, full_size), sizes, formats, names, made)
    except BaseException:
        for name in made:
            with contextlib.suppress(Exception):
                default_storage.delete(name)
        raise
    Photo.objects.filter(pk=photo.pk).update(renditions=renditions)
    photo.renditions = renditions
    # An update() sends no post_save: the bodies drawn with this photo are drawn again with the new files, and
    # the pages showing it name them once this commits.
    from articles import pages

    pages.for_photos([photo.pk])
    pagecache.bump_on_commit()
    stale = _rendition_names(old) - _rendition_names(renditions)
    if stale:
        delete_after_commit(stale)


def _master_pixels(photo):
    """(pixels to make renditions from, the master's full size). After clean_upload() those are the clean
    master's own; else the stored master is decoded, a JPEG at the smallest scale libjpeg offers that still
    covers the widest rendition of every kind."""
    clean = photo.__dict__.pop("_clean_master", None)
    if clean is not None:
        return clean, clean.size
    try:
        with default_storage.open(photo.image.name, "rb") as file, _open(file) as opened:
            full_size = opened.size
            if opened.format == "JPEG":
                scale = _scale_needed(plan(full_size, (photo.focal_x, photo.focal_y)))
                opened.draft("RGB", (math.ceil(full_size[0] * scale), math.ceil(full_size[1] * scale)))
            opened.load()
            image = opened.convert("RGBA" if "A" in opened.mode else "RGB")
    except _DECODE_ERRORS as error:
        raise PhotoFileError(f"{photo.image.name}: {error}") from error
    image.info = {}
    return image, full_size


def _scale_needed(planned):
    return min(1.0, max(sizes[-1][0] / (box[2] - box[0]) for box, _formats, sizes in planned.values()))


def _scaled_box(box, size, full_size):
    if size == full_size:
        return box
    sx, sy = size[0] / full_size[0], size[1] / full_size[1]
    left, top, right, bottom = box
    return (round(left * sx), round(top * sy), min(size[0], round(right * sx)), min(size[1], round(bottom * sy)))


def _sized(image, box, sizes, formats, names, made):
    """The region `box` of `image` at each size, widest first, each resized from the one before it."""
    region = image.crop(box) if box != (0, 0, *image.size) else image
    recorded = {fmt: [] for fmt in formats}
    for width, height in reversed(sizes):
        if region.size != (width, height):
            region = region.resize((width, height), Image.Resampling.LANCZOS)
        for fmt in formats:
            name, size = _save_rendition(region, names[fmt, width], fmt)
            made.append(name)
            recorded[fmt].insert(0, [width, height, name, size])
    return recorded


def _save_rendition(image, name, fmt):
    buffer = io.BytesIO()
    if fmt == "jpeg":
        if image.mode == "RGBA":
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(buffer, "JPEG", quality=RENDITION_QUALITY[fmt], optimize=True, progressive=True)
    else:
        image.save(buffer, PIL_FORMAT[fmt], quality=RENDITION_QUALITY[fmt], method=WEBP_METHOD)
    # A rebuild never writes over the files the row records: the storage gives the new one a free name, and the
    # old one goes after the commit, so a rebuild that fails halfway leaves the photo as it was.
    data = buffer.getvalue()
    return _store(name, data), len(data)


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


# Rebuilding --------------------------------------------------------------------


def rebuild(photo):
    """A stored photo made again: a file stored by older code (no format recorded) becomes a clean master,
    then every rendition is made anew. Raises PhotoFileError when its file cannot be read."""
    if needs_cleaning(photo):
        clean_upload(photo, strict=True)
        photo.save()
    make_renditions(photo, reuse=False)


def files_missing(photo):
    """Stored names the row records that the storage does not have (asks the storage once per file)."""
    return sorted(name for name in all_files(photo) if not default_storage.exists(name))


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
