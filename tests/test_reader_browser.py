"""Reader pages' layout, measured in a real browser (headless Debian Chromium) at phone to wide-desktop widths."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from tests.conftest import CHROMIUM
from tests.factories import make_article, make_organization, make_photo, make_section

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]

WIDTHS = [360, 768, 1280, 1920]
WEBSITE = "https://hoikhoahocphattriennguonnhanluc.haiphong.gov.vn/gioi-thieu/quyet-dinh-thanh-lap?nam=2012"

# Where things sit, in CSS pixels: the content column is main's content box.
MEASURE = """() => {
  const box = (el) => el && el.getBoundingClientRect();
  const main = document.querySelector("main");
  const style = getComputedStyle(main);
  const m = box(main);
  const first = [...main.children].find((el) => getComputedStyle(el).position !== "absolute" && box(el).height > 0);
  const pager = document.querySelector(".pagination");
  const title = box(document.querySelector(".masthead__title a"));
  return {
    column: [m.left + parseFloat(style.paddingLeft), m.right - parseFloat(style.paddingRight)],
    title: [title.left, title.right],
    navBottom: box(document.querySelector("header nav")).bottom,
    firstTop: box(first).top,
    pagerBottom: pager && box(pager).bottom,
    footerTop: box(document.querySelector("footer")).top,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
}"""

# The line boxes a run of text in `root` occupies, found across the text nodes it may be split into.
LINES_OF = """([selector, text]) => {
  const root = document.querySelector(selector);
  const nodes = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) nodes.push(walker.currentNode);
  const all = nodes.map((n) => n.data).join("");
  const start = all.indexOf(text);
  if (start < 0) return null;
  const end = start + text.length;
  const range = document.createRange();
  let offset = 0;
  for (const node of nodes) {
    const next = offset + node.data.length;
    if (start >= offset && start < next) range.setStart(node, start - offset);
    if (end > offset && end <= next) range.setEnd(node, end - offset);
    offset = next;
  }
  const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top));
  return new Set(tops).size;
}"""


@pytest.fixture
def pages():
    """A section with two pages of stories, an article with a captioned photo, an organisation with its facts."""
    section = make_section(name="Thời sự", slug="thoi-su")
    photo = make_photo(
        caption="Lễ ký kết hợp tác đào tạo giữa Hội và các doanh nghiệp cảng biển của thành phố",
        credit="Ảnh: Minh Anh",
        alt_text="Đại biểu ký kết",
    )
    organization = make_organization(
        name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
        slug="hoi-khoa-hoc",
        short_name="Hội KHPTNNL-NT",
        founded_on=dt.date(2012, 1, 1),
        founding_document="Quyết định số 520 QĐ-CT của Ủy ban nhân dân thành phố Hải Phòng",
        member_count=125,
        website=WEBSITE,
    )
    now = timezone.now()
    for hours in range(24):
        make_article(
            section=section,
            featured_photo=photo if hours % 3 == 0 else None,
            organizations=[organization],
            publish_at=now - dt.timedelta(hours=hours + 1),
        )
    article = make_article(
        title="Hải Phòng đặt hàng đào tạo nhân lực chất lượng cao",
        lead="Đề án đào tạo giai đoạn mới được công bố.",
        body="<p>Đoạn đầu của bài, đủ dài để chạy hết chiều ngang của cột chữ trên điện thoại và máy tính.</p>",
        section=section,
        featured_photo=photo,
        publish_at=now,
    )
    return {
        "home": "/",
        "section": section.get_absolute_url(),
        "section page 2": section.get_absolute_url() + "?trang=2",
        "article": article.get_absolute_url(),
        "organisation": organization.get_absolute_url(),
        "404": "/bai-viet/khong-co-bai-nay/",
    }


def _open(browser, url, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    response = page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    return page, response


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_pages_keep_to_the_content_column(browser, live_server, pages, width):
    for name, path in pages.items():
        page, response = _open(browser, live_server.url + path, width)
        assert response.status == (404 if name == "404" else 200), name
        at = page.evaluate(MEASURE)
        left, right = at["column"]
        title_left, title_right = at["title"]
        # The paper's name is centred on the column the page's content uses, and inside it.
        assert abs((title_left + title_right) / 2 - (left + right) / 2) <= 2, (name, at)
        assert left <= title_left and title_right <= right, (name, at)
        # The first thing in main does not touch the navigation bar.
        assert at["firstTop"] - at["navBottom"] >= 16, (name, at)
        # The pager does not sit on the footer's rule.
        if name.startswith("section"):
            assert at["pagerBottom"] is not None, name
            assert at["footerTop"] - at["pagerBottom"] >= 16, (name, at)
        # No sideways scrolling.
        assert at["scrollWidth"] <= at["innerWidth"], (name, at)
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_photo_captions_keep_the_body_texts_gutter(browser, live_server, pages, width):
    page, _ = _open(browser, live_server.url + pages["article"], width)
    caption = page.locator(".article figcaption").first.bounding_box()
    text = page.locator(".article__body p").first.bounding_box()
    assert caption["x"] >= text["x"] - 0.5
    assert caption["x"] + caption["width"] <= text["x"] + text["width"] + 0.5
    page.close()


def test_organisation_facts_keep_long_tokens_whole(browser, live_server, pages):
    page, _ = _open(browser, live_server.url + pages["organisation"], 360)
    # Every width from a small phone to a tablet, where a break inside a token would show.
    for width in [*range(300, 801, 4), 1280, 1920]:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(LINES_OF, ["dl.facts", "520 QĐ-CT"]) == 1, width
        assert page.evaluate(LINES_OF, ["dl.facts", "KHPTNNL-NT"]) == 1, width
        # The address is never broken mid-word: it stays on one line, inside its column.
        link = page.locator(f'dl.facts a[href="{WEBSITE}"]')
        assert link.evaluate("a => a.getClientRects().length") == 1, width
        assert link.evaluate(
            "a => a.getBoundingClientRect().right <= a.closest('dd').getBoundingClientRect().right + .5"
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.close()
