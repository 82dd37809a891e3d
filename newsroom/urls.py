from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpResponse
from django.urls import include, path, re_path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

from articles import api, desk

# Lazy: each admin request reads these in the language its user chose.
admin.site.site_header = format_lazy("{} — {}", settings.SITE_NAME, _("Editorial desk"))
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _("Content management")
# The article list needs the full width of a laptop screen; the index lists the models anyway.
admin.site.enable_nav_sidebar = False

# Browsers ask for /favicon.ico wherever a page names no icon (the admin, a photo opened on its own).
# The same drawing as static/favicon.svg, 16, 32 and 48 px, made once with Pillow.
FAVICON = (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()


@require_safe
@cache_control(public=True, max_age=24 * 60 * 60)
def favicon(request):
    return HttpResponse(FAVICON, content_type="image/x-icon")


def serve_media(request, path):
    """Django's file view over MEDIA_ROOT, where a name the OS refuses is a 404, not a 500.

    A name longer than the file system allows raises OSError (ENAMETOOLONG) and one with a NUL
    ValueError when Django asks the file system about it; either way there is no such file.
    """
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except (OSError, ValueError) as error:
        raise Http404("No such file.") from error


urlpatterns = [
    path("favicon.ico", favicon),
    # Before the admin's own URLs, which would answer /admin/desk/ as an unknown app. admin_view() sends
    # anyone not logged in as staff to the admin's login, as for every admin page.
    path("admin/desk/", admin.site.admin_view(desk.desk_view), name="desk"),
    path("admin/my-stories/", admin.site.admin_view(desk.my_stories_view), name="my_stories"),
    path("admin/photo-picker/", include("photos.picker")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The public JSON API (articles/api.py).
    path("api/v1/", include(api.urlpatterns)),
    path("", include("photos.urls")),
    path("", include("articles.urls")),
]
# Uploaded media. A larger deployment serves MEDIA_ROOT from the web server or
# object storage and sets SERVE_MEDIA=0; a single server lets Django do it.
if settings.SERVE_MEDIA:
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve_media)]
