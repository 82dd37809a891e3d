"""The Reporter and Editor groups with their permissions, made and kept current here.

Running the migrations again (or a later migration calling sync_groups) sets each group's permissions to
exactly these: a permission added by hand in the admin is dropped. What the roles may do beyond Django's
permissions (a reporter's own stories only, the state machine) is in articles/services.py.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REPORTER = "Phóng viên"
EDITOR = "Biên tập viên"

EVERYTHING = ("add", "change", "delete", "view")
GROUPS = {
    EDITOR: {
        "article": (*EVERYTHING, "publish"),
        "articleauthor": EVERYTHING,
        "articleevent": ("view",),
        "photo": EVERYTHING,
        "author": EVERYTHING,
        "organization": EVERYTHING,
        "section": EVERYTHING,
        "tag": EVERYTHING,
    },
    # "change" and "delete" on articles are narrowed to the reporter's own drafts by articles/services.py.
    REPORTER: {
        "article": EVERYTHING,
        "articleauthor": EVERYTHING,
        "articleevent": ("view",),
        "photo": ("add", "change", "view"),
        "tag": ("add", "view"),
        "author": ("view",),
        "organization": ("view",),
        "section": ("view",),
    },
}


def sync_groups(apps, schema_editor):
    # Django creates permissions after all migrations ran (post_migrate); on a fresh database they do not
    # exist yet, so make them now, from the historical models.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, models in GROUPS.items():
        codenames = {f"{action}_{model}" for model, actions in models.items() for action in actions}
        permissions = list(Permission.objects.filter(
            content_type__app_label__in=("articles", "photos"), codename__in=codenames
        ))
        missing = codenames - {permission.codename for permission in permissions}
        if missing:
            raise LookupError(f"Permissions missing for the group {name}: {sorted(missing)}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_workflow_events"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, remove_groups)]
