"""What an article page shows that only a save can change, made at save time instead of on every view.

The body drawn with its library photos (articles/body.py), its reading time and description, and the names
of its authors, organisations and tags are kept on the row: Article.page_body and Article.page_data. A reader's
request then loads the article in one query and renders none of it again. Everything here is kept current by
the receivers in articles/models.py (the article, its bylines, organisations and tags saved; an author,
organisation or tag renamed; a photo the body shows changed or deleted) and by photos/pipeline.py after it
writes renditions, 500 articles at a time (docs/architecture.md, "Budgets").

A row written without them (loaddata, QuerySet.update(), raw SQL) must not put anything before readers that
the sanitiser would drop: page_data holds an HMAC, made with SECRET_KEY, of the body and page_body together.
A page whose HMAC does not match, a stored body that an update() changed, or one never made, is drawn from
the body as before, sanitised when shown.
"""

from typing import NamedTuple

from django.db.models import prefetch_related_objects
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.safestring import mark_safe

from . import search_index
from .body import photo_ids, render_body
from .structured_data import article_description, share_photo

VERSION = 1
SALT = "articles.pages"
PHOTO_FIELDS = ("image", "caption", "credit", "alt_text", "width", "height", "renditions")


def signature(body, page_body):
    return salted_hmac(SALT, f"{VERSION}\0{body}\0{page_body}", algorithm="sha256").hexdigest()


def lead_photo(article, ids):
    """The featured photo's id when the body shows it first: its figure there is the page's lead image."""
    featured = article.featured_photo_id
    return featured if featured is not None and ids and ids[0] == featured else None


def made(article, photos):
    """(page_body, page_data) for `article`, with its bylines, organisations and tags loaded; `photos` by id."""
    ids = photo_ids(article.body)
    body = render_body(article.body, photos, lead=lead_photo(article, ids))
    shared = share_photo(*(photos.get(pk) for pk in ids))
    data = {
        "v": VERSION,
        "photo_ids": ids,
        "minutes": article.reading_time,
        "description": article_description(article, body),
        "bylines": [[b.author.pk, b.author.name, b.author.slug] for b in article.bylines.all()],
        "organizations": [[o.pk, o.name, o.slug] for o in article.organizations.all()],
        "tags": [[t.pk, t.name, t.slug] for t in article.tags.all()],
        # The body's first photo with a share crop, for a story whose featured photo has none.
        "share_photo": None if shared is None else stored_photo(shared),
        "sig": signature(article.body, body),
    }
    return str(body), data


def stored_photo(photo):
    return {"id": photo.pk, **{field: getattr(photo, field) for field in PHOTO_FIELDS}, "image": photo.image.name}


def refresh(article_model, ids, *, using="default"):
    """Make the pages of the articles with these ids again, search_index.BATCH_SIZE at a time."""
    from photos.models import Photo

    ids = sorted({pk for pk in ids if pk is not None})
    for start in range(0, len(ids), search_index.BATCH_SIZE):
        batch = ids[start : start + search_index.BATCH_SIZE]
        # Only the columns used here: the migration that fills these fields runs this with today's models.
        articles = list(
            article_model.objects.using(using)
            .filter(pk__in=batch)
            .only("pk", "lead", "body", "featured_photo_id", "byline")
            .prefetch_related("bylines__author", "organizations", "tags")
        )
        wanted = {pk for article in articles for pk in photo_ids(article.body)}
        photos = Photo.objects.using(using).only(*PHOTO_FIELDS).in_bulk(wanted) if wanted else {}
        for article in articles:
            article.page_body, article.page_data = made(article, photos)
        article_model.objects.using(using).bulk_update(articles, ["page_body", "page_data"])


def refresh_all(article_model, *, using="default"):
    ids = list(article_model.objects.using(using).order_by("pk").values_list("pk", flat=True))
    refresh(article_model, ids, using=using)
    return len(ids)


def for_photos(photo_ids_, *, using="default"):
    """Make again the pages whose body shows any of these photos (a caption, credit or rendition changed)."""
    from .models import Article

    through = Article.body_photos.through.objects.using(using)
    refresh(Article, through.filter(photo_id__in=photo_ids_).values_list("article_id", flat=True), using=using)


class Page(NamedTuple):
    body: str
    photo_ids: list
    minutes: int
    description: str
    share_photo: object  # the body's first photo with a share crop, or None


def shown(article):
    """The page of `article` (loaded without its relations): the stored one if it can be trusted, else made now.

    The stored bylines, organisations and tags go where prefetch_related would put them, so templates and
    structured_data read them the same way whichever path loaded them.
    """
    data = article.page_data or {}
    if data.get("v") == VERSION and constant_time_compare(
        data.get("sig", ""), signature(article.body, article.page_body)
    ):
        return _stored(article, data)
    from photos.models import Photo

    prefetch_related_objects([article], "bylines__author", "organizations", "tags")
    ids = photo_ids(article.body)
    photos = Photo.objects.in_bulk(ids) if ids else {}
    body, data = made(article, photos)
    shared = data["share_photo"] and photos[data["share_photo"]["id"]]
    return Page(mark_safe(body), ids, data["minutes"], data["description"], shared)  # noqa: S308 -- render_body's


def _stored(article, data):
    from photos.models import Photo

    from .models import ArticleAuthor, Author, Organization, Tag

    cache = article.__dict__.setdefault("_prefetched_objects_cache", {})
    cache["bylines"] = _loaded(
        ArticleAuthor,
        [
            ArticleAuthor(article=article, author=Author(pk=pk, name=name, slug=slug))
            for pk, name, slug in data["bylines"]
        ],
    )
    cache["organizations"] = _loaded(
        Organization, [Organization(pk=pk, name=name, slug=slug) for pk, name, slug in data["organizations"]]
    )
    cache["tags"] = _loaded(Tag, [Tag(pk=pk, name=name, slug=slug) for pk, name, slug in data["tags"]])
    shared = data["share_photo"]
    photo = None if shared is None else Photo(pk=shared["id"], **{field: shared[field] for field in PHOTO_FIELDS})
    # The signature says save() made page_body from the sanitiser's output.
    return Page(mark_safe(article.page_body), data["photo_ids"], data["minutes"], data["description"], photo)  # noqa: S308


def _loaded(model, rows):
    """A relation's rows as prefetch_related leaves them: `.all()` then reads them without a query."""
    queryset = model._default_manager.none()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset
