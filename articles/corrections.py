"""Corrections and marked updates on live articles: the services, and the admin's part.

Readers see a correction at the foot of the story and "Cập nhật …" beside its dateline; both move the
article's modified_at, the one field feeds, sitemaps and structured data read (Article.last_modified). Only an
editor corrects, and only a live story: a draft has no readers to tell, and a story that is off the site is
put right before it goes out again (docs/architecture.md, "Corrections and updates").
"""

import reversion
from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextareaWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Article, Correction
from .text import strip_bidi

Kind = Correction.Kind
TEXT_MAX = Correction._meta.get_field("text").max_length


def article_correct(*, article, by, text, at=None):
    """Add a correction readers see at the foot of the live article; `at` (default now) becomes its modified_at."""
    return _record(Kind.CORRECTION, article=article, by=by, text=text, at=at)


def article_mark_updated(*, article, by, note="", at=None):
    """Mark a substantive update: readers see "Cập nhật <time>" beside the dateline, and the note if one is given."""
    return _record(Kind.UPDATE, article=article, by=by, text=note, at=at)


def _record(kind, *, article, by, text, at):
    """Check, validate and save one Correction and the article's new modified_at, in one transaction and revision.

    The permission and the state are judged on the row as stored and locked, as the workflow's services do; the
    article is saved with update_fields, so a correction never writes anything else an editor has open.
    """
    if article.pk is None:
        raise services.TransitionDenied(_("Save the article before correcting it."))
    # Bidirectional controls could make the note read other than it is stored (docs/architecture.md, "Security").
    text = strip_bidi((text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    with transaction.atomic(), reversion.create_revision():
        stored = Article.objects.select_for_update().get(pk=article.pk)
        if not services.is_editor(by):
            raise services.TransitionDenied(_("Only an editor can correct or update a published article."))
        if not services.can_correct(by, stored):
            raise services.TransitionDenied(
                _("Only a live article is corrected or updated; this one is “%(state)s”.")
                % {"state": services.state_label(services.state_of(stored))}
            )
        now = timezone.now()
        at = at or now
        errors = {}
        if kind == Kind.CORRECTION and not text:
            errors["text"] = _("Say what was wrong and what is right: a correction needs its text.")
        try:
            # A TextField's max_length is only the form widget's; full_clean() would let a longer text through.
            MaxLengthValidator(TEXT_MAX)(text)
        except ValidationError as error:
            errors["text"] = error.messages
        if at > now:
            errors["at"] = _("A correction or update cannot be dated in the future.")
        elif at < stored.publish_at:
            errors["at"] = _("A correction or update cannot be dated before the article was published.")
        if errors:
            raise ValidationError(errors)
        correction = Correction(article=stored, kind=kind, text=text, at=at, created_by=by)
        correction.full_clean()
        correction.save()
        # Never backwards: a correction dated before the last one does not make the story look older.
        stored.modified_at = max(at, stored.modified_at) if stored.modified_at else at
        stored.updated_by = by
        stored.save(update_fields=["modified_at", "updated_by"])
        reversion.set_user(by)
        reversion.set_comment(
            _("Correction: %(text)s") % {"text": Truncator(text).chars(120)}
            if kind == Kind.CORRECTION
            else _("Marked as updated")
        )
    # The caller's object shows what readers now see.
    article.modified_at, article.updated_by = stored.modified_at, by
    return correction


# The admin ----------------------------------------------------------------


class CorrectionForm(forms.Form):
    """What the change page's correction block posts: the kind, the text, and an optional time (Vietnam time)."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices, initial=Kind.CORRECTION)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=TEXT_MAX,
        widget=AdminTextareaWidget(attrs={"rows": 3, "form": "nr-corrections"}),
        help_text=gettext_lazy(
            "What was wrong and what is right, as readers will read it. For an update, an optional note."
        ),
    )
    at = forms.SplitDateTimeField(
        label=gettext_lazy("Time (Vietnam time)"),
        required=False,
        widget=AdminSplitDateTime(attrs={"form": "nr-corrections"}),
        help_text=gettext_lazy("Leave empty for now."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["form"] = "nr-corrections"
        # Ids of their own: the article's form has fields named "text"-like things and a publish_at of its own.
        self.auto_id = "nr-correction-%s"
        date, time = self.fields["at"].widget.widgets
        date.attrs["aria-label"] = format_lazy(gettext_lazy("{field}, date"), field=self.fields["at"].label)
        time.attrs["aria-label"] = format_lazy(gettext_lazy("{field}, time"), field=self.fields["at"].label)


class CorrectionsAdminMixin:
    """ArticleAdmin's corrections: the list and form on the change page, and the URL the form posts to."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        correct = path(
            "<path:object_id>/corrections/",
            self.admin_site.admin_view(self.corrections_view),
            name="{}_{}_corrections".format(*info),
        )
        return [correct, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk:
            context["corrections"] = self.corrections_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def corrections_context(self, request, article):
        return {
            "url": reverse("admin:articles_article_corrections", args=[article.pk]),
            "list": article.corrections.select_related("created_by").order_by("-at", "-pk"),
            "form": CorrectionForm() if services.can_correct(request.user, article) else None,
        }

    def corrections_view(self, request, object_id):
        """Add a correction or mark an update: POST only, then back to the change page with what happened."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not services.is_editor(request.user):
            raise PermissionDenied
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        form = CorrectionForm(request.POST)
        if not form.is_valid():
            self._report_correction_errors(request, form.errors, form)
            return HttpResponseRedirect(change_url)
        data = form.cleaned_data
        try:
            if data["kind"] == Kind.CORRECTION:
                article_correct(article=article, by=request.user, text=data["text"], at=data["at"])
                done = _("The correction was added; readers see it at the foot of the article.")
            else:
                article_mark_updated(article=article, by=request.user, note=data["text"], at=data["at"])
                done = _("The article is marked as updated.")
        except services.TransitionDenied as refusal:
            # An editor on a story that is not live: told why, not a 403.
            self.message_user(request, refusal.message, messages.ERROR)
        except ValidationError as error:
            self._report_correction_errors(request, error.message_dict, form)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def _report_correction_errors(self, request, errors, form):
        for field, problems in errors.items():
            label = form.fields[field].label if field in form.fields else None
            text = " ".join(problems)
            self.message_user(request, f"{label}: {text}" if label else text, messages.ERROR)
