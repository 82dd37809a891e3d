"""The article page from what save time stored (articles/pages.py): its query budget, and that what it stored is
made again whenever what it shows changes. The page cache is off in tests (tests/conftest.py), so every request
here is drawn afresh."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles import pages
from articles.corrections import article_correct
from articles.models import Article, ArticleAuthor
from photos import pipeline
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user("bientap", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Biên tập viên"))
    return get_user_model().objects.get(pk=user.pk)


def figure(photo):
    return f'<figure><img src="{photo.get_absolute_url()}" alt=""><figcaption>cũ</figcaption></figure>'


@pytest.fixture
def story():
    """A live story with two body photos, three authors, two organisations, two tags and a section."""
    first, second = make_photo(caption="Chú thích một"), make_photo(caption="Chú thích hai")
    return make_article(
        title="Cảng biển mở rộng",
        section=make_section(),
        body=f"<p>Mở đầu.</p>{figure(first)}<p>Giữa.</p>{figure(second)}<p>Kết.</p>",
        authors=[make_author(name="Lê Minh"), make_author(name="Trần An"), make_author(name="Phạm Hà")],
        organizations=[make_organization(name="Hội Cảng biển"), make_organization(name="Sở Giao thông")],
        tags=[make_tag(name="Cảng"), make_tag(name="Giao thông")],
    )


def test_the_article_page_costs_at_most_four_queries_with_photos_names_and_corrections(
    client, story, editor, django_assert_num_queries
):
    make_article(title="Tin cùng từ khóa", tags=list(story.tags.all()))
    # Itself (with the stored page), related stories and the sections.
    with django_assert_num_queries(3):
        response = client.get(story.get_absolute_url())
    assertContains(response, "Chú thích một")
    assertContains(response, "Chú thích hai")
    assertContains(response, "Lê Minh</a>, <a", count=1)
    assertContains(response, "Phạm Hà")
    assertContains(response, "Hội Cảng biển")
    assertContains(response, 'rel="tag">Giao thông</a>')
    assertContains(response, "Tin cùng từ khóa")
    article_correct(article=story, by=editor, text="Sửa tên cảng.")
    # And its corrections, once it has any.
    with django_assert_num_queries(4):
        response = client.get(story.get_absolute_url())
    assertContains(response, "Sửa tên cảng.")


def test_the_home_page_query_count(client, story, django_assert_num_queries):
    for _ in range(15):  # more than the top of the page holds: the section's block shows the rest
        make_article(section=story.section, authors=[story.authors.first()])
    # The newest stories, the lead's byline (no other card shows one), the section blocks and the sections.
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200


def test_the_stored_page_is_what_the_live_rendering_draws(client, story):
    stored = client.get(story.get_absolute_url()).content
    Article.objects.filter(pk=story.pk).update(page_data={})  # nothing stored: drawn from the body and relations
    assert client.get(story.get_absolute_url()).content == stored


def test_a_photo_caption_edited_shows_on_the_page(client, story):
    photo = story.body_photos.order_by("pk").first()
    photo.caption = "Chú thích đã sửa"
    photo.save()
    response = client.get(story.get_absolute_url())
    assertContains(response, "Chú thích đã sửa")
    assertNotContains(response, "Chú thích một")


def test_new_renditions_written_by_the_pipeline_show_on_the_page(client, story):
    photo = story.body_photos.order_by("pk").first()
    before = photo.rendition("w", "jpeg").url
    photo.focal_x, photo.focal_y = 0.1, 0.9
    photo.save()
    pipeline.make_renditions(photo)
    photo.refresh_from_db()
    response = client.get(story.get_absolute_url())
    assertContains(response, photo.rendition("w", "jpeg").url)
    if photo.rendition("w", "jpeg").url != before:
        assertNotContains(response, before)


def test_a_deleted_photo_leaves_the_page(client, story):
    photo = story.body_photos.order_by("pk").first()
    url = photo.rendition("w", "jpeg").url
    photo.delete()
    response = client.get(story.get_absolute_url())
    assertNotContains(response, url)
    assertNotContains(response, "Chú thích một")
    assertContains(response, "Chú thích hai")


def test_an_author_renamed_shows_in_the_byline(client, story):
    author = story.authors.get(name="Trần An")
    author.name = "Trần Văn An"
    author.save()
    response = client.get(story.get_absolute_url())
    assertContains(response, f'<a href="{author.get_absolute_url()}" rel="author">Trần Văn An</a>', html=True)


def test_an_author_added_to_the_byline_shows(client, story):
    ArticleAuthor.objects.create(article=story, author=make_author(name="Đỗ Mai"), position=9)
    assertContains(client.get(story.get_absolute_url()), "Đỗ Mai")


def test_an_organisation_renamed_or_given_a_new_address_shows(client, story):
    organization = story.organizations.get(name="Hội Cảng biển")
    organization.name, organization.slug = "Hội Cảng biển Hải Phòng", "hoi-cang-bien-hp"
    organization.save()
    response = client.get(story.get_absolute_url())
    assertContains(response, '<a href="/to-chuc/hoi-cang-bien-hp/">Hội Cảng biển Hải Phòng</a>', html=True)


def test_a_tag_renamed_removed_or_deleted_shows(client, story):
    port, traffic = story.tags.get(name="Cảng"), story.tags.get(name="Giao thông")
    port.name = "Cảng biển"
    port.save()
    traffic.delete()
    response = client.get(story.get_absolute_url())
    assertContains(response, 'rel="tag">Cảng biển</a>')
    assertNotContains(response, 'rel="tag">Giao thông')
    story.tags.clear()
    assertNotContains(client.get(story.get_absolute_url()), 'rel="tag"')


def test_a_body_edit_shows(client, story):
    story.body = "<p>Thân bài mới, không ảnh.</p>"
    story.save()
    response = client.get(story.get_absolute_url())
    assertContains(response, "Thân bài mới, không ảnh.")
    assertNotContains(response, "Chú thích một")


def test_a_story_published_later_sharing_a_tag_appears_in_related_and_an_expired_one_leaves(client, story):
    tag = story.tags.get(name="Cảng")
    now = timezone.now()
    later = make_article(
        title="Tin lên sau", tags=[tag], status=Article.Status.PUBLISHED, publish_at=now + timedelta(hours=1)
    )
    expiring = make_article(title="Tin sắp gỡ", tags=[tag], expire_at=now + timedelta(hours=2))
    response = client.get(story.get_absolute_url())
    assertNotContains(response, later.title)
    assertContains(response, expiring.title)
    with time_machine.travel(now + timedelta(hours=3)):
        response = client.get(story.get_absolute_url())
    assertContains(response, later.title)
    assertNotContains(response, expiring.title)


@pytest.mark.parametrize("field", ["page_body", "body"])
def test_a_row_written_around_save_never_shows_readers_a_script(client, story, field):
    # update() and raw SQL skip save(): neither a stored page nor a body written that way reaches readers as is.
    Article.objects.filter(pk=story.pk).update(**{field: '<p>Bị sửa.</p><script>alert("x")</script>'})
    response = client.get(story.get_absolute_url())
    assertNotContains(response, "<script>alert")
    if field == "body":
        assertContains(response, "<p>Bị sửa.</p>", html=True)  # the new body, sanitised as it is shown


def test_a_forged_signature_is_not_trusted(story):
    story.page_body = "<script>alert(1)</script>"
    story.page_data = {**story.page_data, "sig": pages.signature(story.body, "<p>other</p>")}
    assert "<script>" not in pages.shown(story).body


def test_the_migration_fills_existing_rows_in_batches(story, django_assert_max_num_queries):
    Article.objects.update(page_body="", page_data={})
    # The articles, their bylines, authors, organisations, tags and photos, and the update in its savepoint.
    with django_assert_max_num_queries(9):
        assert pages.refresh_all(Article) == Article.objects.count()
    assert Article.objects.get(pk=story.pk).page_data["sig"]


def test_reading_time_comes_from_the_stored_page(client, story):
    story.refresh_from_db()
    story.page_data["minutes"] = 7
    story.page_data["sig"] = pages.signature(story.body, story.page_body)
    Article.objects.filter(pk=story.pk).update(page_data=story.page_data)
    assertContains(client.get(story.get_absolute_url()), "<span>7 phút đọc</span>", html=True)
