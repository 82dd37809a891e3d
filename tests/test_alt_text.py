"""A photo on a live article has alt text: the services refuse otherwise, the admin form says so, and the article
list finds the live stories that still lack it (articles/services.py check_alt_text, articles/admin.py)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pytest_django.asserts import assertContains, assertNotContains

from articles import services
from articles.models import Article, ArticleEvent
from tests.factories import make_article, make_photo
from tests.test_admin import ARTICLES, article_form_data, change_form_data

pytestmark = pytest.mark.django_db

Status = Article.Status
MESSAGE = "A photo on a live article needs alt text, a short description for blind readers. Add it to: %(photos)s"


def named(*photos):
    return _(MESSAGE) % {"photos": ", ".join(f"“{photo}” (#{photo.pk})" for photo in photos)}


def figure(photo):
    return f'<figure><img src="{photo.get_absolute_url()}" alt=""></figure>'


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user("bientap", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Biên tập viên"))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def draft(**kwargs):
    return make_article(live=False, status=Status.REVIEW, **kwargs)


def refusal(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict[NON_FIELD_ERRORS]


# The services ----------------------------------------------------------------


def test_publishing_is_refused_naming_every_photo_without_alt_text(editor):
    featured = make_photo(caption="Lễ khai mạc", alt_text="")
    in_body = make_photo(caption="Toàn cảnh hội trường", alt_text="  ")  # blank is no description
    described = make_photo(caption="Diễn giả", alt_text="Diễn giả phát biểu")
    article = draft(featured_photo=featured, body=f"<p>Đoạn.</p>{figure(described)}{figure(in_body)}")

    assert refusal(lambda: services.article_publish(article=article, by=editor)) == [named(featured, in_body)]

    stored = Article.objects.get(pk=article.pk)
    assert stored.status == Status.REVIEW and stored.publish_at is None
    assert not ArticleEvent.objects.filter(article=article).exists()


def test_scheduling_is_refused_the_same_way(editor):
    photo = make_photo(caption="Cảng Lạch Huyện", alt_text="")
    article = draft(body=figure(photo))
    later = timezone.now() + timedelta(hours=2)

    assert refusal(lambda: services.article_schedule(article=article, by=editor, publish_at=later)) == [named(photo)]
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_with_alt_text_everywhere_the_story_goes_live(editor):
    photo = make_photo(alt_text="Tàu container cập cảng")
    article = draft(featured_photo=photo, body=figure(make_photo(alt_text="Cần cẩu")))
    services.article_publish(article=article, by=editor)
    assert Article.objects.get(pk=article.pk).is_live


def test_a_missing_file_still_needs_its_alt_text_before_it_appears(editor):
    # A photo kept without its file shows up by itself once the file comes: it is checked now.
    waiting = make_photo(with_image=False, caption="Ảnh chờ tệp", alt_text="")
    article = draft(body=figure(waiting))
    assert refusal(lambda: services.article_publish(article=article, by=editor)) == [named(waiting)]


def test_an_edit_that_adds_a_photo_to_a_live_story_is_refused(editor):
    article = make_article(body="<p>Đoạn.</p>")
    photo = make_photo(caption="Ảnh mới", alt_text="")

    article.featured_photo = photo
    assert refusal(lambda: services.article_save(article=article, by=editor)) == [named(photo)]
    article.featured_photo = None
    article.body = f"<p>Đoạn.</p>{figure(photo)}"
    assert refusal(lambda: services.article_save(article=article, by=editor)) == [named(photo)]
    assert Article.objects.get(pk=article.pk).body == "<p>Đoạn.</p>"

    photo.alt_text = "Người dân xếp hàng"
    photo.save()
    services.article_save(article=article, by=editor)
    assert Article.objects.get(pk=article.pk).body_photos.get() == photo


def test_a_correction_to_a_live_story_is_not_held_up_by_an_older_photo(editor):
    old = make_photo(caption="Ảnh cũ", alt_text="")
    article = make_article(featured_photo=old, body="<p>Có lỗi chính tả.</p>")
    article.body = "<p>Đã sửa lỗi chính tả.</p>"
    services.article_save(article=article, by=editor)
    assert Article.objects.get(pk=article.pk).body == "<p>Đã sửa lỗi chính tả.</p>"


def test_a_draft_or_an_expired_story_may_hold_a_photo_without_alt_text(editor):
    photo = make_photo(alt_text="")
    story = draft()
    story.featured_photo = photo
    services.article_save(article=story, by=editor)
    now = timezone.now()
    expired = make_article(publish_at=now - timedelta(days=2), expire_at=now - timedelta(days=1))
    expired.featured_photo = photo
    services.article_save(article=expired, by=editor)
    assert Article.objects.filter(featured_photo=photo).count() == 2


def test_bringing_an_expired_story_back_checks_all_its_photos(editor):
    photo = make_photo(caption="Ảnh bài hết hạn", alt_text="")
    now = timezone.now()
    article = make_article(featured_photo=photo, publish_at=now - timedelta(days=2), expire_at=now - timedelta(days=1))
    article.expire_at = None
    assert refusal(lambda: services.article_save(article=article, by=editor)) == [named(photo)]


# The admin -------------------------------------------------------------------


def test_the_change_form_shows_the_refusal_as_a_form_error(editor_client):
    photo = make_photo(caption="Đại biểu dự lễ", alt_text="")
    article = draft(featured_photo=photo)
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = editor_client.post(url, change_form_data(article, status=Status.PUBLISHED, featured_photo=str(photo.pk)))

    assert response.status_code == 200
    assertContains(response, '<p class="errornote">')
    assertContains(response, f'<ul class="errorlist nonfield"><li>{named(photo)}</li></ul>', html=True)
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_saving_a_live_story_with_a_new_photo_lacking_alt_text_is_a_form_error(editor_client):
    article = make_article(title="Tin đang đăng")
    photo = make_photo(caption="Ảnh chưa mô tả", alt_text="")
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = editor_client.post(url, change_form_data(article, featured_photo=str(photo.pk)))

    assert response.status_code == 200
    assertContains(response, named(photo))
    assert Article.objects.get(pk=article.pk).featured_photo is None

    photo.alt_text = "Lãnh đạo thành phố cắt băng"
    photo.save()
    response = editor_client.post(url, change_form_data(article, featured_photo=str(photo.pk)))
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).featured_photo == photo


def test_a_new_article_published_from_the_add_form_is_checked_too(editor_client):
    photo = make_photo(caption="Ảnh bài mới", alt_text="")
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_form_data(
            title="Bài mới có ảnh", status=Status.PUBLISHED, publish_at=timezone.now(), featured_photo=str(photo.pk)
        ),
    )
    assert response.status_code == 200
    assertContains(response, named(photo))
    assert not Article.objects.filter(title="Bài mới có ảnh").exists()


def test_the_publish_button_reports_the_refusal_and_changes_nothing(editor_client):
    photo = make_photo(caption="Ảnh nút đăng", alt_text="")
    article = draft(body=figure(photo))
    response = editor_client.post(
        reverse("admin:articles_article_workflow", args=[article.pk, ArticleEvent.Kind.PUBLISH]), follow=True
    )
    assert response.status_code == 200
    assertContains(response, named(photo))
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_the_article_list_filters_live_stories_lacking_alt_text(editor_client):
    bare, described = make_photo(alt_text=""), make_photo(alt_text="Mô tả đủ")
    now = timezone.now()
    live_featured = make_article(title="Đang đăng, ảnh đại diện thiếu", featured_photo=bare)
    live_body = make_article(title="Đang đăng, ảnh trong bài thiếu", body=figure(bare))
    make_article(title="Đang đăng, đủ mô tả", featured_photo=described, body=figure(described))
    make_article(title="Nháp thiếu mô tả", live=False, featured_photo=bare)
    make_article(title="Hết hạn", featured_photo=bare, publish_at=now - timedelta(days=2), expire_at=now - timedelta(1))
    make_article(title="Hẹn giờ", featured_photo=bare, publish_at=now + timedelta(hours=3))

    everything = editor_client.get(ARTICLES)
    assertContains(everything, "?thieu_mo_ta_anh=1")
    response = editor_client.get(ARTICLES, {"thieu_mo_ta_anh": "1"})

    assert response.status_code == 200
    assert {article.pk for article in response.context["cl"].result_list} == {live_featured.pk, live_body.pk}
    assertNotContains(response, "Đang đăng, đủ mô tả")


@pytest.mark.parametrize("value", ["0", "2", "<script>alert(1)</script>", "1" * 5000])
def test_any_other_value_of_the_filter_lists_everything_and_breaks_nothing(editor_client, value):
    make_article(featured_photo=make_photo(alt_text=""))
    make_article()
    response = editor_client.get(ARTICLES, {"thieu_mo_ta_anh": value})
    assert response.status_code in (200, 302)
    assert b"<script>alert(1)</script>" not in response.content
