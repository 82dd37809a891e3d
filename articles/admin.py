"""The admin, where reporters write: in Vietnamese, or in English for an editor who switches.

Every label here is an English msgid; locale/vi carries the Vietnamese the newsroom reads.
Visibility ("live", "scheduled"…) is asked of Article.objects.published() /
scheduled() and of article.is_live, never restated here (docs/architecture.md, "Visibility"). Who may do what
is asked of articles/services.py, through Django's permission hooks (has_*_permission, get_queryset,
get_fieldsets); every status change goes through one of its services (docs/architecture.md, "Workflow and roles").
"""

import copy
import re
from datetime import MAXYEAR, MINYEAR

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextareaWidget, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, F, Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from photos.display import photo_preview
from photos.usage import live_articles_lacking_alt_text
from photos.widgets import PhotoChooserWidget

from . import services
from .corrections import CorrectionsAdminMixin
from .editing import EditingAdminMixin, NoLostEditsFormMixin
from .models import Article, ArticleAuthor, ArticleEvent, Author, Organization, Section, Tag
from .revisions import RevisionsAdminMixin
from .sanitize import foreign_images
from .sharing import SharingAdminMixin

# The statuses after which an article's address is public and must not change
# (the same set Article.clean() guards).
SLUG_LOCKED = Article.ONCE_PUBLIC


def badge(text, kind):
    return format_html('<span class="nr-badge nr-badge-{}">{}</span>', kind, text)


# Every changelist ------------------------------------------------------------

# The parts of a date a lookup can compare with a number (publish_at__year=…, uploaded_at__month__gte=…).
DATE_PARTS = {
    "year", "iso_year", "quarter", "month", "week", "day", "week_day", "iso_week_day", "hour", "minute", "second",
}  # fmt: skip
# The date hierarchy turns ?…__year=Y into a range up to the next year in Vietnam time, so a year is only
# usable strictly inside Python's datetime range (Django's own code raises for 9999 and overflows for larger).
DATE_NUMBER = re.compile(r"\d{1,4}")
DATE_HIERARCHY_BOUNDS = {"year": (MINYEAR + 1, MAXYEAR - 1), "month": (1, 12), "day": (1, 31)}


class GuardedChangeList(ChangeList):
    """A changelist that answers Django's "invalid lookup" redirect (?e=1) for date numbers it cannot use.

    Django validates a date-hierarchy year only with datetime(), so ?publish_at__year=9999 (the range end is in
    year 10000), a 20-digit year or month (OverflowError) and ?publish_at__year__gte=<20 digits> (the database
    driver overflows) were 500s for staff.
    """

    def get_filters(self, request):
        self._check_date_numbers(self.get_filters_params())
        return super().get_filters(request)

    def _check_date_numbers(self, params):
        date_fields = {field.name for field in self.model._meta.concrete_fields if isinstance(field, models.DateField)}
        for key, values in params.items():
            field, _, lookup = key.partition("__")
            part = lookup.split("__")[0]
            if field not in date_fields or part not in DATE_PARTS:
                continue
            in_hierarchy = field == self.date_hierarchy and part == lookup
            low, high = DATE_HIERARCHY_BOUNDS.get(part, (0, 9999)) if in_hierarchy else (0, 9999)
            for value in values:
                for number in str(value).split(","):  # __in and __range take comma-separated lists
                    if not self._is_int_between(number, low, high):
                        raise IncorrectLookupParameters(f"{key}={value!r}")

    @staticmethod
    def _is_int_between(text, low, high):
        # No date part needs five digits; the pattern also keeps int() away from a thousand-digit string.
        return bool(DATE_NUMBER.fullmatch(text.strip())) and low <= int(text) <= high


class AutocompleteSelectMultipleWithoutClearAll(AutocompleteSelectMultiple):
    """A many-to-many picker without select2's "clear all" ×, which it puts inside the <ul> of chosen items.

    A <span> among the <li>s is a broken list to screen readers (axe's `list` rule); every chosen item keeps
    its own × to remove it.
    """

    def build_attrs(self, base_attrs, extra_attrs=None):
        return super().build_attrs(base_attrs, extra_attrs) | {"data-allow-clear": "false"}


class NewsroomAdmin(admin.ModelAdmin):
    """What every admin page of the newsroom shares."""

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield and isinstance(formfield.widget, AdminSplitDateTime):
            # The admin prints "Date:" and "Time:" before the two inputs as plain text, not as labels.
            date, time = formfield.widget.widgets
            date.attrs["aria-label"] = format_lazy(_("{field}, date"), field=formfield.label)
            time.attrs["aria-label"] = format_lazy(_("{field}, time"), field=formfield.label)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultipleWithoutClearAll(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# Articles ------------------------------------------------------------------


class VisibilityFilter(admin.SimpleListFilter):
    """What readers see now; each value asks the queryset methods that define it."""

    title = _("visibility")
    parameter_name = "hien_thi"

    def lookups(self, request, model_admin):
        return [
            ("live", _("Live")),
            ("scheduled", _("Scheduled")),
            ("expired", _("Expired")),
            ("unpublished", _("Not published (draft, in review, taken down)")),
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


class LacksAltTextFilter(admin.SimpleListFilter):
    """Live stories that show a photo without alt text: what is left to fix (photos/usage.py says which)."""

    title = _("photos lacking alt text")
    parameter_name = "thieu_mo_ta_anh"

    def lookups(self, request, model_admin):
        return [("1", _("Live, with a photo lacking alt text"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(pk__in=live_articles_lacking_alt_text().values("pk"))
        return queryset


# The fields only an editor has on the article form; a POST from anyone else that carries them is refused.
SCHEDULE_FIELDS = ["status", "publish_at", "expire_at"]
SCHEDULE_KEYS = {"status", "publish_at", "publish_at_0", "publish_at_1", "expire_at", "expire_at_0", "expire_at_1"}


class ArticleAdminForm(NoLostEditsFormMixin, forms.ModelForm):
    # Set by ArticleAdmin.get_form(): the user the form is for.
    user = None
    workflow_note = forms.CharField(
        label=_("Note for the reporter"),
        required=False,
        max_length=2000,
        widget=AdminTextareaWidget(attrs={"rows": 2}),
        help_text=_("Required when a story in review goes back to draft: what the reporter is to change."),
    )

    class Meta:
        model = Article
        fields = [
            "title", "slug", "section", "lead", "body", "byline", "featured_photo",
            "organizations", "tags", "status", "publish_at", "expire_at",
        ]  # fmt: skip
        widgets = {"lead": AdminTextareaWidget(attrs={"rows": 3})}
        help_texts = {
            "slug": _(
                "The last part of the article's address, e.g. /bai-viet/de-an-dao-tao-nhan-luc/. "
                "Leave empty to make it from the title automatically (accents dropped, đ → d). Only unaccented "
                "lowercase letters, digits and hyphens. Once the article is published, its slug is kept so that old "
                "links keep working."
            ),
        }
        error_messages = {
            "slug": {
                "unique": _("Another article already uses this slug. Change it, or leave it empty to make one."),
                "invalid": _("A slug has only unaccented lowercase letters, digits, hyphens (-) and underscores (_)."),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The editor's NoSpellCheck extension is on by default; reporters want the browser's spelling check.
        # A new dict: the widget's config is the model field's own object. (A read-only view has no body field.)
        if "body" in self.fields:
            body = self.fields["body"].widget
            body.config = body.config | {"extensions": body.config["extensions"] | {"NoSpellCheck": False}}
        if "status" not in self.fields:
            self.fields.pop("workflow_note", None)
        # The transition the editor's status and publish_at fields ask for; set by clean().
        self.transition = None

    def clean_body(self):
        # The sanitiser drops such images on save; the reporter hears it here instead of losing them silently.
        body = self.cleaned_data["body"]
        if foreign := foreign_images(body):
            addresses = ", ".join(src if len(src) <= 80 else src[:79] + "…" for src in foreign[:3] if src)
            raise ValidationError(
                _("Photos in the body come from the photo library only. Remove or replace: %(addresses)s"),
                code="foreign_image",
                params={"addresses": addresses or _("an image without an address")},
            )
        return body

    def clean(self):
        cleaned_data = super().clean()
        self._refuse_locked_slug_change()
        self._plan_transition(cleaned_data)
        return cleaned_data

    def _plan_transition(self, cleaned_data):
        if "status" not in self.fields:
            # A reporter's form has no such fields; a POST that adds them by hand is refused, not half-applied.
            if SCHEDULE_KEYS & {key.removeprefix(self.prefix + "-") if self.prefix else key for key in self.data}:
                raise ValidationError(
                    _("Only an editor can change the status, publication time or take-down time."), code="editor_only"
                )
            return
        if "status" not in cleaned_data:
            return
        stored = self.instance if self.instance.pk else None
        try:
            self.transition = services.plan_status_change(
                stored, cleaned_data["status"], cleaned_data.get("publish_at")
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
            return
        if self.transition == ArticleEvent.Kind.RETURN and not cleaned_data.get("workflow_note", "").strip():
            self.add_error("workflow_note", _("Tell the reporter what to change: the note is required."))

    def _post_clean(self):
        super()._post_clean()
        # The instance now holds the form's photo, body and status: refused here, as a form error, what the
        # services would refuse on save (a photo without alt text going on the site).
        # Publishing or scheduling checks every photo; any other save only the photos it adds to a live story.
        stored = None
        if self.instance.pk and self.transition not in (ArticleEvent.Kind.PUBLISH, ArticleEvent.Kind.SCHEDULE):
            stored = Article.objects.filter(pk=self.instance.pk).first()
        try:
            services.check_alt_text(self.instance, stored=stored)
        except ValidationError as error:
            self.add_error(None, error)

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


class BylineForm(forms.ModelForm):
    """One author row. Its position only orders the rows: the formset saves them as 1, 2, 3."""

    class Meta:
        model = ArticleAuthor
        fields = ["author", "position"]
        widgets = {"position": forms.NumberInput(attrs={"min": 0, "aria-label": _("Position in the byline")})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, a row goes after the numbered ones (a new row used to show 0 and jump to the front).
        self.fields["position"].required = False
        if not self.instance.pk:
            self.initial["position"] = None
        # On the select inside the admin's wrapper (the wrapper's attrs are not the copy this form renders).
        author = self.fields["author"].widget
        getattr(author, "widget", author).attrs["aria-label"] = _("author")


class BylineFormSet(forms.BaseInlineFormSet):
    """Saves the byline as positions 1, 2, 3… in the order the editor sees.

    With the form's script on, the rows' order on screen is the order (it numbers the positions as rows
    move); without it, the typed numbers are, and ties and empty ones keep the rows' order.
    """

    _ranked = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Remove this author from the byline")

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("author") and not self._should_delete_form(form) and not form.errors
        ]
        # sorted() is stable: rows with the same (or no) number keep their order on the page.
        kept.sort(key=lambda form: (form.cleaned_data.get("position") is None, form.cleaned_data.get("position") or 0))
        for rank, form in enumerate(kept, start=1):
            form.instance.position = form.cleaned_data["position"] = rank
        self._ranked = kept

    def save_existing_objects(self, commit=True):
        saved = super().save_existing_objects(commit)
        if commit:
            # Django saves only rows whose fields changed; a row whose rank moved because another row was added,
            # removed or reordered may not have: store its new position as well.
            for form in self._ranked:
                if form.instance.pk and form.instance not in saved and not form.has_changed():
                    form.instance.save(update_fields=["position"])
        return saved


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    form = BylineForm
    formset = BylineFormSet
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = _("author")
    verbose_name_plural = _("authors (in byline order)")


@admin.register(Article)
class ArticleAdmin(RevisionsAdminMixin, EditingAdminMixin, SharingAdminMixin, CorrectionsAdminMixin, NewsroomAdmin):
    form = ArticleAdminForm
    empty_value_display = "—"
    inlines = [ArticleAuthorInline]
    list_display = ["title", "section", "author_names", "status", "visibility", "publish_time"]
    list_filter = ["status", "section", VisibilityFilter, LacksAltTextFilter]
    list_select_related = ["section"]
    # Searched through the search index (get_search_results); Django shows the box only when this is not empty.
    search_fields = ["title", "lead"]
    search_help_text = _("Title, lead, body, authors, organizations or tags; accents and capitals do not matter.")
    date_hierarchy = "publish_at"
    # Drafts have no publish_at: put them first on every database (PostgreSQL and
    # SQLite disagree on where NULLs sort by default).
    ordering = [F("publish_at").desc(nulls_first=True), "-pk"]
    autocomplete_fields = ["section", "organizations", "tags"]
    readonly_fields = ["featured_photo_preview", "created_by", "created_at", "updated_at", "visibility", "publish_time"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "lead", "body"]}),
        (_("Byline"), {"fields": ["byline"]}),
        (_("Featured photo"), {"fields": ["featured_photo", "featured_photo_preview"]}),
        (_("Organizations and tags"), {"fields": ["organizations", "tags"]}),
        (
            _("Publishing"),
            {
                "fields": [*SCHEDULE_FIELDS, "workflow_note"],
                "description": _(
                    "Vietnam time (Asia/Ho_Chi_Minh, UTC+7). An article with the status “Published” and a time in "
                    "the future goes live at that time by itself; with “publish at” left empty it goes live as soon "
                    "as it is saved."
                ),
            },
        ),
        (_("Record details"), {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        # The editor in the admin's language with Vietnamese spelling, and the byline's drag-to-reorder.
        js = ["admin_newsroom/article_form.js", "admin_newsroom/editing.js"]
        css = {"all": ["admin_newsroom/editing.css"]}

    actions = ["publish_selected", "unschedule_selected", "archive_selected", "restore_selected"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "featured_photo":
            # The library picker (photos/widgets.py) instead of a select: search, thumbnails, upload.
            return db_field.formfield(widget=PhotoChooserWidget())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        # The changelist shows sections and bylines: fetched up front, not one query per row.
        bylines = ArticleAuthor.objects.select_related("author")
        queryset = (
            super().get_queryset(request).select_related("section").prefetch_related(Prefetch("bylines", bylines))
        )
        # A reporter's list, change, history and delete pages reach their own stories only.
        return services.visible_articles(request.user, queryset)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not services.is_editor(request.user):
            # Someone else's story and a missing one look the same to a reporter: not found.
            raise Http404
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or services.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or services.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or services.can_delete(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if services.can_set_schedule_fields(request.user):
            return fieldsets
        # A reporter sets none of the publishing fields but still sees where the story stands.
        where_it_stands = {
            "fields": ["visibility", "publish_time"],
            "description": _("Only an editor publishes or schedules a story; submit it for review when it is ready."),
        }
        return [
            (name, where_it_stands if set(options["fields"]) & set(SCHEDULE_FIELDS) else options)
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_search_results(self, request, queryset, search_term):
        # The search index's folding (articles/search.py), not search_fields' icontains: "hai phong" finds
        # "Hải Phòng", and authors, organisations and tags are searched too. One row per article: no duplicates.
        from .search import matching

        return matching(queryset, search_term), False

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status in SLUG_LOCKED:
            readonly.append("slug")
        return readonly

    def get_actions(self, request):
        # Bulk actions, Django's delete included, are the editors': a reporter's list has none.
        return super().get_actions(request) if services.is_editor(request.user) else {}

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "action" in request.POST and not services.is_editor(request.user):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        """Saves through the services: the edit, then the transition the form or its button asks for."""
        user = request.user
        transition = getattr(form, "transition", None)
        if not change:
            obj.created_by = user
            target = (obj.status, obj.publish_at, obj.expire_at)
            obj.status = Article.Status.DRAFT
            if transition:
                obj.publish_at = obj.expire_at = None
            services.article_save(article=obj, by=user)
            obj.status, obj.publish_at, obj.expire_at = target
        elif not transition:
            services.article_save(article=obj, by=user)
        if transition:
            self._run(transition, obj, user, note=form.cleaned_data.get("workflow_note", ""))
        if "_nr_submit" in request.POST and obj.status == Article.Status.DRAFT and transition is None:
            services.article_submit(article=obj, by=user)
            self.message_user(request, _("The story was sent to the editors for review."), messages.SUCCESS)

    @staticmethod
    def _run(kind, article, user, *, note="", publish_at=None):
        Kind = ArticleEvent.Kind
        if kind == Kind.SCHEDULE:
            publish_at = publish_at or article.publish_at
            return services.article_schedule(
                article=article, by=user, publish_at=publish_at, expire_at=article.expire_at
            )
        if kind == Kind.RETURN:
            return services.article_return_to_draft(article=article, by=user, note=note)
        if kind in (Kind.SUBMIT, Kind.ARCHIVE):
            call = services.article_submit if kind == Kind.SUBMIT else services.article_archive
            return call(article=article, by=user, note=note)
        call = {
            Kind.PUBLISH: services.article_publish,
            Kind.UNSCHEDULE: services.article_unschedule,
            Kind.RESTORE: services.article_restore,
        }[kind]
        return call(article=article, by=user)

    # The workflow's buttons ------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        workflow = path(
            "<path:object_id>/workflow/<slug:kind>/",
            self.admin_site.admin_view(self.workflow_view),
            name=f"{info[0]}_{info[1]}_workflow",
        )
        return [workflow, *super().get_urls()]

    def workflow_view(self, request, object_id, kind):
        """One button of the change page: POST only, then back to the article with what happened."""
        if kind not in ArticleEvent.Kind.values:
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        form = WorkflowForm(request.POST)
        change_url = self._back_url(request, article)
        if not form.is_valid():
            for problems in form.errors.values():
                self.message_user(request, " ".join(problems), messages.ERROR)
            return HttpResponseRedirect(change_url)
        if kind == ArticleEvent.Kind.SCHEDULE and form.cleaned_data["publish_at"] is None:
            self.message_user(request, _("Choose the date and time to publish at."), messages.ERROR)
            return HttpResponseRedirect(change_url)
        try:
            # TransitionDenied is a PermissionDenied: the admin answers it with a 403.
            self._run(
                kind, article, request.user, note=form.cleaned_data["note"], publish_at=form.cleaned_data["publish_at"]
            )
        except ValidationError as error:
            for problems in error.message_dict.values():
                self.message_user(request, " ".join(problems), messages.ERROR)
            return HttpResponseRedirect(change_url)
        self.message_user(request, DONE[kind], messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    @staticmethod
    def _back_url(request, article):
        """Where a workflow button returns: the admin page it was pressed on (`next`, such as the desk), else
        the article's change page. Only an address inside the admin is followed."""
        back = request.POST.get("next", "")
        admin_root = reverse("admin:index")
        if back.startswith(admin_root) and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return back
        return reverse("admin:articles_article_change", args=[article.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = self.get_object(request, object_id)
        if article is not None:
            extra_context["workflow"] = self.workflow_context(request, article)
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = (extra_context or {}) | {"workflow": {"submit_on_save": True}}
        return super().add_view(request, form_url, extra_context)

    def workflow_context(self, request, article):
        user = request.user
        allowed = services.allowed_transitions(user, article)
        return {
            "url": reverse("admin:articles_article_workflow", args=[article.pk, "_"]).removesuffix("_/"),
            "buttons": [(kind, BUTTONS[kind]) for kind in allowed if kind != ArticleEvent.Kind.SUBMIT],
            "submit_on_save": ArticleEvent.Kind.SUBMIT in allowed,
            "events": article.events.select_related("actor"),
        }

    # Bulk actions: each article through its service; refusals are reported, the rest go ahead.

    def _bulk(self, request, queryset, kind):
        done, refused = 0, []
        for article in queryset:
            try:
                self._run(kind, article, request.user)
                done += 1
            except (PermissionDenied, ValidationError):
                refused.append(article.title)
        if done:
            self.message_user(request, _("%(count)d article(s) done.") % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                _("Not possible for: %(titles)s") % {"titles": ", ".join(refused[:10])},
                messages.WARNING,
            )

    @admin.action(description=_("Publish the selected articles now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, ArticleEvent.Kind.PUBLISH)

    @admin.action(description=_("Unschedule the selected articles"), permissions=["publish"])
    def unschedule_selected(self, request, queryset):
        self._bulk(request, queryset, ArticleEvent.Kind.UNSCHEDULE)

    @admin.action(description=_("Take the selected articles down"), permissions=["publish"])
    def archive_selected(self, request, queryset):
        self._bulk(request, queryset, ArticleEvent.Kind.ARCHIVE)

    @admin.action(description=_("Restore the selected articles to draft"), permissions=["publish"])
    def restore_selected(self, request, queryset):
        self._bulk(request, queryset, ArticleEvent.Kind.RESTORE)

    def has_publish_permission(self, request):
        return services.is_editor(request.user)

    @admin.display(description=_("authors"))
    def author_names(self, obj):
        return ", ".join(author.name for author in obj.author_list) or obj.byline or None

    @admin.display(description=_("visibility"))
    def visibility(self, obj):
        if obj.is_live:
            return badge(_("Live"), "live")
        if obj.is_scheduled:
            return badge(_("Scheduled"), "scheduled")
        if obj.is_expired:
            return badge(_("Expired"), "expired")
        label, kind = {
            # The badge says "Nháp" where the status choice says "Bản nháp": same English, its own context.
            Article.Status.DRAFT: (pgettext_lazy("visibility badge", "Draft"), "draft"),
            Article.Status.REVIEW: (_("In review"), "review"),
            Article.Status.ARCHIVED: (_("Taken down"), "archived"),
        }[obj.status]
        return badge(label, kind)

    @admin.display(description=_("publish at"), ordering="publish_at")
    def publish_time(self, obj):
        # The change form's read-only display would print None; the list would show the dash anyway.
        return services.short_datetime(obj.publish_at) or self.get_empty_value_display()

    @admin.display(description=_("photo in use"))
    def featured_photo_preview(self, obj):
        return photo_preview(obj.featured_photo if obj.pk else None, 160)


# The schedule field's text (templates/admin/_schedule_input.html), as the desk fills it in too.
SCHEDULE_FORMAT = "%d/%m/%Y %H:%M"


class WorkflowForm(forms.Form):
    """What a workflow button may post: a time (schedule) and a note (return, take down)."""

    publish_at = forms.DateTimeField(
        required=False,
        # As the newsroom writes a time (the schedule field's text), or as a datetime-local input sends it.
        input_formats=[SCHEDULE_FORMAT, "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": _("Enter a valid date and time.")},
    )
    note = forms.CharField(required=False, max_length=2000)


BUTTONS = {
    ArticleEvent.Kind.RETURN: _("Return to the reporter"),
    ArticleEvent.Kind.PUBLISH: _("Publish now"),
    ArticleEvent.Kind.SCHEDULE: _("Schedule"),
    ArticleEvent.Kind.UNSCHEDULE: _("Unschedule"),
    ArticleEvent.Kind.ARCHIVE: _("Take down"),
    ArticleEvent.Kind.RESTORE: _("Restore to draft"),
}
DONE = {
    ArticleEvent.Kind.SUBMIT: _("The story was sent to the editors for review."),
    ArticleEvent.Kind.RETURN: _("The story went back to its reporter with your note."),
    ArticleEvent.Kind.PUBLISH: _("The article is live."),
    ArticleEvent.Kind.SCHEDULE: _("The article is scheduled."),
    ArticleEvent.Kind.UNSCHEDULE: _("The article is no longer scheduled; it is back in review."),
    ArticleEvent.Kind.ARCHIVE: _("The article was taken down."),
    ArticleEvent.Kind.RESTORE: _("The article is a draft again."),
}


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

    @admin.display(description=_("number of articles"), ordering="article_count")
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
        (
            _("Organization details"),
            {"fields": ["founded_on", "founding_document", "member_count", "parent", "website"]},
        ),
        (_("Logo"), {"fields": ["logo"]}),
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
