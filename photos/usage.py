"""Where a library photo is used: as an article's featured photo or in its body (Article.body_photos)."""

from django.db.models import Exists, OuterRef, Q

from articles.models import Article

from .models import Photo


def articles_using(photos):
    """Articles that show any of `photos` (Photo rows, ids or a queryset), featured or in the body."""
    return Article.objects.filter(Q(featured_photo__in=photos) | Q(body_photos__in=photos)).distinct()


def live_articles_using(photos):
    return articles_using(photos).published()


def photos_of(articles):
    """The photos `articles` (a queryset) show, featured or in the body."""
    return Photo.objects.filter(Q(featured_in__in=articles) | Q(body_of__in=articles)).distinct()


def live_articles_lacking_alt_text():
    """Live articles that show a photo with no alt text: what the admin asks editors to fix."""
    lacking = Photo.objects.filter(alt_text="").filter(Q(featured_in=OuterRef("pk")) | Q(body_of=OuterRef("pk")))
    return Article.objects.published().filter(Exists(lacking))
