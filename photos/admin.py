"""The photo library in the admin: a grid of thumbnails, the focal point, where each photo is used.

Who may do what is asked of photos/services.py (reporters upload and change their own photos; editors change
and delete any; nobody deletes a photo a live article shows); the admin only wires those rules into Django's
permission hooks, its delete pages and its bulk delete.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles import services as article_services
from articles.admin import GuardedChangeList, NewsroomAdmin
from articles.models import Article
from articles.text import person_name

from . import services
from .display import focal_picker, photo_crops, photo_preview, photo_thumbnail, photo_tile
from .forms import MultiUploadForm, PhotoAdminForm
from .models import Photo
from .usage import articles_using, live_articles_using, photos_of


class PhotoFileFilter(admin.SimpleListFilter):
    title = _("image file")
    parameter_name = "tep_anh"

    def lookups(self, request, model_admin):
        return [("co", _("Present")), ("thieu", _("Missing"))]

    def queryset(self, request, queryset):
        # The same test as Photo.is_missing: no file, or no renditions made from it yet.
        missing = Q(image="") | Q(image__isnull=True) | ~Q(renditions__has_key="w")
        if self.value() == "co":
            return queryset.exclude(missing)
        if self.value() == "thieu":
            return queryset.filter(missing)
        return queryset


class UploaderFilter(admin.SimpleListFilter):
    """The staff who uploaded photos, by the name the newsroom writes (family name first)."""

    title = _("uploaded by")
    parameter_name = "nguoi_tai"

    def lookups(self, request, model_admin):
        uploaders = get_user_model().objects.filter(pk__in=Photo.objects.values("uploaded_by")).order_by("username")
        return [(str(user.pk), person_name(user)) for user in uploaders]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isascii() or not self.value().isdigit() or len(self.value()) > 18:
            raise IncorrectLookupParameters(f"{self.parameter_name}={self.value()!r}")
        return queryset.filter(uploaded_by=int(self.value()))


class AltTextFilter(admin.SimpleListFilter):
    title = _("alt text")
    parameter_name = "mo_ta"

    def lookups(self, request, model_admin):
        return [("thieu", _("Missing, on a live article"))]

    def queryset(self, request, queryset):
        if self.value() == "thieu":
            return queryset.filter(alt_text="", pk__in=photos_of(Article.objects.published()).values("pk"))
        return queryset


def usage_count():
    """How many articles show the photo (featured or in the body), each counted once, as one subquery."""
    articles = Article.objects.filter(Q(featured_photo=OuterRef("pk")) | Q(body_photos=OuterRef("pk"))).order_by()
    # COUNT(DISTINCT …) as a plain function: an aggregate would make Django group the subquery by article.
    counted = articles.annotate(n=Func("pk", template="COUNT(DISTINCT %(expressions)s)")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class PhotoChangeList(GuardedChangeList):
    """The library's changelist: Django's (with the guard on date numbers), each row ready to show as a tile."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).annotate(usage_count=usage_count())

    def get_results(self, request):
        super().get_results(request)
        self.show_checkboxes = "action_checkbox" in self.list_display
        for photo in self.result_list:
            photo.tile = photo_tile(photo)
            photo.uploader_name = person_name(photo.uploaded_by)
            photo.upload_time = article_services.short_datetime(photo.uploaded_at)


@admin.register(Photo)
class PhotoAdmin(NewsroomAdmin):
    form = PhotoAdminForm
    list_display = ["thumbnail", "caption", "credit", "original_filename", "dimensions", "upload_time"]
    list_display_links = ["thumbnail", "caption"]
    list_filter = [PhotoFileFilter, AltTextFilter, UploaderFilter]
    list_select_related = ["uploaded_by"]
    list_per_page = 48
    empty_value_display = "—"
    # Searched through Photo.search_text (get_search_results); the list is what the search box needs to show.
    search_fields = ["search_text"]
    search_help_text = _("Caption, credit, alt text or file name; accents and capitals do not matter.")
    date_hierarchy = "uploaded_at"
    readonly_fields = [
        "preview", "focal_picker", "crops", "used_in", "dimensions", "file_details", "uploaded_at", "uploaded_by",
    ]  # fmt: skip

    class Media:
        css = {"all": ["photos/library.css"]}
        js = ["photos/focal.js", "photos/library.js"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["image", "preview", "caption", "credit", "alt_text"]})]
        return [
            (None, {"fields": ["image", "caption", "credit", "alt_text"]}),
            (_("Focal point"), {"fields": ["focal_picker", "focal_x", "focal_y"]}),
            (_("Crops"), {"fields": ["crops"]}),
            (_("Used in"), {"fields": ["used_in"]}),
            (
                _("File details"),
                {"fields": ["original_filename", "dimensions", "file_details", "uploaded_at", "uploaded_by"]},
            ),
        ]

    def get_changelist(self, request, **kwargs):
        return PhotoChangeList

    def get_search_results(self, request, queryset, search_term):
        return queryset.matching(search_term), False

    def view_on_site(self, obj):
        # The photo's address redirects to its file; one still missing its file has nothing to show.
        return None if obj.is_missing else obj.get_absolute_url()

    # Who may do what -------------------------------------------------------

    def has_add_permission(self, request):
        return services.can_upload(request.user)

    def has_change_permission(self, request, obj=None):
        return services.can_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return services.can_delete(request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        """Django's list of what a deletion takes, with the live articles that show the photos as protected:
        the delete page and the bulk action then refuse, and delete nothing."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        live = live_articles_using(objs).order_by("-publish_at")
        protected = list(protected) + [self._article_link(article) for article in live]
        return deleted, model_count, perms_needed, protected

    def delete_model(self, request, obj):
        services.photo_delete(photo=obj, by=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        services.refuse_if_in_use(queryset)
        for photo in queryset:
            services.photo_delete(photo=photo, by=request.user)

    # Several photos at once --------------------------------------------------

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [path("upload/", upload, name="photos_photo_upload"), *super().get_urls()]

    def upload_view(self, request):
        if not services.can_upload(request.user):
            raise PermissionDenied
        results = []
        form = MultiUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            results = self._upload_each(request, form.cleaned_data)
            saved = sum(1 for result in results if result["photo"])
            refused = len(results) - saved
            if saved:
                self.message_user(request, ngettext("%(n)d photo saved.", "%(n)d photos saved.", saved) % {"n": saved})
            if refused:
                message = ngettext("%(n)d file refused.", "%(n)d files refused.", refused) % {"n": refused}
                self.message_user(request, message, messages.WARNING)
            form = MultiUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Upload several photos"),
            "form": form,
            "results": results,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/photos/photo/upload.html", context)

    def _upload_each(self, request, data):
        results = []
        for file in data["files"]:
            name = (file.name or "").rsplit("/", 1)[-1]
            try:
                photo = services.photo_create(
                    file=file, by=request.user, caption=data["caption"], credit=data["credit"]
                )
            except ValidationError as error:
                results.append({"name": name, "photo": None, "errors": error.messages})
            else:
                url = reverse("admin:photos_photo_change", args=[photo.pk])
                results.append({"name": name, "photo": photo, "url": url, "tile": photo_tile(photo, 80)})
        return results

    # What the pages show ---------------------------------------------------

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        return photo_thumbnail(obj, 80)

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.pk:
            return _("The photo appears here once it is saved.")
        return photo_preview(obj, 320)

    @admin.display(description=_("picture"))
    def focal_picker(self, obj):
        return focal_picker(obj)

    @admin.display(description=_("crops made"))
    def crops(self, obj):
        return photo_crops(obj)

    @admin.display(description=_("articles"))
    def used_in(self, obj):
        articles = list(articles_using([obj]).select_related("section").order_by("-pk"))
        if not articles:
            return _("No article uses this photo.")
        in_body = set(obj.body_of.values_list("pk", flat=True))
        rows = []
        for article in articles:
            where = [gettext("featured")] if article.featured_photo_id == obj.pk else []
            where += [gettext("in the body")] if article.pk in in_body else []
            rows.append((self._article_link(article), ", ".join(where)))
        items = format_html_join("", "<li>{} <span>({})</span></li>", rows)
        return format_html('<ul class="nr-used-in">{}</ul>', items)

    def _article_link(self, article):
        status = self.admin_site.get_model_admin(Article).visibility(article)
        url = reverse("admin:articles_article_change", args=[article.pk])
        return format_html('<a href="{}">{}</a> {}', url, article.title, status)

    @admin.display(description=_("size (px)"))
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}" if obj.width and obj.height else "—"

    @admin.display(description=_("file"))
    def file_details(self, obj):
        if not obj.format:
            return "—"
        return " · ".join(part for part in (obj.format, filesizeformat(obj.file_size or 0)) if part)

    @admin.display(description=_("uploaded at"), ordering="uploaded_at")
    def upload_time(self, obj):
        return article_services.short_datetime(obj.uploaded_at) or self.get_empty_value_display()
