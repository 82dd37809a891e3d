"""The pages readers read. Every one of them shows only Article.objects.published()."""

import re

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import prefetch_related_objects
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView

from . import pages, structured_data
from .context_processors import sections_for
from .links import absolute_url
from .models import Article, Author, Correction, Organization, Section, Tag
from .pagination import PAGE_NUMBER, SeekPagedMixin
from .querysets import bylines
from .services import can_view, is_staff_user

HOME_SECONDARY = 3
HOME_LATEST = 8
HOME_PER_SECTION = 4

# An administrative code such as "QĐ-CT", "520/QĐ-CT" or "12/2020/NĐ-CP", with the number written before it.
CODE = re.compile(r"(?:\d+(?:[./]\d+)*\s+)?([^\W_]+(?:[-/][^\W_]+)+)")


def keep_codes_together(text):
    """`text`, escaped, with each administrative code and the number before it kept on one line ("520 QĐ-CT")."""
    parts, end = [], 0
    for match in CODE.finditer(text):
        code = match[1]
        if code != code.upper() or not any(ch.isalpha() for ch in code):
            continue  # a hyphenated word ("Bà Rịa-Vũng Tàu") may break at its hyphen; a date needs no help
        parts += [escape(text[end : match.start()]), format_html('<span class="nowrap">{}</span>', match[0])]
        end = match.end()
    return mark_safe("".join([*parts, escape(text[end:])]))


class PagedListMixin:
    """A reader list in pages of 20 at ?trang=N: one address per page, and canonical/prev/next links to them.

    Each page also carries its OpenGraph data and a BreadcrumbList (articles/structured_data.py) from the
    subclass's `title`, `describe()`, `crumbs()` and `social_photo`.
    """

    paginate_by = 20
    page_kwarg = "trang"
    social_photo = None

    def describe(self):
        return structured_data.site_description()

    def crumbs(self):
        """The trail below the home page to this listing's first page, as (name, absolute address)."""
        return [(self.title, absolute_url(escape_uri_path(self.request.path)))]

    def paginate_queryset(self, queryset, page_size):
        """Django's, with one address per page: anything but a page that exists is a 404."""
        number = self.request.GET.get(self.page_kwarg, "1")
        if not PAGE_NUMBER.fullmatch(number):
            raise Http404("Không có trang này.")
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=self.get_allow_empty()
        )
        try:
            page = paginator.page(int(number))
        except InvalidPage as error:
            raise Http404("Không có trang này.") from error
        return paginator, page, page.object_list, page.has_other_pages()

    def page_queries(self, page):
        """The query strings of the page ("canonical") and its neighbours ("prev", "next"); "" is page 1's."""
        numbers = {"canonical": page.number}
        if page.has_previous():
            numbers["prev"] = page.previous_page_number()
        if page.has_next():
            numbers["next"] = page.next_page_number()
        return {rel: "" if number == 1 else f"?{self.page_kwarg}={number}" for rel, number in numbers.items()}

    def page_label(self, page):
        """The page's name after the listing's in titles, headings and breadcrumbs; none on page 1."""
        return f"Trang {page.number}" if page.number > 1 else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is None:
            return context
        # One address per page: page 1 is the listing's own address, without the parameter.
        path = escape_uri_path(self.request.path)
        context["page_links"] = {rel: absolute_url(path + query) for rel, query in self.page_queries(page).items()}
        # What the pagination's links carry besides the page: nothing on a listing; the search adds its query.
        context["page_query"] = QueryDict()
        label = context["page_label"] = self.page_label(page)
        canonical = context["page_links"]["canonical"]
        trail = self.crumbs() + ([(label, canonical)] if label else [])
        context["json_ld"] = [structured_data.breadcrumbs(trail)]
        context["social"] = structured_data.page_social(
            title=" — ".join(filter(None, [self.title, label])),
            description=self.describe(),
            url=canonical,
            photo=self.social_photo,
        )
        return context


class SeekPagedListMixin(SeekPagedMixin, PagedListMixin):
    """A reader list newest first: numbered pages, then keyset pages past them (articles/pagination.py)."""

    def page_queries(self, page):
        return page.links

    def page_label(self, page):
        return page.label


class ArticleListMixin(SeekPagedListMixin):
    """A paginated list of live articles; subclasses narrow it to one section, tag…"""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    extra_context = {"show_section": True}

    def get_queryset(self):
        return Article.objects.published().with_listing_data()


class HomeView(ArticleListMixin, ListView):
    template_name = "articles/home.html"
    paginate_by = None
    extra_context = None

    def get_queryset(self):
        # Only the lead shows its byline (below): the other cards are read without theirs.
        return Article.objects.published().with_card_data()[: 1 + HOME_SECONDARY + HOME_LATEST]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = list(context["articles"])
        # The lead is the newest story that has a photo to show; else simply the newest.
        lead = next(
            (a for a in latest if a.featured_photo and not a.featured_photo.is_missing), latest[0] if latest else None
        )
        if lead is not None:
            prefetch_related_objects([lead], bylines(Article))
        context["lead"] = lead
        rest = [a for a in latest if a is not lead]
        context["secondary"] = rest[:HOME_SECONDARY]
        context["latest"] = rest[HOME_SECONDARY:]
        context["section_blocks"] = self.section_blocks(shown=[article.pk for article in latest])
        context["page_links"] = {"canonical": absolute_url("/")}
        context["json_ld"] = [structured_data.home_page()]
        context["social"] = structured_data.page_social(
            title=settings.SITE_NAME, description=structured_data.site_description(), url=absolute_url("/")
        )
        return context

    def section_blocks(self, shown):
        """Each section's newest stories not `shown` above, in the sections' order; sections with none are left out.

        The exclusion sits inside each section's subquery, so a block is still filled when its
        section's newest stories are already at the top of the page, in the same one query.
        """
        sections = sections_for(self.request)
        if not sections:
            return []  # Not even an empty queryset: compiling one costs as much as a query.
        by_section = {}
        newest = Article.objects.exclude(pk__in=shown).newest_in_each(sections, HOME_PER_SECTION)
        for article in newest.with_card_data():
            by_section.setdefault(article.section_id, []).append(article)
        return [(section, by_section[section.pk]) for section in sections if section.pk in by_section]


class SectionView(ArticleListMixin, ListView):
    extra_context = {"show_section": False}

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        self.title = self.section.name
        return super().get_queryset().filter(section=self.section)

    def describe(self):
        return structured_data.truncated(structured_data.plain_text(self.section.description)) or (
            f"Chuyên mục {self.section.name} trên {settings.SITE_NAME}."
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.section.name,
            intro=self.section.description,
            kind="Chuyên mục",
            object=self.section,
            current_section=self.section,
            **kwargs,
        )


class TagView(ArticleListMixin, ListView):
    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        self.title = self.tag.name
        return super().get_queryset().filter(tags=self.tag)

    def describe(self):
        return f"Từ khóa {self.tag.name} trên {settings.SITE_NAME}."

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.tag.name, kind="Từ khóa", object=self.tag, **kwargs)


class AuthorView(ArticleListMixin, ListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author.objects.select_related("photo"), slug=self.kwargs["slug"])
        self.title, self.social_photo = self.author.name, self.author.photo
        return super().get_queryset().filter(authors=self.author)

    def describe(self):
        return structured_data.truncated(structured_data.plain_text(self.author.bio)) or (
            f"Các bài viết của {self.author.name} trên {settings.SITE_NAME}."
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, object=self.author, **kwargs)


class OrganizationView(ArticleListMixin, ListView):
    template_name = "articles/organization_detail.html"

    def get_queryset(self):
        self.organization = get_object_or_404(
            Organization.objects.select_related("logo", "parent"), slug=self.kwargs["slug"]
        )
        self.title, self.social_photo = self.organization.name, self.organization.logo
        return super().get_queryset().filter(organizations=self.organization)

    def describe(self):
        return structured_data.truncated(structured_data.plain_text(self.organization.description)) or (
            f"{self.organization.name}: thông tin và các bài viết liên quan trên {settings.SITE_NAME}."
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            organization=self.organization,
            object=self.organization,
            short_name=keep_codes_together(self.organization.short_name),
            founding_document=keep_codes_together(self.organization.founding_document),
            **kwargs,
        )
        # The organisation's facts before the breadcrumbs: `url` is its page here, its own website `sameAs`.
        url = absolute_url(self.organization.get_absolute_url())
        context["json_ld"].insert(0, structured_data.organization(self.organization, url=url))
        return context


class ArticleView(DetailView):
    context_object_name = "article"

    def get_queryset(self):
        articles = Article.objects.with_stored_page()
        # Readers get live stories only; for staff the one preview rule, services.can_view(), decides below.
        if is_staff_user(self.request.user):
            return articles
        return articles.published()

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        # Staff preview only what they may open in the admin: an editor any story, a reporter their own.
        # Anyone else's non-live story is the same 404 as a missing one.
        if not article.is_live and not can_view(self.request.user, article):
            raise Http404("Không có bài này.")
        return article

    def get_context_data(self, **kwargs):
        article = self.object
        # The body, its figures, reading time, description and names were made when the story was saved.
        page = pages.shown(article)
        featured = article.featured_photo if article.featured_photo and not article.featured_photo.is_missing else None
        # A featured photo that the body also shows is drawn once, where the body places it (as its lead image
        # when it is the body's first photo: articles/pages.py lead_photo()).
        in_body = featured is not None and featured.pk in page.photo_ids
        notes = self.corrections_context(article)
        url = absolute_url(article.get_absolute_url())
        sharing = self.sharing_context(article, page.description, url, [featured, page.share_photo], notes)
        return super().get_context_data(
            body=page.body,
            reading_time=page.minutes,
            featured_photo=None if in_body else featured,
            related=Article.objects.related_to(article),
            **notes,
            preview=not article.is_live,
            current_section=article.section,
            page_links={"canonical": url},
            **sharing,
            **kwargs,
        )

    @staticmethod
    def sharing_context(article, description, url, photos, notes):
        """What the page tells search engines and social networks, from what the page has already loaded: the
        featured photo, else the body's first, gives the share image. Templates leave it out of previews."""
        corrections = notes["corrections"]
        photo = structured_data.share_photo(*photos)
        trail = [(article.section.name, absolute_url(article.section.get_absolute_url()))] if article.section else []
        return {
            "social": structured_data.article_social(article, url=url, description=description, photo=photo),
            "json_ld": [
                structured_data.news_article(
                    article, url=url, description=description, photo=photo, corrections=corrections
                ),
                structured_data.breadcrumbs([*trail, (article.title, url)]),
            ],
            "share_url": url,
        }

    @staticmethod
    def corrections_context(article):
        """The story's corrections and updates, oldest first, as its foot lists them.

        Every correction or update sets modified_at (articles/corrections.py), so a story without one, most of
        them, costs no query here.
        """
        notes = list(article.corrections.order_by("at", "pk")) if article.modified_at else []
        return {
            "corrections": [note for note in notes if note.kind == Correction.Kind.CORRECTION],
            "updates": [note for note in notes if note.kind == Correction.Kind.UPDATE and note.text],
        }

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["preview"]:
            # A preview must never be stored by a browser, proxy or CDN, nor indexed.
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class CorrectionListView(SeekPagedListMixin, ListView):
    """Every correction on a live story, newest first. A story taken down or expired takes its corrections along."""

    keyset_moment = "at"
    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    title = "Đính chính"

    def describe(self):
        return f"Các đính chính {settings.SITE_NAME} đã đăng, mới nhất trước."

    def get_queryset(self):
        return (
            Correction.objects.filter(kind=Correction.Kind.CORRECTION, article__in=Article.objects.published())
            .select_related("article")
            .only("text", "at", "article", "article__title", "article__slug")
            .order_by("-at", "-pk")
        )
