"""The photo table becomes photos_photo, its content type (and so its permissions, the groups that hold them
and the admin's log) moves to this app, and the pipeline's fields arrive. Existing files are left as they
are: `manage.py rebuild_renditions` cleans them and makes their renditions."""

import django.core.validators
from django.db import migrations, models

import photos.images
import photos.storage


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    old = ContentType.objects.using(db).filter(app_label="articles", model="photo").first()
    if old is None:
        return  # a database that never had the articles photo model
    new = ContentType.objects.using(db).filter(app_label="photos", model="photo").first()
    if new is not None:
        # Made by an earlier, interrupted run's post_migrate: keep the old row, which the groups' permissions,
        # reversion and the admin's log point at, and drop the new one's duplicate permissions.
        Permission.objects.using(db).filter(content_type=new).delete()
        new.delete()
    old.app_label = "photos"
    old.save(update_fields=["app_label"])


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label="photos", model="photo").update(
        app_label="articles"
    )


def fill_search_text(apps, schema_editor):
    from articles.text import fold

    Photo = apps.get_model("photos", "Photo")
    for photo in Photo.objects.using(schema_editor.connection.alias).iterator(chunk_size=500):
        photo.search_text = fold(" ".join([photo.caption, photo.credit, photo.alt_text, photo.original_filename]))
        photo.save(update_fields=["search_text"])


FOCAL = [django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)]


class Migration(migrations.Migration):
    dependencies = [
        ("photos", "0001_initial"),
        ("articles", "0007_photo_moves_to_photos"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelTable(name="photo", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
        migrations.AlterField(
            model_name="photo",
            name="image",
            field=models.ImageField(
                blank=True,
                max_length=255,
                upload_to=photos.storage.photo_upload_to,
                validators=[photos.images.validate_photo_file],
                verbose_name="image",
                help_text="A JPEG, PNG, WebP or AVIF file. Location and camera data are removed on upload. Photos imported from a text without their file stay empty until one is added.",
            ),
        ),
        migrations.AlterField(
            model_name="photo",
            name="alt_text",
            field=models.CharField(
                blank=True,
                max_length=300,
                verbose_name="alt text",
                help_text="A short description of what the photo shows, for blind readers. Required before the photo appears on a live article.",
            ),
        ),
        migrations.AlterField(
            model_name="photo",
            name="credit",
            field=models.CharField(
                blank=True, help_text="For example: Ảnh: Minh Anh.", max_length=200, verbose_name="credit"
            ),
        ),
        migrations.AlterField(
            model_name="photo",
            name="uploaded_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="uploaded at"),
        ),
        migrations.AddField(
            model_name="photo",
            name="format",
            field=models.CharField(blank=True, editable=False, max_length=10, verbose_name="format"),
        ),
        migrations.AddField(
            model_name="photo",
            name="file_size",
            field=models.PositiveBigIntegerField(
                blank=True, editable=False, null=True, verbose_name="file size (bytes)"
            ),
        ),
        migrations.AddField(
            model_name="photo",
            name="focal_x",
            field=models.FloatField(default=0.5, validators=FOCAL, verbose_name="focal point (across)"),
        ),
        migrations.AddField(
            model_name="photo",
            name="focal_y",
            field=models.FloatField(default=0.5, validators=FOCAL, verbose_name="focal point (down)"),
        ),
        migrations.AddField(
            model_name="photo",
            name="renditions",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="renditions"),
        ),
        migrations.AddField(
            model_name="photo",
            name="suggested_caption",
            field=models.TextField(blank=True, editable=False, verbose_name="caption found in the file"),
        ),
        migrations.AddField(
            model_name="photo",
            name="suggested_credit",
            field=models.CharField(blank=True, editable=False, max_length=200, verbose_name="credit found in the file"),
        ),
        migrations.AddField(
            model_name="photo",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
