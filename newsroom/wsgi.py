import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# A web request's statements are cut after 5 s unless the environment says otherwise (newsroom/settings.py).
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "5000")
application = get_wsgi_application()

# Stored reader pages answered before Django builds a request; everything else goes on to Django.
from newsroom.pagecache import FastPath  # noqa: E402  (needs the settings above)

application = FastPath(application)
