"""manage.py rebuild_search_index: every article's search entry made again from its text and names.

The index follows saves, bylines, organisations, tags and renames by itself (articles/models.py); this is for
rows changed behind its back (QuerySet.update(), raw SQL, a restored dump) and after a change to the folding.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from articles import search_index
from articles.models import Article


class Command(BaseCommand):
    help = "Rebuild the search index (title, lead, body, authors, organisations and tags) of every article."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default).")

    def handle(self, *args, database, **options):
        def progress(done, total):
            self.stderr.write(f"\r{done}/{total} articles", ending="")

        with transaction.atomic(using=database):
            count = search_index.reindex_all(
                Article, using=database, progress=progress if options["verbosity"] > 1 else None
            )
        self.stdout.write(f"Indexed {count} articles.")
