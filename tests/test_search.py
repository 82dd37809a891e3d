"""The search page (/tim-kiem/) and its index, on SQLite and PostgreSQL alike."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.postgres.lookups import SearchVectorExact
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles import search as search_module
from articles import search_index
from articles.models import Article, ArticleAuthor, ArticleSearch
from articles.search import MAX_WORDS, search, search_words, snippet
from articles.search_index import fold_for_index, plain_text
from tests.factories import make_article, make_author, make_organization, make_section, make_tag

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")

# The most queries one anonymous results page runs: the navigation's sections, the newest entries' titles and
# leads, the stories with the words in the title or lead, the others, the page's stories, their bylines.
BUDGET = 6


def found(client, q, **params):
    """Titles on the results page, in order."""
    response = client.get(SEARCH, {"q": q, **params})
    assert response.status_code == 200
    return [article.title for article in response.context["articles"]]


def story(title, *, hours_ago=1, **kwargs):
    return make_article(title=title, publish_at=timezone.now() - timedelta(hours=hours_ago), **kwargs)


# Folding ------------------------------------------------------------------------------------------------


def test_the_index_folds_accents_d_case_and_punctuation():
    assert fold_for_index("Hải Phòng: ĐỀ ÁN đào-tạo (2024)!") == " hai phong de an dao tao 2024 "
    assert fold_for_index("") == ""


def test_the_readers_words_keep_letters_and_digits_only():
    assert search_words("  Đề án\x00 ' OR 1=1 -- %_\\ &|!():* <script>") == [
        "de", "an", "or", "1", "script",
    ][:MAX_WORDS]  # fmt: skip
    assert search_words("de an DE AN") == ["de", "an"]
    assert search_words("x" * 10_000) == ["x" * 40]
    assert len(search_words(" ".join(f"w{n}" for n in range(50)))) == MAX_WORDS


def test_body_text_loses_its_tags_but_keeps_words_apart():
    assert plain_text("<p>Hải</p><p>Phòng &amp; <strong>nhân</strong> lực</p>") == "Hải Phòng & nhân lực"


# Finding ------------------------------------------------------------------------------------------------


def test_unaccented_words_find_the_accented_story(client):
    make_article(title="Hải Phòng đào tạo nguồn nhân lực chất lượng cao")
    make_article(title="Hà Nội mở rộng đường vành đai")
    assert found(client, "hai phong nhan luc") == ["Hải Phòng đào tạo nguồn nhân lực chất lượng cao"]


@pytest.mark.parametrize("q", ["Đề án", "de an", "ĐỀ ÁN", "đề ÁN", "DE AN", "  de   an  "])
def test_every_spelling_of_de_an_finds_the_same_stories(client, q):
    story("Đề án đào tạo nhân lực", hours_ago=2)
    story("Thành phố duyệt đề án mới", hours_ago=1)
    story("Dễ ăn, dễ làm", lead="Cùng chữ, khác dấu: không phân biệt được.", hours_ago=3)
    story("Một tin khác")
    assert found(client, q) == ["Thành phố duyệt đề án mới", "Đề án đào tạo nhân lực", "Dễ ăn, dễ làm"]


def test_upper_and_lower_case_never_matter(client):
    story("HỘI KHOA HỌC PHÁT TRIỂN NGUỒN NHÂN LỰC")
    story("hội khoa học phát triển nguồn nhân lực", hours_ago=2)
    assert len(found(client, "Hội Khoa Học")) == 2
    assert len(found(client, "HOI KHOA HOC")) == 2


def test_the_last_word_is_a_word_start_the_others_whole_words(client):
    story("Hải Phòng mở rộng cảng")
    assert found(client, "hai pho") == ["Hải Phòng mở rộng cảng"]
    assert found(client, "ha phong") == []  # "ha" is not "hải"
    assert found(client, "ai phong") == []  # words start where words start


def test_body_authors_organisations_and_tags_are_searched(client):
    author = make_author(name="Phạm Thu Hà")
    org = make_organization(name="Hội Khoa học phát triển nguồn nhân lực", short_name="HKHNL")
    tag = make_tag(name="Giáo dục nghề nghiệp")
    make_article(title="Tin một", body="<p>Cảng <em>Lạch</em> Huyện đón tàu lớn.</p>", authors=[author])
    make_article(title="Tin hai", organizations=[org], tags=[tag])
    assert found(client, "lach huyen") == ["Tin một"]
    assert found(client, "pham thu ha") == ["Tin một"]
    assert found(client, "hkhnl") == ["Tin hai"]
    assert found(client, "giao duc nghe") == ["Tin hai"]


def test_renaming_an_author_organisation_or_tag_updates_the_results(client):
    author = make_author(name="Nguyễn Văn An")
    org = make_organization(name="Sở Giáo dục", short_name="SGD")
    tag = make_tag(name="Cảng biển")
    make_article(title="Tin có tác giả", authors=[author], organizations=[org], tags=[tag])
    make_article(title="Tin khác cùng tác giả", authors=[author])
    author.name = "Trần Thị Bình"
    author.save()
    org.name, org.short_name = "Sở Lao động", ""
    org.save()
    tag.name = "Logistics"
    tag.save()
    assert found(client, "nguyen van an") == []
    assert found(client, "tran thi binh") == ["Tin có tác giả", "Tin khác cùng tác giả"]
    assert found(client, "so giao duc") == [] and found(client, "sgd") == []
    assert found(client, "so lao dong") == ["Tin có tác giả"]
    assert found(client, "cang bien") == [] and found(client, "logistics") == ["Tin có tác giả"]


def test_changing_an_articles_authors_organisations_and_tags_updates_the_results(client):
    author, org, tag = make_author(name="Lê Minh"), make_organization(name="Cục Hàng hải"), make_tag(name="Biển đảo")
    article = make_article(title="Tin cảng", authors=[author], organizations=[org], tags=[tag])
    ArticleAuthor.objects.filter(article=article).delete()
    article.organizations.remove(org)
    tag.articles.clear()
    assert found(client, "le minh") == [] and found(client, "cuc hang hai") == [] and found(client, "bien dao") == []
    org.articles.add(article)
    assert found(client, "cuc hang hai") == ["Tin cảng"]
    org.delete()
    assert found(client, "cuc hang hai") == []


def test_editing_an_article_updates_its_entry_and_deleting_it_removes_it(client):
    article = make_article(title="Cầu Rào sửa xong")
    article.title = "Tiêu đề mới về cảng Đình Vũ"
    article.save()
    assert found(client, "cau rao") == []
    assert found(client, "dinh vu") == ["Tiêu đề mới về cảng Đình Vũ"]
    article.delete()
    assert not ArticleSearch.objects.exists()


def test_the_rebuild_command_indexes_every_article_again(client):
    make_article(title="Bến Bính xưa và nay")
    Article.objects.update(title="Cầu Rào mới")  # no save(): the index is stale until rebuilt
    ArticleSearch.objects.all().delete()
    assert found(client, "cau rao") == []
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "1" in out.getvalue()
    assert found(client, "cau rao") == ["Cầu Rào mới"]


def test_postgresql_keeps_a_weighted_vector_sqlite_the_folded_columns():
    make_article(title="Hải Phòng", lead="Nhân lực", body="<p>Đề án</p>")
    entry = ArticleSearch.objects.get()
    assert (entry.title, entry.lead) == (" hai phong ", " nhan luc ")
    assert entry.rest.startswith(" de an ")
    if connection.vendor == "postgresql":
        assert entry.vector == "'an':6C 'de':5C 'hai':1A 'luc':4B 'nhan':3B 'phong':2A"
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_tsvector('newsroom_vi', 'Đề ÁN Hải Phòng')::text")
            assert cursor.fetchone()[0] == "'an':2 'de':1 'hai':3 'phong':4"
    else:
        assert entry.vector is None


# Ranking ------------------------------------------------------------------------------------------------


def test_title_above_lead_above_body_and_newer_first_within_each(client):
    story("Cảng Lạch Huyện, bài cũ", hours_ago=30)
    story("Cảng Lạch Huyện, bài mới", hours_ago=20)
    story("Tin lead", lead="Cảng Lạch Huyện mở bến mới.", hours_ago=1)
    story("Tin thân bài mới", body="<p>Cảng Lạch Huyện.</p>", hours_ago=2)
    story("Tin thân bài cũ", body="<p>Nói về cảng Lạch Huyện.</p>", hours_ago=40)
    story("Tin nửa về cảng", lead="Lạch Huyện", hours_ago=3)  # words split between title and lead
    story("Tin lead và thân bài", lead="Lạch Huyện", body="<p>cảng</p>", hours_ago=4)
    assert found(client, "cang lach huyen") == [
        "Cảng Lạch Huyện, bài mới",
        "Cảng Lạch Huyện, bài cũ",
        "Tin lead",
        "Tin nửa về cảng",
        "Tin thân bài mới",
        "Tin lead và thân bài",
        "Tin thân bài cũ",
    ]


def test_equal_tier_and_time_fall_back_to_the_newest_row():
    moment = timezone.now() - timedelta(hours=1)
    first = make_article(title="Cảng A", publish_at=moment)
    second = make_article(title="Cảng B", publish_at=moment)
    assert list(search(["cang"])) == [second, first]


@pytest.mark.parametrize("scan", [1000, 12, 3])
def test_pages_read_tier_by_tier_rank_as_every_match_ranked_at_once(monkeypatch, scan):
    """Found reads a page from the newest entries or a tier's own query; whichever it takes, every window of places
    holds the stories that ranking every match would put there. Read with the newest entries wider than the archive,
    narrower than a page, and in between."""
    monkeypatch.setattr(search_module, "SCAN", scan)
    section = make_section(name="Kinh tế", slug="kinh-te")
    for n in range(40):
        where = n % 4
        fields = [
            {"title": f"Cảng Lạch Huyện số {n}"},
            {"title": f"Tin số {n}", "lead": "Cảng Lạch Huyện mở rộng."},
            {"title": f"Tin số {n} về cảng", "lead": "Lạch Huyện."},
            {"title": f"Tin số {n}", "body": "<p>Cảng Lạch Huyện.</p>"},
        ][where]
        story(hours_ago=(n * 7) % 97 + 1, section=section if n % 3 else None, **fields)
    story("Cảng Lạch Huyện, bản nháp", status=Article.Status.DRAFT)
    for words, articles in (
        (["cang", "lach", "huyen"], Article.objects.published()),
        (["lach", "huy"], Article.objects.published().filter(section=section)),
        (["cang"], Article.objects.published()),
    ):
        every = list(search(words, articles).values_list("pk", flat=True))
        assert len(every) > 20
        for start, stop in ((0, 21), (0, 5), (20, 41), (3, 30), (0, 200), (39, 60)):
            found = search_module.Found(articles, words)
            assert found.ids(start, stop) == every[start:stop]
            assert found.count == (len(every) if stop > len(every) else None)


def test_a_search_shows_at_most_max_results(client, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_RESULTS", 40)
    for n in range(45):
        story(f"Cảng số {n}", hours_ago=n + 1)
    last = client.get(SEARCH, {"q": "cang", "trang": "2"})
    assert [a.title for a in last.context["articles"]] == [f"Cảng số {n}" for n in range(20, 40)]
    assert 'rel="next"' not in last.content.decode()
    assert client.get(SEARCH, {"q": "cang", "trang": "3"}).status_code == 404


def test_the_entry_keeps_the_articles_publication_time():
    article = make_article(title="Cầu Rào", status=Article.Status.DRAFT, publish_at=None)
    assert ArticleSearch.objects.get().publish_at is None
    moment = timezone.now() - timedelta(hours=3)
    article.status, article.publish_at = Article.Status.PUBLISHED, moment
    article.save(update_fields=["status", "publish_at"])
    assert ArticleSearch.objects.get().publish_at == moment
    article.publish_at = moment - timedelta(days=1)
    article.save()
    assert ArticleSearch.objects.get().publish_at == moment - timedelta(days=1)


def test_stories_at_one_moment_keep_the_newest_row_first_when_read_from_the_newest_entries(monkeypatch):
    monkeypatch.setattr(search_module, "SCAN", 40)
    moment = timezone.now() - timedelta(hours=1)
    for n in range(25):
        make_article(title=f"Cảng số {n}", publish_at=moment)
    story("Tin thân bài về cảng", body="<p>Cảng.</p>")
    every = list(search(["cang"]).values_list("pk", flat=True))
    for start, stop in ((0, 21), (20, 41), (5, 12)):
        assert search_module.Found(Article.objects.published(), ["cang"]).ids(start, stop) == every[start:stop]


def test_a_save_of_some_fields_indexes_what_the_row_holds_not_a_stale_instance():
    article = make_article(title="Cầu Rào")
    stale = Article.objects.get(pk=article.pk)
    moment = timezone.now() - timedelta(days=2)
    article.publish_at, article.lead = moment, "Sapo mới về cảng"
    article.save()
    stale.title = "Cầu Niệm"
    stale.save(update_fields=["title"])
    entry = ArticleSearch.objects.get()
    assert (entry.title, entry.lead, entry.publish_at) == (" cau niem ", " sapo moi ve cang ", moment)


def test_migration_0013_copies_each_articles_publication_time():
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    moment = timezone.now() - timedelta(hours=5)
    make_article(title="Cầu Rào", publish_at=moment)
    make_article(title="Cầu Niệm", status=Article.Status.DRAFT, publish_at=None)
    ArticleSearch.objects.update(publish_at=timezone.now())  # as it was not there before
    migration = import_module("articles.migrations.0013_search_newest_title_and_head")
    migration.copy_publish_at(apps, SimpleNamespace(connection=connection))
    assert sorted(ArticleSearch.objects.values_list("article__title", "publish_at")) == [
        ("Cầu Niệm", None),
        ("Cầu Rào", moment),
    ]


# Visibility ---------------------------------------------------------------------------------------------


def test_only_live_stories_are_found_and_a_scheduled_one_once_its_time_comes(client, time_machine):
    now = datetime(2024, 4, 4, 6, 0, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    make_article(title="Cảng live", publish_at=now - timedelta(hours=1))
    make_article(title="Cảng nháp", live=False)
    make_article(title="Cảng chờ duyệt", status=Article.Status.REVIEW)
    make_article(title="Cảng lên lịch", status=Article.Status.PUBLISHED, publish_at=now + timedelta(hours=2))
    make_article(
        title="Cảng hết hạn",
        status=Article.Status.PUBLISHED,
        publish_at=now - timedelta(days=2),
        expire_at=now - timedelta(hours=1),
    )
    make_article(title="Cảng gỡ", status=Article.Status.ARCHIVED, publish_at=now - timedelta(days=1))
    assert found(client, "cang") == ["Cảng live"]
    time_machine.move_to(now + timedelta(hours=3), tick=False)
    assert found(client, "cang") == ["Cảng lên lịch", "Cảng live"]


# Filters ------------------------------------------------------------------------------------------------


def test_the_section_filter(client):
    economy, society = make_section(name="Kinh tế", slug="kinh-te"), make_section(name="Xã hội", slug="xa-hoi")
    story("Cảng trong Kinh tế", section=economy)
    story("Cảng trong Xã hội", section=society)
    assert found(client, "cang", chuyen_muc="kinh-te") == ["Cảng trong Kinh tế"]
    assert found(client, "cang", chuyen_muc="") == ["Cảng trong Xã hội", "Cảng trong Kinh tế"]


def test_the_date_filter_counts_whole_days_in_vietnam_time(client):
    # 3 April 23:30 in Vietnam is 16:30 UTC; 4 April 00:30 in Vietnam is 3 April 17:30 UTC.
    make_article(title="Cảng ngày 3", publish_at=datetime(2024, 4, 3, 16, 30, tzinfo=UTC))
    make_article(title="Cảng ngày 4", publish_at=datetime(2024, 4, 3, 17, 30, tzinfo=UTC))
    make_article(title="Cảng ngày 5", publish_at=datetime(2024, 4, 5, 3, 0, tzinfo=UTC))
    assert found(client, "cang", tu_ngay="04/04/2024", den_ngay="04/04/2024") == ["Cảng ngày 4"]
    assert found(client, "cang", tu_ngay="04/04/2024") == ["Cảng ngày 5", "Cảng ngày 4"]
    assert found(client, "cang", den_ngay="03/04/2024") == ["Cảng ngày 3"]
    assert found(client, "cang", tu_ngay="2024-04-05") == ["Cảng ngày 5"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tu_ngay": "31/02/2024"}, "Ngày không hợp lệ"),
        ({"den_ngay": "hôm qua"}, "Ngày không hợp lệ"),
        ({"tu_ngay": "01/01/0001"}, "từ năm 1900 đến năm 2100"),
        ({"den_ngay": "31/12/9999"}, "từ năm 1900 đến năm 2100"),
        ({"tu_ngay": "05/04/2024", "den_ngay": "04/04/2024"}, "Ngày kết thúc phải sau"),
        ({"chuyen_muc": "khong-co"}, "Không có chuyên mục này"),
        ({"chuyen_muc": "<script>alert(1)</script>"}, "Không có chuyên mục này"),
        ({"tu_ngay": "04/04/2024\x00"}, None),
    ],
)
def test_bad_filters_are_a_form_error_on_a_normal_page(client, params, message):
    story("Cảng Đình Vũ")
    response = client.get(SEARCH, {"q": "cang", **params})
    assert response.status_code == 200
    html = response.content.decode()
    if message:
        assert message in html and 'role="alert"' in html
        assert response.context["articles"] == []
    assert "<script>alert(1)</script>" not in html


# The page -----------------------------------------------------------------------------------------------


def test_an_empty_query_shows_the_form_and_nothing_else(client, django_assert_num_queries):
    story("Cảng Đình Vũ")
    for q in ("", "   ", "!!!", "%_"):
        with django_assert_num_queries(1):  # the navigation's sections
            response = client.get(SEARCH, {"q": q})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="q"' in html and 'role="alert"' not in html and "Tìm thấy" not in html
        assert "Không tìm thấy" not in html
    assert client.get(SEARCH).status_code == 200


def test_the_page_keeps_the_query_counts_results_and_is_not_indexed(client):
    story("Hải Phòng mở rộng cảng")
    response = client.get(SEARCH, {"q": "hai phong"})
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert 'value="hai phong"' in html  # in the page's form and in the header's box
    assert "Tìm thấy 1 bài viết cho «hai phong»." in html
    assert response.context["page_links"]["canonical"].endswith("/tim-kiem/?q=hai+phong")


def test_no_results_offers_suggestions(client):
    section = make_section(name="Kinh tế", slug="kinh-te")
    story("Hải Phòng mở rộng cảng")
    html = client.get(SEARCH, {"q": "hai phong", "chuyen_muc": section.slug}).content.decode()
    assert "Không tìm thấy bài viết nào cho «hai phong»." in html
    assert "Gợi ý" in html and 'href="/tim-kiem/?q=hai%20phong"' in html


def test_the_header_has_a_search_box_on_reader_pages(client):
    article = story("Cảng Đình Vũ")
    for url in ("/", article.get_absolute_url(), SEARCH):
        html = client.get(url).content.decode()
        form = re.search(r'<form class="search-box[^>]*>.*?</form>', html, re.DOTALL)[0]
        assert 'role="search"' in form and f'action="{SEARCH}"' in form
        assert '<label class="visually-hidden" for="o-tim-kiem">Tìm kiếm bài viết</label>' in form
        assert 'id="o-tim-kiem" type="search" name="q"' in form


def test_pagination_carries_the_query_and_refuses_pages_that_do_not_exist(client):
    for n in range(25):
        story(f"Cảng số {n}", hours_ago=n + 1)
    first = client.get(SEARCH, {"q": "cang"})
    # The first page reads 21 stories, so it knows of a next page but not how many there are.
    assert len(first.context["articles"]) == 20 and first.context["result_count"] is None
    html = first.content.decode()
    assert "Các bài viết có «cang», bài khớp nhất ở trên." in html and "Tìm thấy" not in html
    assert 'href="?q=cang&amp;trang=2" rel="next"' in html and '<span aria-current="page">Trang 1</span>' in html
    second = client.get(SEARCH, {"q": "cang", "trang": "2"})
    assert [a.title for a in second.context["articles"]] == [f"Cảng số {n}" for n in range(20, 25)]
    html = second.content.decode()
    assert 'href="?q=cang" rel="prev"' in html and "Tìm thấy 25 bài viết cho «cang»." in html
    assert '<span aria-current="page">Trang 2 / 2</span>' in html and 'rel="next"' not in html
    for page in ("3", "0", "-1", "abc", "99999999999999999999", "1e3", "２"):
        assert client.get(SEARCH, {"q": "cang", "trang": page}).status_code == 404


HOSTILE = [
    '"cảng"',
    "' OR 1=1 --",
    "cảng' OR '1'='1",
    "%",
    "_",
    "%%%",
    "\\",
    "cảng\\",
    "&|!():*",
    "cảng & | ! ( ) : *",
    "((cảng",
    "cảng))",
    "<script>alert(1)</script>",
    "cảng\x00",
    "'; DROP TABLE articles_article; --",
    "cảng:*",
    "x" * 10_000,
    "cảng " * 3_000,
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_give_a_normal_page(client, q):
    story("Cảng Đình Vũ")
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    if search_words(q) == ["cang"]:
        assert [a.title for a in response.context["articles"]] == ["Cảng Đình Vũ"]
    assert Article.objects.count() == 1


def test_nul_in_the_address_and_a_huge_query_are_normal_pages(client):
    story("Cảng Đình Vũ")
    for address in ("/tim-kiem/?q=%00", "/tim-kiem/?q=c%00ang", "/tim-kiem/?q=cang%00", "/tim-kiem/?q=%00&trang=1"):
        assert client.get(address).status_code == 200
    response = client.get(SEARCH, {"q": "cảng " + "y" * 10_000})
    assert response.status_code == 200
    assert len(response.context["search_query"]) == 200
    assert client.get("/tim-kiem/?q=cang&trang=%00").status_code == 404


def test_the_script_in_a_query_is_echoed_escaped(client):
    html = client.get(SEARCH, {"q": '<script>alert("x")</script>'}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# Snippets -----------------------------------------------------------------------------------------------


def test_snippets_mark_the_words_found_with_their_accents(client):
    story(
        "Tin về nhân lực",
        lead="Thành phố Hải Phòng cần thêm nguồn nhân lực chất lượng cao.",
        body="<p>Đề án đào tạo <strong>nhân lực</strong> được duyệt.</p>",
    )
    response = client.get(SEARCH, {"q": "hai phong nhan luc"})
    snippet_html = str(response.context["articles"][0].snippet)
    assert snippet_html == (
        "Thành phố <mark>Hải</mark> <mark>Phòng</mark> cần thêm nguồn <mark>nhân</mark> <mark>lực</mark> chất lượng "
        "cao. Đề án đào tạo <mark>nhân</mark> <mark>lực</mark> được duyệt."
    )
    assert '<p class="search-snippet">' + snippet_html in response.content.decode()


def test_the_last_word_is_marked_to_its_end_and_long_texts_are_cut_around_the_first_match():
    text = "Mở đầu dài. " * 40 + "Cảng Đình Vũ đón tàu. " + "Phần cuối. " * 40
    html = str(snippet(text, ["dinh", "v"]))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>Đình</mark> <mark>Vũ</mark>" in html
    assert len(re.sub("<[^>]+>", "", html)) <= 250


def test_snippets_escape_the_article_text():
    html = str(snippet('Cảng <b onclick="x">& "Đình Vũ"', ["cang"]))
    assert html == "<mark>Cảng</mark> &lt;b onclick=&quot;x&quot;&gt;&amp; &quot;Đình Vũ&quot;"


def test_a_match_in_the_title_only_shows_the_start_of_the_lead():
    assert str(snippet("Sapo không có từ ấy.", ["cang"])) == "Sapo không có từ ấy."


# Query budget -------------------------------------------------------------------------------------------


# 30 stories with the words in the title fill the page from the newest entries; one story is read by the query of
# stories with the words in the title or lead, then that of the others, which finds none (BUDGET).
@pytest.mark.parametrize(("count", "queries"), [(1, BUDGET), (30, 4)])
def test_the_results_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count, queries):
    section = make_section(name="Thời sự")
    authors = [make_author(), make_author()]
    for n in range(count):
        make_article(
            title=f"Cảng Đình Vũ số {n}",
            section=section,
            authors=authors,
            organizations=[make_organization()],
            tags=[make_tag()],
        )
    with django_assert_num_queries(queries):
        response = client.get(SEARCH, {"q": "dinh vu", "chuyen_muc": section.slug, "tu_ngay": "01/01/2020"})
    assert response.status_code == 200
    assert len(response.context["articles"]) == min(count, 20)
    assert response.content.decode().count('rel="author"') == 2 * min(count, 20)


def test_a_word_common_in_leads_and_rare_in_titles_reads_the_titles_whole(
    client, django_assert_num_queries, monkeypatch
):
    """Enough stories with the words in the title or lead among the newest entries, too few in the title: those
    are read whole (the stories older than the newest entries included), then the newest with the words in the
    lead fill the page."""
    monkeypatch.setattr(search_module, "SCAN", 30)
    for n in range(25):
        story(f"Tin số {n}", lead="Cảng Đình Vũ", hours_ago=n + 1)
    for n in range(10):
        story(f"Tin khác {n}", hours_ago=30 + n)
    story("Cảng Đình Vũ, bài cũ", hours_ago=500)
    story("Tin thân bài", body="<p>Cảng Đình Vũ</p>", hours_ago=600)
    with django_assert_num_queries(5):  # sections, the newest entries, the titles, the stories, their bylines
        titles = found(client, "cang dinh vu")
    assert titles == ["Cảng Đình Vũ, bài cũ"] + [f"Tin số {n}" for n in range(19)]


def test_each_database_searches_its_own_way(client):
    from django.test.utils import CaptureQueriesContext

    story("Cảng Đình Vũ")
    with CaptureQueriesContext(connection) as queries:
        assert found(client, "dinh vu") == ["Cảng Đình Vũ"]
    # The page's two searching queries after the newest entries: the words in the title or lead, then elsewhere.
    head_sql, body_sql = (q["sql"] for q in queries.captured_queries[2:4])
    if connection.vendor == "postgresql":
        query = "to_tsquery('newsroom_vi'::regconfig, 'dinh & vu:*')"
        columns = '"articles_articlesearch"."title" || "articles_articlesearch"."lead"'
        head = f"to_tsvector('newsroom_vi'::regconfig, {columns})"
        assert f"{head} @@ ({query})" in head_sql and f'"articles_articlesearch"."vector" @@ ({query})' in body_sql
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%search%' ORDER BY 1")
            assert [row[0] for row in cursor.fetchall()] == [
                "article_search_visibility_idx",
                "articles_articlesearch_pkey",
                "articlesearch_head_gin",
                "articlesearch_newest_idx",
                "articlesearch_title_gin",
                "articlesearch_vector_gin",
            ]
            # Each expression the search filters on is read from its own index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            for column, index in (("title", "articlesearch_title_gin"), ("title || lead", "articlesearch_head_gin")):
                words = search_module._Words(*(f"search_entry__{name.strip()}" for name in column.split("||")))
                plan = Article.objects.filter(
                    SearchVectorExact(words, SearchQuery("dinh & vu:*", search_type="raw", config="newsroom_vi"))
                ).explain()
                assert f"Bitmap Index Scan on {index}" in plan
            cursor.execute("SELECT procost FROM pg_proc WHERE proname = 'ts_match_vq'")
            assert cursor.fetchone()[0] == 100
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'articles_articlesearch'")
            assert cursor.fetchone()[0] == ["toast_tuple_target=512"]
    else:
        assert "@@" not in head_sql and "LIKE '% dinh %'" in head_sql and "LIKE '% vu%'" in body_sql


def test_the_search_benchmark_makes_indexed_articles_and_times_searches():
    out, err = StringIO(), StringIO()
    # The demo's organisation, which the benchmark articles link to by name.
    city = make_organization(
        name="Ủy ban nhân dân thành phố Hải Phòng", short_name="UBND TP", aliases="UBND thành phố Hải Phòng"
    )
    call_command("bench", "--search", "--search-articles", "30", "--search-runs", "2", stdout=out, stderr=err)
    assert "30/30 articles" in err.getvalue()
    for label in ("common phrase", "rare word", "2 words, filters", "db p50", "page p95", "Python speed:"):
        assert label in out.getvalue()
    made = Article.objects.filter(slug__startswith="bench-search-").select_related("search_entry")
    assert made.count() == 30
    # The benchmark folds word by word for speed: its rows must be what the index itself would write.
    for article in made:
        entry, written = article.search_entry, search_index.index_rows(Article, [article])[0]
        assert (entry.title, entry.lead) == (fold_for_index(article.title), fold_for_index(article.lead))
        assert (entry.title, entry.lead, entry.rest) == (written.title, written.lead, written.rest)
    # Its links' names included, the organisations' short names and aliases too.
    call_command("bench", "--search", "--search-articles", "400", "--search-runs", "2", stdout=out, stderr=err)
    linked = Article.objects.filter(organizations=city).select_related("search_entry")
    assert linked.exists()
    for article in linked:
        assert article.search_entry.rest == search_index.index_rows(Article, [article])[0].rest
        assert " ubnd tp " in article.search_entry.rest
    call_command("bench", "--search", "--search-articles", "30", "--search-runs", "2", stdout=out, stderr=err)
    assert "400 benchmark articles already in the database." in err.getvalue()
    assert made.all().count() == 400


def test_a_save_of_other_fields_leaves_the_entry_and_a_save_of_the_title_updates_it(django_assert_num_queries):
    article = make_article(title="Cầu Rào")
    article.status = Article.Status.ARCHIVED
    with django_assert_num_queries(2):  # the UPDATE and Article.save()'s look at the body's photos
        article.save(update_fields=["status"])
    article.title = "Cầu Niệm"
    article.save(update_fields=["title"])
    assert ArticleSearch.objects.get().title == " cau niem "
