import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads in tests go to a temporary folder, never into media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
