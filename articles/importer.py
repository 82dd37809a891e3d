"""Importing articles from the newsroom's plain-text format (docs/architecture.md, "The import format").

`read_lines()` reads a file no larger than settings.IMPORT_MAX_BYTES; `parse()`
turns its lines into a ParsedArticle, or raises ImportFailed with the line at
fault. `Importer.import_file()` saves one parsed file in one transaction: the
article, its authors, its photos and the organisations it names. Everything that
can be wrong with a file is found before anything is written, and a file whose
photos cannot be stored leaves nothing behind, neither rows nor stored files.
"""

import codecs
import os
import re
import zoneinfo
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import reversion
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from photos import pipeline
from photos.images import ImageRefused, inspect_image
from photos.models import Photo

from .body import photo_ids
from .models import Article, ArticleAuthor, Author, Organization
from .text import collapse_spaces, fold

VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# Editors count lines at \n, \r\n and \r only; str.splitlines() would also split
# at form feeds and U+2028 and shift every line number after them.
_NEWLINE = re.compile(r"\r\n|\r|\n")
# No spaces or path separators: a sentence ending in ".jpg" is prose, and a
# name must never reach outside the images folder.
_IMAGE_NAME = re.compile(r"[^\s/\\]+\.(?:jpe?g|png|webp|avif|gif)", re.IGNORECASE)
_DATELINE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})")
_DATE_LIKE = re.compile(r"(?=.*\d)[\d/.:,\- ]+")
# Block markers at the start of a line. Dialogue in Vietnamese prose starts with "- " or "– ", so dashes are
# never a marker: those lines stay paragraphs. "* * *" (a scene break) is not a list item either.
_HEADING = re.compile(r"(#{2,3}) (\S.*)")
_QUOTE = re.compile(r"> (\S.*)")
_BULLET = re.compile(r"\* (?![*\s]*$)(\S.*)")
_NUMBERED = re.compile(r"(\d{1,2})\. (\S.*)")
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
class Heading:
    line: int
    text: str
    level: int = 2


@dataclass(frozen=True)
class Quote:
    line: int
    text: str


@dataclass(frozen=True)
class ItemList:
    line: int
    items: tuple
    ordered: bool = False
    start: int = 1


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
    publish_at: datetime | None
    date_line: int
    lead: str = ""
    lead_line: int = 0
    # A photo line before any body text: the story's featured photo, shown above the body, not in it.
    featured: Figure | None = None
    body: list = field(default_factory=list)

    @property
    def figures(self):
        """Every photo of the story, the featured one first."""
        body_figures = [block for block in self.body if isinstance(block, Figure)]
        return [self.featured, *body_figures] if self.featured else body_figures

    @property
    def text(self):
        """All the words of the story, where the organisations it names are looked for."""
        words = [self.featured.caption] if self.featured else []
        for block in self.body:
            if isinstance(block, ItemList):
                words.extend(block.items)
            else:
                words.append(block.caption if isinstance(block, Figure) else block.text)
        return "\n".join([self.title, self.lead, *words])


def read_lines(path):
    """The file's lines as (number, text) with spaces collapsed; unreadable files raise ImportFailed."""
    data = _read_bytes(path, settings.IMPORT_MAX_BYTES).removeprefix(codecs.BOM_UTF8)
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


def _read_bytes(path, limit):
    """The file's bytes, refused before they are read when there are more than `limit`.

    The size on disk is checked first; the read itself stops after limit + 1 bytes,
    because a pipe or a device (/dev/zero) reports no size and may never end.
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise ImportFailed(f"too large ({size} bytes; the limit is {limit})")
            data = handle.read(limit + 1)
    except OSError as error:
        raise ImportFailed(_os_reason(error)) from None
    if len(data) > limit:
        raise ImportFailed(f"too large (more than {limit} bytes; the limit is {limit})")
    return data


def _os_reason(error):
    return (error.strerror or str(error)).lower() if isinstance(error, OSError) else str(error) or type(error).__name__


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
    body = [block for block in blocks if block is not lead]
    if body and isinstance(body[0], Figure):
        article.featured, body = body[0], body[1:]
    article.body = body
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
    """Body blocks in order: paragraphs, headings, quotes, lists and figures.

    A blank line ends a block. Lines of one paragraph are joined; a line that starts
    with a marker ("## ", "### ", "> ", "* ", "1. ") starts a block of its kind, and
    the plain lines after it continue that block (a heading is always one line).
    """
    blocks, current, pending = [], None, deque(lines)

    def end_block():
        nonlocal current
        if current:
            blocks.append(_finish(current))
            current = None

    while pending:
        number, text = pending.popleft()
        if _IMAGE_NAME.fullmatch(text):
            end_block()
            blocks.append(_figure(number, text, pending))
            continue
        if not text:
            end_block()
            continue
        kind, value, start = _marker(text)
        if kind is None and current and current["kind"] != "heading":
            current["parts"][-1].append(text)  # a continuation line
        elif kind == "quote" and current and current["kind"] == "quote":
            current["parts"][-1].append(value)  # the quote goes on
        elif kind in ("ul", "ol") and current and current["kind"] == kind:
            current["parts"].append([value])  # the next item of the same list
        else:
            end_block()
            current = {"kind": kind or "p", "line": number, "parts": [[value]], "level": start, "start": start}
    end_block()
    return blocks


def _marker(text):
    """(kind, text without its marker, number) of a line; kind is None for plain text."""
    if match := _HEADING.fullmatch(text):
        return "heading", match[2], len(match[1])
    if match := _QUOTE.fullmatch(text):
        return "quote", match[1], 0
    if match := _BULLET.fullmatch(text):
        return "ul", match[1], 0
    if match := _NUMBERED.fullmatch(text):
        return "ol", match[2], int(match[1])
    return None, text, 0


def _finish(block):
    texts = [" ".join(part) for part in block["parts"]]
    match block["kind"]:
        case "heading":
            return Heading(block["line"], texts[0], block["level"])
        case "quote":
            return Quote(block["line"], " ".join(texts))
        case "ul" | "ol":
            return ItemList(block["line"], tuple(texts), block["kind"] == "ol", block["start"] or 1)
    return Paragraph(block["line"], " ".join(texts))


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
    # The same check as the admin's upload: format by content (a renamed PDF is not a photo) and the
    # pixel limit read from the header, before anything is decoded.
    try:
        inspect_image(path)
    except ImageRefused as refused:
        return None, str(refused.reason).rstrip(".")
    return path, ""


@dataclass
class ImportResult:
    article: Article
    created: bool
    photos: list
    missing: list  # (photo, reason) for photos saved without a file
    organizations: list


# Statuses whose article readers have seen: a file changes it only with --update.
_SEEN = {Article.Status.PUBLISHED: "published", Article.Status.ARCHIVED: "taken down"}


class Importer:
    """Imports text files one by one, each in its own transaction, with the options of one run.

    `update` allows a file to change an article that is published or taken down. `stored` lists
    (storage, name) of every file the run has stored (photo masters and their renditions), for a caller
    that must undo the whole run.
    """

    def __init__(self, *, images_dir=None, section=None, status=None, update=False):
        self.images_dir = images_dir
        self.section = section
        self.status = status
        self.update = update
        self.stored = []
        # Matched against every file of the run: fetched once, not once per file.
        self.organizations = list(Organization.objects.all())

    def import_file(self, path, parsed=None, *, authors=None, prepare=None):
        """Import one file; `parsed` if the caller has read and adjusted it already.

        `authors` (Authors, in byline order) replaces the author the byline names, for a caller
        that knows them; an empty list keeps the byline as free text with no author. `prepare(article)`
        sets what a file cannot say (section, status, take-down time…) before the article is validated.
        """
        parsed = parsed or parse(read_lines(path))
        images = {figure.filename: find_image(figure.filename, path, self.images_dir) for figure in parsed.figures}
        # Every file the photo pipeline stores meanwhile (masters and their renditions) is listed; a rollback
        # removes rows but cannot take back a stored file, so on failure those files are deleted too.
        with pipeline.removed_on_failure() as names, transaction.atomic(), reversion.create_revision():
            reversion.set_comment(_("Imported from the file %(name)s") % {"name": Path(path).name})
            result = self._save(Path(path), parsed, images, authors, prepare)
            # The byline rows are bulk-created (no signals): the version is taken once they are there.
            reversion.add_to_revision(result.article)
        self.stored.extend((default_storage, name) for name in names)
        return result

    def _save(self, path, parsed, images, authors, prepare):
        source = str(path.resolve())
        article = Article.objects.select_for_update().filter(import_key=path.name).order_by("pk").first()
        created = article is None
        if created:
            article = Article(import_key=path.name)
        else:
            self._check_may_update(article, source)
        article.import_source = source
        authors = [self._author(parsed)] if authors is None else authors
        photos = self._photos(article, parsed)
        self._fill(article, parsed, photos)
        if not authors:
            article.byline = parsed.byline
        if prepare:
            prepare(article)
        _validate(article, _article_lines(parsed), parsed.title_line)
        article.save()
        article.bylines.all().delete()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author=author, position=position) for position, author in enumerate(authors)
        )
        folded = fold(parsed.text)
        organizations = [org for org in self.organizations if org.mentioned_in(folded)]
        article.organizations.set(organizations)
        # Files go to storage last, so that nothing else can fail after them.
        missing = _attach_files(photos, images)
        return ImportResult(article, created, list(photos.values()), missing, organizations)

    def _check_may_update(self, article, source):
        """ImportFailed when this file may not change the article imported from a file of its name."""
        # A row imported before sources were recorded has none; the first file to update it becomes its source.
        if article.import_source and article.import_source != source:
            raise ImportFailed(
                f"conflict: an article was imported from another file of this name, {article.import_source} "
                f"(this file is {source}); nothing changed"
            )
        if article.status in _SEEN and not self.update:
            raise ImportFailed(
                f"the article imported from this file is {_SEEN[article.status]} ({article.slug}); "
                "pass --update to change it, nothing changed"
            )

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
    """Body blocks as HTML, every text escaped; figures in the form articles/body.py redraws from the library."""
    return "\n".join(_block_html(block, photos) for block in blocks)


def _block_html(block, photos):
    match block:
        case Paragraph():
            return format_html("<p>{}</p>", block.text)
        case Heading():
            return format_html("<h{}>{}</h{}>", block.level, block.text, block.level)
        case Quote():
            return format_html("<blockquote><p>{}</p></blockquote>", block.text)
        case ItemList():
            items = format_html_join("", "<li>{}</li>", ((item,) for item in block.items))
            if not block.ordered:
                return format_html("<ul>{}</ul>", items)
            start = format_html(' start="{}"', block.start) if block.start != 1 else ""
            return format_html("<ol{}>{}</ol>", start, items)
    url = photos[block.filename].get_absolute_url()
    figure = '<figure><img src="{}" alt="{}"><figcaption>{}</figcaption></figure>'
    return format_html(figure, url, block.caption, block.caption)


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
    """Give the photos that have no file yet the one found for them, through the photo pipeline (a clean
    master, every rendition); (photo, reason) for those still without one. A photo whose file came in a
    later import is then shown wherever its article already refers to it."""
    missing = []
    for filename, photo in photos.items():
        # A file already there (from an earlier import or the admin) is kept: replace it in the admin.
        if photo.image:
            continue
        path, reason = images[filename]
        if path is None:
            missing.append((photo, reason))
            continue
        try:
            with path.open("rb") as handle:
                photo.image = File(handle, name=filename)
                photo.save()
        # Storages raise their own errors (django-storages' S3 raises botocore's), not only OSError.
        except Exception as error:
            raise ImportFailed(f"could not store photo {filename}: {_os_reason(error)}") from None
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
