"""Who may do what to an article, and the workflow's transitions: the one place that says it.

The admin (and any later view: the desk, share links, corrections) asks the can_*() functions what to show
and calls the article_*() services to act; a service checks again, so a crafted request that reaches it is
refused all the same (docs/architecture.md, "Workflow and roles"). Nothing else writes Article.status.

States, as a reader sees them (see state_of()): draft → review → scheduled or live → archived → draft.

- submit: draft → review (the reporter who owns it, or an editor)
- return to draft: review → draft, with a note to the reporter (editor)
- publish now: draft, review or scheduled → live (editor)
- schedule: draft, review or scheduled → scheduled at a future time (editor); a live story is not rescheduled
- unschedule: scheduled → review (editor)
- archive (take down): live, scheduled or expired → archived (editor)
- restore: archived → draft (editor)

A live story never goes back to review or draft: taking it off the site is always the explicit archive.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article, ArticleAuthor, ArticleEvent

Status = Article.Status
Kind = ArticleEvent.Kind

# What state_of() returns, besides the stored statuses draft, review and archived.
SCHEDULED, LIVE, EXPIRED = "scheduled", "live", "expired"
# A reporter edits their own stories only in these statuses.
REPORTER_EDITABLE = {Status.DRAFT, Status.REVIEW}


class TransitionDenied(PermissionDenied):
    """The acting user may not do this to this article; the message says why, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def state_of(article):
    """draft, review, scheduled, live, expired or archived: the status, with "published" split by the clock."""
    if article.status != Status.PUBLISHED:
        return article.status
    if article.is_scheduled:
        return SCHEDULED
    return EXPIRED if article.is_expired else LIVE


# Roles --------------------------------------------------------------------


def is_staff_user(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def is_editor(user):
    """An editor (the Editor group holds publish_article) or a superuser."""
    return is_staff_user(user) and user.has_perm("articles.publish_article")


def owned_by(user):
    """A filter for the stories that are the user's: created by them, or with them in the byline."""
    bylined = ArticleAuthor.objects.filter(author__user_id=user.pk).values("article_id")
    return Q(created_by_id=user.pk) | Q(pk__in=bylined)


def is_own(user, article):
    if article.pk is None or not user.is_authenticated:
        return article.pk is None
    if article.created_by_id == user.pk:
        return True
    return ArticleAuthor.objects.filter(article_id=article.pk, author__user_id=user.pk).exists()


def visible_articles(user, queryset=None):
    """The articles the user may open in the admin: all for an editor, their own for a reporter."""
    queryset = Article.objects.all() if queryset is None else queryset
    if is_editor(user):
        return queryset
    if not is_staff_user(user):
        return queryset.none()
    return queryset.filter(owned_by(user))


def can_view(user, article):
    if not is_staff_user(user):
        return False
    if not (user.has_perm("articles.view_article") or user.has_perm("articles.change_article")):
        return False
    return is_editor(user) or is_own(user, article)


def can_add(user):
    return is_staff_user(user) and user.has_perm("articles.add_article")


def can_edit(user, article):
    """Change the article's text and details (not its status, publish_at or expire_at: see can_schedule…)."""
    if not (is_staff_user(user) and user.has_perm("articles.change_article")):
        return False
    if is_editor(user):
        return True
    return article.status in REPORTER_EDITABLE and is_own(user, article)


def can_delete(user, article):
    if not (is_staff_user(user) and user.has_perm("articles.delete_article")):
        return False
    if is_editor(user):
        return True
    return article.status in REPORTER_EDITABLE and is_own(user, article)


def can_set_schedule_fields(user):
    """Whether the user sees and sets status, publish_at and expire_at at all."""
    return is_editor(user) and user.has_perm("articles.change_article")


def can_submit(user, article):
    return article.pk is not None and article.status == Status.DRAFT and can_edit(user, article)


def _editor_in(states):
    def check(user, article):
        return article.pk is not None and can_set_schedule_fields(user) and state_of(article) in states

    return check


can_return_to_draft = _editor_in({Status.REVIEW})
can_publish = _editor_in({Status.DRAFT, Status.REVIEW, SCHEDULED})
can_schedule = _editor_in({Status.DRAFT, Status.REVIEW, SCHEDULED})
can_unschedule = _editor_in({SCHEDULED})
can_archive = _editor_in({LIVE, SCHEDULED, EXPIRED})
can_restore = _editor_in({Status.ARCHIVED})

CHECKS = {
    Kind.SUBMIT: can_submit,
    Kind.RETURN: can_return_to_draft,
    Kind.PUBLISH: can_publish,
    Kind.SCHEDULE: can_schedule,
    Kind.UNSCHEDULE: can_unschedule,
    Kind.ARCHIVE: can_archive,
    Kind.RESTORE: can_restore,
}


def allowed_transitions(user, article):
    """The transitions the user may perform on the article now, in the order buttons show them."""
    return [kind for kind, check in CHECKS.items() if check(user, article)]


def _denied(kind, user, article):
    if not is_staff_user(user):
        return TransitionDenied(_("You must be logged in as newsroom staff to do this."))
    if kind != Kind.SUBMIT and not can_set_schedule_fields(user):
        return TransitionDenied(_("Only an editor can publish, schedule, take down or restore an article."))
    if kind == Kind.SUBMIT and not can_edit(user, article):
        return TransitionDenied(_("You can only submit your own stories while they are drafts."))
    return TransitionDenied(
        _("This cannot be done to an article that is “%(state)s”.") % {"state": state_label(state_of(article))}
    )


def state_label(state):
    labels = {
        SCHEDULED: _("scheduled"),
        LIVE: _("live"),
        EXPIRED: _("expired"),
        Status.DRAFT: _("draft"),
        Status.REVIEW: _("in review"),
        Status.ARCHIVED: _("taken down"),
    }
    return labels[state]


# Services -----------------------------------------------------------------


def _transition(kind, *, article, by, note="", apply):
    """Check, change, validate, save and record one transition, all in one transaction.

    `article` may carry unsaved edits (the admin's form saves them with the transition); the permission is
    judged on the row as stored, locked for the duration so two editors cannot both act on the same state.
    """
    if article.pk is None:
        raise TransitionDenied(_("Save the article before changing its status."))
    with transaction.atomic():
        stored = Article.objects.select_for_update().get(pk=article.pk)
        if not CHECKS[kind](by, stored):
            raise _denied(kind, by, stored)
        article.status = stored.status  # the form may have set it; only apply() decides the new one
        apply(article)
        article.updated_by = by
        article.full_clean()
        article.save()
        return ArticleEvent.objects.create(
            article=article,
            actor=by,
            kind=kind,
            from_status=stored.status,
            to_status=article.status,
            publish_at=article.publish_at if kind in (Kind.PUBLISH, Kind.SCHEDULE) else None,
            note=note,
        )


def article_submit(*, article, by, note=""):
    def apply(article):
        article.status = Status.REVIEW

    return _transition(Kind.SUBMIT, article=article, by=by, note=note.strip(), apply=apply)


def article_return_to_draft(*, article, by, note):
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Tell the reporter what to change: the note is required.")}, code="required")

    def apply(article):
        article.status = Status.DRAFT

    return _transition(Kind.RETURN, article=article, by=by, note=note, apply=apply)


def article_publish(*, article, by):
    """Live now. A publication time already in the past (a backdated story) is kept; any other becomes now."""

    def apply(article):
        now = timezone.now()
        if article.publish_at is None or article.publish_at > now:
            article.publish_at = now
        article.status = Status.PUBLISHED

    return _transition(Kind.PUBLISH, article=article, by=by, apply=apply)


def article_schedule(*, article, by, publish_at, expire_at=None):
    if publish_at is None or publish_at <= timezone.now():
        raise ValidationError(
            {"publish_at": _("A scheduled time must be in the future; to publish now, use “Publish now”.")},
            code="past",
        )

    def apply(article):
        article.status, article.publish_at, article.expire_at = Status.PUBLISHED, publish_at, expire_at

    return _transition(Kind.SCHEDULE, article=article, by=by, apply=apply)


def article_unschedule(*, article, by):
    """Back to review, its time cleared: it never was on the site, so it has no dateline to keep."""

    def apply(article):
        article.status, article.publish_at = Status.REVIEW, None

    return _transition(Kind.UNSCHEDULE, article=article, by=by, apply=apply)


def article_archive(*, article, by, note=""):
    def apply(article):
        article.status = Status.ARCHIVED

    return _transition(Kind.ARCHIVE, article=article, by=by, note=note.strip(), apply=apply)


def article_restore(*, article, by):
    """Back to draft; it keeps its slug (readers' links) and goes out again only through publish or schedule."""

    def apply(article):
        article.status = Status.DRAFT

    return _transition(Kind.RESTORE, article=article, by=by, apply=apply)


def article_save(*, article, by):
    """Save edits that change no status: a new article (always a draft) or an edit the user may make.

    An editor's save on a live story keeps it live. Changes to publish_at on a scheduled or live story are
    transitions, planned by plan_status_change(); this refuses the status changing here.
    """
    with transaction.atomic():
        if article.pk is None:
            if not can_add(by):
                raise TransitionDenied(_("You cannot add articles."))
            if article.status != Status.DRAFT:
                raise TransitionDenied(_("A new article starts as a draft."))
        else:
            stored = Article.objects.select_for_update().get(pk=article.pk)
            if not can_edit(by, stored):
                raise TransitionDenied(_("You cannot change this article."))
            if article.status != stored.status:
                raise TransitionDenied(_("A status changes only through its own action (submit, publish…)."))
            if not can_set_schedule_fields(by) and (
                article.publish_at != stored.publish_at or article.expire_at != stored.expire_at
            ):
                raise TransitionDenied(_("Only an editor can publish, schedule, take down or restore an article."))
        article.updated_by = by
        article.full_clean()
        article.save()
        return article


def plan_status_change(stored, status, publish_at):
    """The transition an editor's form asks for by its status and publish_at fields, or None for a plain save.

    `stored` is the article as saved (None for a new one). Raises ValidationError for a change that is not a
    transition, such as a live story sent back to review.
    """
    was = state_of(stored) if stored else Status.DRAFT
    old_status = stored.status if stored else Status.DRAFT
    future = publish_at is not None and publish_at > timezone.now()
    if status == Status.PUBLISHED:
        if old_status != Status.PUBLISHED:
            return Kind.SCHEDULE if future else Kind.PUBLISH
        if stored.publish_at == publish_at:
            return None
        if was == SCHEDULED:
            return Kind.SCHEDULE if future else Kind.PUBLISH
        if future:
            raise ValidationError(
                {"publish_at": _("A live article cannot be moved to a later time; take it down first.")},
                code="live_to_future",
            )
        return None  # a live or expired story's dateline corrected to another past time
    if status == old_status:
        return None
    if status == Status.ARCHIVED:
        if old_status == Status.PUBLISHED:
            return Kind.ARCHIVE
        raise ValidationError(
            {"status": _("Only a published article is taken down; a draft can be deleted instead.")}, code="archive"
        )
    if old_status == Status.PUBLISHED:
        raise ValidationError(
            {
                "status": _(
                    "A published article does not go back to draft or review; to take it off the site, "
                    "choose “Taken down”."
                )
            },
            code="published_back",
        )
    transitions = {
        (Status.DRAFT, Status.REVIEW): Kind.SUBMIT,
        (Status.REVIEW, Status.DRAFT): Kind.RETURN,
        (Status.ARCHIVED, Status.DRAFT): Kind.RESTORE,
    }
    if (old_status, status) not in transitions:
        raise ValidationError({"status": _("This status change is not possible.")}, code="invalid")
    return transitions[old_status, status]
