"""Pages name themselves by the configured site address (settings.SITE_URL), never by the Host header.

A request through another name the site answers to (a mirror, the load balancer's own name) must not make
the canonical link, og:url, JSON-LD or share links claim that name. Previews, including share-link pages,
name no address at all.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from pytest_django.asserts import assertContains, assertNotContains

from articles import sharing
from tests.factories import make_article, make_author, make_organization, make_section, make_tag

pytestmark = pytest.mark.django_db

SITE = "https://news.example.vn"
OTHER = "mirror.example.net"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", OTHER]


@pytest.fixture
def story():
    section = make_section(name="Kinh tế")
    return make_article(
        title="Cảng mở tuyến mới",
        section=section,
        authors=[make_author(name="Lê Minh")],
        tags=[make_tag(name="Cảng biển")],
        organizations=[make_organization(name="Cảng Hải Phòng")],
    )


def editor():
    user = get_user_model().objects.create_user("bientap", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Biên tập viên"))
    return get_user_model().objects.get(pk=user.pk)


def test_an_article_asked_for_by_another_host_names_the_site_address(client, story):
    path = story.get_absolute_url()
    response = client.get(path, {"utm_source": "zalo"}, HTTP_HOST=OTHER)

    assert response.status_code == 200
    assertContains(response, f'<link rel="canonical" href="{SITE}{path}">', count=1, html=True)
    assertContains(response, f'<meta property="og:url" content="{SITE}{path}">', count=1, html=True)
    assertContains(response, f'"url":"{SITE}{path}"')
    assertContains(response, "https%3A%2F%2Fnews.example.vn%2Fbai-viet%2Fcang-mo-tuyen-moi%2F")  # share links
    assertNotContains(response, OTHER)
    assertNotContains(response, "utm_source")


@pytest.mark.parametrize("kind", ["home", "section", "tag", "author", "organization", "corrections"])
def test_listings_asked_for_by_another_host_name_the_site_address(client, story, kind):
    for _ in range(20):
        make_article(section=story.section, tags=story.tags.all(), authors=story.authors.all())
        make_article(organizations=story.organizations.all())
    path = {
        "home": "/",
        "section": story.section.get_absolute_url(),
        "tag": story.tags.get().get_absolute_url(),
        "author": story.authors.get().get_absolute_url(),
        "organization": story.organizations.get().get_absolute_url(),
        "corrections": "/dinh-chinh/",
    }[kind]
    response = client.get(path, HTTP_HOST=OTHER)

    assert response.status_code == 200
    assertContains(response, f'<link rel="canonical" href="{SITE}{path}">', count=1, html=True)
    assertContains(response, f'<meta property="og:url" content="{SITE}{path}">', html=True)
    if kind in {"section", "tag", "author", "organization"}:
        assertContains(response, f'<link rel="next" href="{SITE}{path}?trang=2">', html=True)
        second = client.get(path, {"trang": 2}, HTTP_HOST=OTHER)
        assertContains(second, f'<link rel="canonical" href="{SITE}{path}?trang=2">', html=True)
        assertContains(second, f'<link rel="prev" href="{SITE}{path}">', html=True)
        assertNotContains(second, OTHER)
    assertNotContains(response, OTHER)


def test_a_share_link_page_names_no_address_and_is_not_indexed(client):
    draft = make_article(title="Bản nháp gửi nguồn tin", live=False)
    link = sharing.share_link_create(article=draft, by=editor(), recipient="Luật sư")
    response = client.get(f"/xem-truoc/{sharing.token_for(link)}/", HTTP_HOST=OTHER)

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
    assertNotContains(response, 'rel="canonical"')
    assertNotContains(response, "og:")
    assertNotContains(response, "twitter:")
    assertNotContains(response, "application/ld+json")
    assertNotContains(response, 'class="share"')
    assertNotContains(response, "share.js")
    assertNotContains(response, sharing.token_for(link))  # the secret address is named nowhere on the page


def test_a_staff_preview_has_no_share_links_or_structured_data(client):
    client.force_login(editor())
    draft = make_article(title="Bài chờ duyệt", live=False)
    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
    assertNotContains(response, "og:")
    assertNotContains(response, "application/ld+json")
    assertNotContains(response, 'class="share"')
