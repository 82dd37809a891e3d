"""The newsroom's domain: sections, tags, authors, organisations and articles (photos are the `photos` app)."""

import math
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q, signals
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from . import pages, querysets, search_index
from .querysets import ArticleQuerySet
from .sanitize import EDITOR_EXTENSIONS, clean_body
from .text import fold, slugify_vi, strip_bidi


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


def staff_link(verbose_name, **options):
    """Who did something (created, saved, revoked…): a staff account, kept empty if the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


class SluggedModel(models.Model):
    """A named thing whose slug is made server-side from its name when left empty."""

    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("Leave empty to make it from the name automatically (no accents, e.g. de-an-dao-tao)."),
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
    name = models.CharField(_("section name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Sections with a smaller number come first in the navigation bar.")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Tag(SluggedModel):
    name = models.CharField(_("tag"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class Author(SluggedModel):
    name = models.CharField(_("full name"), max_length=150)
    bio = models.TextField(_("bio"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    photo = models.ForeignKey(
        "photos.Photo", verbose_name=_("portrait"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text=_("The author's login account, if any. Contributors may have none."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


WEB_ADDRESS = _("Enter a web address starting with http:// or https://.")


class WebAddressField(models.URLField):
    """An address readers follow from a page: http or https only, since a javascript: link runs script."""

    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_ADDRESS)]


class Organization(SluggedModel):
    name = models.CharField(_("organization name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_(
            "One name per line that the press uses for the organization. An article that mentions any of its names "
            "is linked to it."
        ),
    )
    description = models.TextField(_("profile"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    founding_document = models.CharField(
        _("founding document"),
        max_length=255,
        blank=True,
        help_text=_("For example: Quyết định số 520 QĐ-CT của UBND thành phố."),
    )
    member_count = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    website = WebAddressField(_("website"), blank=True)
    logo = models.ForeignKey(
        "photos.Photo", verbose_name=_("logo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            # The page links the website: no javascript: or data: address from update(), fixtures or SQL.
            models.CheckConstraint(
                condition=Q(website="") | Q(website__istartswith="http://") | Q(website__istartswith="https://"),
                name="organization_website_http",
                violation_error_message=WEB_ADDRESS,
            ),
        ]

    def get_absolute_url(self):
        return reverse("articles:organization", kwargs={"slug": self.slug})

    def clean(self):
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organization cannot be part of itself.")})

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def names(self):
        """Every name the organisation is written as: full name, short name, aliases."""
        return [name for name in [self.name, self.short_name, *self.alias_list] if name]

    def mentioned_in(self, folded_text):
        """Whether any of its names occurs as whole words in text already passed through fold()."""
        return any(re.search(rf"(?<!\w){re.escape(fold(name))}(?!\w)", folded_text) for name in self.names())


EXPIRE_BEFORE_PUBLISH = _("The take-down time must be after the publication time.")


class ArticleStatus(models.TextChoices):
    """An article's state, as Article.Status; at module level so that Article's Meta can name it too."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Taken down")


class Article(models.Model):
    Status = ArticleStatus

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_(
            "Made from the title automatically. It cannot change once the article is published, so that old links "
            "keep working."
        ),
    )
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("The opening paragraph, in bold under the title; plain text.")
    )
    body = ProseEditorField(_("body"), blank=True, config={"extensions": EDITOR_EXTENSIONS}, sanitize=clean_body)
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), through="ArticleAuthor", blank=True, related_name="articles"
    )
    byline = models.CharField(
        _("byline"),
        max_length=255,
        blank=True,
        help_text=_("Optional; shown instead of the list of authors. For example: Nhóm phóng viên Thời sự."),
    )
    featured_photo = models.ForeignKey(
        "photos.Photo",
        verbose_name=_("featured photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="featured_in",
    )
    # The library photos the body shows, kept by save() from the body's figures: what "where is this photo
    # used" and "may it be deleted" ask (photos/usage.py).
    body_photos = models.ManyToManyField(
        "photos.Photo", verbose_name=_("photos in the body"), blank=True, editable=False, related_name="body_of"
    )
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organizations mentioned"), blank=True, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("Vietnam time. A published article with a time in the future goes live at that time by itself."),
    )
    expire_at = models.DateTimeField(
        _("take down at"),
        null=True,
        blank=True,
        help_text=_("Vietnam time. Leave empty if the article is not to be taken down by itself."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = staff_link(_("created by"))
    updated_by = staff_link(_("last saved by"), editable=False)
    # The time readers are told the story last changed ("Cập nhật …"): moved only by a correction or a marked
    # update on a live story (articles/corrections.py). Feeds, sitemaps and structured data read last_modified.
    modified_at = models.DateTimeField(_("updated for readers at"), null=True, blank=True, editable=False)
    import_key = models.CharField(
        _("import file"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_("The name of the text file the article was imported from; importing the file again updates it."),
    )
    # The file name alone cannot tell two folders' "tin-1.txt" apart: the full path decides whether a
    # file updates this article or is a conflict (docs/architecture.md, "The import format").
    import_source = models.CharField(
        _("imported from"),
        max_length=1000,
        blank=True,
        editable=False,
        help_text=_("The full path of the text file the article was imported from."),
    )
    # What the page shows that only a save changes, made after each save (articles/pages.py): the body drawn
    # with its photos, and reading time, description, bylines, organisations and tags.
    page_body = models.TextField(_("body as shown"), blank=True, editable=False)
    page_data = models.JSONField(_("page data"), default=dict, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    # The long texts a list of stories leaves in the database.
    PAGE_TEXT = ("body", "page_body", "page_data")

    # Statuses after which the article's address is frozen: readers may have linked to it.
    ONCE_PUBLIC = {Status.PUBLISHED, Status.ARCHIVED}

    class Meta:
        ordering = ["-publish_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        # Held by the Editor group (migration 0005); the workflow's rules read it in articles/services.py.
        permissions = [("publish_article", _("Can publish, schedule, take down and restore articles"))]
        # Every reader list is "live, newest first", over all articles or one section's.
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_status_publish_idx"),
            models.Index(fields=["section", "status", "-publish_at"], name="article_section_publish_idx"),
            # The API's updated_since: what changed since a moment, oldest first.
            models.Index(querysets.last_modified(), models.F("id"), name="article_last_modified_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"], condition=~Q(import_key=""), name="article_import_key_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED) | Q(publish_at__isnull=False),
                name="article_published_has_publish_at",
                violation_error_message=_("A published article needs a publication time."),
            ),
            models.CheckConstraint(
                condition=Q(expire_at__isnull=True)
                | Q(publish_at__isnull=True)
                | Q(expire_at__gt=models.F("publish_at")),
                name="article_expire_after_publish",
                violation_error_message=EXPIRE_BEFORE_PUBLISH,
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Sanitised here, not only in forms: imports, scripts and the shell save too.
        self.body = clean_body(self.body)
        # Direction controls could make a headline read other than it is stored (docs/architecture.md, "Security").
        self.title, self.lead = strip_bidi(self.title), strip_bidi(self.lead)
        if not self.slug:
            # A once-published article keeps its address even if code blanks the slug.
            stored = self._stored()
            locked = stored and stored["status"] in self.ONCE_PUBLIC
            self.slug = stored["slug"] if locked else unique_slug(self, self.title)
        super().save(*args, **kwargs)
        self._keep_body_photos()

    def get_absolute_url(self):
        return reverse("articles:article", kwargs={"slug": self.slug})

    def _keep_body_photos(self):
        from photos.models import Photo

        from .body import photo_ids

        wanted = set(Photo.objects.filter(pk__in=photo_ids(self.body)).values_list("pk", flat=True))
        through = type(self).body_photos.through
        stored = set(through.objects.filter(article_id=self.pk).values_list("photo_id", flat=True))
        if wanted != stored:
            through.objects.filter(article_id=self.pk, photo_id__in=stored - wanted).delete()
            through.objects.bulk_create([through(article_id=self.pk, photo_id=pk) for pk in wanted - stored])

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.publish_at:
            self.publish_at = timezone.now()
        errors = {}
        # The database constraint says the same; here the message lands on the field.
        if self.publish_at and self.expire_at and self.expire_at <= self.publish_at:
            errors["expire_at"] = EXPIRE_BEFORE_PUBLISH
        if self.slug:
            stored = self._stored()
            if stored and stored["status"] in self.ONCE_PUBLIC and stored["slug"] != self.slug:
                errors["slug"] = _("A published article keeps its slug so that old links keep working.")
        if errors:
            raise ValidationError(errors)

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
    def last_modified(self):
        """When readers' version of the story last changed: its last update or correction, else its publication;
        a story published again after its corrections is as new as its publication (querysets.last_modified())."""
        if self.modified_at and self.publish_at:
            return max(self.modified_at, self.publish_at)
        return self.modified_at or self.publish_at

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
    author = models.ForeignKey(Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("article author")
        verbose_name_plural = _("article authors")
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="article_author_once")]

    def __str__(self):
        return f"{self.author} — {self.article}"


class ArticleEvent(models.Model):
    """One step of an article's workflow: who moved it, when, from which status to which, and why.

    Written only by articles/services.py, in the same transaction as the change it records
    (docs/architecture.md, "Workflow and roles").
    """

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted for review")
        RETURN = "return", _("Returned to draft")
        PUBLISH = "publish", _("Published")
        SCHEDULE = "schedule", _("Scheduled")
        UNSCHEDULE = "unschedule", _("Unscheduled")
        ARCHIVE = "archive", _("Taken down")
        RESTORE = "restore", _("Restored to draft")

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="events")
    actor = staff_link(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("action"), max_length=20, choices=Kind)
    from_status = models.CharField(_("from"), max_length=20, choices=ArticleStatus)
    to_status = models.CharField(_("to"), max_length=20, choices=ArticleStatus)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("article event")
        verbose_name_plural = _("article events")
        indexes = [models.Index(fields=["article", "-at"], name="article_event_article_at_idx")]

    def __str__(self):
        return f"{self.article_id}: {self.from_status} → {self.to_status}"


class Correction(models.Model):
    """A note readers see at the foot of a live article: a correction of a fact, or a substantive update.

    Written only by articles/corrections.py, which also moves the article's modified_at.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField(_("text"), blank=True, max_length=2000)
    at = models.DateTimeField(_("at"), default=timezone.now)
    created_by = staff_link(_("by"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [
            models.Index(fields=["article", "-at"], name="correction_article_at_idx"),
            models.Index(fields=["kind", "-at"], name="correction_kind_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article_id}"


class ShareLink(models.Model):
    """A read-only link to a non-live article for someone without an account (articles/sharing.py)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="share_links"
    )
    # The random part of the signed token in the link; the database row decides expiry and revocation.
    key = models.CharField(_("key"), max_length=64, unique=True, editable=False)
    recipient = models.CharField(
        _("for whom"), max_length=200, blank=True, help_text=_("Who the link is for, as a reminder for the desk.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = staff_link(_("created by"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = staff_link(_("revoked by"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self):
        return f"{self.article_id}: {self.recipient or self.pk}"


class EditSession(models.Model):
    """Who has an article's form open, and since when (articles/editing.py): others opening it are told."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="edit_sessions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)

    class Meta:
        verbose_name = _("editing session")
        verbose_name_plural = _("editing sessions")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="edit_session_once_per_user")]

    def __str__(self):
        return f"{self.user_id} — {self.article_id}"


class ArticleSearch(models.Model):
    """What search reads for one article: its words folded (articles/search_index.py), and on PostgreSQL its vector.

    Derived data, kept current by the receivers below and rebuilt whole by `manage.py rebuild_search_index`.
    """

    article = models.OneToOneField(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    title = models.TextField(_("title, folded"), blank=True)
    lead = models.TextField(_("lead, folded"), blank=True)
    rest = models.TextField(
        _("body and names, folded"), blank=True, help_text=_("Body text, authors, organizations and tags.")
    )
    # Weighted A (title), B (lead), C (rest); empty on SQLite, which searches the folded columns.
    vector = SearchVectorField(_("search vector"), null=True, editable=False)
    # The article's, copied with its words: search reads the newest entries from this index, narrow rows, without
    # joining each to its article (articles/search.py, Found).
    publish_at = models.DateTimeField(_("publication time"), null=True, editable=False)

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        indexes = [models.Index(fields=["-publish_at", "-article"], name="articlesearch_newest_idx")]

    def __str__(self):
        return str(self.article_id)


# Keeping the index current. Signals rather than save(): reverting a version (django-reversion), loaddata and the
# byline rows that factories and the admin's inline create after the article all save without Article.save().


def _derive(ids, using):
    """The search index and the stored pages of these articles made again (articles/pages.py)."""
    ids = list(ids)
    search_index.reindex(Article, ids, using=using)
    pages.refresh(Article, ids, using=using)


# What a stored page is made from, on the article's own row.
PAGE_FIELDS = {"lead", "body", "featured_photo", "byline"}
# What the search entry is made from, on the article's own row (articles/search_index.py, index_rows).
INDEXED_FIELDS = {"title", "lead", "body", "publish_at"}


@receiver(signals.post_save, sender=Article)
def _index_saved_article(sender, instance, raw, using, update_fields=None, **kwargs):
    changed = None if update_fields is None else set(update_fields)
    if changed is None or INDEXED_FIELDS & changed:
        # A save of some fields only may come from an instance whose other fields are stale: those are read back.
        read_back = raw or (changed is not None and not changed >= INDEXED_FIELDS)
        search_index.reindex(Article, [instance.pk], using=using, articles=None if read_back else [instance])
    if changed is None or PAGE_FIELDS & changed:
        pages.refresh(Article, [instance.pk], using=using)


@receiver(signals.post_save, sender=ArticleAuthor)
@receiver(signals.post_delete, sender=ArticleAuthor)
def _index_byline(sender, instance, using, origin=None, **kwargs):
    # An article being deleted takes its bylines along: nothing to index, and its search row is going too.
    if isinstance(origin, Article) or getattr(origin, "model", None) is Article:
        return
    _derive([instance.article_id], using)


def _index_m2m(sender, instance, action, reverse, pk_set, using, **kwargs):
    """An article's organisations or tags changed, from either side of the relation."""
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            _derive([instance.pk], using)
    elif action == "pre_clear":
        instance._search_cleared = list(instance.articles.values_list("pk", flat=True))
    elif action in {"post_add", "post_remove"}:
        _derive(pk_set, using)
    elif action == "post_clear":
        _derive(getattr(instance, "_search_cleared", []), using)


signals.m2m_changed.connect(_index_m2m, sender=Article.organizations.through, dispatch_uid="search_organizations")
signals.m2m_changed.connect(_index_m2m, sender=Article.tags.through, dispatch_uid="search_tags")

# The names each model lends its articles' index and pages (and the slug their links are made of): a change
# reindexes those articles and makes their pages again, in batches.
INDEXED_NAMES = {
    Author: ("name", "slug"),
    Organization: ("name", "short_name", "aliases", "slug"),
    Tag: ("name", "slug"),
}


def _names_as_loaded(instance):
    # __dict__, not getattr: a deferred name must not cost a query per loaded row.
    return tuple(instance.__dict__.get(field) for field in INDEXED_NAMES[type(instance)])


def _remember_names(sender, instance, **kwargs):
    instance._search_names = _names_as_loaded(instance)


def _index_renamed(sender, instance, created, using, **kwargs):
    names = _names_as_loaded(instance)
    if not created and names != getattr(instance, "_search_names", None):
        _derive(instance.articles.values_list("pk", flat=True), using)
    instance._search_names = names


def _remember_articles(sender, instance, **kwargs):
    # Deleting an organisation or tag drops its rows from the m2m table without an m2m_changed signal.
    instance._search_articles = list(instance.articles.values_list("pk", flat=True))


def _index_after_delete(sender, instance, using, **kwargs):
    _derive(getattr(instance, "_search_articles", []), using)


for _model in INDEXED_NAMES:
    signals.post_init.connect(_remember_names, sender=_model, dispatch_uid=f"search_names_{_model.__name__}")
    signals.post_save.connect(_index_renamed, sender=_model, dispatch_uid=f"search_rename_{_model.__name__}")
for _model in (Organization, Tag):
    signals.pre_delete.connect(_remember_articles, sender=_model, dispatch_uid=f"search_del_{_model.__name__}")
    signals.post_delete.connect(_index_after_delete, sender=_model, dispatch_uid=f"search_deleted_{_model.__name__}")


# A photo's caption, credit, alt text or file changed: the pages whose body shows it are made again. (Its
# renditions are written with update(), which sends no signal: photos/pipeline.py calls pages.for_photos().)
# By name: photos.models imports this module.
@receiver(signals.post_save, sender="photos.Photo", dispatch_uid="pages_photo_saved")
def _photo_saved(sender, instance, created, raw, using, **kwargs):
    if not created:
        pages.for_photos([instance.pk], using=using)


@receiver(signals.pre_delete, sender="photos.Photo", dispatch_uid="pages_photo_deleting")
def _photo_deleting(sender, instance, using, **kwargs):
    instance._pages_showing = list(instance.body_of.values_list("pk", flat=True))


@receiver(signals.post_delete, sender="photos.Photo", dispatch_uid="pages_photo_deleted")
def _photo_deleted(sender, instance, using, **kwargs):
    pages.refresh(Article, getattr(instance, "_pages_showing", []), using=using)


class ContentGeneration(models.Model):
    """One row whose number rises after every commit that changes what readers may see.

    The page cache (newsroom/pagecache.py) files each stored page under the number it was made at, so a
    save seen by one worker is seen by every worker and server at their next request, with no key scan.
    Kept here when the site has no Redis; with REDIS_URL the number lives in Redis and this row is unused.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("content generation")
        verbose_name_plural = _("content generations")

    def __str__(self):
        return str(self.value)
