"""The search benchmark: many articles made fast, then the search page's queries timed in this process.

`manage.py bench --search` runs it (docs/architecture.md, "Search"). The articles it makes are marked by their
slug ("bench-search-N"); a second run adds only the ones missing, so 100,000 are made once. Text is drawn from
a fixed vocabulary with a fixed seed, so two runs on two machines search the same words.
"""

import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from articles import pages as article_pages
from articles.models import Article, ArticleSearch, Organization, Section, Tag
from articles.search import Found, SearchForm, page_stories, search_words
from articles.search_index import fold_for_index, linked_names, vector_expression

from . import BenchmarkError
from .pages import BENCH_SLUG_PREFIX, request_host

SLUG_PREFIX = BENCH_SLUG_PREFIX
BATCH = 2_000
PAGE = 20  # stories on a results page
SECTIONS = [("Thời sự", "thoi-su"), ("Kinh tế", "kinh-te"), ("Xã hội", "xa-hoi"), ("Giáo dục", "giao-duc")]
# Tags and organisations as a newsroom's spread, each with the share of benchmark articles it is on: a few on
# many stories, others on few. The names are the demo's (`seed_demo`), so that the demo article's related
# stories and its tag and organisation pages meet the benchmark articles as they would a year of news.
TAG_SHARES = [("nguồn nhân lực", 0.20), ("cảng biển", 0.05), ("nhân tài", 0.02)]
ORGANIZATION_SHARES = [
    ("Ủy ban nhân dân thành phố Hải Phòng", 0.10),
    ("Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng", 0.01),
]

# Vietnamese syllables from a file: the function words readers never search for, most frequent first, the
# content words, and rare ones (place names few stories hold). Made-up syllables (EXTRA) fill out a vocabulary
# of about a thousand, among which the content words are spread, so that a content word is in some stories
# and not in all of them, as in a real archive.
_PARTS = (Path(__file__).parent / "search_vocabulary.txt").read_text(encoding="utf-8").split("\n\n")
FUNCTION, CONTENT, RARE = (
    [w for line in part.splitlines() if not line.startswith("#") for w in line.split()] for part in _PARTS
)
EXTRA = [f"{a}{b}" for a in ("b", "c", "ch", "d", "g", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s",
         "t", "th", "tr", "v", "x") for b in ("ax", "eq", "iz", "oj", "uf", "yw", "ak", "ep", "ib", "oc", "ud", "yv",
         "aqu", "oxe", "ifa", "uzo", "erp", "alq", "oww", "ijk", "umx", "evq", "ozd", "ags", "ubt", "irx", "ejm",
         "ofy", "aty", "upp", "ilb", "osk", "ewz", "anq", "ucv", "ipr", "odl", "eft")]  # fmt: skip


def vocabulary():
    """(words, their folded forms, weights): Zipf's law over the function words then the rest, shuffled once
    (fixed seed); the rare words far below."""
    from articles.search_index import fold_for_index

    rest = CONTENT + EXTRA
    random.Random(7).shuffle(rest)
    common = FUNCTION + rest
    words = common + RARE
    weights = [1 / (rank + 1) for rank in range(len(common))] + [0.00002] * len(RARE)
    return words, [fold_for_index(word).strip() for word in words], weights


class Writer:
    """Draws article texts and their folded copies together, so nothing is folded character by character."""

    def __init__(self, seed=12):
        self.random = random.Random(seed)
        # Links are drawn apart, so that the texts stay those of the same seed.
        self.links = random.Random(-1 - seed)
        self.words, self.folded, self.weights = vocabulary()
        self.hai_phong = [self.words.index("Hải"), self.words.index("Phòng")]

    def text(self, count, *, mention=0.0):
        picks = self.random.choices(range(len(self.words)), weights=self.weights, k=count)
        if self.random.random() < mention:
            at = self.random.randrange(max(1, count - 1))
            picks[at : at + 2] = self.hai_phong
        original = " ".join(self.words[i] for i in picks)
        return original[:1].upper() + original[1:], " ".join(self.folded[i] for i in picks)

    def article(self, n, sections, now):
        title, title_f = self.text(self.random.randint(8, 14), mention=0.05)
        lead, lead_f = self.text(self.random.randint(25, 40), mention=0.1)
        paragraphs = [self.text(self.random.randint(40, 80), mention=0.05) for _ in range(self.random.randint(3, 6))]
        body = "".join(f"<p>{text}.</p>" for text, _ in paragraphs)
        rest = " ".join(folded for _, folded in paragraphs)
        roll = self.random.random()
        status = Article.Status.DRAFT if roll < 0.03 else Article.Status.PUBLISHED
        ago = timedelta(minutes=self.random.randint(-60 * 24 * 7 if roll > 0.98 else 1, 60 * 24 * 365 * 3))
        article = Article(
            title=title,
            slug=f"{SLUG_PREFIX}{n}",
            lead=lead,
            body=body,
            section=sections[n % len(sections)],
            status=status,
            publish_at=now - ago,
        )
        return article, (f" {title_f} ", f" {lead_f} ", f" {rest} ")

    def pick(self, shares):
        """The indexes of `shares` ((name, share) pairs) one article is linked to."""
        return [i for i, (_, share) in enumerate(shares) if self.links.random() < share]


class Links:
    """The benchmark articles' tags and organisations: found by name (the demo's) or made."""

    def __init__(self):
        self.tags = [Tag.objects.get_or_create(name=name)[0] for name, _ in TAG_SHARES]
        self.organizations = [Organization.objects.get_or_create(name=name)[0] for name, _ in ORGANIZATION_SHARES]

    def draw(self, writer):
        return writer.pick(TAG_SHARES), writer.pick(ORGANIZATION_SHARES)

    def save(self, articles, drawn):
        """The link rows of `articles`, then the folded names each one's search entry adds, as the index reads
        them (articles/search_index.py)."""
        tagged = Article.tags.through
        linked = Article.organizations.through
        tag_rows, org_rows = [], []
        for article, (tags, orgs) in zip(articles, drawn, strict=True):
            tag_rows += [tagged(article_id=article.pk, tag_id=self.tags[i].pk) for i in tags]
            org_rows += [linked(article_id=article.pk, organization_id=self.organizations[i].pk) for i in orgs]
        tagged.objects.bulk_create(tag_rows)
        linked.objects.bulk_create(org_rows)
        names = linked_names(Article, [article.pk for article in articles])
        return [fold_for_index(*names[article.pk]).strip() for article in articles]


def populate(count, progress, *, on_batch=None):
    """Make bench articles until `count` exist, BATCH at a time, each with its search entry and its stored page
    (articles/pages.py). After each batch,
    `on_batch(done, count, rate)` if given (a progress bar), else a line to `progress`."""
    have = Article.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if have >= count:
        progress(f"{have} benchmark articles already in the database.")
        return have
    sections = [Section.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in SECTIONS]
    links = Links()
    writer, now, started = Writer(seed=have), timezone.now(), time.perf_counter()
    for start in range(have, count, BATCH):
        pairs = [writer.article(n, sections, now) for n in range(start, min(start + BATCH, count))]
        drawn = [links.draw(writer) for _ in pairs]
        with transaction.atomic():
            articles = Article.objects.bulk_create([article for article, _ in pairs])
            names = links.save(articles, drawn)
            ArticleSearch.objects.bulk_create(
                ArticleSearch(
                    article_id=article.pk,
                    title=t,
                    lead=lead,
                    rest=f"{rest}{extra} " if extra else rest,
                    publish_at=article.publish_at,
                )
                for article, (t, lead, rest), extra in zip(
                    articles, [folded for _, folded in pairs], names, strict=True
                )
            )
            ids = [article.pk for article in articles]
            # bulk_create skips save(): the stored page (body as shown, bylines, reading time) is drawn here,
            # so the reader pages serve these articles as they serve saved ones.
            article_pages.refresh(Article, ids)
            if connection.vendor == "postgresql":
                ArticleSearch.objects.filter(pk__in=ids).update(vector=vector_expression())
        done = min(start + BATCH, count)
        rate = (done - have) / (time.perf_counter() - started)
        if on_batch:
            on_batch(done, count, rate)
        else:
            progress(f"{done}/{count} articles ({rate:.0f}/s)")
    if connection.vendor == "postgresql":
        # What autovacuum does in time: statistics for the planner, the GIN index's pending entries merged and
        # the visibility map set, so that the first measurements are not of a table just loaded.
        # VACUUM cannot run in a transaction (as under the tests); ANALYZE alone can.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for table in (
                "articles_article",
                "articles_articlesearch",
                "articles_article_tags",
                "articles_article_organizations",
            ):
                cursor.execute(f"{command} {table}")
    return count


def cases():
    """The searches timed: (label, query string parameters)."""
    last_year = timezone.localdate() - timedelta(days=365)
    return [
        ("common phrase", {"q": "hải phòng"}),
        ("common words", {"q": "phat trien kinh te"}),
        ("rare word", {"q": "lach huyen"}),
        ("prefix", {"q": "dao ta"}),
        ("2 words, filters", {"q": "nhan luc", "chuyen_muc": "kinh-te", "tu_ngay": last_year.strftime("%d/%m/%Y")}),
        ("no match", {"q": "zzzz"}),
    ]


def search_queries(params):
    """What the page asks the database for one search, as SearchView does: the first page's ids and one more
    (articles/search.py, Found), then its stories by their ids, with their bylines."""
    form = SearchForm(params, sections=list(Section.objects.all()))
    if not form.is_valid():
        raise BenchmarkError(f"The benchmark's search {params} is not valid: {form.errors.as_text()}")
    words = search_words(params["q"])
    found = Found(form.filter(Article.objects.published()), words)
    return found.count, page_stories(found.ids(0, PAGE + 1)[:PAGE], words)


def timed(action, runs):
    action()  # warm: plans and caches, as on a busy server
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000, statistics.quantiles(seconds, n=20)[-1] * 1000


def measure(runs):
    """For each case: results, median and p95 of its database work, and of the whole page, in milliseconds."""
    from django.conf import settings

    client = Client(SERVER_NAME=request_host(settings.ALLOWED_HOSTS))
    rows = []
    for label, params in cases():
        total, _ = search_queries(params)
        db_median, db_p95 = timed(lambda params=params: search_queries(params), runs)

        def page(params=params):
            response = client.get("/tim-kiem/", params, secure=settings.SECURE_SSL_REDIRECT)
            if response.status_code != 200:
                raise BenchmarkError(f"/tim-kiem/ answered {response.status_code} for {params}.")

        # The page made each time, as the page cache would otherwise serve the stored one.
        with override_settings(PAGE_CACHE=False):
            page_median, page_p95 = timed(page, runs)
        rows.append(
            (label, params["q"], "more" if total is None else str(total), db_median, db_p95, page_median, page_p95)
        )
    return rows


def explain(params):
    """PostgreSQL's EXPLAIN ANALYZE of the page's queries for one case, each as Found and SearchView make it."""
    with CaptureQueriesContext(connection) as queries:
        search_queries(params)
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if not query["sql"].startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN ANALYZE {query['sql']}")
            plans.append(query["sql"][:160] + " …\n" + "\n".join(row[0] for row in cursor.fetchall()))
    return "\n\n".join(plans)


def format_table(rows, *, articles, runs):
    lines = [
        f"Search, {articles} articles on {connection.vendor} ({connection.settings_dict['NAME']}), "
        f"{runs} runs each, in-process, milliseconds:",
        f"{'case':<18} {'query':<22} {'found':>7} {'db p50':>8} {'db p95':>8} {'page p50':>9} {'page p95':>9}",
    ]
    for label, q, total, db_median, db_p95, page_median, page_p95 in rows:
        lines.append(
            f"{label:<18} {q[:22]:<22} {total:>7} {db_median:>8.1f} {db_p95:>8.1f} {page_median:>9.1f} {page_p95:>9.1f}"
        )
    lines.append(
        "found: the stories found, when the first page read them all, else more; db: the first page's ids and one\n"
        "more, then its 20 stories with their bylines; page: the whole request via Django's test client."
    )
    return "\n".join(lines)
