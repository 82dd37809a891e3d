"""The pictures readers see: one <picture> per photo (photos/templatetags/photo_tags.py), with WebP and JPEG
renditions, sizes that match the page's CSS, real width and height, and lazy loading except for the lead."""

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from photos.templatetags.photo_tags import LAYOUTS
from tests.conftest import CHROMIUM
from tests.factories import jpeg_bytes, make_article, make_author, make_photo, make_section, make_tag

pytestmark = pytest.mark.django_db


def big_photo(size=(2000, 1500), **kwargs):
    """A photo wide enough to have every rendition width."""
    image = SimpleUploadedFile("anh-lon.jpg", jpeg_bytes(size), content_type="image/jpeg")
    return make_photo(image=image, **kwargs)


def srcset(photo, kind, fmt, widths):
    return ", ".join(f"{photo.rendition(kind, fmt, width).url} {width}w" for width in widths)


def picture(photo, kind, layout, widths, fallback, *, lead=False, css_class="", alt=None):
    """The exact markup a reader page should carry, written out here rather than asked of the tag."""
    sizes = LAYOUTS[layout].sizes
    jpeg = photo.rendition(kind, "jpeg", fallback)
    assert jpeg.width == fallback
    css = f' class="{css_class}"' if css_class else ""
    loading = 'fetchpriority="high"' if lead else 'loading="lazy"'
    return (
        f'<picture><source type="image/webp" srcset="{srcset(photo, kind, "webp", widths)}" sizes="{sizes}">'
        f'<img{css} src="{jpeg.url}" srcset="{srcset(photo, kind, "jpeg", widths)}" sizes="{sizes}" '
        f'width="{jpeg.width}" height="{jpeg.height}" alt="{photo.description if alt is None else alt}" '
        f'{loading} decoding="async"></picture>'
    )


WHOLE = (320, 640, 960, 1280, 1920)
CARD = (320, 640, 960, 1280)


def test_the_sizes_are_those_the_stylesheet_draws():
    # Written out once here: a change to a layout in site.css must come with a change to LAYOUTS.
    assert LAYOUTS["article"].sizes == (
        "(min-width: 50rem) 48rem, (min-width: 46rem) calc(44rem + 8vw), calc(108vw - 2rem)"
    )
    assert LAYOUTS["row-card"].sizes == "(min-width: 40rem) 15rem, calc(100vw - 2rem)"
    assert LAYOUTS["profile"].sizes == "5.5rem"


def test_article_figures_are_pictures_with_every_width_caption_and_credit(client):
    featured = big_photo(caption="Lễ ra mắt đề án", credit="Ảnh: Minh Anh", alt_text="Hội trường kín chỗ")
    inside = big_photo(size=(1200, 1600), caption="Chân dung diễn giả", credit="Ảnh: Lan", alt_text="Diễn giả")
    article = make_article(
        featured_photo=featured,
        body=f'<p>Đoạn một.</p><figure><img src="{inside.get_absolute_url()}" alt=""></figure><p>Đoạn hai.</p>',
    )

    response = client.get(article.get_absolute_url())

    # The featured photo is the page's lead image: fetched first, never lazily.
    assertContains(
        response,
        '<figure class="figure figure--wide">'
        + picture(featured, "w", "article", WHOLE, 960, lead=True)
        + '<figcaption>Lễ ra mắt đề án <span class="credit">Ảnh: Minh Anh</span></figcaption></figure>',
        html=True,
    )
    # A portrait photo in the body: its own aspect, no width beyond its own 1200 px, loaded lazily.
    assertContains(
        response,
        '<figure class="figure figure--wide">'
        + picture(inside, "w", "article", (320, 640, 960), 960)
        + '<figcaption>Chân dung diễn giả <span class="credit">Ảnh: Lan</span></figcaption></figure>',
        html=True,
    )
    html = response.content.decode()
    assert 'width="960" height="1280"' in html
    assert html.count('fetchpriority="high"') == 1
    assert html.count('loading="lazy"') == 1
    assert featured.image.url not in html and inside.image.url not in html  # masters are never served to readers


def test_a_figure_without_caption_or_credit_has_no_empty_figcaption(client):
    photo = big_photo(size=(800, 600), caption="", credit="", alt_text="Bến cảng lúc sáng sớm")
    response = client.get(make_article(featured_photo=photo).get_absolute_url())
    assertContains(
        response,
        f'<figure class="figure figure--wide">{picture(photo, "w", "article", (320, 640), 640, lead=True)}</figure>',
        html=True,
    )
    assertNotContains(response, "<figcaption>")


def test_the_alt_attribute_is_the_photos_description_escaped(client):
    photo = big_photo(size=(640, 480), caption="Chú thích", alt_text='Cờ "đỏ" <b>& vàng</b>')
    response = client.get(make_article(featured_photo=photo).get_absolute_url())
    assertContains(response, 'alt="Cờ &quot;đỏ&quot; &lt;b&gt;&amp; vàng&lt;/b&gt;"')
    no_alt = big_photo(size=(640, 480), caption="Chỉ có chú thích", alt_text="")
    response = client.get(make_article(featured_photo=no_alt).get_absolute_url())
    assertContains(response, 'alt="Chỉ có chú thích"')


def test_listing_cards_use_the_16_9_crop_lazily(client):
    section = make_section(name="Kinh tế")
    photo = big_photo(alt_text="Tàu vào cảng")
    article = make_article(section=section, featured_photo=photo)
    response = client.get(section.get_absolute_url())
    assertContains(
        response,
        f'<a class="card__photo-link" href="{article.get_absolute_url()}" tabindex="-1" aria-hidden="true">'
        + picture(photo, "card", "row-card", CARD, 640, css_class="card__photo")
        + "</a>",
        html=True,
    )
    assertContains(response, 'width="640" height="360"')
    assertNotContains(response, "fetchpriority")


def test_home_lead_is_fetched_first_and_every_other_picture_lazily(client):
    now = timezone.now()
    sections = [make_section(name=name, position=n) for n, name in enumerate(["Thời sự", "Kinh tế"])]
    photos = [big_photo(size=(1600, 1200), alt_text=f"Ảnh {n}") for n in range(16)]
    stories = [
        make_article(section=sections[n % 2], featured_photo=photos[n], publish_at=now - dt.timedelta(minutes=n + 1))
        for n in range(16)
    ]

    response = client.get("/")
    html = response.content.decode()

    card = (320, 640, 960, 1280)
    assertContains(response, picture(photos[0], "card", "home-lead", card, 960, lead=True), html=True)
    for story in stories[1:4]:  # the secondary stories under the lead
        assertContains(
            response, picture(story.featured_photo, "card", "home-card", card, 640, css_class="card__photo"), html=True
        )
    # In each section's block only its first story shows a photo.
    blocks = response.context["section_blocks"]
    assert [len(articles) for _, articles in blocks] == [2, 2]
    for _, (first, second) in blocks:
        assertContains(
            response, picture(first.featured_photo, "card", "block-card", card, 640, css_class="card__photo"), html=True
        )
        assert second.featured_photo.rendition("card", "jpeg", 320).url not in html
    assert html.count("<picture>") == 1 + 3 + 2
    assert html.count('fetchpriority="high"') == 1
    assert html.count('loading="lazy"') == 3 + 2


def test_related_stories_cards_say_their_own_sizes(client):
    tag = make_tag()
    photo = big_photo(alt_text="Cầu Hoàng Văn Thụ")
    article = make_article(tags=[tag])
    make_article(tags=[tag], featured_photo=photo)
    response = client.get(article.get_absolute_url())
    assertContains(response, picture(photo, "card", "related-card", CARD, 640, css_class="card__photo"), html=True)


def test_a_photo_missing_its_file_or_renditions_is_left_out_everywhere(client):
    section = make_section(name="Xã hội")
    no_file = make_photo(with_image=False, caption="Chưa có tệp")
    no_renditions = big_photo(size=(640, 480), caption="Chưa có bản cỡ nhỏ")
    type(no_renditions).objects.filter(pk=no_renditions.pk).update(renditions={})
    first = make_article(section=section, featured_photo=no_file, publish_at=timezone.now())
    make_article(section=section, featured_photo=no_renditions)

    for url in ("/", section.get_absolute_url(), first.get_absolute_url()):
        response = client.get(url)
        assertNotContains(response, "<picture>")
        assertNotContains(response, "card--with-photo")
        assertNotContains(response, "<figure")
        assertNotContains(response, "Chưa có")


def test_a_narrow_master_gets_its_own_width_only(client):
    photo = big_photo(size=(300, 200), alt_text="Biểu đồ nhỏ")
    response = client.get(make_article(featured_photo=photo).get_absolute_url())
    assertContains(response, picture(photo, "w", "article", (300,), 300, lead=True), html=True)


def test_the_picture_tag_refuses_a_layout_it_does_not_know():
    from django.template import Context, Template

    template = Template('{% load photo_tags %}{% picture photo "w" "nowhere" %}')
    with pytest.raises(KeyError):
        template.render(Context({"photo": big_photo(size=(640, 480))}))


def test_the_author_page_draws_the_portrait_from_its_square_crop(client):
    author = make_author(name="Phạm Hà", photo=big_photo(size=(1000, 800), alt_text="Chân dung"))
    response = client.get(author.get_absolute_url())
    assertContains(
        response,
        picture(author.photo, "square", "profile", (160, 320, 640), 160, alt="Ảnh chân dung Phạm Hà"),
        html=True,
    )
    assertNotContains(response, author.photo.image.url)


# In a real browser: what the sizes promise is the width the stylesheet draws, and a phone fetches a small file.

# The width `sizes` gives at this viewport: its first entry whose media query matches, measured as a CSS width.
SIZES_WIDTH = """(sizes) => {
  const entries = sizes.split(/,\\s*(?![^()]*\\))/);
  const last = entries.pop();
  let length = last;
  for (const entry of entries) {
    const split = entry.lastIndexOf(") ");
    if (matchMedia(entry.slice(0, split + 1)).matches) { length = entry.slice(split + 2); break; }
  }
  const probe = document.createElement("div");
  probe.style.width = length;
  document.body.append(probe);
  const width = probe.getBoundingClientRect().width;
  probe.remove();
  return width;
}"""

DRAWN = """() => [...document.querySelectorAll("picture img")]
  .filter((img) => img.getBoundingClientRect().width > 0)
  .map((img) => ({sizes: img.sizes, width: img.getBoundingClientRect().width, src: img.currentSrc}))"""


@pytest.fixture
def reader_pages():
    now = timezone.now()
    sections = [make_section(name=name, position=n) for n, name in enumerate(["Thời sự", "Kinh tế"])]
    tag = make_tag()
    # One photo for every story: what is measured is where each <picture> is drawn, and making 16 photos
    # with all their renditions for each of these browser tests would cost most of their time.
    shown = big_photo(alt_text="Ảnh minh họa")
    stories = [
        make_article(
            section=sections[n % 2],
            tags=[tag],
            featured_photo=shown,
            publish_at=now - dt.timedelta(minutes=n + 1),
        )
        for n in range(16)
    ]
    inside = big_photo(alt_text="Trong bài")
    article = stories[0]
    article.body = f'<p>Đoạn.</p><figure><img src="{inside.get_absolute_url()}" alt=""></figure><p>Hết.</p>'
    article.save()
    return ["/", sections[0].get_absolute_url(), article.get_absolute_url()]


def in_chromium(test):
    """A test in headless Chromium against the live server (its database emptied after it)."""
    for mark in (
        pytest.mark.browser,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
    ):
        test = mark(test)
    return test


@in_chromium
@pytest.mark.parametrize("width", [360, 600, 700, 760, 900, 1000, 1180, 1280, 1920])
def test_sizes_match_the_drawn_width_of_every_picture(browser, live_server, reader_pages, width):
    for path in reader_pages:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(live_server.url + path, wait_until="networkidle")
        drawn = page.evaluate(DRAWN)
        assert drawn, path
        for img in drawn:
            promised = page.evaluate(SIZES_WIDTH, img["sizes"])
            # Within a pixel or two (the vw terms are rounded), never the wrong column.
            assert abs(promised - img["width"]) <= 2, (path, width, img, promised)
        page.close()


@in_chromium
@pytest.mark.parametrize(("dpr", "expected"), [(1, 640), (2, 960), (3, 1280)])
def test_a_360_px_phone_fetches_the_rendition_its_screen_needs_not_the_widest(
    browser, live_server, reader_pages, dpr, expected
):
    # The figure is drawn 357 CSS px wide at 360 (the column and its bleed); Chromium takes the narrowest
    # rendition with at least `dpr` device pixels per CSS pixel: 640 at 1x, 960 at 2x (714 needed), 1280 at 3x.
    context = browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=dpr)
    page = context.new_page()
    page.goto(live_server.url + reader_pages[2], wait_until="networkidle")
    lead = page.evaluate("() => document.querySelector('img[fetchpriority=high]').currentSrc")
    assert lead.endswith(f"/w-{expected}.webp"), lead
    # The related cards (328 px wide at 360): 640 at 1x, 960 at 2x, never the widest crop below 3x.
    cards = page.evaluate("() => [...document.querySelectorAll('.card__photo')].map((img) => img.currentSrc)")
    assert cards
    if dpr < 3:
        assert not any("/card-1280" in src for src in cards), cards
    context.close()
