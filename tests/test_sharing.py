"""Share links (articles/sharing.py): the token, the services, the public page and the admin's part."""

import datetime as dt
import os

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles import sharing
from articles.links import absolute_url
from articles.models import Article, ShareLink
from articles.services import TransitionDenied
from tests.axe import AXE_JS, TAGS, report
from tests.conftest import CHROMIUM
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

pytestmark = pytest.mark.django_db

Status = Article.Status
REPORTER, EDITOR = "Phóng viên", "Biên tập viên"
NOON = dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)  # 12:00 in Hải Phòng


def make_user(username, group=None):
    user = get_user_model().objects.create_user(username, password="password", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def editor():
    return make_user("bientap", EDITOR)


@pytest.fixture
def reporter():
    return make_user("phongvien", REPORTER)


@pytest.fixture
def draft(reporter):
    return make_article(title="Cảng Lạch Huyện mở thêm hai bến", live=False, created_by=reporter)


def share_path(link):
    return reverse("articles:share", args=[sharing.token_for(link)])


def create_url(article):
    return reverse("admin:articles_article_share_create", args=[article.pk])


def revoke_url(article, link_id):
    return reverse("admin:articles_article_share_revoke", args=[article.pk, link_id])


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


# The token ------------------------------------------------------------------


def test_a_token_is_the_key_signed_and_nothing_else_unsigns():
    link = ShareLink(key=sharing.new_key())
    token = sharing.token_for(link)
    assert sharing.key_from(token) == link.key
    key, signature = token.split(".")
    assert len(key) == 43
    forged = [
        link.key,  # the key alone
        f"{key}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",  # one character of the signature
        f"{sharing.new_key()}.{signature}",  # another key with this signature
        signing.Signer(sep=".").sign(link.key),  # signed, but not for share links
        signing.Signer(salt="other", sep=".").sign(link.key),
        token + "x" * 10_000,
        "",
        "é" * 43 + "." + signature,
        f"{key}\x00.{signature}",
        None,
    ]
    assert [sharing.key_from(value) for value in forged] == [None] * len(forged)


# The services ---------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_an_editor_creates_a_link_that_lasts_the_default_48_hours(editor, draft):
    link = sharing.share_link_create(article=draft, by=editor, recipient="  Ông Nam, Cảng vụ  ")
    link.refresh_from_db()
    assert link.article == draft
    assert link.recipient == "Ông Nam, Cảng vụ"
    assert link.created_by == editor
    assert link.created_at == NOON
    assert link.expires_at == NOON + dt.timedelta(hours=48)
    assert link.revoked_at is None
    assert len(link.key) == 43
    assert sharing.active_link(sharing.token_for(link)) == link


@time_machine.travel(NOON, tick=False)
def test_the_duration_comes_from_the_editor_or_the_setting(editor, draft, settings):
    assert sharing.share_link_create(article=draft, by=editor, hours=3).expires_at == NOON + dt.timedelta(hours=3)
    settings.SHARE_LINK_HOURS = 12
    assert sharing.share_link_create(article=draft, by=editor).expires_at == NOON + dt.timedelta(hours=12)
    # Two links never share a key.
    assert len(set(ShareLink.objects.values_list("key", flat=True))) == 2


@pytest.mark.parametrize("who", ["reporter", "other_reporter", "plain_staff", "anonymous"])
def test_only_an_editor_creates_a_link(who, reporter, draft):
    from django.contrib.auth.models import AnonymousUser

    user = {
        "reporter": lambda: reporter,  # the story's own reporter
        "other_reporter": lambda: make_user("phongvien2", REPORTER),
        "plain_staff": lambda: make_user("khach"),
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(TransitionDenied):
        sharing.share_link_create(article=draft, by=user)
    assert not ShareLink.objects.exists()


def test_a_live_article_is_not_shared_by_link(editor):
    live = make_article()
    with pytest.raises(ValidationError) as error:
        sharing.share_link_create(article=live, by=editor)
    assert [problem.code for problem in error.value.error_list] == ["live"]
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("hours", [0, -5, 721, 100_000, "48", 2.5, True])
def test_hours_outside_1_to_720_are_refused(editor, draft, hours):
    with pytest.raises(ValidationError) as error:
        sharing.share_link_create(article=draft, by=editor, hours=hours)
    assert list(error.value.message_dict) == ["hours"]
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("recipient", ["x" * 201, "Ông\x00Nam"])
def test_a_recipient_too_long_or_with_nul_is_refused(editor, draft, recipient):
    with pytest.raises(ValidationError) as error:
        sharing.share_link_create(article=draft, by=editor, recipient=recipient)
    assert list(error.value.message_dict) == ["recipient"]
    assert not ShareLink.objects.exists()


def test_an_editor_revokes_a_link_once_and_a_reporter_cannot(editor, reporter, draft):
    link = sharing.share_link_create(article=draft, by=editor)
    with pytest.raises(TransitionDenied):
        sharing.share_link_revoke(link=link, by=reporter)
    link.refresh_from_db()
    assert link.revoked_at is None

    with time_machine.travel(NOON, tick=False):
        sharing.share_link_revoke(link=link, by=editor)
    other_editor = make_user("bientap2", EDITOR)
    sharing.share_link_revoke(link=link, by=other_editor)  # again: no change
    link.refresh_from_db()
    assert (link.revoked_at, link.revoked_by) == (NOON, editor)
    assert sharing.active_link(sharing.token_for(link)) is None


# The page ---------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_the_link_shows_the_article_to_anyone_under_the_banner_and_is_private(client, editor, draft):
    link = sharing.share_link_create(article=draft, by=editor, recipient="Ông Nam, Cảng vụ")
    response = client.get(share_path(link))

    assert response.status_code == 200
    assertContains(response, '<h1 class="article__title">Cảng Lạch Huyện mở thêm hai bến</h1>', html=True)
    assertContains(response, "Bản xem trước — bài chưa xuất bản")
    assertContains(response, "Bản xem trước dành cho Ông Nam, Cảng vụ, hết hạn lúc 04/03/2026 12:00.")
    # Read-only: nothing leads into the admin, not even for a logged-in editor (below).
    assertNotContains(response, "/admin/")
    assertNotContains(response, "Sửa bài")
    assertNotContains(response, 'rel="canonical"')
    assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"

    client.force_login(editor)
    assertNotContains(client.get(share_path(link)), "/admin/")


def test_a_link_without_recipient_says_so(client, editor, draft):
    link = sharing.share_link_create(article=draft, by=editor)
    assertContains(client.get(share_path(link)), "Bản xem trước dành cho người nhận đường dẫn, hết hạn lúc")


@pytest.mark.parametrize("state", ["review", "scheduled", "expired", "archived"])
def test_any_non_live_article_can_be_shared(client, editor, state):
    now = timezone.now()
    article = {
        "review": lambda: make_article(live=False, status=Status.REVIEW),
        "scheduled": lambda: make_article(publish_at=now + dt.timedelta(hours=5)),
        "expired": lambda: make_article(publish_at=now - dt.timedelta(days=2), expire_at=now - dt.timedelta(hours=1)),
        "archived": lambda: make_article(live=False, status=Status.ARCHIVED, publish_at=now - dt.timedelta(days=3)),
    }[state]()
    response = client.get(share_path(sharing.share_link_create(article=article, by=editor)))
    assertContains(response, article.title)
    assertContains(response, "Bản xem trước dành cho")


def test_once_the_article_is_live_the_link_leads_to_its_public_address(client, editor):
    article = make_article(publish_at=timezone.now() + dt.timedelta(hours=1))
    link = sharing.share_link_create(article=article, by=editor)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        response = client.get(share_path(link))
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_link_ends_when_it_expires(client, editor, draft):
    with time_machine.travel(NOON, tick=False):
        link = sharing.share_link_create(article=draft, by=editor)
    with time_machine.travel(NOON + dt.timedelta(hours=48, seconds=-1), tick=False):
        assert client.get(share_path(link)).status_code == 200
    for later in (dt.timedelta(hours=48), dt.timedelta(hours=48, seconds=1)):
        with time_machine.travel(NOON + later, tick=False):
            assert client.get(share_path(link)).status_code == 404


def test_a_revoked_link_ends_at_once(client, editor, draft):
    link = sharing.share_link_create(article=draft, by=editor)
    assert client.get(share_path(link)).status_code == 200
    sharing.share_link_revoke(link=link, by=editor)
    assert client.get(share_path(link)).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_the_page_is_get_and_head_only(client, editor, draft, method):
    link = sharing.share_link_create(article=draft, by=editor)
    response = getattr(client, method)(share_path(link))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    head = client.head(share_path(link))
    assert head.status_code == 200
    assert head.content == b""
    assert ShareLink.objects.get().revoked_at is None


def _bad_tokens(editor):
    """Every way a link can fail, each as the path to request."""
    article = make_article(live=False)
    revoked = sharing.share_link_create(article=article, by=editor)
    sharing.share_link_revoke(link=revoked, by=editor)
    expired = sharing.share_link_create(article=article, by=editor, hours=1)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    deleted = sharing.share_link_create(article=make_article(live=False), by=editor)
    deleted_path = share_path(deleted)
    deleted.article.delete()
    good = sharing.token_for(sharing.share_link_create(article=article, by=editor))
    key, signature = good.split(".")
    prefix = "/xem-truoc/"
    return {
        "revoked": share_path(revoked),
        "expired": share_path(expired),
        "article deleted": deleted_path,
        "unknown key, good signature": share_path(ShareLink(key=sharing.new_key())),
        "forged signature": f"{prefix}{key}.{signature[::-1]}/",
        "key without signature": f"{prefix}{key}/",
        "10,000 characters": f"{prefix}{'a' * 10_000}/",
        "non-ASCII": f"{prefix}{'bài-viết' * 5}.{signature}/",
        "NUL": f"{prefix}{key}%00.{signature}/",
        "percent-encoded slash": f"{prefix}..%2F..%2Fadmin/",
        "dots": f"{prefix}..%2e/",
        "quotes and brackets": f"{prefix}%22%3E%3Cscript%3E/",
    }


def test_every_failing_link_is_the_same_404_as_a_missing_article(client, settings, editor):
    settings.DEBUG = False
    make_article(title="Tin mới nhất")  # the 404 page lists the latest stories: the same for both
    missing = client.get("/bai-viet/khong-ton-tai/")
    assert missing.status_code == 404
    for name, path in _bad_tokens(editor).items():
        response = client.get(path)
        assert response.status_code == 404, name
        assert response.content == missing.content, name
        assert response.get("Cache-Control") == missing.get("Cache-Control"), name
        assert "Referrer-Policy" not in response or response["Referrer-Policy"] == missing["Referrer-Policy"], name


def test_hostile_text_in_the_recipient_is_shown_as_text(client, editor, draft):
    link = sharing.share_link_create(article=draft, by=editor, recipient='<script>alert("x")</script>')
    response = client.get(share_path(link))
    assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
    assertNotContains(response, "<script>")


def _grow(n, section):
    photos = [make_photo() for _ in range(2)]
    authors = [make_author() for _ in range(3)]
    organizations = [make_organization() for _ in range(2)]
    tags = [make_tag() for _ in range(2)]
    for i in range(n):
        make_article(section=section, authors=authors[: 1 + i % 3], organizations=organizations, tags=tags)
    return photos, authors, organizations, tags


def test_the_page_runs_a_fixed_number_of_queries(client, editor):
    section = make_section()
    photos, authors, organizations, tags = _grow(3, section)
    body = f'<p>Đoạn.</p><figure><img src="{photos[0].get_absolute_url()}" alt=""></figure>'
    article = make_article(
        live=False,
        section=section,
        body=body,
        featured_photo=photos[1],
        authors=authors,
        organizations=organizations,
        tags=tags,
    )
    link = sharing.share_link_create(article=article, by=editor)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(share_path(link))
        assert response.status_code == 200
        return len(queries)

    small = count()
    _grow(20, section)
    for _ in range(5):
        sharing.share_link_create(article=article, by=editor)
    # The link; then as the article page: the article, its bylines, organisations, tags (the body and its
    # photos come drawn with the article: articles/pages.py), related stories and the navigation's sections.
    assert small == count() == 7


# The admin ------------------------------------------------------------------


def test_an_editor_sees_the_links_and_the_form_on_the_change_page(client, editor, draft):
    link = sharing.share_link_create(article=draft, by=editor, recipient="Ông Nam")
    expired = sharing.share_link_create(article=draft, by=editor, recipient="Bà Lan")
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    revoked = sharing.share_link_create(article=draft, by=editor, recipient="Luật sư")
    sharing.share_link_revoke(link=revoked, by=editor)
    client.force_login(editor)

    response = client.get(change_url(draft))
    assertContains(response, 'id="nr-sharing"')
    assertContains(response, absolute_url(share_path(link)))
    assertContains(response, f'formaction="{revoke_url(draft, link.pk)}"', count=1)
    assertContains(response, 'form="nr-share-revoke"', count=1)  # expired and revoked links have no button
    assertContains(response, f'<form id="nr-share-create" method="post" action="{create_url(draft)}">')
    assertContains(response, '<form id="nr-share-copy"><button type="submit" disabled hidden></button></form>')
    assertContains(response, 'name="hours"')
    for label in ("còn hạn", "hết hạn", "đã thu hồi"):
        assertContains(response, label)
    # Only the valid link's address is shown: the others would open nothing.
    assertNotContains(response, share_path(expired))
    assertNotContains(response, share_path(revoked))


def test_a_live_article_lists_its_links_without_the_form(client, editor):
    article = make_article(publish_at=timezone.now() + dt.timedelta(hours=1))
    link = sharing.share_link_create(article=article, by=editor)
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(editor)
    response = client.get(change_url(article))
    assertContains(response, f'formaction="{revoke_url(article, link.pk)}"')
    assertNotContains(response, 'name="hours"')


def test_a_live_article_without_links_has_no_sharing_block(client, editor):
    client.force_login(editor)
    assertNotContains(client.get(change_url(make_article())), 'id="nr-sharing"')


def test_the_reporter_sees_who_has_a_link_but_not_the_address_nor_the_buttons(client, editor, reporter, draft):
    link = sharing.share_link_create(article=draft, by=editor, recipient="Ông Nam")
    client.force_login(reporter)
    response = client.get(change_url(draft))
    assertContains(response, "Ông Nam")
    assertNotContains(response, share_path(link))
    assertNotContains(response, "nr-share-revoke")
    assertNotContains(response, 'name="hours"')
    assertNotContains(response, 'id="nr-share-create"')


@time_machine.travel(NOON, tick=False)
def test_an_editor_creates_a_link_from_the_change_page(client, editor, draft):
    client.force_login(editor)
    response = client.post(create_url(draft), {"recipient": "Ông Nam", "hours": "24"}, follow=True)
    link = ShareLink.objects.get()
    assert (link.article, link.recipient, link.created_by) == (draft, "Ông Nam", editor)
    assert link.expires_at == NOON + dt.timedelta(hours=24)
    assert response.redirect_chain == [(change_url(draft) + "#nr-sharing", 302)]
    assertContains(response, "03/03/2026 12:00")
    assertContains(response, absolute_url(share_path(link)))


def test_an_empty_duration_is_the_default(client, editor, draft):
    client.force_login(editor)
    client.post(create_url(draft), {"recipient": "", "hours": ""})
    link = ShareLink.objects.get()
    assert link.expires_at - link.created_at == dt.timedelta(hours=48)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hours": "0"}, "1 đến 720 giờ"),
        ({"hours": "-5"}, "1 đến 720 giờ"),
        ({"hours": "100000"}, "1 đến 720 giờ"),
        ({"hours": "abc"}, "1 đến 720 giờ"),
        ({"hours": "9" * 5000}, "1 đến 720 giờ"),
        ({"hours": "24", "recipient": "x" * 201}, "tối đa 200 ký tự"),
        ({"hours": "24", "recipient": "Ông\x00Nam"}, "ký tự rỗng"),
    ],
)
def test_bad_form_input_is_an_error_message_and_no_link(client, editor, draft, data, message):
    client.force_login(editor)
    response = client.post(create_url(draft), data, follow=True)
    assert response.status_code == 200
    assertContains(response, message)
    assert not ShareLink.objects.exists()


def test_a_script_in_the_recipient_is_stored_as_text_and_shown_escaped(client, editor, draft):
    client.force_login(editor)
    client.post(create_url(draft), {"recipient": "<script>alert(1)</script>", "hours": "2"})
    assert ShareLink.objects.get().recipient == "<script>alert(1)</script>"
    response = client.get(change_url(draft))
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, "<script>alert(1)")


def test_crafted_posts_are_refused_and_change_nothing(client, editor, reporter, draft):
    link = sharing.share_link_create(article=draft, by=editor)
    other = make_article(live=False)
    other_link = sharing.share_link_create(article=other, by=editor)

    client.force_login(reporter)  # the story's own reporter
    assert client.post(create_url(draft), {"hours": "24"}).status_code == 403
    assert client.post(revoke_url(draft, link.pk)).status_code == 403
    assert client.post(create_url(other), {"hours": "24"}).status_code == 404  # not theirs: not found

    client.force_login(editor)
    assert client.get(create_url(draft)).status_code == 405
    assert client.get(revoke_url(draft, link.pk)).status_code == 405
    assert client.post(revoke_url(draft, other_link.pk)).status_code == 404  # another article's link
    assert client.post(revoke_url(draft, 10**30)).status_code == 404
    assert client.post(reverse("admin:articles_article_share_revoke", args=[10**30, link.pk])).status_code == 404
    assert client.post(reverse("admin:articles_article_share_create", args=["abc"])).status_code == 404

    client.logout()
    assert client.post(create_url(draft), {"hours": "24"}).status_code == 302  # to the login page

    assert ShareLink.objects.count() == 2
    assert not ShareLink.objects.filter(revoked_at__isnull=False).exists()


def test_an_editor_revokes_a_link_from_the_change_page(client, editor, draft):
    link = sharing.share_link_create(article=draft, by=editor)
    client.force_login(editor)
    response = client.post(revoke_url(draft, link.pk), follow=True)
    link.refresh_from_db()
    assert link.revoked_by == editor
    assertContains(response, "đã thu hồi")
    client.logout()
    assert client.get(share_path(link)).status_code == 404


def test_a_live_article_cannot_get_a_new_link(client, editor):
    article = make_article()
    client.force_login(editor)
    response = client.post(create_url(article), {"hours": "24"}, follow=True)
    assertContains(response, "Bài đã lên trang")
    assert not ShareLink.objects.exists()


# In a browser -----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_the_share_forms_work_inside_the_article_form_in_a_browser(browser, live_server, newsroom_groups):
    editor = make_user("bientap", EDITOR)
    article = make_article(title="Bài chờ duyệt", live=False, status=Status.REVIEW)
    # CSP bypassed only so that axe-core can be added to the page below.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/?next=" + change_url(article))
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**" + change_url(article))

    page.fill("#nr-share-recipient", "Ông Nam")
    page.fill("#nr-share-hours", "5")
    page.press("#nr-share-recipient", "Enter")  # Enter creates the link, it does not save the article
    page.wait_for_url("**#nr-sharing")
    link = ShareLink.objects.get()
    assert (link.recipient, link.expires_at - link.created_at) == ("Ông Nam", dt.timedelta(hours=5))
    address = page.locator(".nr-share-url")
    assert address.input_value() == absolute_url(share_path(link))
    if AXE_JS.exists():  # the block, on a desktop and as cards on a phone
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 1000})
            found = axe_violations(page, "#nr-sharing")
            assert not found, f"axe-core at {width}px:\n{report(found)}"
        page.set_viewport_size({"width": 1280, "height": 1000})

    # Enter in the address submits nothing: not the article's form, not a revoke.
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    address.press("Enter")
    page.wait_for_timeout(500)
    assert posts == []

    page.click("button.nr-share-revoke")
    page.wait_for_selector(".nr-badge-share-revoked")
    link.refresh_from_db()
    assert link.revoked_by == editor
    assert Article.objects.get(pk=article.pk).title == "Bài chờ duyệt"
    context.close()


def axe_violations(page, selector):
    """axe-core's WCAG violations inside the element `selector` only (the rest of the page is others' to test)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    script = "([selector, tags]) => axe.run({include: [[selector]]}, {runOnly: {type: 'tag', values: tags}})"
    return page.evaluate(script, [selector, TAGS])["violations"]
