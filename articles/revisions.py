"""Every save kept as a version (django-reversion): history, side-by-side diff, restore, recover.

- **Versions.** Article is registered with its byline rows (`follow=["bylines"]`), so a version holds the
  story's text, section, byline, featured photo, organisations, tags and its authors in order. Every write
  service (articles/services.py) is one revision with who and a comment; the admin's add and change pages
  wrap the whole save in one revision, so the byline and tags saved after the article are in it too.
  A deletion through the admin (one article or the bulk action) first records a version saying so, so even
  a story that was never saved since versions began can be recovered.
- **History** (`<id>/history/`): the article's versions, newest first, and its workflow events. Any two
  versions are compared (`<id>/history/compare/?a=…&b=…`, older on the left) with articles/diff.py, which
  escapes everything: a version's body is never rendered as HTML here.
- **Restore** (`<id>/history/<version>/`, a confirm page; `…/restore/`, POST only) puts that version's content
  back through services.article_revert(): a new version, the status and times untouched.
- **Recover** (`recover/`, editors): deleted articles, each brought back as a draft by services.article_recover().

Who may do what is asked of services: can_view (history, compare), can_edit (restore), is_editor (recover).
A reporter reaches their own stories only; anyone else's is the same 404 as a missing one.
"""

import reversion
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from reversion.errors import RevertError
from reversion.models import Version

from photos.models import Photo

from . import services
from .diff import article_diff, lines_of
from .models import Article, ArticleAuthor, Author, Organization, Section, Tag
from .text import person_name

VERSIONS_PER_PAGE = 50
DELETED_PER_PAGE = 50
# Version ids a URL or form may name: anything larger is no version (and would overflow the database's integer).
MAX_ID = 2**31 - 1


def _versions_of(article):
    return Version.objects.get_for_object(article).select_related("revision__user")


def _byline_versions(revision_ids):
    """ArticleAuthor versions of these revisions, by revision id (one query)."""
    content_type = ContentType.objects.get_for_model(ArticleAuthor)
    rows = {}
    for version in Version.objects.filter(revision_id__in=revision_ids, content_type=content_type):
        rows.setdefault(version.revision_id, []).append(version)
    return rows


def version_content(version, byline_versions):
    """What a version holds, as a plain dict services.article_revert()/article_recover() and the diff read.

    `byline_versions` are the ArticleAuthor versions of the same revision (rows of other articles are ignored).
    Raises RevertError for data that no longer loads.
    """
    fields = version.field_dict
    rows = []
    for row in byline_versions:
        data = row.field_dict
        if str(data.get("article_id")) == version.object_id:
            rows.append((data.get("position") or 0, row.pk, data.get("author_id")))
    return {
        "pk": int(version.object_id),
        "title": fields.get("title") or "",
        "lead": fields.get("lead") or "",
        "body": fields.get("body") or "",
        "byline": fields.get("byline") or "",
        "slug": fields.get("slug") or "",
        "section_id": fields.get("section_id"),
        "featured_photo_id": fields.get("featured_photo_id"),
        # Sets, whatever order they were stored or are listed in: only the byline has an order.
        "organizations": sorted(fields.get("organizations") or []),
        "tags": sorted(fields.get("tags") or []),
        "authors": [author for _position, _pk, author in sorted(rows)],
        "created_by_id": fields.get("created_by_id"),
        "created_at": fields.get("created_at"),
        "import_key": fields.get("import_key") or "",
        "import_source": fields.get("import_source") or "",
        "saved_at": version.revision.date_created,
        "saved_by": person_name(version.revision.user),
    }


def current_content(article):
    """The article as stored now, in version_content()'s shape (its bylines prefetched by the admin)."""
    return {
        "pk": article.pk,
        "title": article.title,
        "lead": article.lead,
        "body": article.body,
        "byline": article.byline,
        "section_id": article.section_id,
        "featured_photo_id": article.featured_photo_id,
        "organizations": sorted(org.pk for org in article.organizations.all()),
        "tags": sorted(tag.pk for tag in article.tags.all()),
        "authors": [row.author_id for row in article.bylines.all()],
    }


DETAILS = (
    # (content key, model, label: the model field's own name); names are looked up once per model for both sides.
    ("section_id", Section, gettext_lazy("section")),
    ("byline", None, gettext_lazy("byline")),
    ("featured_photo_id", Photo, gettext_lazy("featured photo")),
    ("organizations", Organization, gettext_lazy("organizations mentioned")),
    ("tags", Tag, gettext_lazy("tags")),
    ("authors", Author, gettext_lazy("authors")),
)


def details_diff(before, after):
    """The details besides title, lead and body that differ: [(label, before text, after text)], escaped later.

    A row no longer in the database is named by its id and "(deleted)", so restoring it is no surprise.
    """
    changed = [(key, model, label) for key, model, label in DETAILS if before.get(key) != after.get(key)]
    rows = []
    for key, model, label in changed:
        if model is None:
            rows.append((label, before.get(key) or "—", after.get(key) or "—"))
            continue
        ids = [*_as_list(before.get(key)), *_as_list(after.get(key))]
        names = {obj.pk: _name(obj) for obj in model._default_manager.filter(pk__in=ids)}

        def text(value, names=names):
            parts = [names.get(pk, _("#%(id)s (deleted)") % {"id": pk}) for pk in _as_list(value) if pk is not None]
            return ", ".join(parts) or "—"

        rows.append((label, text(before.get(key)), text(after.get(key))))
    return rows


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _name(obj):
    if isinstance(obj, Photo):
        return f"#{obj.pk} {obj.caption or obj.original_filename}".strip()
    return str(obj)


class CompareForm(forms.Form):
    """The two versions the history page's radio buttons pick."""

    a = forms.IntegerField(min_value=1, max_value=MAX_ID)
    b = forms.IntegerField(min_value=1, max_value=MAX_ID)


class RevisionsAdminMixin:
    """ArticleAdmin's history, compare, restore and recover pages, and versions of its saves and deletions."""

    object_history_template = "admin/articles/article/object_history.html"

    def _url(self, name, *args):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        urls = [
            path("recover/", view(self.recoverlist_view), name=f"{info}_recoverlist"),
            path("recover/<int:version_id>/", view(self.recover_view), name=f"{info}_recover"),
            path(
                "<path:object_id>/history/compare/", view(self.revision_compare_view), name=f"{info}_revision_compare"
            ),
            path("<path:object_id>/history/<int:version_id>/", view(self.revision_view), name=f"{info}_revision"),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.revision_restore_view),
                name=f"{info}_revision_restore",
            ),
            # Anything else under history/ or recover/ (a version id that is not a number…) is not found, rather than
            # the admin's redirect of unknown addresses to a change page that does not exist.
            path("<path:object_id>/history/<path:rest>", view(self._not_found)),
            path("recover/<path:rest>", view(self._not_found)),
        ]
        return urls + super().get_urls()

    def _not_found(self, request, **kwargs):
        raise Http404

    # Saving and deleting through the admin --------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        # One revision for the article, its byline rows and its tags, all saved by this one request; the
        # services called inside add their comments ("Saved; Submitted for review") to it.
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def construct_change_message(self, request, form, formsets, add=False):
        # What the version's comment names as edited: the model's own field names, in the user's language.
        # Kept on the request (the ModelAdmin is shared by every request) for log_change() below.
        model_fields = {field.name: field for field in self.opts.get_fields() if hasattr(field, "verbose_name")}
        changed = [name for name in form.changed_data if name in model_fields]
        if "body" in changed and lines_of("body", form.initial.get("body")) == lines_of("body", form.instance.body):
            changed.remove("body")  # the editor rewrote the markup (a wrapper, an attribute), not the text
        labels = [str(model_fields[name].verbose_name) for name in changed]
        if any(formset.has_changed() for formset in formsets):
            labels.append(str(self.opts.get_field("authors").verbose_name))
        request.nr_revision_changes = labels
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        labels = getattr(request, "nr_revision_changes", None)
        if reversion.is_active() and labels:
            changes = _("edited: %(fields)s") % {"fields": ", ".join(labels)}
            comment = reversion.get_comment()
            reversion.set_comment(f"{comment} — {changes}" if comment else changes)
        return entry

    def delete_model(self, request, obj):
        self._record_deletion(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._record_deletion(request, list(queryset))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _record_deletion(request, articles):
        """A last version of each article before it goes: who deleted it and when, and something to recover.

        Its own revision, saved now: reversion keeps only versions of rows that still exist when a revision
        ends, so it must end before the delete.
        """
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(pgettext("revision comment", "Deleted"))
            for article in articles:
                reversion.add_to_revision(article)

    def changelist_view(self, request, extra_context=None):
        if services.is_editor(request.user):
            recover_url = self._url("recoverlist")
            extra_context = (extra_context or {}) | {"recover_url": recover_url}
        return super().changelist_view(request, extra_context)

    # History, compare, restore ----------------------------------------------------------------------

    def _article(self, request, object_id):
        """The article if the user may see it (services.can_view), else 404 (a reporter: another's) or 403."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def _version(self, article, version_id):
        if version_id > MAX_ID:
            raise Http404
        version = _versions_of(article).filter(pk=version_id).first()
        if version is None:
            raise Http404
        return version

    def _context(self, request, article, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": article,
            "object": article,
            "title": title,
            "change_url": self._url("change", article.pk),
            "history_url": self._url("history", article.pk),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        article = self._article(request, object_id)
        page = Paginator(_versions_of(article).order_by("-revision__date_created", "-pk"), VERSIONS_PER_PAGE)
        versions = page.get_page(request.GET.get("p"))
        may_restore = services.can_edit(request.user, article)
        newest = versions.number == 1 and versions.object_list and versions.object_list[0].pk
        rows = [
            {
                "version": version,
                "when": version.revision.date_created,
                "who": person_name(version.revision.user) or "—",
                "comment": version.revision.get_comment() or "—",
                "is_current": version.pk == newest,
            }
            for version in versions
        ]
        context = self._context(
            request,
            article,
            _("History: %(title)s") % {"title": article},
            rows=rows,
            page=versions,
            may_restore=may_restore,
            compare_url=self._url("revision_compare", article.pk),
            events=[(event, person_name(event.actor) or "—") for event in article.events.select_related("actor")],
            **(extra_context or {}),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def revision_compare_view(self, request, object_id):
        article = self._article(request, object_id)
        form = CompareForm(request.GET)
        if not form.is_valid():
            raise Http404
        ids = {form.cleaned_data["a"], form.cleaned_data["b"]}
        versions = sorted(
            _versions_of(article).filter(pk__in=ids), key=lambda version: (version.revision.date_created, version.pk)
        )
        if len(versions) != len(ids):
            raise Http404
        older, newer = versions[0], versions[-1]
        bylines = _byline_versions({older.revision_id, newer.revision_id})
        try:
            before = version_content(older, bylines.get(older.revision_id, []))
            after = version_content(newer, bylines.get(newer.revision_id, []))
        except RevertError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self._url("history", article.pk))
        context = self._context(
            request,
            article,
            _("Compare versions: %(title)s") % {"title": article},
            diff=article_diff(before, after),
            details=details_diff(before, after),
            before_label=self._version_label(older),
            after_label=self._version_label(newer),
            older=older,
            newer=newer,
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/article/revision_diff.html", context)

    @staticmethod
    def _version_label(version):
        time, user = services.short_datetime(version.revision.date_created), person_name(version.revision.user)
        if not user:  # an import or a script: nobody to name
            return _("Version of %(time)s") % {"time": time}
        return _("Version of %(time)s by %(user)s") % {"time": time, "user": user}

    def _content(self, version):
        return version_content(version, _byline_versions({version.revision_id}).get(version.revision_id, []))

    def revision_view(self, request, object_id, version_id):
        """The confirm page of a restore: what this version would change in the article as it is now."""
        article = self._article(request, object_id)
        version = self._version(article, version_id)
        try:
            content = self._content(version)
        except RevertError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self._url("history", article.pk))
        now = current_content(article)
        context = self._context(
            request,
            article,
            _("Restore an earlier version: %(title)s") % {"title": article},
            version=version,
            diff=article_diff(now, content),
            details=details_diff(now, content),
            before_label=_("Now"),
            after_label=self._version_label(version),
            may_restore=services.can_edit(request.user, article),
            restore_url=self._url("revision_restore", article.pk, version.pk),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/article/revision_restore.html", context)

    def revision_restore_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article(request, object_id)
        version = self._version(article, version_id)
        if not services.can_edit(request.user, article):
            raise PermissionDenied
        change_url = self._url("change", article.pk)
        try:
            skipped = services.article_revert(article=article, content=self._content(version), by=request.user)
        except RevertError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(change_url)
        except ValidationError as error:
            for problem in error.messages:
                self.message_user(request, problem, messages.ERROR)
            return HttpResponseRedirect(request.path.removesuffix("restore/"))
        for problem in skipped:
            self.message_user(request, problem, messages.WARNING)
        self.message_user(
            request,
            _("The version of %(time)s is restored, as a new version; the status did not change.")
            % {"time": services.short_datetime(version.revision.date_created)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    # Deleted articles ---------------------------------------------------------------------------------

    def _deleted(self):
        return Version.objects.get_deleted(Article).select_related("revision__user")

    def recoverlist_view(self, request):
        if not services.is_editor(request.user):
            raise PermissionDenied
        page = Paginator(self._deleted().order_by("-revision__date_created", "-pk"), DELETED_PER_PAGE)
        deleted = page.get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": _("Recover deleted articles"),
            "page": deleted,
            "rows": [
                {
                    "version": version,
                    "title": version.object_repr,
                    "when": version.revision.date_created,
                    "who": person_name(version.revision.user) or "—",
                    "comment": version.revision.get_comment() or "—",
                }
                for version in deleted
            ],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/article/recover_list.html", context)

    def recover_view(self, request, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not services.is_editor(request.user):
            raise PermissionDenied
        version = self._deleted().filter(pk=version_id).first() if version_id <= MAX_ID else None
        if version is None:
            raise Http404
        list_url = self._url("recoverlist")
        try:
            article, skipped = services.article_recover(content=self._content(version), by=request.user)
        except (RevertError, ValidationError) as error:
            for problem in getattr(error, "messages", [str(error)]):
                self.message_user(request, problem, messages.ERROR)
            return HttpResponseRedirect(list_url)
        for problem in skipped:
            self.message_user(request, problem, messages.WARNING)
        self.message_user(request, _("“%(title)s” is back, as a draft.") % {"title": article}, messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", article.pk))
