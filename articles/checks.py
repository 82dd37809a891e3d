"""System checks of the newsroom's own settings (run by `manage.py check`, and with --deploy in CI)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_check(app_configs, **kwargs):
    """A production site names itself by SITE_URL; a guess from ALLOWED_HOSTS may be the wrong name or scheme."""
    if settings.SITE_URL_SET:
        return []
    return [
        Warning(
            f"SITE_URL is not set: canonical links, feeds, sitemaps and the API name the site {settings.SITE_URL}.",
            hint="Set SITE_URL to the public address, e.g. https://news.example.vn (see .env.example).",
            id="newsroom.W001",
        )
    ]
