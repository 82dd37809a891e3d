"""A deleted photo takes its files with it: the master and every rendition, once the deletion commits."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Photo
from .pipeline import all_files, delete_after_commit


@receiver(post_delete, sender=Photo, dispatch_uid="photos_delete_files")
def delete_files(sender, instance, **kwargs):
    names = all_files(instance)
    if names:
        delete_after_commit(names)
