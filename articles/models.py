"""The newsroom's domain: sections, tags, photos, authors, organisations and articles."""

import math
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django_prose_editor.fields import ProseEditorField

from .querysets import ArticleQuerySet
from .sanitize import EDITOR_EXTENSIONS, clean_body
from .text import fold, slugify_vi


def unique_slug(instance, text, *, max_length=200):
    """A slug for `text` that no other row of the model uses: "ten", "ten-2", "ten-3"…"""
    base = slugify_vi(text, max_length=max_length - 8) or "bai"
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    taken = set(others.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class SluggedModel(models.Model):
    """A named thing whose slug is made server-side from its name when left empty."""

    slug = models.SlugField(
        "đường dẫn",
        max_length=200,
        unique=True,
        blank=True,
        help_text="Để trống để tạo tự động từ tên (không dấu, ví dụ: de-an-dao-tao).",
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)


class Section(SluggedModel):
    name = models.CharField("tên chuyên mục", max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(
        "thứ tự", default=0, help_text="Chuyên mục có số nhỏ hơn đứng trước trên thanh điều hướng."
    )
    description = models.TextField("mô tả", blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "chuyên mục"
        verbose_name_plural = "chuyên mục"

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Tag(SluggedModel):
    name = models.CharField("từ khóa", max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "từ khóa"
        verbose_name_plural = "từ khóa"

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


def photo_upload_to(instance, filename):
    now = timezone.localtime()
    return f"photos/{now:%Y/%m}/{filename}"


class Photo(models.Model):
    image = models.ImageField(
        "ảnh",
        upload_to=photo_upload_to,
        width_field="width",
        height_field="height",
        blank=True,
        help_text="Tệp JPEG, PNG, WebP hoặc GIF. Ảnh nhập từ văn bản mà chưa có tệp sẽ để trống, cần bổ sung.",
    )
    caption = models.TextField("chú thích", blank=True)
    credit = models.CharField("nguồn ảnh", max_length=200, blank=True, help_text="Ví dụ: Ảnh: Minh Anh.")
    alt_text = models.CharField(
        "mô tả thay thế",
        max_length=300,
        blank=True,
        help_text="Mô tả ngắn nội dung ảnh cho người khiếm thị. Để trống thì dùng chú thích.",
    )
    width = models.PositiveIntegerField("rộng (px)", null=True, blank=True, editable=False)
    height = models.PositiveIntegerField("cao (px)", null=True, blank=True, editable=False)
    original_filename = models.CharField("tên tệp gốc", max_length=255, blank=True)
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tải lên",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "ảnh"
        verbose_name_plural = "ảnh"

    def __str__(self):
        label = self.caption or self.original_filename or f"Ảnh #{self.pk}"
        return label if len(label) <= 80 else label[:79] + "…"

    def save(self, *args, **kwargs):
        if self.image and not self.original_filename:
            self.original_filename = self.image.name.rsplit("/", 1)[-1][:255]
        if self.image and (self.width is None or self.height is None):
            # Stored once here: with empty dimension fields Django would open and
            # read the file every time the row is loaded (on S3, a fetch per view).
            self.width, self.height = self.image.width, self.image.height
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The stable address a body figure uses; it redirects to the current file."""
        return reverse("articles:photo", kwargs={"pk": self.pk})

    @property
    def description(self):
        """Text for the `alt` attribute: the alt text, else the caption."""
        return self.alt_text or self.caption

    @property
    def is_missing(self):
        return not self.image


class Author(SluggedModel):
    name = models.CharField("họ tên", max_length=150)
    bio = models.TextField("giới thiệu", blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    photo = models.ForeignKey(
        Photo, verbose_name="ảnh chân dung", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="Tài khoản đăng nhập của tác giả, nếu có. Cộng tác viên có thể không có tài khoản.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "tác giả"
        verbose_name_plural = "tác giả"

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class Organization(SluggedModel):
    name = models.CharField("tên tổ chức", max_length=255, unique=True)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    aliases = models.TextField(
        "tên gọi khác",
        blank=True,
        help_text="Mỗi dòng một cách gọi khác mà báo chí dùng. Bài viết nhắc tới tên nào cũng được gắn với tổ chức.",
    )
    description = models.TextField("giới thiệu", blank=True)
    founded_on = models.DateField("ngày thành lập", null=True, blank=True)
    founding_document = models.CharField(
        "văn bản thành lập", max_length=255, blank=True, help_text="Ví dụ: Quyết định số 520 QĐ-CT của UBND thành phố."
    )
    member_count = models.PositiveIntegerField("số hội viên", null=True, blank=True)
    website = models.URLField("trang web", blank=True)
    logo = models.ForeignKey(
        Photo, verbose_name="biểu trưng", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="trực thuộc",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "tổ chức"
        verbose_name_plural = "tổ chức"

    def get_absolute_url(self):
        return reverse("articles:organization", kwargs={"slug": self.slug})

    def clean(self):
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "Một tổ chức không thể trực thuộc chính nó."})

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def names(self):
        """Every name the organisation is written as: full name, short name, aliases."""
        return [name for name in [self.name, self.short_name, *self.alias_list] if name]

    def mentioned_in(self, folded_text):
        """Whether any of its names occurs as whole words in text already passed through fold()."""
        return any(re.search(rf"(?<!\w){re.escape(fold(name))}(?!\w)", folded_text) for name in self.names())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Bản nháp"
        REVIEW = "review", "Chờ duyệt"
        PUBLISHED = "published", "Xuất bản"
        ARCHIVED = "archived", "Đã gỡ"

    title = models.CharField("tiêu đề", max_length=255)
    slug = models.SlugField(
        "đường dẫn",
        max_length=200,
        unique=True,
        blank=True,
        help_text="Tạo tự động từ tiêu đề. Không đổi được sau khi bài đã xuất bản, để liên kết cũ không hỏng.",
    )
    lead = models.TextField("sapo", blank=True, help_text="Đoạn mở đầu in đậm dưới tiêu đề; văn bản thường.")
    body = ProseEditorField("nội dung", blank=True, config={"extensions": EDITOR_EXTENSIONS}, sanitize=clean_body)
    section = models.ForeignKey(
        Section,
        verbose_name="chuyên mục",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    authors = models.ManyToManyField(
        Author, verbose_name="tác giả", through="ArticleAuthor", blank=True, related_name="articles"
    )
    byline = models.CharField(
        "dòng tác giả",
        max_length=255,
        blank=True,
        help_text="Tùy chọn, hiện thay cho danh sách tác giả. Ví dụ: Nhóm phóng viên Thời sự.",
    )
    featured_photo = models.ForeignKey(
        Photo, verbose_name="ảnh đại diện", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organizations = models.ManyToManyField(
        Organization, verbose_name="tổ chức được nhắc tới", blank=True, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, verbose_name="từ khóa", blank=True, related_name="articles")
    status = models.CharField("trạng thái", max_length=20, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "xuất bản lúc",
        null=True,
        blank=True,
        help_text="Giờ Việt Nam. Bài xuất bản có giờ trong tương lai sẽ tự lên trang đúng giờ đó.",
    )
    expire_at = models.DateTimeField(
        "gỡ lúc", null=True, blank=True, help_text="Giờ Việt Nam. Để trống nếu bài không tự gỡ."
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_key = models.CharField(
        "tệp nhập",
        max_length=255,
        blank=True,
        editable=False,
        help_text="Tên tệp văn bản mà bài được nhập từ đó; nhập lại tệp sẽ cập nhật bài này.",
    )

    objects = ArticleQuerySet.as_manager()

    # Statuses after which the article's address is frozen: readers may have linked to it.
    ONCE_PUBLIC = {Status.PUBLISHED, Status.ARCHIVED}

    class Meta:
        ordering = ["-publish_at", "-pk"]
        verbose_name = "bài viết"
        verbose_name_plural = "bài viết"
        # Every reader list is "live, newest first", over all articles or one section's.
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_status_publish_idx"),
            models.Index(fields=["section", "status", "-publish_at"], name="article_section_publish_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"], condition=~Q(import_key=""), name="article_import_key_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="article_published_has_publish_at",
                violation_error_message="Bài xuất bản cần có thời điểm xuất bản.",
            ),
            models.CheckConstraint(
                condition=Q(expire_at__isnull=True)
                | Q(publish_at__isnull=True)
                | Q(expire_at__gt=models.F("publish_at")),
                name="article_expire_after_publish",
                violation_error_message="Thời điểm gỡ bài phải sau thời điểm xuất bản.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Sanitised here, not only in forms: imports, scripts and the shell save too.
        self.body = clean_body(self.body)
        if not self.slug:
            # A once-published article keeps its address even if code blanks the slug.
            stored = self._stored()
            locked = stored and stored["status"] in self.ONCE_PUBLIC
            self.slug = stored["slug"] if locked else unique_slug(self, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:article", kwargs={"slug": self.slug})

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.publish_at:
            self.publish_at = timezone.now()
        if self.slug:
            stored = self._stored()
            if stored and stored["status"] in self.ONCE_PUBLIC and stored["slug"] != self.slug:
                raise ValidationError({"slug": "Bài đã xuất bản giữ nguyên đường dẫn để liên kết cũ không hỏng."})

    def _stored(self):
        """The row's slug and status as saved, or None for a new article."""
        if self.pk is None:
            return None
        return type(self)._default_manager.filter(pk=self.pk).values("slug", "status").first()

    @property
    def is_live(self):
        """The rule of ArticleQuerySet.published(), on this one row."""
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.expire_at is None or self.expire_at > now)
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at > timezone.now()

    @property
    def is_expired(self):
        return self.status == self.Status.PUBLISHED and self.expire_at is not None and self.expire_at <= timezone.now()

    @property
    def author_list(self):
        """Authors in byline order; uses the prefetched `bylines` when present."""
        return [byline.author for byline in self.bylines.all()]

    @property
    def reading_time(self):
        """Minutes to read the lead and body at 200 words a minute."""
        words = len(strip_tags(f"{self.lead} {self.body}").split())
        return max(1, math.ceil(words / 200))


class ArticleAuthor(models.Model):
    """One author on one article, in the order the byline shows them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, verbose_name="tác giả", on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "tác giả của bài"
        verbose_name_plural = "tác giả của bài"
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="article_author_once")]

    def __str__(self):
        return f"{self.author} — {self.article}"
