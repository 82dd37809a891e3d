"""Share links on a story: plain links to Facebook's, Zalo's and X's share pages and a copy button.

Nothing from those networks is on the page: no script, iframe, image, font or cookie, and the browser asks
no other host for anything until a reader clicks.
"""

import base64
import json
import os
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from pytest_django.asserts import assertContains

from articles.templatetags.seo import share_targets
from tests.conftest import CHROMIUM
from tests.factories import make_article, make_author, make_photo, make_section

SITE = "https://news.example.vn"
HOSTILE = 'Giá "tăng" 5% & </script><script>alert(1)</script> #tin ?a=b'


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE


class Links(HTMLParser):
    """The share block's <a> and <button> elements with their attributes and text."""

    def __init__(self):
        super().__init__()
        self.inside, self.items, self.current = 0, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("class") == "share":
            self.inside = 1
        elif self.inside and tag in {"a", "button"}:
            self.current = {"tag": tag, **attrs, "text": ""}
            self.items.append(self.current)

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data

    def handle_endtag(self, tag):
        if tag in {"a", "button"}:
            self.current = None
        elif tag == "section":
            self.inside = 0


def share_block(response):
    parser = Links()
    parser.feed(response.content.decode())
    return parser.items


@pytest.mark.django_db
def test_a_story_has_plain_share_links_to_its_site_address(client, site):
    article = make_article(title=HOSTILE)
    url = f"{SITE}{article.get_absolute_url()}"
    response = client.get(article.get_absolute_url())
    items = share_block(response)

    links = {item["class"].split("--")[-1]: item for item in items if item["tag"] == "a"}
    facebook, zalo, x, fallback = links["facebook"], links["zalo"], links["x"], links["copy"]
    for link, name in ((facebook, "Facebook"), (zalo, "Zalo"), (x, "X")):
        assert link["rel"] == "noopener noreferrer"
        assert link["target"] == "_blank"
        assert link["text"] == name
        assert link["aria-label"].startswith("Chia sẻ ") and name in link["aria-label"]
        assert link["aria-label"].endswith("(mở trong cửa sổ mới)")

    assert facebook["href"].startswith("https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fnews.example.vn%2F")
    assert parse_qs(urlparse(facebook["href"]).query) == {"u": [url]}

    assert x["href"].startswith("https://x.com/intent/post?")
    assert parse_qs(urlparse(x["href"]).query) == {"url": [url], "text": [HOSTILE]}

    zalo_url = urlparse(zalo["href"])
    assert (zalo_url.scheme, zalo_url.netloc, zalo_url.path) == ("https", "button-share.zalo.me", "/share_external")
    query = parse_qs(zalo_url.query)
    assert json.loads(base64.b64decode(unquote(query["d"][0]))) == {"url": url}

    # The copy button (shown by static/js/share.js) and, without script, the address as a plain link.
    [button] = [item for item in items if item["tag"] == "button"]
    assert button["text"] == "Sao chép liên kết"
    assert button["type"] == "button"
    assert button["data-share-copy"] == url
    assert "hidden" in button
    assert fallback["href"] == url
    assert fallback["text"] == "Liên kết bài viết"


@pytest.mark.django_db
def test_the_share_block_loads_nothing_from_another_site(client, site):
    article = make_article(featured_photo=make_photo(alt_text="Ảnh"), authors=[make_author()])
    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert not response.cookies
    assert "<iframe" not in html
    for attribute in re.findall(r'\b(?:src|srcset|data)="([^"]*)"', html):
        assert not re.search(r"https?://|//", attribute), attribute
    [script] = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)
    assert script == "/static/js/share.js"
    assertContains(response, '<script src="/static/js/share.js" defer></script>', html=True)
    assert not re.search(r"<link\b[^>]*href=\"https?://(?!news\.example\.vn)", html)


def test_share_targets_encode_every_part_of_the_address():
    url = "https://news.example.vn/bai-viet/gia-tang/?a=1&b=2#x"
    facebook, zalo, x = share_targets(url, "Tiêu đề & ý kiến")
    assert (
        facebook[3]
        == "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fnews.example.vn%2Fbai-viet%2Fgia-tang%2F%3Fa%3D1%26b%3D2%23x"
    )
    assert parse_qs(urlparse(x[3]).query) == {"url": [url], "text": ["Tiêu đề & ý kiến"]}
    assert "#" not in zalo[3] and " " not in zalo[3]
    assert [name for _, name, _, _ in (facebook, zalo, x)] == [
        "Chia sẻ lên Facebook",
        "Chia sẻ qua Zalo",
        "Chia sẻ lên X",
    ]


# In a browser -----------------------------------------------------------------------

no_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


def _story():
    return make_article(
        title="Hải Phòng đặt hàng đào tạo nhân lực chất lượng cao",
        lead="Đề án đào tạo giai đoạn mới.",
        section=make_section(name="Giáo dục"),
        authors=[make_author(name="Đặng Thùy Dương")],
        featured_photo=make_photo(alt_text="Đại biểu ký kết"),
    )


@pytest.mark.browser
@no_chromium
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_copy_link_copies_the_address_and_nothing_leaves_the_site(browser, live_server, settings, width):
    settings.SITE_URL = live_server.url
    story = _story()
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + story.get_absolute_url(), wait_until="networkidle")

    button = page.get_by_role("button", name="Sao chép liên kết")
    assert button.is_visible()
    assert not page.locator("[data-share-fallback]").is_visible()
    for name in ("Chia sẻ lên Facebook", "Chia sẻ qua Zalo", "Chia sẻ lên X"):
        link = page.get_by_role("link", name=name)
        assert link.is_visible()
        box = link.bounding_box()
        assert box["height"] >= 44  # a finger's target
        link.hover()
    button.click()
    status = page.locator("[data-share-status]")
    status.wait_for(state="visible")
    assert status.inner_text() == "Đã sao chép liên kết bài viết."
    assert page.evaluate("navigator.clipboard.readText()") == live_server.url + story.get_absolute_url()

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert {urlparse(url).netloc for url in requested} == {urlparse(live_server.url).netloc}
    assert context.cookies() == []
    context.close()


@pytest.mark.browser
@no_chromium
@pytest.mark.django_db(transaction=True)
def test_without_script_the_address_is_a_plain_link(browser, live_server):
    story = _story()
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + story.get_absolute_url())
    assert not page.locator("[data-share-copy]").is_visible()
    fallback = page.get_by_role("link", name="Liên kết bài viết")
    assert fallback.is_visible()
    assert fallback.get_attribute("href").endswith(story.get_absolute_url())
    context.close()
