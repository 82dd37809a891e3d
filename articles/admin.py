"""The admin, where reporters write. Everything a reporter reads here is Vietnamese.

Visibility ("đang hiển thị", "hẹn giờ"…) is asked of Article.objects.published() /
scheduled() and of article.is_live, never restated here (DESIGN §2). Who may do what
is left to Django's permission hooks (has_*_permission, get_readonly_fields): there
are no superuser checks here, so the reporter and editor roles can override them later.
"""

import copy

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from .models import Article, ArticleAuthor, Author, Organization, Photo, Section, Tag

# The statuses after which an article's address is public and must not change
# (the same set Article.clean() guards).
SLUG_LOCKED = Article.ONCE_PUBLIC


class NewsroomAdmin(admin.ModelAdmin):
    """Badges, thumbnails and widths shared by the newsroom's admin pages."""

    class Media:
        css = {"all": ["admin_newsroom/admin.css"]}


def short_datetime(value):
    """dd/mm/YYYY HH:MM in Vietnam time (DESIGN §4); Django's "vi" format spells the date out in words."""
    return date_format(timezone.localtime(value), "d/m/Y H:i") if value else None


def badge(text, kind):
    return format_html('<span class="nr-badge nr-badge-{}">{}</span>', kind, text)


def photo_thumbnail(photo, width):
    """An <img> of a library photo, or a badge saying its file is missing."""
    if photo.is_missing:
        return badge("Thiếu tệp ảnh", "missing")
    return format_html(
        '<img src="{}" width="{}" alt="{}" class="nr-thumb" loading="lazy">',
        photo.image.url,
        width,
        photo.description,
    )


def photo_preview(photo, width):
    """A thumbnail with its caption and credit, for change forms."""
    if photo is None:
        return "—"
    caption = " — ".join(part for part in (photo.caption, photo.credit) if part)
    return format_html(
        '<figure class="nr-preview">{}<figcaption>{}</figcaption></figure>',
        photo_thumbnail(photo, width),
        caption or "(chưa có chú thích)",
    )


# Articles ------------------------------------------------------------------


class VisibilityFilter(admin.SimpleListFilter):
    """What readers see now; each value asks the queryset methods that define it."""

    title = "hiển thị"
    parameter_name = "hien_thi"

    def lookups(self, request, model_admin):
        return [
            ("live", "Đang hiển thị"),
            ("scheduled", "Hẹn giờ"),
            ("expired", "Đã hết hạn"),
            ("unpublished", "Không xuất bản (nháp, chờ duyệt, đã gỡ)"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "live":
            return queryset.published()
        if value == "scheduled":
            return queryset.scheduled()
        if value == "expired":
            return queryset.expired()
        if value == "unpublished":
            return queryset.exclude(status=Article.Status.PUBLISHED)
        return queryset


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "title", "slug", "section", "lead", "body", "byline", "featured_photo",
            "organizations", "tags", "status", "publish_at", "expire_at",
        ]  # fmt: skip
        widgets = {"lead": AdminTextareaWidget(attrs={"rows": 3})}
        help_texts = {
            "slug": (
                "Phần cuối địa chỉ bài viết, ví dụ /bai-viet/de-an-dao-tao-nhan-luc/. "
                "Để trống để tạo tự động từ tiêu đề (bỏ dấu, đ → d). Chỉ gồm chữ thường không dấu, số và dấu gạch "
                "ngang. Khi bài đã xuất bản, đường dẫn được giữ nguyên để liên kết cũ không hỏng."
            ),
        }
        error_messages = {
            "slug": {
                "unique": "Đường dẫn này đã được một bài viết khác dùng. Hãy sửa lại, hoặc để trống để tạo tự động.",
                "invalid": "Đường dẫn chỉ gồm chữ thường không dấu, số, dấu gạch ngang (-) và gạch dưới (_).",
            },
        }

    def clean(self):
        cleaned_data = super().clean()
        publish_at, expire_at = cleaned_data.get("publish_at"), cleaned_data.get("expire_at")
        if publish_at and expire_at and expire_at <= publish_at:
            self.add_error("expire_at", "Thời điểm gỡ bài phải sau thời điểm xuất bản.")
        self._refuse_locked_slug_change()
        return cleaned_data

    def _refuse_locked_slug_change(self):
        # Once published the slug is read-only, so it is not a form field and a posted
        # value would be silently dropped. A form opened before the article went out
        # (or a crafted POST) still sends one: refuse it with the model's own message.
        posted = self.data.get(self.add_prefix("slug"))
        if "slug" in self.fields or not self.instance.pk or not posted or posted == self.instance.slug:
            return
        probe = copy.copy(self.instance)
        probe.slug = posted
        try:
            probe.clean()
        except ValidationError as error:
            self.add_error(None, error.message_dict.get("slug", error.messages))


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = "tác giả"
    verbose_name_plural = "tác giả (theo thứ tự trên dòng tác giả)"


@admin.register(Article)
class ArticleAdmin(NewsroomAdmin):
    form = ArticleAdminForm
    empty_value_display = "—"
    inlines = [ArticleAuthorInline]
    list_display = ["title", "section", "author_names", "status", "visibility", "publish_time"]
    list_filter = ["status", "section", VisibilityFilter]
    list_select_related = ["section"]
    search_fields = ["title", "lead"]
    date_hierarchy = "publish_at"
    # Drafts have no publish_at: put them first on every database (PostgreSQL and
    # SQLite disagree on where NULLs sort by default).
    ordering = [F("publish_at").desc(nulls_first=True), "-pk"]
    autocomplete_fields = ["section", "featured_photo", "organizations", "tags"]
    readonly_fields = ["featured_photo_preview", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "lead", "body"]}),
        ("Dòng tác giả", {"fields": ["byline"]}),
        ("Ảnh đại diện", {"fields": ["featured_photo", "featured_photo_preview"]}),
        ("Tổ chức và từ khóa", {"fields": ["organizations", "tags"]}),
        (
            "Xuất bản",
            {
                "fields": ["status", "publish_at", "expire_at"],
                "description": (
                    "Giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+7). Bài ở trạng thái “Xuất bản” với giờ trong tương lai "
                    "sẽ tự lên trang đúng giờ đó; để trống “xuất bản lúc” thì bài lên trang ngay khi lưu."
                ),
            },
        ),
        ("Thông tin bản ghi", {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # The changelist shows sections and bylines: fetched up front, not one query per row.
        bylines = ArticleAuthor.objects.select_related("author")
        return super().get_queryset(request).select_related("section").prefetch_related(Prefetch("bylines", bylines))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status in SLUG_LOCKED:
            readonly.append("slug")
        return readonly

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="tác giả")
    def author_names(self, obj):
        return ", ".join(author.name for author in obj.author_list) or obj.byline or None

    @admin.display(description="hiển thị")
    def visibility(self, obj):
        if obj.is_live:
            return badge("Đang hiển thị", "live")
        if obj.is_scheduled:
            return badge("Hẹn giờ", "scheduled")
        if obj.is_expired:
            return badge("Đã hết hạn", "expired")
        label, kind = {
            Article.Status.DRAFT: ("Nháp", "draft"),
            Article.Status.REVIEW: ("Chờ duyệt", "review"),
            Article.Status.ARCHIVED: ("Đã gỡ", "archived"),
        }[obj.status]
        return badge(label, kind)

    @admin.display(description="xuất bản lúc", ordering="publish_at")
    def publish_time(self, obj):
        return short_datetime(obj.publish_at)

    @admin.display(description="ảnh đang dùng")
    def featured_photo_preview(self, obj):
        return photo_preview(obj.featured_photo if obj.pk else None, 160)


# Photos --------------------------------------------------------------------


class PhotoFileFilter(admin.SimpleListFilter):
    title = "tệp ảnh"
    parameter_name = "tep_anh"

    def lookups(self, request, model_admin):
        return [("co", "Có"), ("thieu", "Thiếu")]

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
        ("Thông tin tệp", {"fields": ["original_filename", "dimensions", "uploaded_at", "uploaded_by"]}),
    ]
    readonly_fields = ["preview", "dimensions", "uploaded_at", "uploaded_by"]

    def view_on_site(self, obj):
        # The photo's address redirects to its file; one still missing its file has nothing to show.
        return None if obj.is_missing else obj.get_absolute_url()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="ảnh")
    def thumbnail(self, obj):
        return photo_thumbnail(obj, 80)

    @admin.display(description="xem trước")
    def preview(self, obj):
        if not obj.pk:
            return "Ảnh hiện ở đây sau khi lưu."
        return photo_preview(obj, 320)

    @admin.display(description="kích thước (px)")
    def dimensions(self, obj):
        return f"{obj.width}×{obj.height}" if obj.width and obj.height else "—"

    @admin.display(description="tải lên lúc", ordering="uploaded_at")
    def upload_time(self, obj):
        return short_datetime(obj.uploaded_at)


# People, organisations, sections, tags -------------------------------------


@admin.register(Author)
class AuthorAdmin(NewsroomAdmin):
    list_display = ["name", "email", "user", "article_count"]
    # Explicit: Meta.ordering is dropped from the GROUP BY query the count makes.
    ordering = ["name"]
    list_select_related = ["user"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["user", "photo"]
    fields = ["name", "slug", "email", "user", "photo", "bio"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("bylines"))

    @admin.display(description="số bài", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Organization)
class OrganizationAdmin(NewsroomAdmin):
    list_display = ["name", "short_name", "founded_on", "member_count"]
    search_fields = ["name", "short_name", "aliases"]
    autocomplete_fields = ["parent", "logo"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "aliases", "description"]}),
        ("Thông tin tổ chức", {"fields": ["founded_on", "founding_document", "member_count", "parent", "website"]}),
        ("Biểu trưng", {"fields": ["logo"]}),
    ]


@admin.register(Section)
class SectionAdmin(NewsroomAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(NewsroomAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
