"""The photo library in the admin."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles import services
from articles.admin import NewsroomAdmin

from .display import photo_preview, photo_thumbnail
from .models import Photo


class PhotoFileFilter(admin.SimpleListFilter):
    title = _("image file")
    parameter_name = "tep_anh"

    def lookups(self, request, model_admin):
        return [("co", _("Present")), ("thieu", _("Missing"))]

    def queryset(self, request, queryset):
        missing = Q(image="") | Q(image__isnull=True)
        if self.value() == "co":
            return queryset.exclude(missing)
        if self.value() == "thieu":
            return queryset.filter(missing)
        return queryset


@admin.register(Photo)
class PhotoAdmin(NewsroomAdmin):
    list_display = ["thumbnail", "caption", "credit", "original_filename", "dimensions", "upload_time"]
    list_display_links = ["thumbnail", "caption"]
    list_filter = [PhotoFileFilter]
    empty_value_display = "—"
    search_fields = ["caption", "credit", "original_filename", "alt_text"]
    date_hierarchy = "uploaded_at"
    fieldsets = [
        (None, {"fields": ["image", "preview", "caption", "credit", "alt_text"]}),
        (_("File details"), {"fields": ["original_filename", "dimensions", "uploaded_at", "uploaded_by"]}),
    ]
    readonly_fields = ["preview", "dimensions", "uploaded_at", "uploaded_by"]

    def view_on_site(self, obj):
        # The photo's address redirects to its file; one still missing its file has nothing to show.
        return None if obj.is_missing else obj.get_absolute_url()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        return photo_thumbnail(obj, 80)

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.pk:
            return _("The photo appears here once it is saved.")
        return photo_preview(obj, 320)

    @admin.display(description=_("size (px)"))
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}" if obj.width and obj.height else "—"

    @admin.display(description=_("uploaded at"), ordering="uploaded_at")
    def upload_time(self, obj):
        return services.short_datetime(obj.uploaded_at) or self.get_empty_value_display()
