"""Importing articles from the newsroom's plain-text format (DESIGN §7).

`parse()` turns a file's lines into a ParsedArticle, or raises ImportFailed with
the line at fault. `Importer.import_file()` saves one parsed file in one
transaction: the article, its author, its photos and the organisations it names.
Everything that can be wrong with a file is found before anything is written.
"""

import codecs
import re
import zoneinfo
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.html import format_html
from PIL import Image

from .body import photo_ids
from .models import Article, ArticleAuthor, Author, Organization, Photo
from .text import collapse_spaces, fold

VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}

# Editors count lines at \n, \r\n and \r only; str.splitlines() would also split
# at form feeds and U+2028 and shift every line number after them.
_NEWLINE = re.compile(r"\r\n|\r|\n")
# No spaces or path separators: a sentence ending in ".jpg" is prose, and a
# name must never reach outside the images folder.
_IMAGE_NAME = re.compile(r"[^\s/\\]+\.(?:jpe?g|png|webp|gif)", re.IGNORECASE)
_DATELINE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})")
_DATE_LIKE = re.compile(r"(?=.*\d)[\d/.:,\- ]+")
# Only the forms Vietnamese papers use at the very end of a caption count as a
# credit: "… (Ảnh: Thu Hà)" or "…. Ảnh: Thu Hà". "Ảnh minh họa" has no colon and stays caption.
_CREDIT = re.compile(
    r"(?P<caption>.*?)\s*\((?P<credit>(?:ảnh|nguồn)\s*:\s*[^()]{1,80})\)"
    r"|(?P<caption2>.*[.!?…])\s+(?P<credit2>ảnh\s*:\s*[^.!?…()]{1,80})\.?",
    re.IGNORECASE,
)


class ImportFailed(Exception):
    """A file that cannot be imported; `line` (1-based) points at the fault when there is one."""

    def __init__(self, reason, line=None):
        super().__init__(reason)
        self.reason = reason
        self.line = line

    def where(self, path):
        """The error as `path:line: reason`, the form editors and their tools jump to."""
        return f"{path}:{self.line}: {self.reason}" if self.line else f"{path}: {self.reason}"


@dataclass(frozen=True)
class Paragraph:
    line: int
    text: str


@dataclass(frozen=True)
class Figure:
    line: int
    filename: str
    caption: str = ""
    credit: str = ""


@dataclass
class ParsedArticle:
    title: str
    title_line: int
    byline: str
    byline_line: int
    publish_at: datetime
    date_line: int
    lead: str = ""
    lead_line: int = 0
    body: list = field(default_factory=list)

    @property
    def figures(self):
        return [block for block in self.body if isinstance(block, Figure)]

    @property
    def text(self):
        """All the words of the story, where the organisations it names are looked for."""
        words = [block.text if isinstance(block, Paragraph) else block.caption for block in self.body]
        return "\n".join([self.title, self.lead, *words])


def read_lines(path):
    """The file's lines as (number, text) with spaces collapsed; unreadable files raise ImportFailed."""
    try:
        data = Path(path).read_bytes().removeprefix(codecs.BOM_UTF8)
    except OSError as error:
        raise ImportFailed((error.strerror or str(error)).lower()) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportFailed(f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8", line) from None
    lines = list(enumerate(_NEWLINE.split(text), start=1))
    # PostgreSQL refuses NUL in text; they mean a UTF-16 file or a binary one.
    for number, raw in lines:
        if "\x00" in raw:
            raise ImportFailed("NUL character: is this a UTF-16 or binary file? Save it as UTF-8 text", number)
    return [(number, collapse_spaces(raw)) for number, raw in lines]


def parse(lines):
    """A ParsedArticle from numbered lines, or ImportFailed naming the line at fault."""
    content = [(number, text) for number, text in lines if text]
    if not content:
        raise ImportFailed("empty file: expected a headline, a byline and a dateline", 1)
    (title_line, title), (byline_line, byline), (date_line, dateline) = _header(content)
    article = ParsedArticle(
        title=title,
        title_line=title_line,
        byline=byline,
        byline_line=byline_line,
        publish_at=parse_dateline(dateline, date_line),
        date_line=date_line,
    )
    blocks = _blocks(_without_signoff([entry for entry in lines if entry[0] > date_line], byline))
    lead = next((block for block in blocks if isinstance(block, Paragraph)), None)
    if lead is None and not blocks:
        raise ImportFailed("nothing after the dateline: expected the lead paragraph", date_line + 1)
    if lead is not None:
        article.lead, article.lead_line = lead.text, lead.line
    article.body = [block for block in blocks if block is not lead]
    return article


def _header(content):
    """Headline, byline and dateline: the first three non-empty lines, blank lines between or not."""
    expected = ["headline", "byline", "dateline (dd/mm/YYYY HH:MM)"]
    if len(content) < len(expected):
        missing = expected[len(content)]
        raise ImportFailed(f"missing {missing}: the file ends after line {content[-1][0]}", content[-1][0] + 1)
    header = content[:3]
    for (number, text), name in zip(header[:2], expected[:2], strict=True):
        if _DATE_LIKE.fullmatch(text):
            raise ImportFailed(f"missing {name}: found a date {text!r} where the {name} should be", number)
    return header


def parse_dateline(text, line):
    """The aware publication time of a `dd/mm/YYYY HH:MM` dateline, read as Vietnam time."""
    match = _DATELINE.fullmatch(text)
    if not match:
        raise ImportFailed(f"expected the dateline as dd/mm/YYYY HH:MM (Vietnam time), found {_quote(text)}", line)
    day, month, year, hour, minute = map(int, match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)
    except ValueError as error:
        raise ImportFailed(f"invalid dateline {text!r}: {error}", line) from None


def _without_signoff(lines, byline):
    """The lines without a last line repeating the byline: that is the reporter signing off."""
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i][1]), None)
    if last is not None and fold(lines[last][1]) == fold(byline):
        return lines[:last]
    return lines


def _blocks(lines):
    """Paragraphs (blank-line separated, lines of one paragraph joined) and figures, in order."""
    blocks, paragraph, pending = [], [], deque(lines)

    def end_paragraph():
        if paragraph:
            blocks.append(Paragraph(paragraph[0][0], " ".join(text for _, text in paragraph)))
            paragraph.clear()

    while pending:
        number, text = pending.popleft()
        if _IMAGE_NAME.fullmatch(text):
            end_paragraph()
            blocks.append(_figure(number, text, pending))
        elif text:
            paragraph.append((number, text))
        else:
            end_paragraph()
    end_paragraph()
    return blocks


def _figure(number, filename, pending):
    """The figure of an image line; its caption is the next non-empty line, unless that is another image."""
    while pending and not pending[0][1]:
        pending.popleft()
    if not pending or _IMAGE_NAME.fullmatch(pending[0][1]):
        return Figure(number, filename)
    caption, credit = split_credit(pending.popleft()[1])
    return Figure(number, filename, caption, credit)


def split_credit(caption):
    """(caption, credit) when the caption ends with a credit written as papers write it, else (caption, "")."""
    match = _CREDIT.fullmatch(caption)
    if not match:
        return caption, ""
    if match["credit"]:
        return match["caption"], match["credit"]
    return match["caption2"], match["credit2"]


def _quote(text, limit=60):
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def find_image(filename, text_path, images_dir=None):
    """(path, "") of a usable image file, else (None, why not). Looked for in images_dir, then beside the text."""
    folders = [Path(images_dir)] if images_dir else []
    candidates = [folder / filename for folder in [*folders, Path(text_path).parent]]
    path = next((candidate for candidate in candidates if candidate.is_file()), None)
    if path is None:
        return None, "not found"
    # Checked by content, not by name (DESIGN §9): a renamed PDF is not a photo.
    try:
        with Image.open(path) as image:
            image.verify()
            usable = image.format in IMAGE_FORMATS
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        usable = False
    return (path, "") if usable else (None, "not an image")


@dataclass
class ImportResult:
    article: Article
    created: bool
    photos: list
    missing: list  # (photo, reason) for photos saved without a file
    organizations: list


class Importer:
    """Imports text files one by one, each in its own transaction, with the options of one run."""

    def __init__(self, *, images_dir=None, section=None, status=None):
        self.images_dir = images_dir
        self.section = section
        self.status = status
        # Matched against every file of the run: fetched once, not once per file.
        self.organizations = list(Organization.objects.all())

    def import_file(self, path):
        parsed = parse(read_lines(path))
        images = {figure.filename: find_image(figure.filename, path, self.images_dir) for figure in parsed.figures}
        with transaction.atomic():
            return self._save(Path(path).name, parsed, images)

    def _save(self, import_key, parsed, images):
        article = Article.objects.select_for_update().filter(import_key=import_key).order_by("pk").first()
        created = article is None
        article = article or Article(import_key=import_key)
        author = self._author(parsed)
        photos = self._photos(article, parsed)
        self._fill(article, parsed, photos)
        _validate(article, _article_lines(parsed), parsed.title_line)
        article.save()
        article.bylines.all().delete()
        ArticleAuthor.objects.create(article=article, author=author, position=0)
        folded = fold(parsed.text)
        organizations = [org for org in self.organizations if org.mentioned_in(folded)]
        article.organizations.set(organizations)
        # Files go to storage last: a rollback removes rows but cannot take back a stored file.
        missing = _attach_files(photos, images)
        return ImportResult(article, created, list(photos.values()), missing, organizations)

    def _author(self, parsed):
        """The Author the byline names: exact spelling first, else one whose folded name matches, else a new one."""
        wanted = fold(parsed.byline)
        matches = [author for author in Author.objects.only("pk", "name") if fold(author.name) == wanted]
        exact = [author for author in matches if collapse_spaces(author.name) == parsed.byline]
        candidates = exact or matches
        if len(candidates) > 1:
            names = ", ".join(f"{author.name} (#{author.pk})" for author in candidates)
            raise ImportFailed(
                f"byline matches several authors: {names}; make their names distinct in the admin", parsed.byline_line
            )
        if candidates:
            return candidates[0]
        author = Author(name=parsed.byline)
        _validate(author, {}, parsed.byline_line)
        author.save()
        return author

    def _photos(self, article, parsed):
        """One saved Photo per image name, reusing the article's own photos of the same file name."""
        own = _own_photos(article)
        photos = {}
        for figure in parsed.figures:
            if figure.filename in photos:
                continue
            photo = own.get(figure.filename) or Photo(original_filename=figure.filename)
            photo.caption = figure.caption
            # The text carries no credit to erase: one an editor typed in the admin stays.
            photo.credit = figure.credit or photo.credit
            _validate(photo, {}, figure.line)
            photo.save()
            photos[figure.filename] = photo
        return photos

    def _fill(self, article, parsed, photos):
        # Read before the status changes: slug stability is about what readers may already have seen.
        once_public = article.status in Article.ONCE_PUBLIC
        if article.pk and not once_public and article.title != parsed.title:
            article.slug = ""  # a story never published follows its new title; save() makes the slug
        article.title = parsed.title
        article.lead = parsed.lead
        article.body = body_html(parsed.body, photos)
        article.publish_at = parsed.publish_at
        if photos:
            article.featured_photo = next(iter(photos.values()))
        if self.section:
            article.section = self.section
        if self.status:
            article.status = self.status


def body_html(blocks, photos):
    """Paragraphs as <p>, figures in the form articles/body.py redraws from the photo library."""
    parts = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts.append(format_html("<p>{}</p>", block.text))
        else:
            url = photos[block.filename].get_absolute_url()
            figure = '<figure><img src="{}" alt="{}"><figcaption>{}</figcaption></figure>'
            parts.append(format_html(figure, url, block.caption, block.caption))
    return "\n".join(parts)


def _own_photos(article):
    """The photos an article already shows (body and featured), by original file name."""
    if not article.pk:
        return {}
    ids = [*photo_ids(article.body), article.featured_photo_id]
    own = {}
    for photo in Photo.objects.filter(pk__in=[pk for pk in ids if pk]).order_by("pk"):
        own.setdefault(photo.original_filename, photo)
    return own


def _attach_files(photos, images):
    """Store the found files of photos that have none yet; (photo, reason) for those still without one."""
    missing = []
    for filename, photo in photos.items():
        # A file already there (from an earlier import or the admin) is kept: replace it in the admin.
        if photo.image:
            continue
        path, reason = images[filename]
        if path is None:
            missing.append((photo, reason))
            continue
        with path.open("rb") as handle:
            photo.image.save(filename, File(handle, name=filename))
    return missing


def _article_lines(parsed):
    first_body_line = parsed.body[0].line if parsed.body else parsed.date_line
    return {
        "title": parsed.title_line,
        "slug": parsed.title_line,
        "lead": parsed.lead_line or parsed.date_line,
        "body": first_body_line,
        "publish_at": parsed.date_line,
        "expire_at": parsed.date_line,
        NON_FIELD_ERRORS: parsed.date_line,  # the model's constraints are about dates
    }


def _validate(instance, lines, default_line):
    """full_clean(), its first error turned into ImportFailed at the line the field came from."""
    try:
        instance.full_clean()
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        label = "" if name == NON_FIELD_ERRORS else f"{name}: "
        raise ImportFailed(f"{label}{' '.join(messages)}", lines.get(name, default_line)) from None
