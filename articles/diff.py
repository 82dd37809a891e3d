"""A readable side-by-side diff of an article's title, lead and body between two states.

Used by the revision history (articles/revisions.py) and the stale-save conflict screen. The body is
stored HTML, but it is compared as the text a reader sees, one line per block (paragraph, heading, list
item, quotation, figure), with the changed words marked. Nothing from either side is ever rendered as
HTML: every piece of text is escaped, so an old version holding `<script>` or `onerror=` (written by a
raw UPDATE, a fixture, or a sanitiser since tightened) shows those characters and runs nothing.

Input is capped (characters, lines, words compared), so a pathological version costs bounded time; what
was cut is said with "… (truncated)".
"""

import difflib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .sanitize import library_photo_src

# A real story is a few hundred lines at most; these bounds only stop a hostile or broken version from
# holding a request for long (difflib is quadratic in the worst case).
MAX_CHARS = 300_000  # of one field's stored text, before it is parsed
MAX_LINES = 1_500  # lines compared per field
MAX_LINE_CHARS = 5_000  # characters kept of one line
MAX_WORD_PAIRS = 250_000  # words(before line) x words(after line) above which a line is marked changed as a whole
MAX_WORD_WORK = 3_000_000  # the sum of those products over one field; past it, changed lines are marked whole

# The labels are the model fields' own names (Article.title, .lead, .body), as the article form shows them.
FIELDS = (
    ("title", gettext_lazy("title")),
    ("lead", gettext_lazy("lead")),
    ("body", gettext_lazy("body")),
)

# Elements that end one line of readable text and start another.
_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figure", "figcaption", "tr", "td", "th",
    "table", "thead", "tbody", "tfoot", "ul", "ol", "div", "pre", "section", "article", "br", "hr",
}  # fmt: skip
# Formatting the sanitiser allows inside a line: the words are compared, not the markup.
_INLINE = {"strong", "em", "b", "i", "u", "s", "a", "span", "sub", "sup", "code", "small", "mark"}

_TOKENS = re.compile(r"\s+|[^\s]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    changed: bool
    before_html: SafeString
    after_html: SafeString


def _truncated():
    return _("… (truncated)")


class _Lines(HTMLParser):
    """Stored body HTML as lines of readable text; figures become "[Photo #id: caption]".

    Markup the sanitiser would never keep (script, iframe, an image from elsewhere…) is not dropped
    silently: its tag is shown as text, so the reader of a diff sees what the version really held.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []
        self.current = []
        self.figure = None  # while inside a <figure>: {"ids": [...], "caption": [...]}
        self.in_caption = False

    def _flush(self):
        text = _SPACES.sub(" ", "".join(self.current)).strip()
        self.current = []
        if text:
            self.lines.append(text)

    def _text(self, text):
        if self.figure is not None:
            if self.in_caption:
                self.figure["caption"].append(text)
            else:
                self.figure["other"].append(text)
        else:
            self.current.append(text)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            match = library_photo_src().fullmatch(dict(attrs).get("src") or "")
            if match is None:
                self._text(f" {self.get_starttag_text()} ")
            elif self.figure is not None:
                self.figure["ids"].append(match.group(1))
            else:
                self._flush()
                self.lines.append(_("[Photo #%(id)s]") % {"id": match.group(1)})
            return
        if tag == "figure" and self.figure is None:
            self._flush()
            self.figure = {"ids": [], "caption": [], "other": []}
            return
        if tag == "figcaption" and self.figure is not None:
            self.in_caption = True
            return
        if tag in _BLOCKS:
            if self.figure is None:
                self._flush()
            return
        if tag not in _INLINE:
            self._text(f" {self.get_starttag_text()} ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self.in_caption = False
        elif tag == "figure" and self.figure is not None:
            self._end_figure()
        elif tag in _BLOCKS:
            if self.figure is None:
                self._flush()
        elif tag not in _INLINE and tag != "img":
            self._text(f" </{tag}> ")

    def _end_figure(self):
        figure, self.figure, self.in_caption = self.figure, None, False
        caption = _SPACES.sub(" ", "".join(figure["caption"])).strip()
        ids = figure["ids"] or [None]
        for pk in ids:
            if pk is None:
                self.lines.append(_("[Photo: %(caption)s]") % {"caption": caption} if caption else _("[Photo]"))
            elif caption:
                self.lines.append(_("[Photo #%(id)s: %(caption)s]") % {"id": pk, "caption": caption})
            else:
                self.lines.append(_("[Photo #%(id)s]") % {"id": pk})
        other = _SPACES.sub(" ", "".join(figure["other"])).strip()
        if other:
            self.lines.append(other)

    def handle_data(self, data):
        self._text(data)

    def close(self):
        super().close()
        if self.figure is not None:
            self._end_figure()
        self._flush()


def _body_lines(html):
    parser = _Lines()
    parser.feed(html)
    parser.close()
    return parser.lines


def _text_lines(text):
    return [line for line in (_SPACES.sub(" ", part).strip() for part in text.splitlines()) if line]


def lines_of(name, value):
    """A field's value as the lines compared, capped; the last line says when something was cut."""
    value = "" if value is None else str(value)
    cut = len(value) > MAX_CHARS
    value = value[:MAX_CHARS]
    lines = _body_lines(value) if name == "body" else _text_lines(value)
    if len(lines) > MAX_LINES:
        lines, cut = lines[:MAX_LINES], True
    capped = []
    for line in lines:
        if len(line) > MAX_LINE_CHARS:
            line = f"{line[:MAX_LINE_CHARS]} {_truncated()}"
        capped.append(line)
    if cut:
        capped.append(_truncated())
    return capped


def _line(css, content):
    return f'<p class="rev-line{css}">{content}</p>'


def _mark(tag, text):
    """`text` escaped, its words inside <del>/<ins>; spaces at either end stay outside the mark."""
    if not text.strip():
        return escape(text)
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return f'{escape(text[:start])}<{tag} class="rev-{tag}">{escape(text[start:end])}</{tag}>{escape(text[end:])}'


def _coalesce(opcodes, tokens):
    """Opcodes with a lone space between two changes folded into one change.

    Otherwise "khởi công" → "khánh thành" reads as two changed words, the space between them kept,
    where a reader sees one changed phrase.
    """
    merged = []
    for op in opcodes:
        tag, i1, i2, j1, j2 = op
        if merged and tag != "equal" and len(merged) >= 2 and merged[-2][0] != "equal":
            gap = merged[-1]
            if gap[0] == "equal" and not "".join(tokens[gap[1] : gap[2]]).strip():
                merged.pop()
                first = merged.pop()
                op = ("replace", first[1], i2, first[3], j2)
        merged.append(op)
    return merged


def _words(before, after, budget):
    """Two changed lines with their differing words marked: (before_html, after_html).

    `budget` is a one-item list holding the word comparisons this field may still spend: many long
    lines that all differ would otherwise cost seconds.
    """
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    work = len(a) * len(b)
    if work > MAX_WORD_PAIRS or work > budget[0]:
        return (
            _line(" rev-line--changed", f'<del class="rev-del">{escape(before)}</del>'),
            _line(" rev-line--changed", f'<ins class="rev-ins">{escape(after)}</ins>'),
        )
    budget[0] -= work
    left, right = [], []
    for op, i1, i2, j1, j2 in _coalesce(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), a):
        if op == "equal":
            left.append(escape("".join(a[i1:i2])))
            right.append(escape("".join(b[j1:j2])))
            continue
        left.append(_mark("del", "".join(a[i1:i2])))
        right.append(_mark("ins", "".join(b[j1:j2])))
    return _line(" rev-line--changed", "".join(left)), _line(" rev-line--changed", "".join(right))


def _compare(before_lines, after_lines):
    left, right = [], []
    budget = [MAX_WORD_WORK]
    matcher = difflib.SequenceMatcher(None, before_lines, after_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.extend(_line("", escape(line)) for line in before_lines[i1:i2])
            right.extend(_line("", escape(line)) for line in after_lines[j1:j2])
            continue
        old, new = before_lines[i1:i2], after_lines[j1:j2]
        paired = min(len(old), len(new)) if op == "replace" else 0
        for before, after in zip(old[:paired], new[:paired], strict=True):
            line_before, line_after = _words(before, after, budget)
            left.append(line_before)
            right.append(line_after)
        left.extend(_line(" rev-line--removed", f'<del class="rev-del">{escape(line)}</del>') for line in old[paired:])
        right.extend(_line(" rev-line--added", f'<ins class="rev-ins">{escape(line)}</ins>') for line in new[paired:])
    return left, right


def _empty():
    return _line(" rev-line--empty", escape(_("(empty)")))


def article_diff(before, after):
    """Title, lead and body of `before` and `after` (dicts; body is stored HTML) as a list of FieldDiff."""
    rows = []
    for name, label in FIELDS:
        before_lines = lines_of(name, before.get(name))
        after_lines = lines_of(name, after.get(name))
        changed = before_lines != after_lines
        left, right = _compare(before_lines, after_lines)
        rows.append(
            FieldDiff(
                name=name,
                label=str(label),
                changed=changed,
                # Built only from escape()d text and the fixed markup above.
                before_html=mark_safe("".join(left) or _empty()),  # noqa: S308
                after_html=mark_safe("".join(right) or _empty()),  # noqa: S308
            )
        )
    return rows
