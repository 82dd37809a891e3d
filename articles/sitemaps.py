"""Sitemaps (an index, the articles and the list pages), the Google News sitemap, and robots.txt naming them.

Short subclasses of django.contrib.sitemaps over Article.objects.published() (docs/architecture.md,
"Sitemaps and robots"). Addresses come from settings.SITE_URL, never from the request's Host header. Each
sitemap page costs the same few queries however many stories it lists: a count and the page, nothing per row.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, sitemap, x_robots_tag
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .feeds import xml_text
from .links import absolute_url
from .models import Article, Author, Correction, Organization, Section, Tag

# Seconds a sitemap may be kept: crawlers come by far less often, and a story taken down leaves it this soon.
FRESH_FOR = 300
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX = 1000


class SiteSitemap(Sitemap):
    """Addresses on the configured site, whatever host or scheme the sitemap was asked for by."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


def newest_published(articles):
    """The latest publish_at among `articles`, read off the (status, publish_at) index."""
    return articles.order_by("-publish_at").values_list("publish_at", flat=True).first()


class ArticleSitemap(SiteSitemap):
    # Oldest first, so that a page keeps its stories as new ones are published (they land on the last page).
    limit = 1000

    def items(self):
        return Article.objects.published().only("slug", "publish_at", "modified_at").order_by("publish_at", "pk")

    def lastmod(self, item):
        return item.last_modified

    def get_latest_lastmod(self):
        """The newest last_modified of a live story: its newest publication or the newest correction or update
        of a live story (which is what moves modified_at). Two small indexed reads where a Max over every live
        row took ~160 ms at 100,000 articles."""
        live = Article.objects.published()
        corrected = Correction.objects.filter(article__in=live).order_by("-at").values_list("at", flat=True).first()
        return max(filter(None, [newest_published(live), corrected]), default=None)


class ListingSitemap(SiteSitemap):
    """The pages of one kind of list (sections, tags…) that show at least one live story, each dated by its
    newest live story's publication, the moment the list's page last changed: an EXISTS and a subquery per
    row inside the page's single query, both read off indexes, not a query per row. A list with no live story
    is an empty page, and a name (an author's, say) that nothing public shows yet."""

    limit = 5000
    model = None
    lookup = None  # how an article names the row: section, tags, authors, organizations

    def items(self):
        live = Article.objects.published().filter(**{self.lookup: OuterRef("pk")})
        newest = live.order_by("-publish_at").values("publish_at")[:1]
        return self.model.objects.filter(Exists(live)).annotate(newest=Subquery(newest)).only("slug").order_by("pk")

    def lastmod(self, item):
        return item.newest

    def get_latest_lastmod(self):
        return newest_published(Article.objects.published().filter(**{f"{self.lookup}__isnull": False}))


class SectionSitemap(ListingSitemap):
    model, lookup = Section, "section"


class TagSitemap(ListingSitemap):
    model, lookup = Tag, "tags"


class AuthorSitemap(ListingSitemap):
    model, lookup = Author, "authors"


class OrganizationSitemap(ListingSitemap):
    model, lookup = Organization, "organizations"


class NewsSitemap(SiteSitemap):
    """Google News: the live stories published in the last 48 hours, newest first, at most 1,000 (one page)."""

    limit = NEWS_MAX

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        live = Article.objects.published().filter(publish_at__gte=since)
        return live.only("slug", "title", "publish_at").order_by("-publish_at", "-pk")[:NEWS_MAX]

    def get_urls(self, *args, **kwargs):
        urls = super().get_urls(*args, **kwargs)
        for url in urls:
            url["title"] = xml_text(url["item"].title)
            url["published"] = timezone.localtime(url["item"].publish_at).isoformat()
        return urls


SITEMAPS = {
    "bai-viet": ArticleSitemap,
    "chuyen-muc": SectionSitemap,
    "tu-khoa": TagSitemap,
    "tac-gia": AuthorSitemap,
    "to-chuc": OrganizationSitemap,
}


def served(view):
    """GET and HEAD only, and kept briefly by caches."""
    return require_safe(cache_control(public=True, max_age=FRESH_FOR)(view))


@served
@x_robots_tag  # as Django's own views (which serve the pages below) mark a sitemap: not a page to index
def sitemap_index(request):
    """Django's index view names the sitemaps by the request's host; this one by settings.SITE_URL."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        site = sitemap_class()
        address = absolute_url(reverse("articles:sitemap", kwargs={"section": section}))
        lastmod = site.get_latest_lastmod()
        pages = site.paginator.num_pages
        entries += [SitemapIndexItem(address if n == 1 else f"{address}?p={n}", lastmod) for n in range(1, pages + 1)]
    return TemplateResponse(request, "sitemaps/index.xml", {"sitemaps": entries}, content_type="application/xml")


@served
def sitemap_page(request, section):
    return sitemap(request, SITEMAPS, section=section, template_name="sitemaps/sitemap.xml")


@served
def news_sitemap(request):
    return sitemap(request, {"news": NewsSitemap}, section="news", template_name="sitemaps/news.xml")


@served
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Previews of unpublished stories (share links) and search results are not pages to index.
        "Disallow: /xem-truoc/",
        "Disallow: /tim-kiem/",
        "",
        f"Sitemap: {absolute_url(reverse('articles:sitemap_index'))}",
        f"Sitemap: {absolute_url(reverse('articles:sitemap_news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap_index, name="sitemap_index"),
    path("sitemap-news.xml", news_sitemap, name="sitemap_news"),
    path("sitemap-<slug:section>.xml", sitemap_page, name="sitemap"),
]
