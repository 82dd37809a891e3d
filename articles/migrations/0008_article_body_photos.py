"""Which library photos each body shows, filled from the bodies as they are."""

import re

from django.db import migrations, models

FIGURE_SRC = re.compile(r'src="/anh/([0-9]+)/"')


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    Photo = apps.get_model("photos", "Photo")
    through = Article.body_photos.through
    existing = set(Photo.objects.using(db).values_list("pk", flat=True))
    rows = []
    for pk, body in Article.objects.using(db).values_list("pk", "body").iterator(chunk_size=500):
        ids = {int(found) for found in FIGURE_SRC.findall(body or "")} & existing
        rows += [through(article_id=pk, photo_id=photo_id) for photo_id in sorted(ids)]
    through.objects.using(db).bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_photo_moves_to_photos"),
        ("photos", "0002_own_table_and_pipeline_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="body_photos",
            field=models.ManyToManyField(
                blank=True, editable=False, related_name="body_of", to="photos.photo", verbose_name="photos in the body"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
