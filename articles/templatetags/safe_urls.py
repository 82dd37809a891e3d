"""`{{ url|http_url }}`: a URL a template may put in an href or src, or "" for anything but http(s).

Models refuse other schemes (validators and database constraints), but a row can come from a dump, a
fixture or SQL; the template is the last place that can keep `javascript:` out of a link.
"""

import unicodedata

from django import template

register = template.Library()


@register.filter
def http_url(value):
    """The value without control and format characters, if it is then an http:// or https:// address; else ""."""
    # Browsers ignore tabs and newlines anywhere in a URL and control characters around it ("java\tscript:"),
    # so the test is made on what a browser would read; format characters (U+202E…) would only disguise it.
    url = "".join(ch for ch in str(value or "") if unicodedata.category(ch) not in {"Cc", "Cf"}).strip()
    return url if url[:8].lower().startswith(("http://", "https://")) else ""
