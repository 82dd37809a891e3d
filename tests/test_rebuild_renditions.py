"""manage.py rebuild_renditions: legacy files cleaned, --only-missing, resuming, failures named at the end."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image

from photos import pipeline
from photos.models import Photo
from tests.factories import make_photo
from tests.test_pipeline import assert_no_metadata, camera_exif, every_name, photo_like

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def rebuild(*args, stderr=None):
    out, err = io.StringIO(), stderr or io.StringIO()
    call_command("rebuild_renditions", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rebuild_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("rebuild_renditions", *map(str, args), stdout=out, stderr=err)
    return failure.value, out.getvalue(), err.getvalue()


def stored_files(settings):
    media = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()} if media.exists() else set()


def legacy_photo(fmt="JPEG", name="photos/2024/04/IMG_0042.jpg", size=(800, 600)):
    """A row and a file as older code left them: the upload as sent (GPS and all), no format, no renditions."""
    buffer = io.BytesIO()
    image = photo_like(size)
    if fmt == "GIF":
        image.convert("P").save(buffer, "GIF")
    else:
        image.save(buffer, fmt, exif=camera_exif())
    stored = default_storage.save(name, ContentFile(buffer.getvalue()))
    photo = make_photo(with_image=False, caption="Ảnh cũ")
    Photo.objects.filter(pk=photo.pk).update(image=stored, width=size[0], height=size[1], original_filename="IMG.jpg")
    photo.refresh_from_db()
    return photo


def test_a_legacy_file_with_gps_becomes_a_clean_master_with_renditions(settings, django_capture_on_commit_callbacks):
    photo = legacy_photo()
    old = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = rebuild()
    assert out == "1 photos rebuilt\n"
    photo.refresh_from_db()
    assert photo.format == "JPEG"
    assert photo.image.name != old
    assert photo.original_filename == "IMG.jpg"
    assert not photo.is_missing
    assert stored_files(settings) == set(every_name(photo))  # the file with GPS in it is gone
    for name in every_name(photo):
        with default_storage.open(name) as file:
            assert_no_metadata(file.read())


def test_a_legacy_gif_becomes_a_png_master(settings, django_capture_on_commit_callbacks):
    photo = legacy_photo("GIF", "photos/2023/01/dong.gif", size=(400, 300))
    with django_capture_on_commit_callbacks(execute=True):
        rebuild()
    photo.refresh_from_db()
    assert (photo.format, photo.image.name[-4:]) == ("PNG", ".png")
    assert stored_files(settings) == set(every_name(photo))


def test_only_missing_leaves_complete_photos_alone_and_completes_the_others(settings):
    complete, lost_file, old_spec = make_photo(), make_photo(), make_photo()
    before = {name: default_storage.get_modified_time(name) for name in every_name(complete)}
    default_storage.delete(lost_file.rendition("square", "webp").name)
    # Renditions recorded under an earlier list of sizes: one kind missing.
    Photo.objects.filter(pk=old_spec.pk).update(
        renditions={k: v for k, v in old_spec.renditions.items() if k != "share"}
    )
    legacy = legacy_photo()

    out, _ = rebuild("--only-missing")

    assert out == "3 photos rebuilt, 1 already complete\n"
    assert {name: default_storage.get_modified_time(name) for name in every_name(complete)} == before
    for photo in (lost_file, old_spec, legacy):
        photo.refresh_from_db()
        assert pipeline.recorded_matches_plan(photo)
        assert pipeline.files_missing(photo) == []
    out, _ = rebuild("--only-missing")
    assert out == "0 photos rebuilt, 4 already complete\n"


def test_start_after_and_ids_choose_the_photos(monkeypatch):
    photos = [make_photo() for _ in range(4)]
    seen = []
    monkeypatch.setattr(pipeline, "rebuild", lambda photo: seen.append(photo.pk))
    rebuild("--start-after", photos[1].pk)
    assert seen == [photos[2].pk, photos[3].pk]
    seen.clear()
    rebuild("--ids", f"{photos[3].pk},{photos[0].pk}")
    assert seen == [photos[0].pk, photos[3].pk]


def test_an_unknown_id_rebuilds_nothing(monkeypatch):
    photo = make_photo()
    monkeypatch.setattr(pipeline, "rebuild", lambda photo: pytest.fail("rebuilt"))
    error, _, _ = rebuild_failing("--ids", f"{photo.pk},999999")
    assert str(error) == "no photo with id 999999; nothing rebuilt"


def test_photos_without_a_file_are_not_failures(monkeypatch):
    make_photo(with_image=False)
    out, _ = rebuild()
    assert out == "0 photos rebuilt\n"


def test_a_photo_that_fails_is_named_after_the_others_are_done():
    first, broken, last = make_photo(), make_photo(), make_photo()
    default_storage.delete(broken.image.name)
    Photo.objects.filter(pk__in=[first.pk, last.pk]).update(renditions={})

    error, out, err = rebuild_failing()

    assert str(error) == f"1 photos failed: #{broken.pk}"
    assert out == "2 photos rebuilt\n"
    assert f"photo #{broken.pk}: " in err
    for photo in (first, last):
        photo.refresh_from_db()
        assert not photo.is_missing
    broken.refresh_from_db()
    assert broken.renditions  # its row is as it was: the failed photo's transaction was rolled back


def test_ctrl_c_says_where_to_resume(monkeypatch):
    photos = [make_photo() for _ in range(3)]
    done = []

    def interrupted_on_the_second(photo):
        if done:
            raise KeyboardInterrupt
        done.append(photo.pk)

    monkeypatch.setattr(pipeline, "rebuild", interrupted_on_the_second)
    error, _, _ = rebuild_failing()
    assert str(error) == f"interrupted after 1 photos rebuilt; resume with --start-after {photos[0].pk}"
    assert error.returncode == 130


def test_progress_is_redrawn_on_a_terminal_and_written_as_lines_elsewhere(monkeypatch):
    photos = [make_photo() for _ in range(3)]
    monkeypatch.setattr(pipeline, "rebuild", lambda photo: None)
    terminal = Terminal()
    rebuild(stderr=terminal)
    drawn = terminal.getvalue()
    assert drawn.count("\r") == 3
    assert f"\r[{'#' * 30}] 3/3 photos (#{photos[2].pk}), " in drawn
    assert drawn.endswith("\n")

    _, log = rebuild()
    # Not a terminal: no carriage returns, and a line at the end at least.
    assert "\r" not in log
    assert log.splitlines()[-1].startswith(f"[{'#' * 30}] 3/3 photos (#{photos[2].pk}), ")


def test_a_stored_jpeg_master_is_read_at_a_reduced_scale_for_its_renditions(monkeypatch):
    buffer = io.BytesIO()
    photo_like((4000, 3000)).save(buffer, "JPEG")
    photo = make_photo(image=ContentFile(buffer.getvalue(), name="lon.jpg"))
    widths = photo.renditions["w"]["jpeg"]
    sizes = []
    real_sized = pipeline._sized

    def watch(image, *args):
        sizes.append(image.size)
        return real_sized(image, *args)

    monkeypatch.setattr(pipeline, "_sized", watch)
    rebuild()
    # libjpeg decoded it at 1/2: still wider than the widest rendition (1920), a quarter of the pixels.
    assert set(sizes) == {(2000, 1500)}
    photo.refresh_from_db()
    assert [entry[:2] for entry in photo.renditions["w"]["jpeg"]] == [entry[:2] for entry in widths]
    with default_storage.open(photo.rendition("w", "jpeg", 1920).name) as file, Image.open(file) as image:
        assert image.size == (1920, 1440)


def test_a_photo_interrupted_halfway_keeps_its_row_and_leaves_no_new_file(settings, monkeypatch):
    photo = legacy_photo()
    before = stored_files(settings)
    real_save = pipeline._save_rendition
    calls = []

    def interrupted(image, name, fmt):
        calls.append(name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_save(image, name, fmt)

    monkeypatch.setattr(pipeline, "_save_rendition", interrupted)
    error, _, _ = rebuild_failing()
    assert str(error) == "interrupted after 0 photos rebuilt; run it again to start over"
    # The legacy file is still the photo's, and neither the clean master nor the two renditions made remain.
    assert stored_files(settings) == before
    photo.refresh_from_db()
    assert (photo.format, photo.renditions) == ("", {})


def test_a_rebuild_that_fails_halfway_leaves_the_photos_files_as_they_were(settings, monkeypatch):
    photo = make_photo()
    before = {name: default_storage.open(name).read() for name in every_name(photo)}
    real_save = pipeline._save_rendition
    calls = []

    def failing(image, name, fmt):
        calls.append(name)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        return real_save(image, name, fmt)

    monkeypatch.setattr(pipeline, "_save_rendition", failing)
    error, _, err = rebuild_failing()
    assert str(error) == f"1 photos failed: #{photo.pk}"
    assert f"photo #{photo.pk}: [Errno 28] No space left on device" in err
    photo.refresh_from_db()
    assert {name: default_storage.open(name).read() for name in every_name(photo)} == before
    assert stored_files(settings) == set(before)


def test_a_rebuild_replaces_the_files_after_commit(settings, django_capture_on_commit_callbacks):
    photo = make_photo()
    old = set(every_name(photo))
    with django_capture_on_commit_callbacks(execute=True):
        rebuild()
    photo.refresh_from_db()
    assert photo.image.name in old  # the clean master stays; renditions are new files
    assert stored_files(settings) == set(every_name(photo))
    assert not pipeline.files_missing(photo)


def test_every_rendition_records_its_byte_size_and_rows_from_before_get_theirs():
    photo = make_photo()
    for kind in ("w", "card", "square", "share"):
        for rendition in photo.rendition_list(kind, "jpeg"):
            assert rendition.size == default_storage.size(rendition.name) > 0
    # A row written before sizes were recorded: three items an entry. It still reads, size unknown…
    sizeless = {
        kind: value if kind == "focal" else {fmt: [entry[:3] for entry in entries] for fmt, entries in value.items()}
        for kind, value in photo.renditions.items()
    }
    Photo.objects.filter(pk=photo.pk).update(renditions=sizeless)
    photo.refresh_from_db()
    assert photo.rendition("w", "jpeg", 1280).size is None
    assert not pipeline.recorded_matches_plan(photo)

    # …and `make run`'s rebuild_renditions --only-missing records the sizes.
    out, _ = rebuild("--only-missing")

    assert out == "1 photos rebuilt, 0 already complete\n"
    photo.refresh_from_db()
    assert all(r.size == default_storage.size(r.name) for r in photo.rendition_list("w", "jpeg"))
