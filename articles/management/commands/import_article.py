"""manage.py import_article: stories from plain-text files (docs/architecture.md, "The import format")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importer import Importer, ImportFailed
from articles.models import Article, Section

STATUSES = [Article.Status.DRAFT, Article.Status.PUBLISHED]


class Command(BaseCommand):
    help = (
        "Import articles from plain-text files: headline, byline, dateline dd/mm/YYYY HH:MM (Vietnam time), "
        "lead, body paragraphs, image file names each followed by its caption; lines starting with '## ', "
        "'### ', '> ', '* ' or '1. ' are headings, quotes and list items. Each file is imported in its own "
        "transaction; a file that cannot be read, is larger than IMPORT_MAX_BYTES or whose photos cannot be "
        "stored is reported as path:line: reason and saves nothing, the others still import, and the command "
        "exits non-zero. Importing a file again updates the article imported from it; a file of the same name "
        "from another folder is a conflict and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Text files (UTF-8).")
        parser.add_argument(
            "--images",
            metavar="DIR",
            help="Folder holding the photos the texts name; a photo not there is looked for beside its text file. "
            "A photo not found becomes a library photo without a file, listed in the output for an editor "
            "to complete.",
        )
        parser.add_argument("--section", metavar="SLUG", help="Slug of the section the articles go in.")
        parser.add_argument(
            "--status",
            choices=STATUSES,
            help="Status to give the articles. Default: draft for a new article; an article imported again "
            "keeps its current status, so correcting a published story does not take it down. An article "
            "once published keeps its address (slug) even when its headline changes.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Allow files to change articles that are published or taken down. Without it such a file is "
            "reported and changes nothing, so a mistaken import never rewrites what readers have seen.",
        )

    def handle(self, *args, files, images, section, status, update, **options):
        importer = Importer(images_dir=_images_dir(images), section=_section(section), status=status, update=update)
        failed = 0
        for path in files:
            try:
                result = importer.import_file(path)
            except ImportFailed as error:
                failed += 1
                self.stderr.write(error.where(path))
            else:
                self.report(result)
        if failed:
            raise CommandError(f"{failed} of {len(files)} files failed")
        self.stdout.write(f"{len(files)} files imported")

    def report(self, result):
        article = result.article
        self.stdout.write(
            f"{'created' if result.created else 'updated'}: {article.title} ({article.get_absolute_url()}) — "
            f"{len(result.photos)} photos, {len(result.missing)} missing, {len(result.organizations)} organisations"
        )
        for photo, reason in result.missing:
            self.stdout.write(f"  missing photo: {photo.original_filename} ({reason}): {photo.caption}")


def _images_dir(images):
    if images and not Path(images).is_dir():
        raise CommandError(f"--images {images}: no such folder")
    return images


def _section(slug):
    if slug is None:
        return None
    section = Section.objects.filter(slug=slug).first()
    if section is None:
        known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"unknown section {slug!r} (known: {known}); nothing imported")
    return section
