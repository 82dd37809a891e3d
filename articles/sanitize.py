"""The one allowlist for article bodies, applied on every save (DESIGN §6)."""

import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "a", "ul", "ol", "li", "blockquote",
    "figure", "figcaption", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "caption", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# The editor offers exactly what the sanitiser keeps, so nothing a reporter
# makes is silently thrown away on save.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    "Figure": True,
    "Caption": True,
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_body(html):
    """Sanitise editor HTML: unknown tags and attributes go, their text stays."""
    cleaned = _cleaner.clean(html or "").strip()
    # ProseMirror always leaves one empty paragraph in an empty document.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned
