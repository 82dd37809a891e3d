"""The pieces reader pages repeat, drawn in Python (articles/templatetags/stories.py): what they write, and that
whatever a row holds reaches the reader's browser escaped."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.templatetags.stories import byline, dateline, latest_list, story_card
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def test_the_dateline_is_vietnam_time_in_the_house_format_with_an_iso_datetime():
    article = make_article(publish_at=datetime(2024, 4, 4, 6, 33, tzinfo=UTC))
    assert dateline(article) == '<time datetime="2024-04-04T13:33:00+07:00">04/04/2024 13:33</time>'


def test_the_dateline_shows_a_later_update_only_when_asked():
    article = make_article(publish_at=datetime(2024, 4, 4, 6, 33, tzinfo=UTC))
    Article.objects.filter(pk=article.pk).update(modified_at=datetime(2024, 4, 5, 1, 0, tzinfo=UTC))
    article.refresh_from_db()
    assert "Cập nhật" not in dateline(article)
    assert dateline(article, show_updated=True).endswith(
        '<span class="updated">Cập nhật <time datetime="2024-04-05T08:00:00+07:00">05/04/2024 08:00</time></span>'
    )


def test_a_story_not_yet_dated_has_no_dateline():
    assert dateline(make_article(live=False)) == ""


@pytest.mark.parametrize(
    ("names", "shown"),
    [
        (["An"], "An"),
        (["An", "Bình"], "An và Bình"),
        (["An", "Bình", "Chi"], "An, Bình và Chi"),
    ],
)
def test_the_byline_names_every_author_in_order_linked_to_their_pages(names, shown):
    authors = [make_author(name=name) for name in names]
    article = Article.objects.with_listing_data().get(pk=make_article(authors=authors).pk)
    html = byline(article)
    for author in authors:
        assert f'<a href="{author.get_absolute_url()}" rel="author">{author.name}</a>' in html
    assert Template("{{ html|striptags }}").render(Context({"html": html})) == shown


def test_a_free_text_byline_comes_before_the_authors_and_is_escaped():
    article = make_article(byline=SCRIPT, authors=[make_author(name="An")])
    html = byline(article)
    assert "<script>" not in html and "&lt;script&gt;" in html and "An" not in html


def test_a_card_escapes_everything_the_row_holds():
    section = make_section(name=SCRIPT)
    article = make_article(title=SCRIPT, lead=SCRIPT, byline=SCRIPT, section=section)
    html = story_card(article, show_section=True, show_lead=True, show_byline=True)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 4


def test_a_card_with_every_part():
    section = make_section(name="Thời sự")
    article = make_article(title="Tin Hải Phòng", lead="một " * 50, section=section, byline="Minh Anh")
    html = story_card(article, variant="row", level="h2", show_section=True, show_lead=True, show_byline=True)
    assert html.startswith('<article class="card card--row">')
    assert f'<a class="kicker" href="{section.get_absolute_url()}">Thời sự</a>' in html
    assert f'<h2 class="card__title"><a href="{article.get_absolute_url()}">Tin Hải Phòng</a></h2>' in html
    assert '<p class="card__lead">' + "một " * 39 + "một …</p>" in html
    assert '<span class="authors">Minh Anh</span>' in html
    # Without the options, none of those parts.
    plain = story_card(article)
    assert "kicker" not in plain and "card__lead" not in plain and "authors" not in plain and "<h3" in plain


def test_a_card_refuses_a_heading_level_outside_the_outline():
    article = make_article()
    for level in ("h1", "script", "h3 onclick=x"):
        with pytest.raises(TemplateSyntaxError):
            story_card(article, level=level)


def test_cards_in_a_template_take_their_options_and_wrap_each_in_a_list_item():
    articles = [make_article(title=f"Bài {n}") for n in range(3)]
    html = Template('{% load stories %}{% story_cards articles level="h2" %}').render(Context({"articles": articles}))
    assert html.count("<li><article") == 3 and html.count("</article></li>") == 3
    assert html.count('<h2 class="card__title">') == 3


def test_the_latest_list_asks_nothing_more_of_the_database_and_escapes():
    articles = list(Article.objects.with_card_data().filter(pk=make_article(title=SCRIPT, section=make_section()).pk))
    with CaptureQueriesContext(connection) as queries:
        html = latest_list(articles)
    assert len(queries) == 0
    assert "<script>" not in html and "&lt;script&gt;" in html and html.count("<li>") == 1


def test_a_story_that_shares_nothing_asks_for_no_related_stories():
    article = Article.objects.with_page_data().get(pk=make_article().pk)
    with CaptureQueriesContext(connection) as queries:
        assert Article.objects.related_to(article) == []
    assert len(queries) == 0
