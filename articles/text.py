"""Vietnamese text helpers. Pure functions: no Django models, no database."""

import re
import unicodedata

from django.utils.text import slugify

# NFKD has no decomposition for đ/Đ, so Django's slugify would drop them.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"[^\S\r\n]+")
# Invisible characters that reorder how text is displayed: embeddings and overrides (U+202A-U+202E),
# isolates (U+2066-U+2069) and the marks LRM, RLM and ALM (U+200E, U+200F, U+061C). Vietnamese never
# needs them, and one RLM is enough to show "12 34" as "34 12"; joiners (U+200C, U+200D) are kept.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def strip_accents(text):
    """Remove Vietnamese diacritics: "Đề án" -> "De an"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_MAP))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text):
    """Accent- and case-insensitive form of a text, for matching names in prose."""
    return collapse_spaces(strip_accents(text).lower())


def slugify_vi(text, max_length=200):
    """Slug that keeps Vietnamese readable: "Đề án đào tạo" -> "de-an-dao-tao"."""
    slug = slugify(strip_accents(text))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def collapse_spaces(text):
    """Collapse runs of spaces, tabs and non-breaking spaces into one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def strip_bidi(text):
    """Remove the bidirectional control characters, which can make text read other than it is stored."""
    return _BIDI_CONTROLS.sub("", text)


def person_name(user):
    """A staff account's name as Vietnamese writes it, family name first ("Phạm Thu Hà"), else its login name.

    Django's get_full_name() puts the family name last ("Thu Hà Phạm"). "" for no user.
    """
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()
