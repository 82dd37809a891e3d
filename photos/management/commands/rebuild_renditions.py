"""manage.py rebuild_renditions: every photo's renditions and crops made again (docs/architecture.md, photos).

Photos go in primary-key order, each in its own transaction, so an interrupted run keeps what it finished and
`--start-after ID` picks up from the last one done (Ctrl-C prints it). A file stored by older code (no format
recorded, possibly with GPS in it) is made a clean master first. A photo that fails is named at the end,
after the others are done, and the command exits non-zero.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from photos import pipeline
from photos.models import Photo

BAR_WIDTH = 30
# Without a terminal (a log file, cron) a line every this many seconds, and one at the end.
LINE_EVERY_SECONDS = 10


class Progress:
    """A text progress bar on stderr (a command's OutputWrapper): redrawn in place on a terminal, else a
    line now and then."""

    def __init__(self, stream, total):
        self.stream = stream
        self.total = total
        self.tty = stream.isatty()
        self.started = self.last_line = time.monotonic()

    def update(self, done, pk):
        now = time.monotonic()
        if self.tty:
            self.stream.write(f"\r{self.line(done, pk)}", style_func=_plain, ending="")
            self.stream.flush()
        elif now - self.last_line >= LINE_EVERY_SECONDS or done == self.total:
            self.stream.write(self.line(done, pk), style_func=_plain)
            self.last_line = now

    def line(self, done, pk):
        filled = BAR_WIDTH * done // self.total if self.total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return f"[{bar}] {done}/{self.total} photos (#{pk}), {time.monotonic() - self.started:.0f} s"

    def finish(self):
        if self.tty:
            self.stream.write("", style_func=_plain)


class Command(BaseCommand):
    help = (
        "Make every photo's renditions and crops again, in primary-key order, each photo in its own "
        "transaction. Files stored by older versions (with their camera data) become clean masters first. "
        "Interrupt it with Ctrl-C and resume with --start-after the id it prints. Photos that fail are named "
        "at the end and the command exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-missing",
            action="store_true",
            help="Only photos whose recorded renditions differ from the current list of sizes and crops, "
            "whose files are missing from storage, or whose file has not been cleaned yet.",
        )
        parser.add_argument("--start-after", type=int, metavar="ID", help="Start after the photo with this id.")
        parser.add_argument("--ids", type=_ids, metavar="ID,ID,…", help="Only these photos (ids separated by commas).")

    def handle(self, *args, only_missing, start_after, ids, **options):
        photos = Photo.objects.exclude(image="").order_by("pk")
        if start_after is not None:
            photos = photos.filter(pk__gt=start_after)
        if ids is not None:
            photos = photos.filter(pk__in=ids)
            unknown = sorted(set(ids) - set(Photo.objects.filter(pk__in=ids).values_list("pk", flat=True)))
            if unknown:
                raise CommandError(f"no photo with id {', '.join(map(str, unknown))}; nothing rebuilt")
        pks = list(photos.values_list("pk", flat=True))
        progress = Progress(self.stderr, len(pks))
        rebuilt, skipped, failed, last_done = 0, 0, [], start_after
        try:
            for done, pk in enumerate(pks, start=1):
                try:
                    if self.rebuild(pk, only_missing):
                        rebuilt += 1
                    else:
                        skipped += 1
                # Storages raise their own errors (django-storages' S3 raises botocore's), not only OSError.
                except Exception as error:
                    failed.append((pk, error))
                last_done = pk
                progress.update(done, pk)
        except KeyboardInterrupt:
            progress.finish()
            resume = f"resume with --start-after {last_done}" if last_done is not None else "run it again to start over"
            raise CommandError(f"interrupted after {rebuilt} photos rebuilt; {resume}", returncode=130) from None
        progress.finish()
        summary = f"{rebuilt} photos rebuilt"
        if only_missing:
            summary += f", {skipped} already complete"
        self.stdout.write(summary)
        if failed:
            for pk, error in failed:
                self.stderr.write(f"photo #{pk}: {error}")
            raise CommandError(f"{len(failed)} photos failed: {', '.join(f'#{pk}' for pk, _ in failed)}")

    def rebuild(self, pk, only_missing):
        """Rebuild one photo in its own transaction; False when --only-missing finds nothing to do. A photo
        that fails (or is interrupted) halfway keeps its row as it was, and the files made for it go."""
        with pipeline.removed_on_failure(), transaction.atomic():
            photo = Photo.objects.select_for_update().filter(pk=pk).first()
            if photo is None or not photo.image:
                return False  # deleted or emptied since the list was made
            if only_missing and pipeline.recorded_matches_plan(photo) and not pipeline.files_missing(photo):
                return False
            pipeline.rebuild(photo)
            return True


def _plain(text):
    """Progress is not an error: without this, Django paints everything on a terminal's stderr red."""
    return text


def _ids(value):
    try:
        ids = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ValueError(value) from None
    if not ids:
        raise ValueError(value)
    return ids
