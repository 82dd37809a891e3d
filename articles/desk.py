"""The desk, an editor's first page, and "my stories", a reporter's (docs/architecture.md, "The desk").

Both pages only read. What they offer to do (schedule, reschedule, publish now) is a form posting to the article's
workflow view in the admin (ArticleAdmin.workflow_view), which asks articles/services.py and comes back here through
`next`; who may do what is asked of services too. Each list is one query however long it is, with what a row shows
annotated or joined in, and the bylines of every list are one more: the pages' query counts are fixed (tests).
"""

import itertools
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Prefetch, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, Concat, Trim
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from . import services
from .admin import SCHEDULE_FORMAT
from .models import Article, ArticleAuthor, ArticleEvent
from .text import person_name

Status = Article.Status
Kind = ArticleEvent.Kind

# Rows per list; each list links to the admin's full, filtered list.
LIMIT = 50
SCHEDULE_DAYS = 14
STALE_DAYS = 7
# Django's Vietnamese names the days "Thứ 4"; the desk's day headings spell them out ("Thứ Tư").
WEEKDAYS = [
    pgettext_lazy("desk day", "Monday"),
    pgettext_lazy("desk day", "Tuesday"),
    pgettext_lazy("desk day", "Wednesday"),
    pgettext_lazy("desk day", "Thursday"),
    pgettext_lazy("desk day", "Friday"),
    pgettext_lazy("desk day", "Saturday"),
    pgettext_lazy("desk day", "Sunday"),
]


# Time ----------------------------------------------------------------------


def duration(seconds):
    """ "3 ngày", "2 giờ 15 phút", "15 phút": how long, to the precision an editor needs."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 24 * 3600)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(days)d d") % {"days": days}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("under a minute")


def day_label(day):
    """ "Thứ Tư, 02/12/2026"."""
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


def zone_label(now):
    """ "giờ Việt Nam, UTC+7", from the zone itself rather than a literal offset."""
    offset = int(timezone.localtime(now).utcoffset().total_seconds())
    hours, minutes = divmod(abs(offset) // 60, 60)
    text = f"{'+' if offset >= 0 else '-'}{hours}" + (f":{minutes:02d}" if minutes else "")
    return _("Vietnam time, UTC%(offset)s") % {"offset": text}


def start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def next_full_hour(now):
    return (timezone.localtime(now) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


# Queries -------------------------------------------------------------------


def _events(kind=None):
    """The article's events, newest first, for a Subquery over OuterRef("pk")."""
    events = ArticleEvent.objects.filter(article=OuterRef("pk"))
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("-at", "-pk")


def _latest(field, kind=None):
    return Subquery(_events(kind).values(field)[:1])


def _rows(queryset):
    """What a row shows: its section and creator joined in, the body left in the database, at most LIMIT + 1
    rows (the extra one says that there are more)."""
    return list(queryset.select_related("section", "created_by").defer("body")[: LIMIT + 1])


def _with_bylines(*lists):
    """The bylines of every row of every list, in one query."""
    rows = [article for articles in lists for article in articles]
    byline_rows = ArticleAuthor.objects.select_related("author")
    prefetch_related_objects(rows, Prefetch("bylines", queryset=byline_rows))


def _section(key, title, rows, *, all_url, empty, help_text="", groups=None):
    more = len(rows) > LIMIT
    rows = rows[:LIMIT]
    return {
        "key": key,
        "title": title,
        "help": help_text,
        "count": f"{LIMIT}+" if more else len(rows),
        "more": more,
        "more_text": _("Showing the first %(limit)d.") % {"limit": LIMIT},
        "groups": groups(rows) if groups else [(None, rows)],
        "rows": rows,
        "all_url": all_url,
        "empty": empty,
    }


def changelist(**params):
    return f"{reverse('admin:articles_article_changelist')}?{urlencode(params)}"


def _prepare(article, user, now, *, note="", return_info=None):
    """Annotates one row with what the template shows: names, the line under the title, what the user may do."""
    article.desk_reporter = person_name(article.created_by)
    article.desk_bylines = ", ".join(b.author.name for b in article.bylines.all()) or article.byline
    article.desk_note = note
    article.desk_return = return_info
    article.desk_can_schedule = services.can_schedule(user, article)
    article.desk_can_publish = article.status == Status.REVIEW and services.can_publish(user, article)
    article.desk_is_scheduled = article.is_scheduled
    when = timezone.localtime(article.publish_at) if article.desk_is_scheduled else next_full_hour(now)
    article.desk_schedule_value = when.strftime(SCHEDULE_FORMAT)
    return article


def _ago(message, since, now):
    """`message` ("waiting %(duration)s"…) with the time from `since` to `now`."""
    return message % {"duration": duration((now - since).total_seconds())}


def _in_review(queryset):
    """Stories in review, longest waiting first: since their latest submission, else their last change (a story
    put in review by a script or an import has no event)."""
    waiting_since = Coalesce(_latest("at", Kind.SUBMIT), F("updated_at"))
    return queryset.filter(status=Status.REVIEW).annotate(waiting_since=waiting_since).order_by("waiting_since", "pk")


def _by_day(rows):
    local = lambda article: timezone.localtime(article.publish_at).date()  # noqa: E731
    return [(day_label(day), list(articles)) for day, articles in itertools.groupby(rows, key=local)]


# Views ---------------------------------------------------------------------


def _context(request, title, sections, now, **extra):
    return {
        **admin.site.each_context(request),
        "title": title,
        "sections": sections,
        "here": request.path,
        "zone": zone_label(now),
        **extra,
    }


@require_safe
def desk_view(request):
    """Editors' desk: in review (oldest first), scheduled for the next 14 days by day, live today, stale drafts."""
    user = request.user
    if not services.is_editor(user):
        # A reporter who follows a link to the desk lands on their own stories instead of a refusal.
        return HttpResponseRedirect(reverse("my_stories"))
    now = timezone.now()
    today = timezone.localdate(now)
    articles = services.visible_articles(user)

    review = _rows(_in_review(articles))
    scheduled = _rows(
        articles.scheduled().filter(publish_at__lte=now + timedelta(days=SCHEDULE_DAYS)).order_by("publish_at", "pk")
    )
    published = _rows(articles.published().filter(publish_at__gte=start_of_day(today)).order_by("-publish_at", "-pk"))
    stale_before = now - timedelta(days=STALE_DAYS)
    stale = _rows(articles.filter(status=Status.DRAFT, updated_at__lt=stale_before).order_by("updated_at", "pk"))
    _with_bylines(review, scheduled, published, stale)

    for article in review:
        _prepare(article, user, now, note=_ago(_("waiting %(duration)s"), article.waiting_since, now))
    for article in [*scheduled, *published]:
        _prepare(article, user, now)
    for article in stale:
        _prepare(article, user, now, note=_ago(_("untouched for %(duration)s"), article.updated_at, now))

    sections = [
        _section(
            "review",
            _("Waiting for review"),
            review,
            help_text=_("Oldest first, by when the reporter submitted it."),
            all_url=changelist(status__exact=Status.REVIEW),
            empty=_("No story is waiting for review."),
        ),
        _section(
            "scheduled",
            _("Scheduled for the next %(days)d days") % {"days": SCHEDULE_DAYS},
            scheduled,
            help_text=_("Times are %(zone)s.") % {"zone": zone_label(now)},
            all_url=changelist(hien_thi="scheduled"),
            empty=_("Nothing is scheduled for the next %(days)d days.") % {"days": SCHEDULE_DAYS},
            groups=_by_day,
        ),
        _section(
            "today",
            _("Published today"),
            published,
            help_text=day_label(today),
            all_url=changelist(
                hien_thi="live", publish_at__year=today.year, publish_at__month=today.month, publish_at__day=today.day
            ),
            empty=_("Nothing has been published yet today."),
        ),
        _section(
            "stale",
            _("Drafts untouched for %(days)d days") % {"days": STALE_DAYS},
            stale,
            help_text=_("Oldest first, by their last edit."),
            all_url=changelist(status__exact=Status.DRAFT, updated_at__lt=stale_before.isoformat()),
            empty=_("No draft has been left untouched for %(days)d days.") % {"days": STALE_DAYS},
        ),
    ]
    return TemplateResponse(request, "admin/desk.html", _context(request, _("The desk"), sections, now))


@require_safe
def my_stories_view(request):
    """Someone's own stories: returned with the editor's note, drafts, in review, scheduled, the newest live."""
    user = request.user
    if not admin.site.get_model_admin(Article).has_view_or_change_permission(request):
        raise PermissionDenied
    now = timezone.now()
    # An editor's own too: visible_articles() is every story for them.
    mine = services.visible_articles(user).filter(services.owned_by(user))

    drafts = mine.filter(status=Status.DRAFT).annotate(last_kind=Coalesce(_latest("kind"), Value("")))
    actor_name = Trim(Concat("actor__last_name", Value(" "), "actor__first_name"))  # as person_name() writes it
    returned = _rows(
        drafts.filter(last_kind=Kind.RETURN)
        .annotate(
            return_at=_latest("at"),
            return_note=_latest("note"),
            return_by=Subquery(_events().annotate(name=actor_name).values("name")[:1]),
            return_by_username=_latest("actor__username"),
        )
        .order_by("-return_at", "-pk")
    )
    plain_drafts = _rows(drafts.exclude(last_kind=Kind.RETURN).order_by("-updated_at", "-pk"))
    review = _rows(_in_review(mine))
    scheduled = _rows(mine.scheduled().order_by("publish_at", "pk"))
    live = _rows(mine.published().order_by("-publish_at", "-pk"))
    _with_bylines(returned, plain_drafts, review, scheduled, live)

    for article in returned:
        info = {"note": article.return_note, "at": article.return_at}
        info["by"] = article.return_by or article.return_by_username or "—"
        _prepare(article, user, now, return_info=info)
    for article in plain_drafts:
        _prepare(article, user, now, note=_ago(_("last edited %(duration)s ago"), article.updated_at, now))
    for article in review:
        _prepare(article, user, now, note=_ago(_("waiting %(duration)s"), article.waiting_since, now))
    for article in [*scheduled, *live]:
        _prepare(article, user, now)

    sections = [
        _section(
            "returned",
            _("Returned to you"),
            returned,
            help_text=_("An editor sent these back with a note: change what it says, then submit again."),
            all_url=changelist(status__exact=Status.DRAFT),
            empty=_("No story has been returned to you."),
        ),
        _section(
            "drafts",
            _("Your drafts"),
            plain_drafts,
            help_text=_("Latest edited first."),
            all_url=changelist(status__exact=Status.DRAFT),
            empty=_("You have no drafts."),
        ),
        _section(
            "review",
            _("In review"),
            review,
            help_text=_("Sent to the editors; they publish, schedule or return them."),
            all_url=changelist(status__exact=Status.REVIEW),
            empty=_("None of your stories is waiting for review."),
        ),
        _section(
            "scheduled",
            _("Scheduled to go out"),
            scheduled,
            help_text=_("Times are %(zone)s.") % {"zone": zone_label(now)},
            all_url=changelist(hien_thi="scheduled"),
            empty=_("None of your stories is scheduled."),
            groups=_by_day,
        ),
        _section(
            "live",
            _("Live on the site"),
            live,
            help_text=_("Newest first."),
            all_url=changelist(hien_thi="live"),
            empty=_("None of your stories is live."),
        ),
    ]
    context = _context(request, _("My stories"), sections, now, can_add=services.can_add(user))
    return TemplateResponse(request, "admin/my_stories.html", context)
