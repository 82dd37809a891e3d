from django.conf import settings

from .models import Article, Section

LATEST_STORIES = 5


def sections_for(request):
    """The sections, read once per request however many places show them."""
    if not hasattr(request, "_newsroom_sections"):
        request._newsroom_sections = list(Section.objects.all())
    return request._newsroom_sections


def latest_stories_for(request):
    """The newest live stories, read once per request: the 404 page offers them to a reader who followed a dead link."""
    if not hasattr(request, "_newsroom_latest"):
        request._newsroom_latest = list(
            Article.objects.published()
            .select_related("section")
            .defer("body")
            .order_by("-publish_at", "-pk")[:LATEST_STORIES]
        )
    return request._newsroom_latest


def navigation(request):
    # Callables: Django's template engine calls them only if a template uses them.
    return {
        "nav_sections": lambda: sections_for(request),
        "latest_stories": lambda: latest_stories_for(request),
        "site_name": settings.SITE_NAME,
    }
