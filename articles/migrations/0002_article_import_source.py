from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="import_source",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The full path of the text file the article was imported from.",
                max_length=1000,
                verbose_name="imported from",
            ),
        ),
    ]
