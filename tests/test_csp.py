"""The Content-Security-Policy: one strict policy for reader pages and the admin, read off the HTTP header.

tests/test_csp_browser.py proves in Chromium that the pages and the prose editor work under it.
"""

import re

import pytest

from tests.factories import make_article, make_organization, make_photo, make_section

# The policy, written out: a change to it must change this test. The prose editor injects one fixed
# <style> block (Tiptap's base CSS for ProseMirror); its hash is the only non-'self' style source.
EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>", re.I)


def policy(response):
    """The header as {directive: [sources]}: django-csp writes the directives in no fixed order."""
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";")]
    policy = {name: sources for name, *sources in directives}
    assert len(policy) == len(directives), f"a directive is repeated: {header}"
    return policy


@pytest.fixture
def story():
    section = make_section(name="Giáo dục", slug="giao-duc")
    return make_article(
        title="Hải Phòng đặt hàng đào tạo nhân lực",
        section=section,
        featured_photo=make_photo(),
        organizations=[make_organization(name="Hội Khoa học", slug="hoi-khoa-hoc")],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_reader_pages_carry_the_policy(client, settings, story, debug):
    settings.DEBUG = debug
    for url in ("/", "/chuyen-muc/giao-duc/", story.get_absolute_url(), "/to-chuc/hoi-khoa-hoc/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == EXPECTED, url


@pytest.mark.django_db
def test_the_reader_404_carries_the_policy_in_production(client):
    response = client.get("/bai-viet/khong-co-bai-nay/")
    assert response.status_code == 404
    assert policy(response) == EXPECTED


@pytest.mark.django_db
def test_admin_pages_carry_the_policy(client, admin_client):
    assert policy(client.get("/admin/login/")) == EXPECTED
    for url in ("/admin/", "/admin/articles/article/", "/admin/photos/photo/add/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == EXPECTED, url


@pytest.mark.django_db
def test_the_article_form_runs_the_editors_import_map_by_a_nonce_of_its_own(admin_client):
    """The one inline script is django-prose-editor's <script type="importmap">: it carries this
    response's nonce, and the nonce is new on every response."""
    nonces = []
    for _ in range(2):
        response = admin_client.get("/admin/articles/article/add/")
        assert response.status_code == 200
        found = policy(response)
        assert found.keys() == EXPECTED.keys()
        assert {k: v for k, v in found.items() if k != "script-src"} == {
            k: v for k, v in EXPECTED.items() if k != "script-src"
        }
        assert found["script-src"][0] == "'self'"
        assert len(found["script-src"]) == 2
        nonce = re.fullmatch(r"'nonce-([A-Za-z0-9+/=]{24})'", found["script-src"][1]).group(1)
        html = response.content.decode()
        inline = [attrs for attrs in INLINE_SCRIPT.findall(html) if "application/json" not in attrs]
        assert inline == [f' type="importmap" nonce="{nonce}"'] or inline == [f' nonce="{nonce}" type="importmap"']
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_no_page_allows_inline_script_or_eval(client, admin_client, story):
    for response in (
        client.get("/"),
        client.get(story.get_absolute_url()),
        client.get("/admin/login/"),
        admin_client.get("/admin/articles/article/add/"),
        admin_client.get(f"/admin/articles/article/{story.pk}/change/"),
    ):
        sources = policy(response)["script-src"]
        assert "'unsafe-inline'" not in sources
        assert "'unsafe-eval'" not in sources
        assert "'unsafe-hashes'" not in sources
        assert "'strict-dynamic'" not in sources


@pytest.mark.django_db
def test_pages_have_no_inline_handlers_or_style_attributes(client, admin_client, story):
    """What the policy would block, caught in the HTML: on*="…" handlers and style="…" attributes."""
    pages = {
        "/": client,
        story.get_absolute_url(): client,
        "/admin/login/": client,
        "/admin/": admin_client,
        "/admin/articles/article/": admin_client,
        "/admin/articles/article/add/": admin_client,
        f"/admin/articles/article/{story.pk}/change/": admin_client,
        "/admin/photos/photo/add/": admin_client,
    }
    for url, who in pages.items():
        html = who.get(url).content.decode()
        assert not re.findall(r"<[^>]*\son[a-z]+\s*=", html, re.I), url
        assert not re.findall(r"<[^>]*\sstyle\s*=", html, re.I), url
        assert "<style" not in html, url
