from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

# Lazy: each admin request reads these in the language its user chose.
admin.site.site_header = format_lazy("{} — {}", settings.SITE_NAME, _("Editorial desk"))
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _("Content management")
# The article list needs the full width of a laptop screen; the index lists the models anyway.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("articles.urls")),
]
# Uploaded media. A larger deployment serves MEDIA_ROOT from the web server or
# object storage and sets SERVE_MEDIA=0; a single server lets Django do it.
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]
