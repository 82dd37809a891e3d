"""Photo moves here from the articles app with nothing touched in the database: the model is declared on
the table articles created (articles_photo), and 0002 renames the table and moves its content type."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import photos.images
import photos.storage


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0006_tracking_corrections_share_links_editing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Photo",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "image",
                            models.ImageField(
                                blank=True,
                                height_field="height",
                                upload_to=photos.storage.photo_upload_to,
                                validators=[photos.images.validate_photo_file],
                                verbose_name="image",
                                width_field="width",
                            ),
                        ),
                        ("caption", models.TextField(blank=True, verbose_name="caption")),
                        ("credit", models.CharField(blank=True, max_length=200, verbose_name="credit")),
                        ("alt_text", models.CharField(blank=True, max_length=300, verbose_name="alt text")),
                        (
                            "width",
                            models.PositiveIntegerField(
                                blank=True, editable=False, null=True, verbose_name="width (px)"
                            ),
                        ),
                        (
                            "height",
                            models.PositiveIntegerField(
                                blank=True, editable=False, null=True, verbose_name="height (px)"
                            ),
                        ),
                        (
                            "original_filename",
                            models.CharField(blank=True, max_length=255, verbose_name="original file name"),
                        ),
                        ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="uploaded by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "photo",
                        "verbose_name_plural": "photos",
                        "ordering": ["-uploaded_at", "-pk"],
                        "db_table": "articles_photo",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
