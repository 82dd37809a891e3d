"""The desk and "my stories" (articles/desk.py): what each list holds, acting from it, who sees what, queries."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from articles import services
from articles.models import Article, ArticleEvent

from .conftest import CHROMIUM
from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

Status = Article.Status
DESK, MY_STORIES = reverse("desk"), reverse("my_stories")
# 23:30 on Tuesday 1 December 2026 in Vietnam (UTC+7): half an hour before the day turns.
NOW = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)


def staff_user(username, group, **names):
    user = get_user_model().objects.create_user(username, password=None, is_staff=True, **names)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def editor(newsroom_groups):
    return staff_user("bientap", "Biên tập viên", first_name="Lan", last_name="Nguyễn")


@pytest.fixture
def reporter(newsroom_groups):
    return staff_user("phongvien", "Phóng viên", first_name="Minh", last_name="Trần")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reporter_client(client, reporter):
    client.force_login(reporter)
    return client


def at(clock, moment, make):
    """Makes something with the clock at `moment` (auto_now fields, event times), then comes back to NOW."""
    clock.move_to(moment, tick=False)
    try:
        return make()
    finally:
        clock.move_to(NOW, tick=False)


def submitted(clock, moment, reporter, **kwargs):
    """A story its reporter submitted for review at `moment`."""

    def make():
        article = make_article(live=False, status=Status.DRAFT, created_by=reporter, **kwargs)
        services.article_submit(article=article, by=reporter)
        return article

    return at(clock, moment, make)


def section_titles(response, key):
    """The titles of a list on the page, in the order shown."""
    section = next(section for section in response.context["sections"] if section["key"] == key)
    return [article.title for article in section["rows"]]


def groups(response, key):
    section = next(section for section in response.context["sections"] if section["key"] == key)
    return [(heading, [article.title for article in rows]) for heading, rows in section["groups"]]


def snapshot(article):
    return Article.objects.values("status", "publish_at", "expire_at", "updated_at").get(pk=article.pk)


# The editor's desk: what each list holds --------------------------------------------------------------------------


def test_review_lists_the_longest_waiting_first_with_its_reporter_byline_and_wait(editor_client, reporter, clock):
    writer = make_author(name="Phạm Thu Hà")
    submitted(clock, NOW - timedelta(days=3, hours=2), reporter, title="Bài gửi ba ngày trước")
    newer = submitted(clock, NOW - timedelta(hours=2, minutes=15), reporter, title="Bài gửi hai giờ trước")
    newer.bylines.create(author=writer, position=1)
    # Submitted long ago, returned, edited and submitted again an hour ago: it waits from the last submission.
    again = submitted(clock, NOW - timedelta(days=10), reporter, title="Bài gửi lại")
    editor = get_user_model().objects.get(username="bientap")
    at(clock, NOW - timedelta(days=9), lambda: services.article_return_to_draft(article=again, by=editor, note="Sửa."))
    at(clock, NOW - timedelta(hours=1), lambda: services.article_submit(article=again, by=reporter))
    # In review without any submit event (made by a script): it waits from its last change.
    at(
        clock,
        NOW - timedelta(days=1),
        lambda: make_article(live=False, status=Status.REVIEW, title="Bài không có sự kiện"),
    )
    make_article(live=False, status=Status.DRAFT, title="Bản nháp")

    response = editor_client.get(DESK)

    assert response.status_code == 200
    assert section_titles(response, "review") == [
        "Bài gửi ba ngày trước",
        "Bài không có sự kiện",
        "Bài gửi hai giờ trước",
        "Bài gửi lại",
    ]
    assertContains(response, '<span class="nr-desk-note">chờ 3 ngày</span>', html=True)
    assertContains(response, '<span class="nr-desk-note">chờ 2 giờ 15 phút</span>', html=True)
    assertContains(response, '<span class="nr-desk-note">chờ 1 giờ 0 phút</span>', html=True)
    assertContains(response, "<span>Phóng viên: Trần Minh</span>", html=True)
    assertContains(response, "<span>Dòng tác giả: Phạm Thu Hà</span>", html=True)


def test_scheduled_stories_are_grouped_by_vietnam_day_across_midnight(editor_client, clock):
    def scheduled(title, moment):
        return make_article(title=title, status=Status.PUBLISHED, publish_at=moment)

    scheduled("Sau nửa đêm", datetime(2026, 12, 1, 17, 15, tzinfo=UTC))  # 00:15 on Wednesday 2/12
    scheduled("Trước nửa đêm", datetime(2026, 12, 1, 16, 45, tzinfo=UTC))  # 23:45 on Tuesday 1/12
    scheduled("Chiều thứ Tư", datetime(2026, 12, 2, 8, 0, tzinfo=UTC))  # 15:00 on Wednesday
    scheduled("Ngày thứ mười bốn", NOW + timedelta(days=14))
    scheduled("Quá mười bốn ngày", NOW + timedelta(days=14, minutes=1))
    make_article(title="Đang hiển thị", publish_at=NOW - timedelta(minutes=5))

    response = editor_client.get(DESK)

    assert groups(response, "scheduled") == [
        ("Thứ Ba, 01/12/2026", ["Trước nửa đêm"]),
        ("Thứ Tư, 02/12/2026", ["Sau nửa đêm", "Chiều thứ Tư"]),
        ("Thứ Ba, 15/12/2026", ["Ngày thứ mười bốn"]),
    ]
    assertContains(response, '<h3 class="nr-desk-day">Thứ Tư, 02/12/2026</h3>', html=True)
    assertContains(response, '<time class="nr-desk-time" datetime="2026-12-02T00:15:00+07:00">00:15</time>', html=True)
    assertContains(response, "Thời gian tính theo giờ Việt Nam, UTC+7.", count=1)


def test_published_today_is_todays_vietnam_day_newest_first(editor_client, clock):
    make_article(title="Sáng nay", publish_at=datetime(2026, 12, 1, 0, 10, tzinfo=UTC))  # 07:10 on 1/12
    make_article(title="Tối nay", publish_at=datetime(2026, 12, 1, 14, 0, tzinfo=UTC))  # 21:00 on 1/12
    make_article(title="Hôm qua", publish_at=datetime(2026, 11, 30, 16, 59, tzinfo=UTC))  # 23:59 on 30/11
    make_article(title="Gỡ rồi", status=Status.ARCHIVED, publish_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    make_article(
        title="Hết hạn",
        publish_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
        expire_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
    )

    response = editor_client.get(DESK)

    assert section_titles(response, "today") == ["Tối nay", "Sáng nay"]
    assertContains(response, '<p class="nr-desk-help">Thứ Ba, 01/12/2026</p>', html=True)

    # An hour later it is Wednesday in Vietnam (still Tuesday in UTC): nothing is from today yet.
    clock.move_to(NOW + timedelta(hours=1), tick=False)
    assert section_titles(editor_client.get(DESK), "today") == []


def test_stale_drafts_are_those_untouched_for_seven_days_oldest_first(editor_client, clock):
    at(clock, NOW - timedelta(days=30), lambda: make_article(live=False, status=Status.DRAFT, title="Một tháng"))
    at(clock, NOW - timedelta(days=8), lambda: make_article(live=False, status=Status.DRAFT, title="Tám ngày"))
    at(clock, NOW - timedelta(days=6), lambda: make_article(live=False, status=Status.DRAFT, title="Sáu ngày"))
    at(clock, NOW - timedelta(days=9), lambda: make_article(live=False, status=Status.REVIEW, title="Chờ duyệt lâu"))

    response = editor_client.get(DESK)

    assert section_titles(response, "stale") == ["Một tháng", "Tám ngày"]
    assertContains(response, '<span class="nr-desk-note">8 ngày chưa sửa</span>', html=True)


def test_each_list_is_capped_and_links_to_the_whole_list(editor_client, clock):
    for n in range(52):
        make_article(live=False, status=Status.REVIEW, title=f"Bài {n}")

    response = editor_client.get(DESK)

    assert len(section_titles(response, "review")) == 50
    assertContains(response, "Đang hiện 50 bài đầu tiên.")
    assertContains(response, '<span class="nr-desk-count">50+</span>', count=2, html=True)
    assertContains(response, 'href="/admin/articles/article/?status__exact=review"')
    changelist = editor_client.get(reverse("admin:articles_article_changelist"), {"status__exact": "review"})
    assert changelist.context["cl"].result_count == 52


def test_the_see_all_links_open_working_filtered_lists(editor_client, clock):
    at(clock, NOW - timedelta(days=8), lambda: make_article(live=False, status=Status.DRAFT, title="Bản nháp cũ"))
    make_article(live=False, status=Status.DRAFT, title="Bản nháp mới")
    make_article(title="Sáng nay", publish_at=datetime(2026, 12, 1, 0, 10, tzinfo=UTC))
    make_article(title="Hôm qua", publish_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC))
    response = editor_client.get(DESK)
    urls = {section["key"]: section["all_url"] for section in response.context["sections"]}

    stale = editor_client.get(urls["stale"])
    today = editor_client.get(urls["today"])

    assert [article.title for article in stale.context["cl"].result_list] == ["Bản nháp cũ"]
    assert [article.title for article in today.context["cl"].result_list] == ["Sáng nay"]


# Acting from the desk -----------------------------------------------------------------------------------------------


def test_a_row_offers_open_schedule_and_publish_prefilled(editor_client, clock):
    review = make_article(live=False, status=Status.REVIEW)
    planned = make_article(status=Status.PUBLISHED, publish_at=datetime(2026, 12, 3, 2, 0, tzinfo=UTC))

    response = editor_client.get(DESK)

    schedule = reverse("admin:articles_article_workflow", args=[review.pk, "schedule"])
    assertContains(response, f'<form method="post" action="{schedule}">')
    assertContains(response, f'href="{reverse("admin:articles_article_change", args=[review.pk])}">Mở</a>')
    assertContains(response, '<summary class="button">Lên lịch…</summary>', html=True)
    assertContains(response, '<summary class="button">Đổi giờ…</summary>', html=True, count=1)
    # The next full hour for a story without a time; the story's own time for a scheduled one.
    assertContains(response, f'id="review-{review.pk}-publish-at" name="publish_at" value="02/12/2026 00:00"')
    assertContains(response, f'id="scheduled-{planned.pk}-publish-at" name="publish_at" value="03/12/2026 09:00"')
    assertContains(response, 'name="next" value="/admin/desk/"')
    publish = reverse("admin:articles_article_workflow", args=[review.pk, "publish"])
    assertContains(response, f'<form method="post" action="{publish}">')
    assertContains(response, "csrfmiddlewaretoken", count=response.content.decode().count('method="post"'))


def test_scheduling_from_the_desk_lands_back_on_it_with_the_story_scheduled(editor_client, clock):
    article = make_article(live=False, status=Status.REVIEW)
    url = reverse("admin:articles_article_workflow", args=[article.pk, "schedule"])

    response = editor_client.post(url, {"publish_at": "02/12/2026 08:30", "next": DESK}, follow=True)

    assertRedirects(response, DESK)
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.publish_at == datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # 08:30 in Vietnam
    assert [message.level_tag for message in response.context["messages"]] == ["success"]
    assert section_titles(response, "scheduled") == [article.title]
    assert section_titles(response, "review") == []


def test_a_time_in_the_past_comes_back_to_the_desk_as_an_error_and_changes_nothing(editor_client, clock):
    article = make_article(live=False, status=Status.REVIEW)
    before = snapshot(article)
    url = reverse("admin:articles_article_workflow", args=[article.pk, "schedule"])

    response = editor_client.post(url, {"publish_at": "2026-12-01T08:00", "next": DESK}, follow=True)

    assertRedirects(response, DESK)
    assert snapshot(article) == before
    assert [message.level_tag for message in response.context["messages"]] == ["error"]


@pytest.mark.parametrize(
    "hostile", ["https://evil.example/", "//evil.example", "javascript:alert(1)", "/bai-viet/x/", "\\\\evil.example"]
)
def test_a_next_outside_the_admin_is_ignored(editor_client, clock, hostile):
    article = make_article(live=False, status=Status.REVIEW)
    url = reverse("admin:articles_article_workflow", args=[article.pk, "schedule"])

    response = editor_client.post(url, {"publish_at": "2026-12-02T08:30", "next": hostile})

    # The story is scheduled all the same; the answer goes to its change page, not to the address given.
    assertRedirects(
        response, reverse("admin:articles_article_change", args=[article.pk]), fetch_redirect_response=False
    )
    assert snapshot(article)["status"] == Status.PUBLISHED


def test_a_reporter_cannot_schedule_from_a_crafted_desk_form(reporter_client, reporter, clock):
    article = make_article(live=False, status=Status.REVIEW, created_by=reporter)
    before = snapshot(article)
    url = reverse("admin:articles_article_workflow", args=[article.pk, "schedule"])

    response = reporter_client.post(url, {"publish_at": "2026-12-02T08:30", "next": DESK})

    assert response.status_code == 403
    assert snapshot(article) == before
    assert not article.events.filter(kind=ArticleEvent.Kind.SCHEDULE).exists()


# Who sees which page --------------------------------------------------------------------------------------------------


def test_a_reporter_opening_the_desk_is_sent_to_their_own_stories(reporter_client):
    assertRedirects(reporter_client.get(DESK), MY_STORIES)


@pytest.mark.parametrize("url", [DESK, MY_STORIES])
def test_anonymous_visitors_are_sent_to_the_admin_login(client, url):
    response = client.get(url)
    assertRedirects(response, f"{reverse('admin:login')}?next={url}")


@pytest.mark.parametrize("url", [DESK, MY_STORIES])
def test_the_pages_only_read(editor_client, url):
    assert editor_client.post(url, {"publish_at": "2026-12-02T08:30"}).status_code == 405


def test_staff_without_article_permissions_get_no_stories_page(client, newsroom_groups):
    user = get_user_model().objects.create_user("thuky", password=None, is_staff=True)
    client.force_login(user)
    assert client.get(MY_STORIES).status_code == 403
    assertRedirects(client.get(DESK), MY_STORIES, target_status_code=403)


@pytest.mark.parametrize(
    "query",
    [
        {"q": "<script>alert(1)</script>"},
        {"trang": "9" * 40},
        {"next": "javascript:alert(1)"},
        {"status__exact": "\x00"},
    ],
)
@pytest.mark.parametrize("who", ["editor", "reporter"])
def test_hostile_query_parameters_are_ignored(client, editor, reporter, who, query):
    client.force_login(editor if who == "editor" else reporter)
    for url in (DESK, MY_STORIES):
        response = client.get(url, query, follow=True)
        assert response.status_code == 200
        assertNotContains(response, "<script>alert(1)</script>")


def test_the_header_links_the_desk_for_editors_and_my_stories_for_everyone(client, editor, reporter):
    client.force_login(editor)
    response = client.get(reverse("admin:index"))
    assertContains(response, '<a href="/admin/desk/">Bàn biên tập</a>', html=True)
    assertContains(response, '<a href="/admin/my-stories/">Bài của tôi</a>', html=True)
    client.force_login(reporter)
    response = client.get(reverse("admin:index"))
    assertNotContains(response, 'href="/admin/desk/"')
    assertContains(response, '<a href="/admin/my-stories/">Bài của tôi</a>', html=True)
    assertContains(client.get(MY_STORIES), 'href="/admin/my-stories/" aria-current="page"')


def test_the_admin_home_starts_editors_at_the_desk_and_reporters_at_their_stories(client, editor, reporter):
    client.force_login(editor)
    response = client.get(reverse("admin:index"))
    # Once in the header, once on the page.
    assertContains(response, '<a href="/admin/desk/">Bàn biên tập</a>', html=True, count=2)
    assertContains(response, '<a href="/admin/my-stories/">Bài của tôi</a>', html=True, count=2)
    client.force_login(reporter)
    response = client.get(reverse("admin:index"))
    assertNotContains(response, 'href="/admin/desk/"')
    assertContains(response, '<a href="/admin/my-stories/">Bài của tôi</a>', html=True, count=2)
    assertContains(response, "Bài viết")  # the models are still listed below


# A reporter's own stories -------------------------------------------------------------------------------------------


def test_my_stories_lists_only_the_reporters_own_by_state(reporter_client, reporter, editor, clock):
    colleague = staff_user("phongvien2", "Phóng viên")
    me = make_author(name="Minh Trần", user=reporter)
    at(
        clock,
        NOW - timedelta(days=2),
        lambda: make_article(live=False, status=Status.DRAFT, created_by=reporter, title="Nháp cũ"),
    )
    bylined = make_article(live=False, status=Status.DRAFT, created_by=colleague, title="Nháp tôi đứng tên")
    at(clock, NOW - timedelta(days=1), lambda: bylined.save())
    make_article(live=False, status=Status.DRAFT, created_by=reporter, title="Nháp mới")
    bylined.bylines.create(author=me, position=1)
    make_article(live=False, status=Status.DRAFT, created_by=colleague, title="Nháp của đồng nghiệp")
    submitted(clock, NOW - timedelta(hours=3), reporter, title="Đang chờ duyệt")
    submitted(clock, NOW - timedelta(hours=1), colleague, title="Đồng nghiệp chờ duyệt")
    make_article(created_by=reporter, title="Đã hẹn giờ", publish_at=NOW + timedelta(days=20))
    make_article(created_by=reporter, title="Đang hiển thị", publish_at=NOW - timedelta(days=1))
    make_article(created_by=colleague, title="Bài đồng nghiệp đang hiển thị", publish_at=NOW - timedelta(days=1))

    response = reporter_client.get(MY_STORIES)

    assert response.status_code == 200
    assert section_titles(response, "drafts") == ["Nháp mới", "Nháp tôi đứng tên", "Nháp cũ"]  # latest edit first
    assert section_titles(response, "review") == ["Đang chờ duyệt"]
    assert section_titles(response, "scheduled") == ["Đã hẹn giờ"]
    assert section_titles(response, "live") == ["Đang hiển thị"]
    assert section_titles(response, "returned") == []
    assertNotContains(response, "đồng nghiệp")
    # A reporter gets no scheduling or publishing forms.
    assertNotContains(response, "/workflow/")
    assertContains(response, '<span class="nr-desk-note">chờ 3 giờ 0 phút</span>', html=True)


def test_a_returned_story_shows_the_editors_note_who_and_when(reporter_client, reporter, editor, clock):
    article = submitted(clock, NOW - timedelta(days=2), reporter, title="Bài bị trả lại")
    note = "Thiếu nguồn cho số liệu <b>125 hội viên</b>."
    at(clock, NOW - timedelta(hours=5), lambda: services.article_return_to_draft(article=article, by=editor, note=note))
    resubmitted = submitted(clock, NOW - timedelta(days=3), reporter, title="Bài trả lại rồi gửi lại")
    at(
        clock,
        NOW - timedelta(days=2),
        lambda: services.article_return_to_draft(article=resubmitted, by=editor, note="Sửa tít."),
    )
    at(clock, NOW - timedelta(days=1), lambda: services.article_submit(article=resubmitted, by=reporter))

    response = reporter_client.get(MY_STORIES)

    assert section_titles(response, "returned") == ["Bài bị trả lại"]
    assert section_titles(response, "drafts") == []
    assert section_titles(response, "review") == ["Bài trả lại rồi gửi lại"]
    assertContains(
        response, "<blockquote>Thiếu nguồn cho số liệu &lt;b&gt;125 hội viên&lt;/b&gt;.</blockquote>", html=True
    )
    assertContains(response, "<figcaption>Nguyễn Lan trả lại lúc 01/12/2026 18:30</figcaption>", html=True)


def test_an_editors_my_stories_are_their_own(editor_client, editor, reporter):
    make_article(live=False, status=Status.DRAFT, created_by=editor, title="Nháp của biên tập viên")
    make_article(live=False, status=Status.DRAFT, created_by=reporter, title="Nháp của phóng viên")
    assert section_titles(editor_client.get(MY_STORIES), "drafts") == ["Nháp của biên tập viên"]


# Fixed queries ------------------------------------------------------------------------------------------------------


def fill_desk(clock, count, reporter, section, authors):
    for n in range(count):
        article = submitted(clock, NOW - timedelta(hours=n + 1), reporter, section=section)
        for position, author in enumerate(authors):
            article.bylines.create(author=author, position=position)
        make_article(section=section, authors=authors, publish_at=NOW + timedelta(hours=n + 1))
        make_article(section=section, authors=authors, publish_at=NOW - timedelta(minutes=n + 1))
        at(clock, NOW - timedelta(days=8 + n), lambda: make_article(live=False, status=Status.DRAFT, authors=authors))


def fill_my_stories(clock, count, reporter, editor, section, authors):
    for n in range(count):
        make_article(live=False, status=Status.DRAFT, created_by=reporter, section=section, authors=authors)
        returned = submitted(clock, NOW - timedelta(hours=n + 2), reporter, section=section)
        at(
            clock,
            NOW - timedelta(hours=n + 1),
            lambda a=returned: services.article_return_to_draft(article=a, by=editor, note="Sửa."),
        )
        submitted(clock, NOW - timedelta(hours=n + 1), reporter, section=section)
        make_article(created_by=reporter, authors=authors, publish_at=NOW + timedelta(hours=n + 1))
        make_article(created_by=reporter, authors=authors, publish_at=NOW - timedelta(hours=n + 1))


DESK_QUERIES = 9
MY_STORIES_QUERIES = 10


def test_the_desk_runs_the_same_queries_for_3_and_30_stories_a_list(
    editor_client, reporter, clock, django_assert_num_queries
):
    section, authors = make_section(), [make_author(), make_author()]
    fill_desk(clock, 3, reporter, section, authors)
    with django_assert_num_queries(DESK_QUERIES):
        response = editor_client.get(DESK)
    assert {
        key: len(section_titles(response, key)) for key in ("review", "scheduled", "today", "stale")
    } == dict.fromkeys(("review", "scheduled", "today", "stale"), 3)
    fill_desk(clock, 27, reporter, section, authors)
    with django_assert_num_queries(DESK_QUERIES):
        response = editor_client.get(DESK)
    assert len(section_titles(response, "stale")) == 30


def test_my_stories_runs_the_same_queries_for_3_and_30_stories_a_list(
    reporter_client, reporter, editor, clock, django_assert_num_queries
):
    section, authors = make_section(), [make_author(user=reporter), make_author()]
    fill_my_stories(clock, 3, reporter, editor, section, authors)
    with django_assert_num_queries(MY_STORIES_QUERIES):
        response = reporter_client.get(MY_STORIES)
    assert len(section_titles(response, "returned")) == 3
    fill_my_stories(clock, 27, reporter, editor, section, authors)
    with django_assert_num_queries(MY_STORIES_QUERIES):
        response = reporter_client.get(MY_STORIES)
    assert {
        key: len(section_titles(response, key)) for key in ("returned", "drafts", "review", "scheduled", "live")
    } == dict.fromkeys(("returned", "drafts", "review", "scheduled", "live"), 30)


# In a browser -------------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is missing (apt-get install chromium)")
def test_an_editor_schedules_from_the_desk_in_two_clicks_on_a_phone(browser, live_server, newsroom_groups):
    editor = staff_user("bientap", "Biên tập viên")
    editor.set_password("mật khẩu dài")
    editor.save()
    article = make_article(live=False, status=Status.REVIEW, title="Bài chờ lên lịch")
    page = browser.new_page(viewport={"width": 360, "height": 800})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + "/admin/login/?next=" + DESK)
    page.fill("#id_username", "bientap")
    page.fill("#id_password", "mật khẩu dài")
    page.click("input[type=submit]")
    page.wait_for_url("**" + DESK)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_text("Lên lịch…").click()  # one
    page.locator(f"#review-{article.pk}-publish-at").wait_for()
    page.get_by_role("button", name="Hẹn giờ").click()  # two
    page.wait_for_url("**" + DESK)

    article.refresh_from_db()
    assert article.is_scheduled
    assert page.locator(".messagelist .success").count() == 1
    assert page.locator("#scheduled").get_by_text("Bài chờ lên lịch").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []  # a Content-Security-Policy refusal would be one
    page.close()
