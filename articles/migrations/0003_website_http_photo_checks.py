import articles.models
import photos.images
import photos.storage
from django.db import migrations, models


def clear_other_schemes(apps, schema_editor):
    """Websites that the new constraint refuses (javascript:, data:, ftp:…) are emptied, never linked."""
    Organization = apps.get_model("articles", "Organization")
    allowed = (
        models.Q(website="") | models.Q(website__istartswith="http://") | models.Q(website__istartswith="https://")
    )
    Organization.objects.exclude(allowed).update(website="")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_article_import_source"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="website",
            field=articles.models.WebAddressField(blank=True, verbose_name="website"),
        ),
        migrations.AlterField(
            model_name="photo",
            name="image",
            field=models.ImageField(
                blank=True,
                height_field="height",
                help_text="A JPEG, PNG, WebP or GIF file. Photos imported from a text without their file stay empty until one is added.",
                upload_to=photos.storage.photo_upload_to,
                validators=[photos.images.validate_photo_file],
                verbose_name="image",
                width_field="width",
            ),
        ),
        migrations.RunPython(clear_other_schemes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("website", ""),
                    ("website__istartswith", "http://"),
                    ("website__istartswith", "https://"),
                    _connector="OR",
                ),
                name="organization_website_http",
                violation_error_message="Enter a web address starting with http:// or https://.",
            ),
        ),
    ]
