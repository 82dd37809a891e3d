"""What lets search read a page of a common word's results without ranking every match (docs/architecture.md,
"Search"): the article's publication time on its search entry, with an index newest first, and, on PostgreSQL, GIN
indexes on the words of the folded title and of the title and lead together, for a search's best tiers when they
are rare. The GIN expressions are articles/search.py's `_Words` to the letter: the planner uses an index only for
its own expression.
"""

from importlib import import_module

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from articles import search_index

on_postgresql = import_module("articles.migrations.0009_search_index").on_postgresql

WORDS = f"to_tsvector('{search_index.CONFIG}'::regconfig, {{}})"
INDEX_SQL = [
    f"CREATE INDEX articlesearch_title_gin ON articles_articlesearch USING gin ({WORDS.format('title')})",
    f"CREATE INDEX articlesearch_head_gin ON articles_articlesearch USING gin ({WORDS.format('title || lead')})",
    # Statistics of the new column and expressions for the planner.
    "ANALYZE articles_articlesearch",
]
UNINDEX_SQL = ["DROP INDEX IF EXISTS articlesearch_head_gin", "DROP INDEX IF EXISTS articlesearch_title_gin"]


def copy_publish_at(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleSearch = apps.get_model("articles", "ArticleSearch")
    moment = Article.objects.filter(pk=OuterRef("article_id")).values("publish_at")[:1]
    ArticleSearch.objects.using(schema_editor.connection.alias).update(publish_at=Subquery(moment))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_article_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlesearch",
            name="publish_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="publication time"),
        ),
        migrations.RunPython(copy_publish_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="articlesearch",
            index=models.Index(fields=["-publish_at", "-article"], name="articlesearch_newest_idx"),
        ),
        on_postgresql(INDEX_SQL, UNINDEX_SQL),
    ]
