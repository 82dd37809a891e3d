"""What the newsroom asks of its articles, said once (docs/architecture.md, "Visibility").

models.py imports this module to build Article's manager, so nothing here imports models.py: the statuses
and the related models are reached through `self.model`.
"""

import operator
from functools import reduce

from django.db import connections, models
from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone


def last_modified():
    """Article.last_modified in SQL: the later of modified_at and publish_at (a story published again after a
    take-down is newer than its old corrections). Article.Meta indexes exactly this expression."""
    return Greatest(Coalesce("modified_at", "publish_at"), "publish_at")


def bylines(article_model):
    """The prefetch of articles' bylines with their authors, in one query."""
    byline_model = article_model._meta.get_field("bylines").related_model  # ArticleAuthor
    return Prefetch("bylines", queryset=byline_model.objects.select_related("author"))


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Live articles: published, publish_at reached, not yet expired. The one visibility rule."""
        now = timezone.now()
        return self.filter(status=self.model.Status.PUBLISHED, publish_at__lte=now).filter(
            Q(expire_at__isnull=True) | Q(expire_at__gt=now)
        )

    def scheduled(self):
        """Published, waiting for publish_at: live by the clock later."""
        return self.filter(status=self.model.Status.PUBLISHED, publish_at__gt=timezone.now())

    def expired(self):
        """Published once, taken down by expire_at."""
        return self.filter(status=self.model.Status.PUBLISHED, expire_at__lte=timezone.now())

    def next_publish_at(self):
        """The soonest publish_at of a scheduled story, when the clock next makes one live, or None. One read
        off the (status, publish_at) index."""
        return self.scheduled().order_by("publish_at").values_list("publish_at", flat=True).first()

    def next_expire_at(self):
        """The soonest expire_at of a live story, when the clock next takes one down, or None. One read off the
        expire_at index."""
        return (
            self.published()
            .filter(expire_at__isnull=False)
            .order_by("expire_at")
            .values_list("expire_at", flat=True)
            .first()
        )

    def newest_in_each(self, sections, limit):
        """The `limit` newest live stories of each section, newest first, in one query.

        Read off the (section, status, publish_at) index: fast with 100,000 articles, where a window over every
        live article took ~120 ms on PostgreSQL.
        """
        return self._newest_of([Q(section=section) for section in sections], limit)

    def _newest_of(self, groups, limit):
        """The `limit` newest live stories of each group (a Q), newest first, each story once, in one query.

        One small subquery per group, each walking an index from the newest story down and stopping at `limit`,
        so a group's size does not matter. PostgreSQL joins a UNION ALL of them on the primary key; SQLite
        cannot slice inside a UNION, so there they are ORed.
        """
        live = self.published().order_by("-publish_at", "-pk")
        newest = [live.filter(group).values("pk")[:limit] for group in groups]
        if not newest:
            return self.none()
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            wanted = Q(pk__in=newest[0].union(*newest[1:], all=True))
        else:
            wanted = reduce(operator.or_, (Q(pk__in=ids) for ids in newest))
        return self.filter(wanted).order_by("-publish_at", "-pk")

    def with_listing_data(self):
        """What a list of article cards shows, in a fixed number of queries (bodies stay in the database)."""
        return self._with_byline_data().defer(*self.model.PAGE_TEXT)

    def with_stored_page(self):
        """What one article page shows beside what save time stored on the row (articles/pages.py), in one query."""
        return self.select_related("section", "featured_photo")

    def with_page_data(self):
        """What article pages show, loaded from their relations, in a fixed number of queries for any number."""
        return self._with_byline_data().prefetch_related("organizations", "tags")

    def with_card_data(self):
        """What a card shows without its byline (the home page's and related stories'), in one query."""
        return self.select_related("section", "featured_photo").defer(*self.model.PAGE_TEXT)

    def _with_byline_data(self):
        return self.select_related("section", "featured_photo").prefetch_related(bylines(self.model))

    def related_to(self, article, limit=4):
        """Live stories sharing an organisation or a tag with `article`, newest first, as a list.

        On PostgreSQL: the `limit` newest sharing an organisation, the `limit` newest sharing a tag, then the
        newest of those, each side read from the newest story down, so that a tag on a fifth of 100,000 stories
        costs what a rare one does (3 ms there, where one join of every live story with both link tables took
        90–250 ms, by the planner's guess at their size). A story linked to several of the organisations comes
        once per link, so each side reads `limit` rows per organisation or tag. SQLite's planner walks the whole
        publish_at index for a rare tag that way, so there the stories are picked from the link tables first.
        A story that shares nothing costs nothing: an empty queryset would still be compiled to SQL, which on
        an article page costs about as much as the query itself.
        """
        org_ids = [org.pk for org in article.organizations.all()]
        tag_ids = [tag.pk for tag in article.tags.all()]
        if not org_ids and not tag_ids:
            return []
        others = self.exclude(pk=article.pk)
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            groups = [Q(organizations__in=org_ids)] if org_ids else []
            groups += [Q(tags__in=tag_ids)] if tag_ids else []
            newest = others._newest_of(groups, limit * max(len(org_ids), len(tag_ids)))
        else:
            links = self.model.organizations.through.objects.filter(organization__in=org_ids).values("article")
            tagged = self.model.tags.through.objects.filter(tag__in=tag_ids).values("article")
            shared = Q(pk__in=links) | Q(pk__in=tagged)
            newest = others.published().filter(shared).order_by("-publish_at", "-pk")
        return list(newest.with_card_data()[:limit])
