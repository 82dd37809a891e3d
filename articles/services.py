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

Every write here is one revision (django-reversion, registered in articles/revisions.py): who, when and a comment
saying what happened. Called inside a larger revision (the admin's save, which also saves the byline and tags),
a service adds its comment to that one revision instead of making its own.
"""

from contextlib import contextmanager

import reversion
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from photos.models import Photo

from .body import photo_ids
from .models import Article, ArticleAuthor, ArticleEvent, Author, Organization, Section, Tag

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


def can_correct(user, article):
    """Add a correction or mark an update (articles/corrections.py): an editor, on a live story only."""
    return article.pk is not None and is_editor(user) and state_of(article) == LIVE


def can_share(user, article):
    """Create and revoke the story's share links (articles/sharing.py): an editor who may open the story."""
    return is_editor(user) and can_view(user, article)


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


# Alt text ------------------------------------------------------------------


def _on_site(article):
    """Live, or scheduled to go live by the clock: readers see its photos now or will without anyone acting."""
    return article.status == Status.PUBLISHED and not article.is_expired


def _shown_photo_ids(article):
    """The ids of the library photos the article shows, as it stands (maybe unsaved): featured, then the body's."""
    ids = [article.featured_photo_id] if article.featured_photo_id else []
    return list(dict.fromkeys([*ids, *photo_ids(article.body)]))


def check_alt_text(article, *, stored=None):
    """Refuse (ValidationError) to put on the site a photo that has no alt text, naming every such photo.

    Applies when `article` is live or scheduled. With `stored`, the article as saved: if that was already on the
    site, only the photos this change adds are checked, so that an urgent correction to a story is not held up
    by an older photo; the article changelist's "photos lacking alt text" filter lists those stories.
    """
    if not _on_site(article):
        return
    ids = _shown_photo_ids(article)
    if stored is not None and _on_site(stored):
        before = set(_shown_photo_ids(stored))
        ids = [pk for pk in ids if pk not in before]
    if not ids:
        return
    photos = Photo.objects.in_bulk(ids)
    lacking = [photos[pk] for pk in ids if pk in photos and not photos[pk].alt_text.strip()]
    if lacking:
        names = ", ".join(f"“{photo}” (#{photo.pk})" for photo in lacking)
        message = _(
            "A photo on a live article needs alt text, a short description for blind readers. Add it to: %(photos)s"
        )
        raise ValidationError({NON_FIELD_ERRORS: [message % {"photos": names}]}, code="alt_text")


# Services -----------------------------------------------------------------


def short_datetime(value):
    """dd/mm/YYYY HH:MM in Vietnam time (docs/architecture.md, "Time"): every dateline readers see, too.

    All digits, so strftime writes what Django's "d/m/Y H:i" would, without its per-call format parsing.
    """
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


class RevisionComment:
    """What a revision's comment will say; a block sets `text` once it knows what happened (a publish time…)."""

    def __init__(self, text=""):
        self.text = text


@contextmanager
def revision(*, by, comment="", alone=False):
    """One revision for what the block saves, by `by`, its comment added to any the revision already has.

    Yields a RevisionComment the block may still change. The comment is added once the block has succeeded,
    so a refused or failed write leaves nothing of itself in an enclosing revision. With `alone`, the comments
    of services called inside the block are dropped: a restore says it restored, not also "Saved".
    """
    note = RevisionComment(comment)
    with reversion.create_revision():
        outer = reversion.get_comment()
        if by is not None and by.is_authenticated:
            reversion.set_user(by)
        yield note
        previous = outer if alone else reversion.get_comment()
        text = str(note.text)
        reversion.set_comment(f"{previous}; {text}" if previous and text and text not in previous else text or previous)


def _transition_comment(kind, article, note):
    comment = {
        Kind.SUBMIT: pgettext("revision comment", "Submitted for review"),
        Kind.RETURN: pgettext("revision comment", "Returned to the reporter"),
        Kind.PUBLISH: pgettext("revision comment", "Published"),
        Kind.SCHEDULE: pgettext("revision comment", "Scheduled for %(time)s"),
        Kind.UNSCHEDULE: pgettext("revision comment", "Unscheduled"),
        Kind.ARCHIVE: pgettext("revision comment", "Taken down"),
        Kind.RESTORE: pgettext("revision comment", "Restored to draft"),
    }[kind] % {"time": short_datetime(article.publish_at)}
    return f"{comment}: {note}" if note else comment


def _transition(kind, *, article, by, note="", apply):
    """Check, change, validate, save and record one transition, all in one transaction.

    `article` may carry unsaved edits (the admin's form saves them with the transition); the permission is
    judged on the row as stored, locked for the duration so two editors cannot both act on the same state.
    """
    if article.pk is None:
        raise TransitionDenied(_("Save the article before changing its status."))
    with transaction.atomic(), revision(by=by) as comment:
        stored = Article.objects.select_for_update().get(pk=article.pk)
        if not CHECKS[kind](by, stored):
            raise _denied(kind, by, stored)
        article.status = stored.status  # the form may have set it; only apply() decides the new one
        apply(article)
        if kind in (Kind.PUBLISH, Kind.SCHEDULE):
            check_alt_text(article)
        article.updated_by = by
        article.full_clean()
        article.save()
        comment.text = _transition_comment(kind, article, note)
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
    with transaction.atomic(), revision(by=by) as comment:
        created = article.pk is None
        comment.text = pgettext("revision comment", "Created") if created else pgettext("revision comment", "Saved")
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
            check_alt_text(article, stored=stored)
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


# Revisions: an earlier version put back, a deleted article brought back ---------------------------------

# What restoring a version puts back: the story and its details, never where it stands in the workflow
# (status, publish_at, expire_at) nor its address.
CONTENT_FIELDS = ("title", "lead", "body", "byline")


def _existing(model, ids):
    """The ids of `ids` still in the table, in their order, and those gone."""
    ids = [pk for pk in ids if pk is not None]
    found = set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return [pk for pk in ids if pk in found], [pk for pk in ids if pk not in found]


def _put_back_details(article, content):
    """Section, featured photo, organisations, tags and byline authors from `content`, each only if it still
    exists; returns what was skipped, as sentences for the user."""
    skipped = []
    for field, model, label in (
        ("section_id", Section, _("The section #%(id)s no longer exists; the article keeps its current one.")),
        ("featured_photo_id", Photo, _("The photo #%(id)s no longer exists; the featured photo was not changed.")),
    ):
        pk = content.get(field)
        kept, gone = _existing(model, [pk])
        if gone:
            skipped.append(label % {"id": pk})
        elif pk is None or kept:
            setattr(article, field, pk)
    return skipped


def _put_back_relations(article, content):
    """The many-to-many details and the byline, after the article is saved; returns what was skipped."""
    skipped = []
    for name, model, label in (
        ("organizations", Organization, _("Organizations no longer there were left out: %(ids)s")),
        ("tags", Tag, _("Tags no longer there were left out: %(ids)s")),
    ):
        kept, gone = _existing(model, content.get(name, []))
        getattr(article, name).set(kept)
        if gone:
            skipped.append(label % {"ids": ", ".join(f"#{pk}" for pk in gone)})
    authors, gone = _existing(Author, list(dict.fromkeys(content.get("authors", []))))
    # Asked of the table, not article.bylines.all(): the admin's article carries its bylines prefetched.
    bylines = ArticleAuthor.objects.filter(article_id=article.pk)
    bylines.exclude(author_id__in=authors).delete()
    rows = {row.author_id: row for row in bylines}
    for position, author_id in enumerate(authors, start=1):
        row = rows.get(author_id) or ArticleAuthor(article=article, author_id=author_id)
        if row.pk is None or row.position != position:
            row.position = position
            row.save()
    if gone:
        skipped.append(
            _("Authors no longer there were left out of the byline: %(ids)s")
            % {"ids": ", ".join(f"#{pk}" for pk in gone)}
        )
    return skipped


def article_revert(*, article, content, by):
    """Put an earlier version's text and details back on `article`, as a new version; returns what was skipped.

    `content` is a version's content (articles.revisions.version_content). Status, publish and take-down
    times and the slug stay as they are: a live story stays live, a draft stays a draft. Who may do it is
    who may edit the article (can_edit, checked again by article_save).
    """
    comment = pgettext("revision comment", "Restored the version of %(time)s by %(user)s") % {
        "time": short_datetime(content["saved_at"]),
        "user": content["saved_by"] or "—",
    }
    with transaction.atomic(), revision(by=by, comment=comment, alone=True):
        stored = Article.objects.select_for_update().get(pk=article.pk)
        if not can_edit(by, stored):
            raise TransitionDenied(_("You cannot change this article."))
        for field in CONTENT_FIELDS:
            setattr(article, field, content.get(field) or "")
        skipped = _put_back_details(article, content)
        article_save(article=article, by=by)
        skipped += _put_back_relations(article, content)
        reversion.add_to_revision(article)  # the version as it ends, its tags and byline included
    return skipped


def article_recover(*, content, by):
    """Bring a deleted article back from its last version, as a draft (never straight back on the site).

    Keeps its id, so its history continues; its slug unless another article has taken it since (then a new
    one is made from the title). Returns (article, skipped).
    """
    if not is_editor(by):
        raise TransitionDenied(_("Only an editor can recover a deleted article."))
    comment = pgettext("revision comment", "Recovered after deletion, as a draft")
    with transaction.atomic(), revision(by=by, comment=comment, alone=True):
        if Article.objects.filter(pk=content["pk"]).exists():
            raise ValidationError(_("This article was recovered already."), code="exists")
        slug = content.get("slug") or ""
        import_key = content.get("import_key") or ""
        article = Article(
            pk=content["pk"],
            status=Status.DRAFT,
            publish_at=None,
            expire_at=None,
            slug="" if slug and Article.objects.filter(slug=slug).exists() else slug,
            import_key="" if import_key and Article.objects.filter(import_key=import_key).exists() else import_key,
            import_source=content.get("import_source") or "",
            **{field: content.get(field) or "" for field in CONTENT_FIELDS},
        )
        article.created_by_id = next(iter(_existing(get_user_model(), [content.get("created_by_id")])[0]), None)
        skipped = _put_back_details(article, content)
        article.updated_by = by
        article.full_clean()
        article.save(force_insert=True)
        if content.get("created_at"):
            # auto_now_add stamps the insert; the story was created when it first was.
            article.created_at = content["created_at"]
            Article.objects.filter(pk=article.pk).update(created_at=article.created_at)
        skipped += _put_back_relations(article, content)
        reversion.add_to_revision(article)
    return article, skipped
