"""The pages measured, and the SQL queries of one anonymous request to each, run in this process."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from articles.models import Article, Section

from . import BenchmarkError

PAGES = ("home", "section", "article", "search", "feed", "api")
# The slugs of the articles `manage.py bench --articles` makes (benchmarks/search.py).
BENCH_SLUG_PREFIX = "bench-search-"


def pick_urls(pages):
    """Addresses of live pages: the newest live article (one with a section if any, not a benchmark one if
    any), its section, a search for the
    first two words of its title, the site's RSS feed and the API's article list."""
    live = Article.objects.published()
    # A real story (the demo's, with bylines, photos and tags) rather than one of the benchmark's made-up ones,
    # which only fill the listings and the search index around it.
    real = live.exclude(slug__startswith=BENCH_SLUG_PREFIX)
    article = (
        real.filter(section__isnull=False).first()
        or live.filter(section__isnull=False).first()
        or real.first()
        or live.first()
    )
    if article is None:
        raise BenchmarkError(
            f"No live article in the database ({connection.vendor}: {connection.settings_dict['NAME']}), so there "
            "is nothing to benchmark. Run `manage.py seed_demo` first."
        )
    section = article.section or Section.objects.filter(articles__in=live).first()
    words = " ".join(article.title.split()[:2])
    urls = {
        "home": "/",
        "article": article.get_absolute_url(),
        "search": reverse("articles:search") + "?" + urlencode({"q": words}),
        "feed": reverse("articles:rss"),
        "api": reverse("api:list_articles"),
    }
    if section is not None:
        urls["section"] = section.get_absolute_url()
    return {page: urls[page] for page in pages if page in urls}


def request_host(allowed_hosts):
    """A host name Django accepts in-process: the first allowed one, or a local address."""
    for host in allowed_hosts:
        if host != "*":
            # ".example.com" allows example.com itself.
            return host.lstrip(".")
    # "*", or DEBUG with no ALLOWED_HOSTS, which lets local addresses through.
    return "127.0.0.1"


def count_queries(urls, *, page_cache=False):
    """SQL queries run by one anonymous request to each URL, in this process, and the bytes of each answer.

    With the page cache off, every request makes its page. With it on, the page is asked for once first, so the
    request counted is what a reader gets once the page is stored (a hit): the generation's read and no more.
    """
    client = Client(SERVER_NAME=request_host(settings.ALLOWED_HOSTS))
    counts, sizes = {}, {}
    with override_settings(PAGE_CACHE=page_cache):
        for page, url in urls.items():
            if page_cache:
                client.get(url, secure=settings.SECURE_SSL_REDIRECT)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, secure=settings.SECURE_SSL_REDIRECT)
            if response.status_code != 200:
                raise BenchmarkError(f"{page} page {url} answered {response.status_code}, not 200, in-process.")
            counts[page] = len(captured)
            sizes[page] = len(response.content)
    return counts, sizes
