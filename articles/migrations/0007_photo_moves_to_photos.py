"""The articles app lets go of Photo (now photos.Photo, on the same table): state only, no SQL."""

import django.db.models.deletion
from django.db import migrations, models


def _photo(verbose_name, related_name="+"):
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.SET_NULL,
        related_name=related_name,
        to="photos.photo",
        verbose_name=verbose_name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_tracking_corrections_share_links_editing"),
        ("photos", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="author", name="photo", field=_photo("portrait")),
                migrations.AlterField(model_name="organization", name="logo", field=_photo("logo")),
                migrations.AlterField(
                    model_name="article", name="featured_photo", field=_photo("featured photo", "featured_in")
                ),
                migrations.DeleteModel(name="Photo"),
            ],
            database_operations=[],
        ),
    ]
