"""The small pieces every reader page repeats: a story's dateline, its byline, its card, the latest stories.

Written in Python rather than as included templates: the home page draws some thirty of them, and each
`{% include %}` with its own context costs more than the markup it writes. Every value goes through
format_html, so what a reader's browser receives is escaped whatever the row holds.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles.services import short_datetime
from articles.structured_data import iso
from photos.templatetags.photo_tags import picture, shown_photo

register = template.Library()

# The heading levels a card's title may take (the page's outline decides: h2 under a page's h1).
CARD_HEADINGS = {"h2", "h3", "h4"}
CARD_LEAD_WORDS = 40


def time_element(moment):
    """`<time datetime="2024-04-04T13:33:00+07:00">04/04/2024 13:33</time>`, in the site's time zone."""
    return format_html('<time datetime="{}">{}</time>', iso(moment), short_datetime(moment))


@register.simple_tag
def dateline(article, show_updated=False):
    """When the story went live; with `show_updated`, when it was last changed too if that was later."""
    if article.publish_at is None:
        return ""
    html = time_element(article.publish_at)
    modified = article.modified_at
    if show_updated and modified and modified > article.publish_at:
        html += format_html('<span class="updated">Cập nhật {}</span>', time_element(modified))
    return html


@register.simple_tag
def byline(article):
    """The story's free-text byline, else its authors linked to their pages: "A, B và C"; nothing if neither."""
    if article.byline:
        return format_html('<span class="authors">{}</span>', article.byline)
    authors = article.author_list
    if not authors:
        return ""
    links = [format_html('<a href="{}" rel="author">{}</a>', a.get_absolute_url(), a.name) for a in authors]
    names = links[0] if len(links) == 1 else mark_safe(", ".join(links[:-1]) + " và " + links[-1])
    return format_html('<span class="authors">{}</span>', names)


def kicker(section):
    """The section's name linked to its page, above a story's title; nothing for a story without one."""
    if section is None:
        return ""
    return format_html('<a class="kicker" href="{}">{}</a>', section.get_absolute_url(), section.name)


@register.simple_tag
def story_card(
    article,
    *,
    card_layout="row-card",
    variant="",
    level="h3",
    show_section=False,
    show_lead=False,
    show_byline=False,
    no_photo=False,
):
    """One story as a card: its photo (unless `no_photo`), kicker, title, lead and dateline.

    `card_layout` is where the card sits, which sets the picture's `sizes` (LAYOUTS in photo_tags); `variant`
    adds a `card--<variant>` class; `level` is the title's heading level.
    """
    if level not in CARD_HEADINGS:
        raise template.TemplateSyntaxError(f"story_card level must be one of {sorted(CARD_HEADINGS)}, not {level!r}")
    url = article.get_absolute_url()
    photo = "" if no_photo else shown_photo(article.featured_photo)
    drawn = picture(photo, "card", card_layout, css_class="card__photo") if photo else ""
    classes = "card" + (f" card--{variant}" if variant else "") + (" card--with-photo" if drawn else "")
    parts = [format_html('<article class="{}">', classes)]
    if drawn:
        parts.append(
            format_html('<a class="card__photo-link" href="{}" tabindex="-1" aria-hidden="true">{}</a>', url, drawn)
        )
    if show_section:
        parts.append(kicker(article.section))
    parts.append(format_html('<{0} class="card__title"><a href="{1}">{2}</a></{0}>', level, url, article.title))
    if show_lead and article.lead:
        parts.append(
            format_html('<p class="card__lead">{}</p>', Truncator(article.lead).words(CARD_LEAD_WORDS, truncate=" …"))
        )
    meta = dateline(article)
    names = byline(article) if show_byline else ""
    if names:
        meta += mark_safe(" · ") + names
    parts.append(format_html('<p class="meta">{}</p></article>', meta))
    return mark_safe("".join(parts))


@register.simple_tag
def story_cards(articles, **options):
    """A card for each story, each inside an `<li>` of the list the template opens."""
    return format_html_join("", "<li>{}</li>", ((story_card(a, **options),) for a in articles))


@register.simple_tag
def latest_list(stories):
    """The home page's "Tin mới" column: each story's kicker, title and dateline, newest first."""
    items = []
    for article in stories:
        items.append(
            format_html(
                '<li>{}<h3><a href="{}">{}</a></h3><p class="meta">{}</p></li>',
                kicker(article.section),
                article.get_absolute_url(),
                article.title,
                dateline(article),
            )
        )
    return format_html(
        '<section class="latest" aria-labelledby="tin-moi"><h2 id="tin-moi">Tin mới</h2><ol>{}</ol></section>',
        mark_safe("".join(items)),
    )
