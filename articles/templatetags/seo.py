"""Reader pages' structured data and share links: `{% json_ld blocks %}`, `{% share_links url title %}`.

The data comes from articles/structured_data.py; here it only becomes markup.
"""

import base64
import json
from urllib.parse import quote, urlencode

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from articles.structured_data import script_json, site_description

register = template.Library()


@register.simple_tag
def json_ld(blocks):
    """Each block as <script type="application/ld+json">: data for crawlers, which no browser runs (the
    Content-Security-Policy allows no inline script, and needs none for this)."""
    # script_json() leaves no <, > or & in the text: nothing in it is markup, and HTML-escaping it would
    # change the JSON (a crawler reads the element's text as it stands).
    return format_html_join(
        "\n",
        '<script type="application/ld+json">{}</script>',
        ((mark_safe(script_json(block)),) for block in blocks or ()),
    )


@register.simple_tag(name="site_description")
def site_description_tag():
    return site_description()


def zalo_share_url(url):
    """Zalo's web share page for `url`.

    Zalo documents sharing only through its SDK (a script from sp.zalo.me that draws an iframe and needs an
    Official Account id). That button opens this page, whose `d` is the base64 of {"url": …}, encoded for
    a query string twice as the SDK writes it: the same share, as a plain link, with nothing loaded first.
    """
    payload = base64.b64encode(json.dumps({"url": url}, separators=(",", ":")).encode()).decode()
    query = urlencode(
        {"layout": 1, "color": "blue", "customize": "false", "d": quote(payload, safe=""), "shareType": 0}
    )
    return f"https://button-share.zalo.me/share_external?{query}"


def share_targets(url, title):
    """(network, accessible name, visible label, address) for each share link of a story at `url`."""
    return [
        (
            "facebook",
            "Chia sẻ lên Facebook",
            "Facebook",
            f"https://www.facebook.com/sharer/sharer.php?{urlencode({'u': url})}",
        ),
        ("zalo", "Chia sẻ qua Zalo", "Zalo", zalo_share_url(url)),
        ("x", "Chia sẻ lên X", "X", f"https://x.com/intent/post?{urlencode({'url': url, 'text': title})}"),
    ]


@register.simple_tag
def share_links(url, title):
    """A story's share links: plain links to each network's own share page, nothing loaded from any of them
    until a reader clicks. The copy button is static/js/share.js's; without script the story's address is a
    plain link to copy."""
    links = format_html_join(
        "",
        '<li><a class="share__link share__link--{}" href="{}" target="_blank" rel="noopener noreferrer" '
        'aria-label="{} (mở trong cửa sổ mới)">{}</a></li>',
        ((network, href, name, label) for network, name, label, href in share_targets(url, title)),
    )
    return format_html(
        '<section class="share" aria-labelledby="chia-se"><h2 class="foot-title" id="chia-se">Chia sẻ bài viết</h2>'
        '<ul class="share__list">{}<li><button type="button" class="share__link share__link--copy" '
        'data-share-copy="{}" hidden>Sao chép liên kết</button><a class="share__link share__link--copy" href="{}" '
        "data-share-fallback>Liên kết bài viết</a></li></ul>"
        '<p class="share__status" role="status" data-share-status></p></section>',
        links,
        url,
        url,
    )
