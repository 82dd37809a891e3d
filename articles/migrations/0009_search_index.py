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
# What keeps a search under 50 ms at 100,000 articles (docs/architecture.md, "Search"):
# - the GIN index on the vector;
# - a narrow heap: the vector and `rest` (kilobytes each) go to TOAST, the folded title and lead (read for every
#   match, to rank it) stay in the row uncompressed, so reading thousands of matches touches a few MB;
# - the article's id with what published() and the filters read, so joining thousands of matches to their
#   articles is an index-only scan;
# - the planner told that @@ costs more than one operator: it does not count reading a vector from TOAST, and
#   with the heap this narrow it otherwise scans every row, reading every vector, for a common word (1.3 s).
INDEX_SQL = [
    "CREATE INDEX articlesearch_vector_gin ON articles_articlesearch USING gin (vector)",
    "ALTER TABLE articles_articlesearch ALTER COLUMN title SET STORAGE MAIN, ALTER COLUMN lead SET STORAGE MAIN, "
    "SET (toast_tuple_target = 512)",
    "CREATE INDEX article_search_visibility_idx ON articles_article (id) "
    "INCLUDE (status, publish_at, expire_at, section_id)",
]
UNINDEX_SQL = [
    "DROP INDEX IF EXISTS article_search_visibility_idx",
    "ALTER TABLE articles_articlesearch RESET (toast_tuple_target)",
    "DROP INDEX IF EXISTS articlesearch_vector_gin",
]
MATCH_COST = "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST {}"


def set_match_cost(cost):
    """Raise (or restore) the planner's cost of @@. It belongs to the database's superuser: a migration run by
    another role keeps the default, and search is then slower for very common words, not wrong."""

    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute(MATCH_COST.format(cost))

    return operation


class UnaccentOnPostgreSQL(UnaccentExtension):
    """Django's operation, whose reverse would ask SQLite for pg_extension."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


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
        UnaccentOnPostgreSQL(),
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
        on_postgresql(INDEX_SQL, UNINDEX_SQL),
        migrations.RunPython(set_match_cost(100), set_match_cost(1)),
    ]
