"""Reader pages' structured data and share links: `{% json_ld blocks %}`, `{% share_links url title %}`.

The data comes from articles/structured_data.py; here it only becomes markup.
"""

import base64
import json
from urllib.parse import quote, urlencode

from django import template
from django.utils.html import format_html_join
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


@register.inclusion_tag("articles/_share_links.html")
def share_links(url, title):
    return {"url": url, "targets": share_targets(url, title)}
