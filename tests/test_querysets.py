from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_organization, make_tag

pytestmark = pytest.mark.django_db

PAST, FUTURE = "past", "future"


PUBLISH_OFFSETS = {PAST: -timedelta(days=1), FUTURE: timedelta(hours=1)}
EXPIRE_OFFSETS = {PAST: -timedelta(hours=1), FUTURE: timedelta(hours=2)}
# Every status × publish_at × expire_at the database allows: a published article
# always has publish_at, and expire_at always follows publish_at.
ROWS = [
    (status, publish, expire)
    for status in Article.Status
    for publish in (PAST, FUTURE, None)
    for expire in (PAST, FUTURE, None)
    if not (status == Article.Status.PUBLISHED and publish is None) and not (publish == FUTURE and expire == PAST)
]


@pytest.mark.parametrize(("status", "publish", "expire"), ROWS)
def test_publication_truth_table(status, publish, expire):
    """published() and is_live agree, and are true only for published, started, not expired."""
    now = timezone.now()
    publish_at = now + PUBLISH_OFFSETS[publish] if publish else None
    expire_at = now + EXPIRE_OFFSETS[expire] if expire else None
    article = make_article(live=False, status=status, publish_at=publish_at, expire_at=expire_at)

    expected = status == Article.Status.PUBLISHED and publish == PAST and expire != PAST
    assert article.is_live is expected
    assert Article.objects.published().filter(pk=article.pk).exists() is expected
    # Every published article is exactly one of live, scheduled or expired, row and queryset alike.
    scheduled = status == Article.Status.PUBLISHED and publish == FUTURE
    expired = status == Article.Status.PUBLISHED and expire == PAST
    assert (article.is_scheduled, article.is_expired) == (scheduled, expired)
    assert Article.objects.scheduled().filter(pk=article.pk).exists() is scheduled
    assert Article.objects.expired().filter(pk=article.pk).exists() is expired
    if status == Article.Status.PUBLISHED:
        assert [expected, scheduled, expired].count(True) == 1


def test_the_truth_table_covers_every_allowed_row():
    assert len(ROWS) == 29  # 4 statuses × 3 × 3 = 36, less 3 published rows without publish_at, less 4 impossible


def test_expire_at_exactly_now_is_not_live(time_machine):
    moment = timezone.now().replace(microsecond=0)
    time_machine.move_to(moment, tick=False)
    article = make_article(publish_at=moment - timedelta(days=1), expire_at=moment)
    assert not article.is_live
    assert not Article.objects.published().filter(pk=article.pk).exists()
    live = make_article(publish_at=moment, expire_at=moment + timedelta(seconds=1))
    assert live.is_live
    assert list(Article.objects.published()) == [live]


def test_scheduled_is_published_with_future_publish_at():
    scheduled = make_article(publish_at=timezone.now() + timedelta(minutes=5))
    make_article()
    make_article(live=False, publish_at=timezone.now() + timedelta(minutes=5))  # a draft with a date
    assert list(Article.objects.scheduled()) == [scheduled]
    assert scheduled.is_scheduled and not scheduled.is_live


def test_related_to_shares_an_organisation_or_tag_and_is_live():
    org, tag, other_tag = make_organization(), make_tag(), make_tag()
    article = make_article(organizations=[org], tags=[tag])
    by_org = make_article(organizations=[org])
    by_both = make_article(organizations=[org], tags=[tag])
    by_tag = make_article(tags=[tag])
    make_article(tags=[other_tag])  # unrelated
    make_article(live=False, tags=[tag])  # draft
    make_article(tags=[tag], publish_at=timezone.now() + timedelta(hours=1))  # scheduled

    related = list(Article.objects.related_to(article, limit=10))
    assert set(related) == {by_org, by_both, by_tag}
    assert len(related) == 3  # no duplicates for stories sharing both
    assert related == sorted(related, key=lambda a: a.publish_at, reverse=True)


def test_related_to_gives_the_newest_even_when_the_newest_share_every_tag():
    """Each side reads its newest stories link by link: stories sharing all three tags come three times there,
    and must not crowd out the fourth newest story."""
    tags, orgs = [make_tag() for _ in range(3)], [make_organization() for _ in range(2)]
    article = make_article(tags=tags, organizations=orgs)
    now = timezone.now()
    by_all = [make_article(tags=tags, organizations=orgs, publish_at=now - timedelta(minutes=m)) for m in (1, 2, 3)]
    fourth = make_article(tags=tags[2:], publish_at=now - timedelta(minutes=4))
    fifth = make_article(organizations=orgs[:1], publish_at=now - timedelta(minutes=5))
    make_article(tags=tags, publish_at=now - timedelta(minutes=6))
    assert Article.objects.related_to(article) == [*by_all, fourth]
    assert Article.objects.related_to(article, limit=5) == [*by_all, fourth, fifth]
    # Taken down, scheduled again: gone from every side at once.
    Article.objects.filter(pk=by_all[0].pk).update(expire_at=now - timedelta(seconds=1))
    assert Article.objects.related_to(article) == [*by_all[1:], fourth, fifth]


def test_related_to_without_organisations_or_tags_is_empty():
    article = make_article()
    make_article()
    assert list(Article.objects.related_to(article)) == []


def test_newest_in_each_section_keeps_the_limit_per_section_and_only_live_stories():
    from tests.factories import make_section

    economy, society, empty = make_section(), make_section(), make_section()
    now = timezone.now()
    economy_stories = [make_article(section=economy, publish_at=now - timedelta(hours=h)) for h in range(1, 5)]
    society_stories = [make_article(section=society, publish_at=now - timedelta(hours=h, minutes=30)) for h in (1, 2)]
    make_article(section=economy, live=False)  # draft
    make_article(section=economy, publish_at=now + timedelta(hours=1))  # scheduled

    newest = list(Article.objects.newest_in_each([economy, society, empty], 3))

    assert newest == sorted(economy_stories[:3] + society_stories, key=lambda a: a.publish_at, reverse=True)
    assert list(Article.objects.newest_in_each([], 3)) == []


def test_next_publish_and_expire_are_the_soonest_moments_the_clock_changes(time_machine):
    """What the page cache and the feeds expire by: the soonest scheduled publish_at and the soonest expire_at
    of a live story; a draft's, an expired story's and a scheduled story's own expiry do not count."""
    moment = timezone.now().replace(microsecond=0)
    time_machine.move_to(moment, tick=False)
    assert (Article.objects.next_publish_at(), Article.objects.next_expire_at()) == (None, None)
    make_article(live=False, status=Article.Status.DRAFT, publish_at=moment + timedelta(minutes=5))
    make_article(publish_at=moment - timedelta(days=2), expire_at=moment - timedelta(days=1))
    make_article(publish_at=moment + timedelta(hours=3), expire_at=moment + timedelta(minutes=90 * 3))
    make_article(publish_at=moment + timedelta(hours=1))
    make_article(publish_at=moment - timedelta(days=1), expire_at=moment + timedelta(hours=2))
    make_article(publish_at=moment - timedelta(days=1), expire_at=moment + timedelta(hours=6))
    assert Article.objects.next_publish_at() == moment + timedelta(hours=1)
    assert Article.objects.next_expire_at() == moment + timedelta(hours=2)
    time_machine.move_to(moment + timedelta(hours=1, seconds=1), tick=False)
    assert Article.objects.next_publish_at() == moment + timedelta(hours=3)
    time_machine.move_to(moment + timedelta(hours=3, seconds=1), tick=False)
    # The story that went live at 3 h now expires first, at 4 h 30.
    assert (Article.objects.next_publish_at(), Article.objects.next_expire_at()) == (
        None,
        moment + timedelta(minutes=270),
    )
