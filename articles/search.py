"""Search (/tim-kiem/): live stories holding every word of the reader's text, accents and case aside.

The index is articles/search_index.py's; docs/architecture.md ("Search") says how each database reads it.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.postgres.lookups import SearchVectorExact
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connections
from django.db.models import Case, Func, IntegerField, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.generic import ListView

from .context_processors import sections_for
from .links import absolute_url
from .models import Article, ArticleSearch
from .pagination import NOT_A_PAGE, PAGE_NUMBER
from .search_index import CONFIG, plain_text
from .text import strip_accents
from .views import PagedListMixin

# The reader's text is cut to this many characters, then to this many distinct words of at most WORD_LENGTH
# characters: enough for any headline, and a bound on the work one request can ask of the database.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
WORD_LENGTH = 40
SNIPPET_LENGTH = 240
# A search shows at most MAX_RESULTS stories (50 pages of 20): no reader pages further, and the filters narrow it.
MAX_RESULTS = 1000
# How many of the newest search entries a page reads first, for the stories with the words in the title or lead.
SCAN = 1000
BEFORE_ANY = Value(datetime(1, 1, 2, tzinfo=UTC))  # where those begin when there are fewer

_WORD = re.compile(r"[a-z0-9]+")
_TIER_TITLE, _TIER_HEAD, _TIER_BODY = 3, 2, 1


def search_words(text):
    """The words searched for in `text`: folded, only a-z and 0-9 kept, so no quote or operator reaches SQL."""
    words = _WORD.findall(strip_accents(text[:MAX_QUERY_LENGTH]).lower())
    return list(dict.fromkeys(word[:WORD_LENGTH] for word in words))[:MAX_WORDS]


def _patterns(words):
    """What the folded columns must contain: each word whole, the last one as a word start (typing "pho" finds
    "Phòng"). The columns have a space at each end (search_index.fold_for_index)."""
    return [f" {word} " for word in words[:-1]] + [f" {words[-1]}"]


def _tsquery(words, weights=""):
    """The same words as a PostgreSQL tsquery: `hai & phong:*`, or with weights `hai:A & phong:*A`."""
    return " & ".join([f"{word}:{weights}" if weights else word for word in words[:-1]] + [f"{words[-1]}:*{weights}"])


def _all_in(patterns, *columns):
    return Q(*[Q.create([(f"search_entry__{column}__contains", p) for column in columns], "OR") for p in patterns])


class _Words(Func):
    """`to_tsvector('newsroom_vi', <columns joined>)`, exactly the expression of migration 0013's indexes, so that
    the planner reads a filter on it from the index."""

    function = "to_tsvector"
    template = f"%(function)s('{CONFIG}'::regconfig, %(expressions)s)"
    arg_joiner = " || "
    output_field = SearchVectorField()


def _filters(words, db):
    """(every word anywhere, every word in the title, every word in the title or the lead), as filters on
    articles. PostgreSQL answers each from a GIN index; SQLite with LIKE over the folded columns."""
    if connections[db].vendor == "postgresql":
        query = SearchQuery(_tsquery(words), search_type="raw", config=CONFIG)
        return (
            Q(search_entry__vector=query),
            Q(SearchVectorExact(_Words("search_entry__title"), query)),
            Q(SearchVectorExact(_Words("search_entry__title", "search_entry__lead"), query)),
        )
    patterns = _patterns(words)
    return _all_in(patterns, "title", "lead", "rest"), _all_in(patterns, "title"), _all_in(patterns, "title", "lead")


def search(words, queryset=None):
    """Live articles holding every word, best first: all words in the title, then all in title and lead, then the
    rest; newer first within each. Every match is ranked, in one query: the page reads them through Found."""
    articles = Article.objects.published() if queryset is None else queryset
    anywhere, _, _ = _filters(words, articles.db)
    return ranked(articles.filter(anywhere), words)


def ranked(articles, words):
    """`articles` in search order for `words` (see search()). The tiers are read off the folded title and lead
    with LIKE on both databases: for a few rows, cheaper than making their vectors."""
    patterns = _patterns(words)
    tier = Case(
        When(_all_in(patterns, "title"), then=Value(_TIER_TITLE)),
        When(_all_in(patterns, "title", "lead"), then=Value(_TIER_HEAD)),
        default=Value(_TIER_BODY),
        output_field=IntegerField(),
    )
    return articles.annotate(search_tier=tier).order_by("-search_tier", "-publish_at", "-pk")


class Found:
    """The stories of `articles` holding every word, as ids in search order, read only as far as a page needs.

    First, the stories with every word in the title or lead among the newest SCAN search entries: one read of
    their folded title and lead, which lie in the row, with LIKE. When they reach the page's end, the page is made
    of them: the newest with the words in the title, or if those are too few, all of those (their own query, on
    PostgreSQL a GIN index; few, since so few were among the newest), then the newest with them in the title or
    lead, which are then enough. Else few stories hold the words in the title or lead at all: they are read whole
    and ranked, then as many of the rest as the page needs. So neither a word in half the archive nor a rare one
    costs the ranking of every match. `count` is their number when all of them were read, else None.
    """

    def __init__(self, articles, words):
        self.articles, self.words = articles, words
        self.count = None
        anywhere, self.title, self.head = _filters(words, articles.db)
        patterns = _patterns(words)
        self.in_head = _all_in(patterns, "title", "lead")
        # What is not in the title and lead is read with LIKE, cheaper than making each row's vector.
        self.body = anywhere & ~self.in_head

    def ids(self, start, stop):
        """The ids of the stories at places start to stop - 1 in search order (fewer at the end), at most
        MAX_RESULTS."""
        stop, newest = min(stop, MAX_RESULTS), self._newest()
        if len(newest) >= stop:
            in_title = [pk for tier, pk in newest if tier == _TIER_TITLE]
            if len(in_title) < stop:
                in_title = self._whole(self.articles.filter(self.title), stop)
            in_head = [pk for tier, pk in newest if tier == _TIER_HEAD]
            # There are enough of those: the newest hold stop - len(in_title) or more, since they hold stop in all.
            return (in_title + in_head)[start:stop]
        ids = self._whole(ranked(self.articles.filter(self.head), self.words), stop, "-search_tier")
        if len(ids) < stop:
            ids += self._whole(self.articles.filter(self.body), stop - len(ids))
            if len(ids) < stop:  # every story found was read
                self.count = len(ids)
        return ids[start:stop]

    @staticmethod
    def _whole(articles, limit, *first):
        return list(articles.order_by(*first, "-publish_at", "-pk").values_list("pk", flat=True)[:limit])

    def _newest(self):
        """(tier, id) of the stories with every word in the title or lead among the newest SCAN search entries,
        newest first: a range of the entries' newest-first index, from the SCANth newest entry's time to now."""
        now = timezone.now()
        entries = ArticleSearch.objects.using(self.articles.db).filter(publish_at__lte=now)
        oldest = Coalesce(Subquery(entries.order_by("-publish_at").values("publish_at")[SCAN - 1 : SCAN]), BEFORE_ANY)
        # Bounded on both sides, so that the planner, not knowing where the range begins, counts it narrow and
        # reads it from the index.
        window = Q(search_entry__publish_at__gte=oldest, search_entry__publish_at__lte=now)
        newest = ranked(self.articles.filter(self.in_head, window), self.words)
        return list(newest.order_by("-search_entry__publish_at", "-pk").values_list("search_tier", "pk"))


def page_stories(ids, words):
    """The stories of a results page by their ids, in search order, with what their cards show and their bodies
    (for the snippets). One query and their bylines; none for no ids."""
    if not ids:
        return []
    return list(ranked(Article.objects.filter(pk__in=ids).with_listing_data().defer(None), words))


@dataclass
class ResultsPage:
    """One page of results as the view and templates/articles/_pagination.html read it, like Django's Page; its
    `count` and `num_pages` are None when the stories found were not all read."""

    object_list: list
    number: int
    count: int | None
    has_more: bool

    @property
    def paginator(self):
        return self

    @property
    def num_pages(self):
        return None if self.count is None else max(1, -(-self.count // SearchView.paginate_by))

    def has_next(self):
        return self.has_more

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_more or self.number > 1

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    def __len__(self):
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)


def matching(queryset, text):
    """The articles of `queryset`, whatever their status, holding every word of `text` as a word start (typing
    "hai pho" finds "Hải Phòng") in title, lead, body, authors, organisations or tags: the admin's search."""
    words = search_words(text)
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        prefixes = " & ".join(f"{word}:*" for word in words)
        return queryset.filter(search_entry__vector=SearchQuery(prefixes, search_type="raw", config=CONFIG))
    return queryset.filter(_all_in([f" {word}" for word in words], "title", "lead", "rest"))


class _Folder(dict):
    """str.translate table folding one character to one: "ệ" → "e", "Đ" → "d", anything else → " "."""

    def __missing__(self, code):
        folded = strip_accents(chr(code)).lower()
        self[code] = folded if len(folded) == 1 and _WORD.fullmatch(folded) else " "
        return self[code]


_FOLD_ONE = _Folder()


def snippet(text, words):
    """About SNIPPET_LENGTH characters of `text` around the first word found, each found word in <mark>, all of
    it escaped. The folded copy has the text's length, so a match's place in it is its place in the text."""
    if not text:
        return ""
    folded = text.translate(_FOLD_ONE)
    last = re.escape(words[-1])
    whole = "|".join(re.escape(word) for word in words[:-1])
    pattern = (
        rf"(?<![a-z0-9])(?:(?:{whole})(?![a-z0-9])|{last}[a-z0-9]*)" if whole else rf"(?<![a-z0-9]){last}[a-z0-9]*"
    )
    matches = list(re.finditer(pattern, folded))
    start = 0
    if matches and matches[0].start() > SNIPPET_LENGTH // 3:
        start = text.find(" ", matches[0].start() - SNIPPET_LENGTH // 3) + 1
    end = len(text)
    if end - start > SNIPPET_LENGTH:
        end = text.rfind(" ", start, start + SNIPPET_LENGTH)
        end = end if end > start else start + SNIPPET_LENGTH
    parts, at = ["…" if start else ""], start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        parts += [escape(text[at : match.start()]), format_html("<mark>{}</mark>", text[match.start() : match.end()])]
        at = match.end()
    parts += [escape(text[at:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(parts))  # every piece of text above went through escape() or format_html()


DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_ERRORS = {"invalid": "Ngày không hợp lệ: hãy viết theo dạng ngày/tháng/năm, ví dụ 04/04/2024."}
EARLIEST, LATEST = datetime(1900, 1, 1).date(), datetime(2100, 12, 31).date()  # noqa: DTZ001 (dates only)


class SearchForm(forms.Form):
    q = forms.CharField(label="Từ khóa", required=False)
    chuyen_muc = forms.ChoiceField(
        label="Chuyên mục",
        required=False,
        error_messages={"invalid_choice": "Không có chuyên mục này: hãy chọn một chuyên mục trong danh sách."},
    )
    tu_ngay = forms.DateField(label="Từ ngày", required=False, input_formats=DATE_FORMATS, error_messages=DATE_ERRORS)
    den_ngay = forms.DateField(label="Đến ngày", required=False, input_formats=DATE_FORMATS, error_messages=DATE_ERRORS)

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = {section.slug: section for section in sections}
        self.fields["chuyen_muc"].choices = [("", "Mọi chuyên mục")] + [(s.slug, s.name) for s in sections]
        for name in ("tu_ngay", "den_ngay"):
            self.fields[name].widget.attrs |= {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}
        self.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH, "enterkeyhint": "search"}
        )

    def _clean_date(self, name):
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError("Hãy chọn một ngày trong khoảng từ năm 1900 đến năm 2100.")
        return day

    def clean_tu_ngay(self):
        return self._clean_date("tu_ngay")

    def clean_den_ngay(self):
        return self._clean_date("den_ngay")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("tu_ngay"), cleaned.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", "Ngày kết thúc phải sau hoặc trùng ngày bắt đầu.")
        return cleaned

    def filter(self, articles):
        """`articles` narrowed to the chosen section and dates (whole days, Vietnam time)."""
        data = self.cleaned_data
        if data["chuyen_muc"]:
            articles = articles.filter(section_id=self.sections[data["chuyen_muc"]].pk)
        if data["tu_ngay"]:
            articles = articles.filter(publish_at__gte=_day_start(data["tu_ngay"]))
        if data["den_ngay"]:
            articles = articles.filter(publish_at__lt=_day_start(data["den_ngay"] + timedelta(days=1)))
        return articles


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class SearchView(PagedListMixin, ListView):
    """The search page: the form, the results in pages of 20, each with its snippet. Never indexed by robots."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    title = "Tìm kiếm"

    def get(self, request, *args, **kwargs):
        # Cut and cleaned before the form sees it: a NUL would otherwise be an English form error, and a
        # 10,000-character query would be echoed back whole.
        data = {
            name: request.GET.get(name, "").replace("\x00", "")[:MAX_QUERY_LENGTH] for name in SearchForm.base_fields
        }
        self.form = SearchForm(data, sections=sections_for(request))
        self.words = search_words(data["q"]) if self.form.is_valid() else []
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        """The stories found (see Found), or None when there is nothing to search for."""
        return Found(self.form.filter(Article.objects.published()), self.words) if self.words else None

    def paginate_queryset(self, found, page_size):
        """The page that ?trang=N asks for, one more id read to know of a next; any other page is a 404. Its
        stories are fetched by their ids: ranking reads ids only, never every match's row. The bodies too, for
        the snippets."""
        number = self.request.GET.get(self.page_kwarg, "1")
        if not PAGE_NUMBER.fullmatch(number) or int(number) > MAX_RESULTS // page_size:
            raise Http404(NOT_A_PAGE)
        number = int(number)
        start = (number - 1) * page_size
        ids = found.ids(start, start + page_size + 1) if found else []
        if not ids and number > 1:
            raise Http404(NOT_A_PAGE)
        stories = page_stories(ids[:page_size], self.words)
        page = ResultsPage(stories, number, found.count if found else 0, len(ids) > page_size)
        return page, page, stories, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = list(context["articles"])
        for article in articles:
            article.snippet = snippet(" ".join(filter(None, [article.lead, plain_text(article.body)])), self.words)
        page = context["page_obj"]
        context |= {
            "articles": articles,
            "form": self.form,
            "search_query": self.form.data["q"],
            "searched": bool(self.words),
            # None when the stories found were not all read: there are more than this page reached.
            "result_count": page.count,
            # Vietnamese groups thousands with dots: 1.000.
            "result_count_text": f"{page.count:,}".replace(",", ".") if page.count else "",
            "page_links": self._page_links(page),
            "page_query": self._page_query(),
        }
        return context

    def _page_query(self):
        """The query and filters as the pagination's links carry them: cut and cleaned, never the raw address."""
        query = QueryDict(mutable=True)
        for name, value in self.form.data.items():
            if value:
                query[name] = value
        return query

    def _page_links(self, page):
        """canonical/prev/next with the query and filters: a results page is its query's, not the bare /tim-kiem/."""
        params = [(name, value) for name, value in self.form.data.items() if value]
        numbers = {"canonical": page.number}
        if page.has_previous():
            numbers["prev"] = page.previous_page_number()
        if page.has_next():
            numbers["next"] = page.next_page_number()
        links = {}
        for rel, number in numbers.items():
            query = urlencode(params + ([(self.page_kwarg, number)] if number > 1 else []))
            links[rel] = absolute_url(reverse("articles:search") + (f"?{query}" if query else ""))
        return links


urlpatterns = [path("tim-kiem/", SearchView.as_view(), name="search")]
