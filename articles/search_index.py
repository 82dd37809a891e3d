"""The search index: one ArticleSearch row per article, its folded text and, on PostgreSQL, its vector.

Folding happens here, in Python, for both databases (docs/architecture.md, "Search"): accents off, đ → d, lower
case, and everything but a-z and 0-9 turned into a space, with a space at each end, so that " hai phong " holds
the word "hai" as `contains=" hai "` and the word start "pho" as `contains=" pho"`. PostgreSQL's vector is made
from these same folded columns with the `newsroom_vi` configuration (simple + unaccent), so the two databases
agree word for word. Functions take the Article model as an argument: the migration passes its historical one.
"""

import re
from collections import defaultdict
from html import unescape

from django.db import connections

from .text import strip_accents

CONFIG = "newsroom_vi"
BATCH_SIZE = 500

NON_WORD = re.compile(r"[^a-z0-9]+")
# Tags that sit inside a word's run of text ("<strong>Hải</strong> Phòng") vanish; the others separate words.
_INLINE_TAG = re.compile(r"</?(?:a|b|em|i|s|span|strong|sub|sup|u|mark|code)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def fold_for_index(*texts):
    """The words of `texts` as the index stores them: " hai phong nhan luc " (a space at each end)."""
    words = NON_WORD.sub(" ", strip_accents(" ".join(texts)).lower()).strip()
    return f" {words} " if words else ""


def plain_text(html):
    """The text of sanitised body HTML, with a space where a block ends: what readers read, without tags."""
    text = _TAG.sub(" ", _INLINE_TAG.sub("", html or ""))
    return _SPACE.sub(" ", unescape(text)).strip()


def vector_expression():
    """The stored vector, weighted A for the title, B for the lead, C for the rest (PostgreSQL only)."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", config=CONFIG, weight="A")
        + SearchVector("lead", config=CONFIG, weight="B")
        + SearchVector("rest", config=CONFIG, weight="C")
    )


def linked_names(article_model, ids, using="default"):
    """{article id: [name, …]}: each author, organisation name, short name and alias, and tag of the articles,
    as their search entries hold them after the body. One query."""
    bylines = article_model._meta.get_field("bylines").related_model.objects.using(using)
    orgs = article_model._meta.get_field("organizations").remote_field.through.objects.using(using)
    tags = article_model._meta.get_field("tags").remote_field.through.objects.using(using)
    parts = [
        bylines.filter(article_id__in=ids).order_by().values_list("article_id", "author__name"),
        orgs.filter(article_id__in=ids).values_list("article_id", "organization__name"),
        orgs.filter(article_id__in=ids).values_list("article_id", "organization__short_name"),
        orgs.filter(article_id__in=ids).values_list("article_id", "organization__aliases"),
        tags.filter(article_id__in=ids).values_list("article_id", "tag__name"),
    ]
    names = defaultdict(list)
    for article_id, name in parts[0].union(*parts[1:], all=True):
        if name:
            names[article_id].append(name)
    return names


def index_rows(article_model, articles, using="default"):
    """Unsaved ArticleSearch rows for `articles` (with title, lead, body and publish_at loaded): one query of
    names."""
    search_model = article_model._meta.get_field("search_entry").related_model
    names = linked_names(article_model, [article.pk for article in articles], using)
    dated = "publish_at" in _copied(search_model)
    return [
        search_model(
            article_id=article.pk,
            title=fold_for_index(article.title),
            lead=fold_for_index(article.lead),
            rest=fold_for_index(plain_text(article.body), *names[article.pk]),
            **({"publish_at": article.publish_at} if dated else {}),
        )
        for article in articles
    ]


def _copied(search_model):
    """The entry's columns written from the article: migration 0009's model has no publish_at yet (0013)."""
    return [
        name for name in ("title", "lead", "rest", "publish_at") if name in {f.name for f in search_model._meta.fields}
    ]


def reindex(article_model, ids, *, using="default", articles=None):
    """Index the articles with these ids again, BATCH_SIZE at a time; ids of deleted articles are skipped.

    `articles` are instances already in hand (an article just saved), spared a query. Each batch is a read of
    the articles, one of their names, an upsert and, on PostgreSQL, the vectors' update.
    """
    search_model = article_model._meta.get_field("search_entry").related_model
    ids = sorted({pk for pk in ids if pk is not None})
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        rows = articles
        if rows is None:
            rows = list(
                article_model.objects.using(using)
                .filter(pk__in=batch)
                .only("pk", "title", "lead", "body", "publish_at")
            )
        if not rows:
            continue
        search_model.objects.using(using).bulk_create(
            index_rows(article_model, rows, using),
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=_copied(search_model),
        )
        if connections[using].vendor == "postgresql":
            search_model.objects.using(using).filter(pk__in=[row.pk for row in rows]).update(vector=vector_expression())


def reindex_all(article_model, *, using="default", progress=None):
    """Every article indexed again, in batches; returns how many."""
    ids = list(article_model.objects.using(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE * 10):
        reindex(article_model, ids[start : start + BATCH_SIZE * 10], using=using)
        if progress:
            progress(min(start + BATCH_SIZE * 10, len(ids)), len(ids))
    return len(ids)
