from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

admin.site.site_header = f"{settings.SITE_NAME} — Tòa soạn"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Quản trị nội dung"
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
