"""Photo's move from articles/ to photos/: a database made by the code before the move migrates with nothing lost.

The test takes the database back to the last migration before the move (articles 0006, no photos app), fills
it through the historical models as the old code would have (photos with files, a portrait, a logo, a
featured photo and a body figure, the groups' permissions, an admin log entry), migrates forward and checks
every row, file, foreign key, permission and log entry, and that the first save cleans the old file.
"""

import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import Image

BEFORE = [("articles", "0006_tracking_corrections_share_links_editing"), ("photos", None)]


def _jpeg_with_gps():
    image = Image.new("RGB", (800, 600), (30, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0xA431] = "SERIAL-1234"  # BodySerialNumber (in the Exif IFD on real cameras; here the main one)
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (20.0, 51.0, 0.0)  # Hải Phòng
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The state of every app at `targets`: the named ones where they stop, the others at their latest.
    named = {app for app, _ in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in named]
    return executor.loader.project_state(others + [target for target in targets if target[1]]).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def old_database(transactional_db, newsroom_groups):
    """The database as the code before the move left it; migrated back to the latest state afterwards."""
    old_apps = _migrate(BEFORE)
    try:
        yield old_apps
    finally:
        _migrate(_latest())


def _fill(apps):
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    Photo = apps.get_model("articles", "Photo")
    Author = apps.get_model("articles", "Author")
    Organization = apps.get_model("articles", "Organization")
    Article = apps.get_model("articles", "Article")

    user = User.objects.create(username="cu", is_staff=True)
    names = [default_storage.save(f"photos/2024/04/anh-{n}.jpg", io.BytesIO(_jpeg_with_gps())) for n in (1, 2)]
    first = Photo.objects.create(
        image=names[0], caption="Cầu Hoàng Văn Thụ", credit="Ảnh: Minh Anh", alt_text="Cây cầu", width=800,
        height=600, original_filename="IMG_0001.JPG", uploaded_by=user,
    )  # fmt: skip
    second = Photo.objects.create(image=names[1], caption="Hội trường", width=800, height=600)
    empty = Photo.objects.create(caption="Ảnh chưa có tệp", original_filename="thieu.jpg")
    author = Author.objects.create(name="Phạm Thu Hà", slug="pham-thu-ha", photo=first)
    org = Organization.objects.create(name="Hội Khoa học", slug="hoi-khoa-hoc", logo=second)
    body = f'<p>Mở đầu</p><figure><img src="/anh/{second.pk}/" alt="x"><figcaption>Hội trường</figcaption></figure>'
    body += f'<figure><img src="/anh/{empty.pk}/" alt="y"><figcaption>Chưa có</figcaption></figure>'
    article = Article.objects.create(title="Bài", slug="bai", body=body, featured_photo=first)
    photo_type = ContentType.objects.get(app_label="articles", model="photo")
    LogEntry.objects.create(
        user=user, content_type=photo_type, object_id=str(first.pk), object_repr="Cầu", action_flag=2
    )
    reporters = Group.objects.get(name="Phóng viên")
    assert set(reporters.permissions.filter(content_type=photo_type).values_list("codename", flat=True)) == {
        "add_photo", "change_photo", "view_photo",
    }  # fmt: skip
    return {
        "photo_type_id": photo_type.pk,
        "permission_ids": set(Permission.objects.filter(content_type=photo_type).values_list("pk", flat=True)),
        "first": first.pk, "second": second.pk, "empty": empty.pk, "names": names,
        "author": author.pk, "org": org.pk, "article": article.pk,
    }  # fmt: skip


def test_a_database_from_before_the_move_keeps_every_row_file_key_permission_and_log(old_database):
    before = _fill(old_database)

    new_apps = _migrate(_latest())

    Photo = new_apps.get_model("photos", "Photo")
    assert set(Photo.objects.values_list("pk", flat=True)) == {before["first"], before["second"], before["empty"]}
    first = Photo.objects.get(pk=before["first"])
    assert (first.image.name, first.caption, first.credit, first.alt_text) == (
        before["names"][0], "Cầu Hoàng Văn Thụ", "Ảnh: Minh Anh", "Cây cầu",
    )  # fmt: skip
    assert (first.width, first.height, first.original_filename, first.uploaded_by.username) == (
        800, 600, "IMG_0001.JPG", "cu",
    )  # fmt: skip
    assert first.search_text == "cau hoang van thu anh: minh anh cay cau img_0001.jpg"
    assert all(default_storage.exists(name) for name in before["names"])
    # The table is the photos app's now, and the foreign keys point into it.
    tables = connection.introspection.table_names()
    assert "photos_photo" in tables
    assert "articles_photo" not in tables
    Article = new_apps.get_model("articles", "Article")
    article = Article.objects.get(pk=before["article"])
    assert article.featured_photo_id == before["first"]
    assert set(article.body_photos.values_list("pk", flat=True)) == {before["second"], before["empty"]}
    assert new_apps.get_model("articles", "Author").objects.get(pk=before["author"]).photo_id == before["first"]
    assert new_apps.get_model("articles", "Organization").objects.get(pk=before["org"]).logo_id == before["second"]
    # The content type moved with its id, so permissions, the groups holding them and the log still hold.
    ContentType = new_apps.get_model("contenttypes", "ContentType")
    moved = ContentType.objects.get(pk=before["photo_type_id"])
    assert (moved.app_label, moved.model) == ("photos", "photo")
    assert not ContentType.objects.filter(app_label="articles", model="photo").exists()
    Permission = new_apps.get_model("auth", "Permission")
    assert set(Permission.objects.filter(content_type=moved).values_list("pk", flat=True)) == before["permission_ids"]
    reporters = new_apps.get_model("auth", "Group").objects.get(name="Phóng viên")
    assert set(reporters.permissions.filter(content_type=moved).values_list("codename", flat=True)) == {
        "add_photo", "change_photo", "view_photo",
    }  # fmt: skip
    log = new_apps.get_model("admin", "LogEntry").objects.get(object_id=str(before["first"]))
    assert log.content_type_id == moved.pk


def test_the_first_save_after_the_move_cleans_an_old_file_and_makes_its_renditions(old_database):
    before = _fill(old_database)
    _migrate(_latest())
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from photos.models import Photo

    photo = Photo.objects.get(pk=before["first"])
    assert photo.is_missing  # no renditions yet: kept off reader pages until it is cleaned
    photo.save()

    photo.refresh_from_db()
    assert photo.format == "JPEG"
    assert photo.image.name != before["names"][0]
    assert not default_storage.exists(before["names"][0])  # the file with GPS is gone
    with default_storage.open(photo.image.name) as stored:
        data = stored.read()
    assert b"SERIAL-1234" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert not photo.is_missing
    assert photo.rendition("w", "webp", width=320).width == 320
    # The models the code uses now see the same permissions.
    assert (
        Group.objects.get(name="Phóng viên").permissions.filter(codename="add_photo").get().content_type.app_label
        == "photos"
    )
    user = get_user_model().objects.get(username="cu")
    user.groups.add(Group.objects.get(name="Phóng viên"))
    assert get_user_model().objects.get(pk=user.pk).has_perm("photos.add_photo")
