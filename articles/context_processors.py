from django.conf import settings

from .models import Section


def sections_for(request):
    """The sections, read once per request however many places show them."""
    if not hasattr(request, "_newsroom_sections"):
        request._newsroom_sections = list(Section.objects.all())
    return request._newsroom_sections


def navigation(request):
    # A callable: Django's template engine calls it only if a template uses it.
    return {"nav_sections": lambda: sections_for(request), "site_name": settings.SITE_NAME}
