"""Signed, expiring, revocable read-only links to a non-live article for someone without an account.

An editor creates a link from the article's change page for a source to check a quote, a lawyer, a partner
paper (docs/architecture.md, "Visibility"). The link's address carries a token: the row's random key, signed
with SECRET_KEY under a salt of its own, so a made-up or altered token is refused before the database is asked
and a copy of the table alone does not give working addresses. The row then decides: it must exist, not be
revoked and not be past `expires_at`. Any failure is the same 404 as an article that does not exist.

The page is the public article template under the preview banner, never stored by a cache
(`Cache-Control: private, no-store`), never indexed, and sends no Referer, so the token does not travel to
the sites the story links to. Once the article is live the link simply redirects to its public address.
"""

import re
import secrets
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt

from . import services
from .links import absolute_url
from .models import Article, ShareLink
from .views import ArticleView

# The longest a link may last: 30 days. SHARE_LINK_HOURS, the default, is checked against it in the settings.
MAX_HOURS = 720
RECIPIENT_MAX = ShareLink._meta.get_field("recipient").max_length

# A salt of its own: no other signature Django makes with SECRET_KEY (sessions, password resets…) is a token.
SIGNER_SALT = "articles.sharing.link"
SEP = "."
# A token as this module writes it: a key from secrets.token_urlsafe() and a base64 signature. Anything else,
# however long or odd (10,000 characters, NUL, other scripts), is refused without being unsigned.
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,128}", re.ASCII)


# Tokens ---------------------------------------------------------------------


def new_key():
    return secrets.token_urlsafe(32)


def _signer():
    return signing.Signer(salt=SIGNER_SALT, sep=SEP)


def token_for(link):
    """The token in the link's address: its key, signed."""
    return _signer().sign(link.key)


def key_from(token):
    """The key a token carries, or None for anything this module did not sign."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    try:
        return _signer().unsign(token)
    except signing.BadSignature:
        return None


def active_link(token, now=None):
    """The link the token opens now, or None: forged, unknown, revoked and expired are all just "no link"."""
    key = key_from(token)
    if key is None:
        return None
    now = now or timezone.now()
    return ShareLink.objects.filter(key=key, revoked_at__isnull=True, expires_at__gt=now).first()


def link_state(link, now=None):
    """active, expired or revoked: what the desk reads in the list."""
    if link.revoked_at is not None:
        return "revoked"
    return "active" if link.expires_at > (now or timezone.now()) else "expired"


def share_url(link):
    """The link's full address on the public site (SITE_URL), whatever host the editor's admin is reached by."""
    return absolute_url(reverse("articles:share", args=[token_for(link)]))


# Who, and the services ---------------------------------------------------------


def _valid_hours(hours):
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise ValidationError({"hours": hours_message()}, code="hours")
    return hours


def hours_message():
    return _("A link lasts from 1 to %(max)d hours (%(days)d days).") % {"max": MAX_HOURS, "days": MAX_HOURS // 24}


def share_link_create(*, article, by, recipient="", hours=None):
    """A new link to the article, valid for `hours` (SHARE_LINK_HOURS by default), made by editor `by`.

    Only for an article readers do not see: a live one is shared by its public address.
    """
    if article.pk is None:
        raise ValidationError(_("Save the article before sharing it."), code="unsaved")
    hours = _valid_hours(settings.SHARE_LINK_HOURS if hours is None else hours)
    recipient = (recipient or "").strip()
    if "\x00" in recipient:
        raise ValidationError({"recipient": _("Null characters are not allowed.")}, code="null_characters")
    with transaction.atomic():
        # Judged on the row as stored, locked so that a publish at the same moment is seen.
        stored = Article.objects.select_for_update().get(pk=article.pk)
        if not services.can_share(by, stored):
            raise services.TransitionDenied(_("Only an editor can share a preview of an article."))
        if stored.is_live:
            raise ValidationError(_("This article is live: send its public address instead."), code="live")
        now = timezone.now()
        link = ShareLink(
            article=stored,
            key=new_key(),
            recipient=recipient,
            created_at=now,
            created_by=by,
            expires_at=now + timedelta(hours=hours),
        )
        link.full_clean()
        link.save()
    return link


def share_link_revoke(*, link, by):
    """The link stops working at once. Revoking a revoked link keeps who revoked it first, and when."""
    with transaction.atomic():
        stored = ShareLink.objects.select_for_update().get(pk=link.pk)
        if not services.can_share(by, stored.article):
            raise services.TransitionDenied(_("Only an editor can revoke a share link."))
        if stored.revoked_at is None:
            stored.revoked_at, stored.revoked_by = timezone.now(), by
            stored.full_clean()
            stored.save(update_fields=["revoked_at", "revoked_by"])
    return stored


# The page ---------------------------------------------------------------------


class ShareView(ArticleView):
    """The article page as a reader will see it, opened by a share link instead of a login."""

    # Read-only: anything but GET and HEAD is a 405.
    http_method_names = ["get", "head"]

    def get_object(self, queryset=None):
        self.link = active_link(self.kwargs["token"])
        if self.link is None:
            raise Http404("Không có bài này.")
        return get_object_or_404(Article.objects.with_page_data(), pk=self.link.article_id)

    def get(self, request, *args, **kwargs):
        # BaseDetailView.get(), with a live article sent to the address every reader has.
        self.object = self.get_object()
        if self.object.is_live:
            return self._private(HttpResponseRedirect(self.object.get_absolute_url()))
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["share"] = self.link
        # No canonical link: the article's public address is a 404 until it goes live.
        context["page_links"] = {}
        return context

    def render_to_response(self, context, **response_kwargs):
        return self._private(super().render_to_response(context, **response_kwargs))

    @staticmethod
    def _private(response):
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The token is in this page's address: no link followed from it may carry it away.
        response["Referrer-Policy"] = "no-referrer"
        return response


# Exempt from CSRF so that a POST is the view's 405, not the CSRF 403: the view changes nothing, on any method.
share_view = csrf_exempt(ShareView.as_view())


# The admin --------------------------------------------------------------------


class ShareLinkForm(forms.Form):
    """What the change page's "share" form posts."""

    recipient = forms.CharField(
        label=gettext_lazy("For whom"),
        required=False,
        max_length=RECIPIENT_MAX,
        error_messages={
            "max_length": gettext_lazy("“For whom” is at most %(limit_value)d characters."),
            "null_characters_not_allowed": gettext_lazy("Null characters are not allowed."),
        },
    )
    # Empty is the default duration; "abc", 0, -5 and 100000 all get the one message naming the limits.
    hours = forms.IntegerField(
        label=gettext_lazy("Valid for (hours)"),
        required=False,
        min_value=1,
        max_value=MAX_HOURS,
        error_messages=dict.fromkeys(["invalid", "min_value", "max_value"], lazy(hours_message, str)()),
    )


class SharingAdminMixin:
    """The change page's share links: the list, and an editor's create and revoke buttons (POST only)."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                "<path:object_id>/share/",
                self.admin_site.admin_view(self.share_create_view),
                name="{}_{}_share_create".format(*info),
            ),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                self.admin_site.admin_view(self.share_revoke_view),
                name="{}_{}_share_revoke".format(*info),
            ),
        ]
        return [*urls, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["sharing"] = self.sharing_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def sharing_context(self, request, article):
        user, now = request.user, timezone.now()
        manage = services.can_share(user, article)
        links = []
        for link in article.share_links.select_related("created_by", "revoked_by"):
            state = link_state(link, now)
            links.append(
                {
                    "link": link,
                    "state": state,
                    "state_label": STATE_LABELS[state],
                    # The address is the editors' to hand out; a reporter sees who has one, not the address.
                    "url": share_url(link) if manage and state == "active" else "",
                    "revoke_url": (
                        reverse(f"admin:{self._share_url_name('revoke')}", args=[article.pk, link.pk])
                        if manage and state == "active"
                        else ""
                    ),
                }
            )
        return {
            "links": links,
            "can_create": manage and not article.is_live,
            "can_revoke": manage,
            "create_url": reverse(f"admin:{self._share_url_name('create')}", args=[article.pk]),
            "default_hours": settings.SHARE_LINK_HOURS,
            "max_hours": MAX_HOURS,
            "recipient_max": RECIPIENT_MAX,
        }

    def _share_url_name(self, action):
        return f"{self.opts.app_label}_{self.opts.model_name}_share_{action}"

    def _shared_article(self, request, object_id):
        """The article of a create or revoke POST: one the user may open (else 404) and share (else 403)."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not services.can_share(request.user, article):
            raise PermissionDenied
        return article

    def _back_to(self, article):
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[article.pk]) + "#nr-sharing"
        )

    def _report(self, request, error):
        problems = error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
        for messages_ in problems:
            self.message_user(request, " ".join(messages_), messages.ERROR)

    def share_create_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._shared_article(request, object_id)
        form = ShareLinkForm(request.POST)
        if not form.is_valid():
            for problems in form.errors.values():
                self.message_user(request, " ".join(problems), messages.ERROR)
            return self._back_to(article)
        try:
            link = share_link_create(
                article=article,
                by=request.user,
                recipient=form.cleaned_data["recipient"],
                hours=form.cleaned_data["hours"],
            )
        except ValidationError as error:
            self._report(request, error)
            return self._back_to(article)
        self.message_user(
            request,
            _("Share link created, valid until %(time)s. Copy it from the list of share links and send it.")
            % {"time": services.short_datetime(link.expires_at)},
            messages.SUCCESS,
        )
        return self._back_to(article)

    def share_revoke_view(self, request, object_id, link_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._shared_article(request, object_id)
        # Another article's link, or none, is not found here.
        link = get_object_or_404(ShareLink, pk=link_id, article=article)
        share_link_revoke(link=link, by=request.user)
        self.message_user(request, _("The share link was revoked: it no longer opens the article."), messages.SUCCESS)
        return self._back_to(article)


STATE_LABELS = {
    "active": pgettext_lazy("share link", "valid"),
    "expired": pgettext_lazy("share link", "expired"),
    "revoked": pgettext_lazy("share link", "revoked"),
}
