"""No lost edits: a stale save is refused with a diff, others see who is editing, the browser keeps a copy.

- **Stale save.** The article form carries the version its user opened: the row's `updated_at`, signed
  (`version_token()`), in the hidden field `nr_version`. `clean()` compares it with the row as stored now,
  locked for the rest of the save (the admin's change view runs in one transaction), so two saves cannot
  both pass. Every write moves `updated_at`: a plain save and a service's transition alike (an editor
  returning the story while its reporter has it open), so either refuses the older form. The refusal names
  who saved and when, keeps the user's text in the form, shows the difference from the stored text
  (articles/diff.py) and puts the stored version into the hidden field, so a second, deliberate save
  overwrites. The workflow buttons post a form of their own and carry no text: they are not checked.
- **Presence.** Opening the form records an `EditSession` (article, user, opened_at, seen_at); the page's
  script refreshes it every HEARTBEAT seconds through `<id>/editing/` and ends it when the tab goes away.
  Others seen within PRESENT_FOR are named at the top of the form.
- **Local copy.** static/admin_newsroom/editing.js keeps the title, lead and body in the browser's
  localStorage as they are typed and offers them back after a reload, a crash or an expired login. The
  server's part is the data- attributes of templates/admin/articles/article/_editing.html and the cookie
  `nr_saved_copy` set by a successful save, which tells the script which copy is now safely stored.

(docs/architecture.md, "No lost edits".)
"""

import re
from datetime import UTC, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Value, When
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import services
from .diff import article_diff
from .models import Article, EditSession
from .text import person_name

VERSION_FIELD = "nr_version"
# The text a conflict compares; the other fields are kept in the form all the same.
TEXT_FIELDS = ("title", "lead", "body")
# Others seen this recently are "editing"; the page's script calls in every HEARTBEAT seconds.
PRESENT_FOR = timedelta(minutes=2)
HEARTBEAT = 30
# A copy's name in the browser, as the add form's script makes it and as a save's cookie names it.
DRAFT_ID = re.compile(r"[A-Za-z0-9]{8,40}")
SAVED_COOKIE = "nr_saved_copy"

_signer = signing.Signer(salt="articles.editing.version")


def _iso(moment):
    return moment.astimezone(UTC).isoformat()


def version_token(article):
    """The signed version mark of the article as stored: its id and exact updated_at."""
    return _signer.sign(f"{article.pk}@{_iso(article.updated_at)}")


def _read_token(token, article_pk):
    """The updated_at (ISO text) a token names for this article, or None when it is missing, forged or another's."""
    try:
        value = _signer.unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, iso = value.partition("@")
    return iso if pk == str(article_pk) else None


def person(user):
    """A name for the messages here; "someone else" when the saver's account is gone."""
    return person_name(user) if user is not None else _("someone else")


def _saved_at(moment):
    return date_format(timezone.localtime(moment), "d/m/Y H:i:s")


# The stale save ------------------------------------------------------------------------------


class NoLostEditsFormMixin:
    """The article form's version check (a base of ArticleAdminForm, which sets `user`)."""

    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by clean() when the save is refused: what the form shows above the fields.
        self.nr_conflict = None
        if self.instance.pk is not None and set(TEXT_FIELDS) & set(self.fields):
            self.fields[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.initial[VERSION_FIELD] = version_token(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        if VERSION_FIELD in self.fields:
            self._check_version()
        return cleaned_data

    def _stored(self):
        rows = Article.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            # Held until the admin's transaction ends, after the save: no second save slips in between.
            rows = rows.select_for_update()
        return rows.values("updated_at", "updated_by", *TEXT_FIELDS).first()

    def _check_version(self):
        posted = self.data.get(self.add_prefix(VERSION_FIELD)) or ""
        stored = self._stored()
        if stored is None:
            self.add_error(None, _("This article was deleted while you were editing it; copy your text elsewhere."))
            return
        opened = _read_token(posted, self.instance.pk)
        if opened == _iso(stored["updated_at"]):
            return
        saver = get_user_model()._default_manager.filter(pk=stored["updated_by"]).first()
        yours = saver is not None and self.user is not None and saver.pk == self.user.pk
        when = _saved_at(stored["updated_at"])
        if opened is None:
            message = _(
                "This form does not say which version of the article it was opened on, so it cannot tell whether "
                "someone saved it since. Your version has not been saved: see the differences below, then save "
                "again if you want to overwrite the stored one."
            )
        elif yours:
            message = _(
                "You saved this article in another tab at %(time)s, after this page was opened. Your version here "
                "has not been saved: see the differences below, then save again if you want to overwrite it."
            ) % {"time": when}
        else:
            message = _(
                "The article was saved by %(name)s at %(time)s after you opened it. Your version has not been saved: "
                "see the differences below, then save again if you want to overwrite it."
            ) % {"name": person(saver), "time": when}
        self.add_error(None, ValidationError(message, code="stale"))
        mine = {name: self._posted_text(name) for name in TEXT_FIELDS}
        diff = article_diff({name: stored[name] for name in TEXT_FIELDS}, mine)
        self.nr_conflict = {
            "diff": diff,
            # The other save may have changed only the byline, photo or tags, which the diff does not show.
            "same_text": not any(row.changed for row in diff),
            "before_label": _("Saved version (yours, from another tab)")
            if yours
            else _("Saved version (by %(name)s)") % {"name": person(saver)},
            "after_label": _("Your version"),
        }
        # The form comes back with the stored version as the one it was opened on: saving it again is the
        # user's deliberate choice to overwrite, and goes through unless someone saves once more.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = version_token(
            Article(pk=self.instance.pk, updated_at=stored["updated_at"])
        )

    def _posted_text(self, name):
        if name in getattr(self, "cleaned_data", {}):
            return self.cleaned_data[name]
        return self.data.get(self.add_prefix(name), "") if name in self.fields else getattr(self.instance, name)


# Presence ------------------------------------------------------------------------------------


def touch_session(article, user):
    """Record that the user has the article's form open now; a session gone quiet starts anew."""
    now = timezone.now()
    refreshed = EditSession.objects.filter(article=article, user=user).update(
        seen_at=now,
        opened_at=Case(
            When(seen_at__lt=now - PRESENT_FOR, then=Value(now)),
            default=F("opened_at"),
            output_field=models.DateTimeField(),
        ),
    )
    if not refreshed:
        # Two tabs opening at once both land here; the unique constraint keeps one row.
        EditSession.objects.bulk_create(
            [EditSession(article=article, user=user, opened_at=now, seen_at=now)], ignore_conflicts=True
        )


def others_editing(article, user):
    """Who else has the article open, as sentences for the top of the form, in one query."""
    now = timezone.now()
    sessions = (
        EditSession.objects.filter(article=article, seen_at__gte=now - PRESENT_FOR)
        .exclude(user=user)
        .select_related("user")
        .order_by("opened_at", "pk")
    )
    today = timezone.localdate(now)
    lines = []
    for session in sessions:
        opened = timezone.localtime(session.opened_at)
        since = date_format(opened, "H:i" if opened.date() == today else "d/m/Y H:i")
        line = _("%(name)s is editing this article (since %(time)s)")
        lines.append(line % {"name": person(session.user), "time": since})
    return lines


class EditingAdminMixin:
    """ArticleAdmin's part: the heartbeat URL, the form's presence and copy data, the saved-copy cookie."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        heartbeat = path(
            "<path:object_id>/editing/",
            self.admin_site.admin_view(self.editing_view),
            name="{}_{}_editing".format(*info),
        )
        return [heartbeat, *super().get_urls()]

    def editing_view(self, request, object_id):
        """The page's heartbeat (POST): refresh the user's session, or end it with `release`; say who else is
        editing and whether the article was saved since the page's version (`version`)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None or not services.can_view(request.user, article):
            raise Http404
        editable = self.has_change_permission(request, article)
        if request.POST.get("release"):
            if editable:
                EditSession.objects.filter(article=article, user=request.user).delete()
            return JsonResponse({"released": True})
        if editable:
            touch_session(article, request.user)
        saved = None
        opened = _read_token(request.POST.get("version") or "", article.pk)
        if opened is not None and opened != _iso(article.updated_at):
            saver, when = article.updated_by, _saved_at(article.updated_at)
            if saver is not None and saver.pk == request.user.pk:
                saved = _("You saved this article in another tab at %(time)s.") % {"time": when}
            else:
                saved = _(
                    "%(name)s saved this article at %(time)s, after you opened it. If you save, you will first see "
                    "the differences and choose whether to overwrite."
                ) % {"name": person(saver), "time": when}
        return JsonResponse({"others": others_editing(article, request.user), "saved": saved})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["editing"] = self.editing_context(request, context, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def editing_context(self, request, context, article):
        form = context["adminform"].form
        editable = bool(set(TEXT_FIELDS) & set(form.fields))
        editing = {
            "key": article.pk if article is not None and article.pk else "new",
            "editable": editable,
            "bound": form.is_bound,
            "conflict": getattr(form, "nr_conflict", None),
            "version": form[VERSION_FIELD] if VERSION_FIELD in form.fields else None,
            "others": [],
            "heartbeat": HEARTBEAT,
            # A new article's copy keeps its name when the form comes back with errors.
            "draft": draft if DRAFT_ID.fullmatch(draft := request.POST.get("nr_draft", "")) else "",
        }
        if article is not None and article.pk:
            if editable:
                touch_session(article, request.user)
            editing["others"] = others_editing(article, request.user)
            editing["url"] = reverse("admin:articles_article_editing", args=[article.pk])
        return editing

    # A successful save tells the page that loads next which local copy it made safe.

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        draft = request.POST.get("nr_draft", "")
        if DRAFT_ID.fullmatch(draft):
            self._saved_copy(request, response, f"new-{draft}")
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self._saved_copy(request, response, str(obj.pk))
        return response

    @staticmethod
    def _saved_copy(request, response, name):
        response.set_cookie(
            SAVED_COOKIE, name, max_age=600, path="/", samesite="Lax", secure=request.is_secure(), httponly=False
        )
