"""Full addresses of the site's pages, from the configured site address (settings.SITE_URL).

Canonical links, feeds, sitemaps, structured data and the API name pages by this, never by the Host header
a request carries: a request for the same page through another name must not make it claim that name.
"""

from django.conf import settings


def absolute_url(path):
    """The full address of `path` (which starts with "/") on the public site."""
    return f"{settings.SITE_URL}{path}"
