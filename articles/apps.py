from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Newsroom")

    def ready(self):
        import reversion

        from . import checks  # noqa: F401  (registers the system checks)
        from .models import Article, ArticleAuthor

        # Every save through the admin or a service is a version with its byline rows (articles/revisions.py);
        # registered here so that commands and the shell, which never import the admin, keep versions too.
        reversion.register(ArticleAuthor)
        reversion.register(Article, follow=["bylines"])

        # Every save or delete that changes readers' pages raises the page cache's generation on commit.
        from newsroom import pagecache

        pagecache.connect_signals()
