"""The search index (docs/architecture.md, "Search"): a folded copy of every article's words, and on PostgreSQL
the `newsroom_vi` text search configuration (simple + unaccent), a weighted vector and its GIN index."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

from articles import search_index

CONFIG_SQL = [
    f"CREATE TEXT SEARCH CONFIGURATION {search_index.CONFIG} (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION {search_index.CONFIG} "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
]
INDEX_SQL = ["CREATE INDEX articlesearch_vector_gin ON articles_articlesearch USING gin (vector)"]


def on_postgresql(forwards, backwards):
    """SQL run on PostgreSQL only: SQLite has no text search configurations or GIN indexes."""

    def run(statements):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return operation

    return migrations.RunPython(run(forwards), run(backwards))


def backfill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    search_index.reindex_all(Article, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_article_body_photos"),
    ]

    operations = [
        UnaccentExtension(),
        on_postgresql(CONFIG_SQL, [f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {search_index.CONFIG}"]),
        migrations.CreateModel(
            name="ArticleSearch",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="articles.article",
                        verbose_name="article",
                    ),
                ),
                ("title", models.TextField(blank=True, verbose_name="title, folded")),
                ("lead", models.TextField(blank=True, verbose_name="lead, folded")),
                (
                    "rest",
                    models.TextField(
                        blank=True,
                        help_text="Body text, authors, organizations and tags.",
                        verbose_name="body and names, folded",
                    ),
                ),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(
                        editable=False, null=True, verbose_name="search vector"
                    ),
                ),
            ],
            options={
                "verbose_name": "search index entry",
                "verbose_name_plural": "search index entries",
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        on_postgresql(INDEX_SQL, ["DROP INDEX IF EXISTS articlesearch_vector_gin"]),
    ]
