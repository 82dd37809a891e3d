"""`{% picture %}`: the one way a reader page draws a library photo.

A <picture> with a WebP source and a JPEG <img>, both with every width the photo has of one kind ("w", the
whole picture; "card", 16:9; "square", 1:1), read from Photo.renditions: no storage is asked anything while a
page renders. `sizes` comes from LAYOUTS below, which restate the widths static/css/site.css gives each place
a picture is drawn, so a 360 px phone picks a rendition near its own width instead of the largest.
"""

from typing import NamedTuple

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


class Layout(NamedTuple):
    # The picture's drawn width at each viewport width, as the `sizes` attribute says it.
    sizes: str
    # The width of the <img src> a browser without srcset takes: about the widest the picture is drawn.
    fallback: int


# From static/css/site.css, with 1rem = 16 px (sizes is read against the browser's default font size).
# The content column is min(100vw, 75rem) minus the .wrap padding of 1rem on each side.
LAYOUTS = {
    # .article (44rem at most) with .figure--wide bleeding min(2rem, 4vw) into each gutter.
    "article": Layout("(min-width: 50rem) 48rem, (min-width: 46rem) calc(44rem + 8vw), calc(108vw - 2rem)", 768),
    # The home page's lead story: .home-main, two thirds of .home-top (gap 1.75rem) from 60rem.
    "home-lead": Layout(
        "(min-width: 75rem) 47.5rem, (min-width: 60rem) calc(66.67vw - 2.5rem), calc(100vw - 2rem)", 760
    ),
    # .secondary under the lead: three columns (gap 1.25rem) of .home-main from 40rem.
    "home-card": Layout(
        "(min-width: 75rem) 15rem, (min-width: 60rem) calc(22.22vw - 1.67rem), "
        "(min-width: 40rem) calc(33.33vw - 1.5rem), calc(100vw - 2rem)",
        640,
    ),
    # .section-blocks: two columns from 44rem, four from 72rem (gap 1.75rem).
    "block-card": Layout(
        "(min-width: 75rem) 17rem, (min-width: 72rem) calc(25vw - 1.81rem), "
        "(min-width: 44rem) calc(50vw - 1.88rem), calc(100vw - 2rem)",
        640,
    ),
    # .card--row on listing pages: the whole column on a phone, a 15rem column from 40rem.
    "row-card": Layout("(min-width: 40rem) 15rem, calc(100vw - 2rem)", 640),
    # .related: auto-fill columns of at least 14rem (gap 1.5rem): 2 from 31.5rem, 3 from 47rem, 4 from 62.5rem.
    "related-card": Layout(
        "(min-width: 75rem) 17.13rem, (min-width: 62.5rem) calc(25vw - 1.63rem), "
        "(min-width: 47rem) calc(33.33vw - 1.67rem), (min-width: 31.5rem) calc(50vw - 1.75rem), calc(100vw - 2rem)",
        640,
    ),
    # .profile img: a 5.5rem circle beside an author's or organisation's name.
    "profile": Layout("5.5rem", 160),
}


@register.filter
def shown_photo(photo):
    """The photo if readers can be shown it, else None: a photo still missing its file is left out."""
    return photo if photo is not None and not photo.is_missing else None


@register.simple_tag
def picture(photo, kind, layout, *, lead=False, css_class="", alt=None):
    """`photo` of `kind` drawn in `layout` (a key of LAYOUTS); nothing for a missing photo.

    `lead`: the page's lead image, fetched first (fetchpriority="high") instead of lazily. `alt` replaces the
    photo's own description where the page says better what the picture is (an author's portrait).
    Written in Python rather than as an included template: listing and home pages draw a dozen of them, and
    an include costs more than the markup itself.
    """
    spec = LAYOUTS[layout]
    if shown_photo(photo) is None:
        return ""
    jpeg = photo.rendition_list(kind, "jpeg")
    if not jpeg:
        return ""
    webp = photo.rendition_list(kind, "webp")
    fallback = next((r for r in jpeg if r.width >= spec.fallback), jpeg[-1])
    source = (
        format_html(
            '<source type="image/webp" srcset="{}" sizes="{}">',
            ", ".join(f"{r.url} {r.width}w" for r in webp),
            spec.sizes,
        )
        if webp
        else ""
    )
    return format_html(
        '<picture>{}<img{} src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" {} decoding="async">'
        "</picture>",
        source,
        format_html(' class="{}"', css_class) if css_class else "",
        fallback.url,
        ", ".join(f"{r.url} {r.width}w" for r in jpeg),
        spec.sizes,
        fallback.width,
        fallback.height,
        photo.description if alt is None else alt,
        mark_safe('fetchpriority="high"' if lead else 'loading="lazy"'),
    )
