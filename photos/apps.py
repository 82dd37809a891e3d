from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "photos"
    verbose_name = _("Photo library")

    def ready(self):
        from . import signals  # noqa: F401 -- renditions leave storage with their photo
