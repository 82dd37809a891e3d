"""The admin's article and photo search fold accents and case as the site's search does."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article
from tests.factories import make_article, make_author, make_organization, make_photo, make_section

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:articles_article_changelist")
PHOTOS = reverse("admin:photos_photo_changelist")


def staff_client(client, username, group):
    user = get_user_model().objects.create_user(username, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


@pytest.fixture
def editor_client(client, newsroom_groups):
    staff_client(client, "bientap", "Biên tập viên")
    return client


def listed(response):
    assert response.status_code == 200
    return sorted(article.title for article in response.context["cl"].result_list)


@pytest.mark.parametrize("q", ["hai phong", "HẢI PHÒNG", "Hải Phòng", "hai pho", "hải  phòng"])
def test_the_article_search_ignores_accents_and_case(editor_client, q):
    make_article(title="Hải Phòng mở rộng cảng")
    make_article(title="Hà Nội mở rộng đường", live=False)
    assert listed(editor_client.get(ARTICLES, {"q": q})) == ["Hải Phòng mở rộng cảng"]


def test_the_article_search_finds_drafts_bodies_authors_and_organisations(editor_client):
    make_article(title="Bản nháp", live=False, body="<p>Cảng Đình Vũ</p>")
    make_article(title="Tin tác giả", authors=[make_author(name="Phạm Thu Hà")])
    make_article(title="Tin tổ chức", organizations=[make_organization(name="Sở Giáo dục và Đào tạo")])
    assert listed(editor_client.get(ARTICLES, {"q": "dinh vu"})) == ["Bản nháp"]
    assert listed(editor_client.get(ARTICLES, {"q": "thu ha"})) == ["Tin tác giả"]
    assert listed(editor_client.get(ARTICLES, {"q": "giao duc dao tao"})) == ["Tin tổ chức"]


def test_the_article_search_works_with_the_other_filters(editor_client):
    section = make_section(name="Kinh tế")
    make_article(title="Hải Phòng, đã đăng", section=section)
    make_article(title="Hải Phòng, bản nháp", section=section, live=False)
    make_article(title="Hải Phòng, mục khác")
    response = editor_client.get(ARTICLES, {"q": "hai phong", "status": Article.Status.DRAFT})
    assert listed(response) == ["Hải Phòng, bản nháp"]
    response = editor_client.get(ARTICLES, {"q": "hai phong", "section__id__exact": section.pk})
    assert listed(response) == ["Hải Phòng, bản nháp", "Hải Phòng, đã đăng"]
    assert response.context["cl"].full_result_count == 3


@pytest.mark.parametrize("q", ["%", "_", "\\", "' OR 1=1 --", "&|!():*", "<script>", "x" * 5000])
def test_hostile_admin_searches_are_normal_pages(editor_client, q):
    make_article(title="Hải Phòng")
    response = editor_client.get(ARTICLES, {"q": q})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<body", 1)[1].replace("<script ", "")


def test_a_reporter_still_finds_only_their_own_stories(client, newsroom_groups):
    user = staff_client(client, "phongvien", "Phóng viên")
    make_article(title="Hải Phòng, của mình", live=False, created_by=user)
    make_article(title="Hải Phòng, của người khác", live=False)
    assert listed(client.get(ARTICLES, {"q": "hai phong"})) == ["Hải Phòng, của mình"]


def test_the_photo_search_ignores_accents_and_case(editor_client):
    make_photo(caption="Cảng Hải Phòng lúc bình minh")
    make_photo(caption="Hà Nội về đêm")
    for q in ("hai phong", "HẢI PHÒNG", "cang hai"):
        response = editor_client.get(PHOTOS, {"q": q})
        assert response.status_code == 200
        assert [photo.caption for photo in response.context["cl"].result_list] == ["Cảng Hải Phòng lúc bình minh"]
