"""Corrections and marked updates (articles/corrections.py): the services, the reader pages, the admin."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from articles.corrections import article_correct, article_mark_updated
from articles.links import absolute_url
from articles.models import Article, Correction
from articles.services import TransitionDenied

from .factories import make_article, make_section, make_tag

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=VN)
Status = Article.Status
CORRECTIONS = "/dinh-chinh/"


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def make_user(username, group=None, **kwargs):
    user = get_user_model().objects.create_user(username, password=None, is_staff=True, **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)  # a fresh object: no cached permissions


@pytest.fixture
def editor():
    return make_user("bientap", "Biên tập viên")


@pytest.fixture
def reporter():
    return make_user("phongvien", "Phóng viên")


def live(**kwargs):
    return make_article(**{"publish_at": NOW - timedelta(hours=3), **kwargs})


def in_state(state, **kwargs):
    return {
        "draft": lambda: make_article(status=Status.DRAFT, live=False, **kwargs),
        "review": lambda: make_article(status=Status.REVIEW, live=False, **kwargs),
        "scheduled": lambda: make_article(status=Status.PUBLISHED, publish_at=NOW + timedelta(hours=2), **kwargs),
        "expired": lambda: make_article(
            status=Status.PUBLISHED, publish_at=NOW - timedelta(days=2), expire_at=NOW - timedelta(hours=1), **kwargs
        ),
        "archived": lambda: make_article(status=Status.ARCHIVED, publish_at=NOW - timedelta(days=2), **kwargs),
    }[state]()


def stored(article):
    return Article.objects.values("title", "status", "modified_at", "updated_by", "updated_at").get(pk=article.pk)


def shown(moment):
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M")


# The services -------------------------------------------------------------


def test_a_correction_moves_modified_at_and_last_modified_and_nothing_else(editor, clock):
    article = live(title="Cảng Lạch Huyện đón tàu lớn")
    before = stored(article)
    assert article.last_modified == article.publish_at and article.modified_at is None
    clock.shift(timedelta(minutes=5))
    # The object the editor holds may carry unsaved edits: a correction saves none of them.
    article.title = "Tiêu đề chưa lưu"
    correction = article_correct(article=article, by=editor, text="  Tàu dài 400 m, không phải 300 m.\r\n  ")

    assert correction.kind == Correction.Kind.CORRECTION
    assert correction.text == "Tàu dài 400 m, không phải 300 m."
    assert correction.at == NOW + timedelta(minutes=5) and correction.created_by == editor
    after = stored(article)
    assert after["modified_at"] == NOW + timedelta(minutes=5) and after["updated_by"] == editor.pk
    assert {k: after[k] for k in ("title", "status", "updated_at")} == {
        k: before[k] for k in ("title", "status", "updated_at")
    }
    fresh = Article.objects.get(pk=article.pk)
    assert fresh.last_modified == NOW + timedelta(minutes=5)
    assert article.modified_at == fresh.modified_at  # the caller's object says it too


def test_modified_at_never_moves_backwards(editor, clock):
    article = live()
    article_mark_updated(article=article, by=editor, note="Thêm ý kiến của cảng vụ.")
    # A correction dated earlier than the last update (recorded late) leaves the story's time where it was.
    article_correct(article=article, by=editor, text="Sửa tên cảng vụ.", at=NOW - timedelta(hours=1))
    assert stored(article)["modified_at"] == NOW
    clock.shift(timedelta(hours=1))
    article_mark_updated(article=article, by=editor)
    assert stored(article)["modified_at"] == NOW + timedelta(hours=1)
    assert list(article.corrections.values_list("kind", "text")) == [
        ("update", ""),
        ("update", "Thêm ý kiến của cảng vụ."),
        ("correction", "Sửa tên cảng vụ."),
    ]


def test_each_correction_is_a_revision_with_its_user_and_comment(editor):
    registered_here = not reversion.is_registered(Article)
    if registered_here:  # the history feature registers Article; until it does, this test does for itself
        reversion.register(Article)
    try:
        article = live()
        article_correct(article=article, by=editor, text="Tên đúng là Nguyễn Văn An.")
        article_mark_updated(article=article, by=editor)
        from reversion.models import Version

        revisions = [v.revision for v in Version.objects.get_for_object(article)]
        assert [(r.user, r.get_comment()) for r in revisions] == [
            (editor, "Đánh dấu cập nhật"),
            (editor, "Đính chính: Tên đúng là Nguyễn Văn An."),
        ]
    finally:
        if registered_here:
            reversion.unregister(Article)


@pytest.mark.parametrize(
    ("text", "at", "field"),
    [
        ("", None, "text"),
        ("   \n ", None, "text"),
        ("x" * 2001, None, "text"),
        ("Sửa số liệu.", NOW + timedelta(minutes=1), "at"),
        ("Sửa số liệu.", NOW - timedelta(hours=4), "at"),  # before the story was published
    ],
)
def test_a_bad_correction_is_a_field_error_and_saves_nothing(editor, text, at, field):
    article = live()
    before = stored(article)
    with pytest.raises(ValidationError) as error:
        article_correct(article=article, by=editor, text=text, at=at)
    assert field in error.value.message_dict
    assert stored(article) == before
    assert not Correction.objects.exists()


def test_2000_characters_are_enough(editor):
    article = live()
    assert len(article_correct(article=article, by=editor, text="x" * 2000).text) == 2000


@pytest.mark.parametrize("state", ["draft", "review", "scheduled", "expired", "archived"])
def test_only_a_live_article_is_corrected_or_updated(editor, state):
    article = in_state(state)
    before = stored(article)
    for call in (
        lambda: article_correct(article=article, by=editor, text="Sửa."),
        lambda: article_mark_updated(article=article, by=editor, note="Thêm."),
    ):
        with pytest.raises(TransitionDenied):
            call()
    assert stored(article) == before and not Correction.objects.exists()


def test_only_an_editor_corrects(reporter):
    article = live(created_by=reporter)  # their own story, live
    for user in (reporter, AnonymousUser(), make_user("khach")):
        with pytest.raises(TransitionDenied):
            article_correct(article=article, by=user, text="Sửa.")
    assert stored(article)["modified_at"] is None and not Correction.objects.exists()


def test_the_services_take_keywords_only(editor):
    with pytest.raises(TypeError):
        article_correct(live(), editor, "Sửa.")


# The article page ---------------------------------------------------------


def test_the_article_page_shows_the_update_time_and_the_corrections(client, editor, clock):
    article = live()
    clock.shift(timedelta(minutes=30))
    article_correct(article=article, by=editor, text="Cầu dài 2 km.\nKhông phải 3 km.")
    clock.shift(timedelta(minutes=30))
    article_mark_updated(article=article, by=editor, note="Thêm ý kiến của Sở Giao thông.")
    article_mark_updated(article=article, by=editor)  # no note: only the time beside the dateline
    first, latest = NOW + timedelta(minutes=30), NOW + timedelta(hours=1)

    response = client.get(article.get_absolute_url())
    assertContains(
        response,
        f'<span class="updated">Cập nhật <time datetime="{latest.isoformat()}">{shown(latest)}</time></span>',
        html=True,
        count=1,
    )
    assertContains(
        response,
        '<section class="notes notes--corrections" aria-labelledby="dinh-chinh">'
        '<h2 class="foot-title" id="dinh-chinh">Đính chính</h2>'
        f'<ol class="notes__list"><li><time datetime="{first.isoformat()}">{shown(first)}</time>: '
        "Cầu dài 2 km.<br>Không phải 3 km.</li></ol></section>",
        html=True,
    )
    assertContains(
        response,
        '<section class="notes" aria-labelledby="cap-nhat"><h2 class="foot-title" id="cap-nhat">Cập nhật</h2>'
        f'<ol class="notes__list"><li>Cập nhật lúc <time datetime="{latest.isoformat()}">{shown(latest)}</time>: '
        "Thêm ý kiến của Sở Giao thông.</li></ol></section>",
        html=True,
    )


def test_corrections_on_the_page_are_oldest_first(client, editor, clock):
    article = live()
    article_correct(article=article, by=editor, text="Đính chính thứ nhất.")
    clock.shift(timedelta(minutes=10))
    article_correct(article=article, by=editor, text="Đính chính thứ hai.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.index("Đính chính thứ nhất.") < page.index("Đính chính thứ hai.")


def test_an_article_never_corrected_shows_no_update_and_no_corrections_section(client):
    response = client.get(live().get_absolute_url())
    assertNotContains(response, "Cập nhật")
    assertNotContains(response, 'id="dinh-chinh"')


def test_an_update_time_not_after_publication_is_not_shown(client, editor):
    article = live()
    article_correct(article=article, by=editor, text="Sửa.", at=article.publish_at)
    response = client.get(article.get_absolute_url())
    assertNotContains(response, 'class="updated"')
    assertContains(response, 'id="dinh-chinh"')


@pytest.mark.parametrize(
    "text",
    [
        '<script>alert("x")</script>',
        "javascript:alert(1)",
        '<a href="javascript:alert(1)">bấm</a>',
        '"><img src=x onerror=alert(1)>',
    ],
)
def test_hostile_correction_text_is_shown_as_text(client, editor, text):
    article = live()
    article_correct(article=article, by=editor, text=text)
    article_mark_updated(article=article, by=editor, note=text)
    for url in (article.get_absolute_url(), CORRECTIONS):
        response = client.get(url)
        page = response.content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and 'href="javascript:' not in page
        assertContains(response, escape(text))


def article_page_queries(client, article):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(article.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_article_page_budget_holds_and_corrections_cost_one_query(client, editor):
    # With a section and a tag, as tests/test_views.py's article is: the related stories are a query of their own.
    section, tag = make_section(), make_tag()
    plain, corrected = live(section=section, tags=[tag]), live(section=section, tags=[tag])
    assert article_page_queries(client, plain) == 3  # tests/test_views.py's budget, unchanged
    article_correct(article=corrected, by=editor, text="Sửa lần 1.")
    one = article_page_queries(client, corrected)
    for n in range(2, 8):
        article_correct(article=corrected, by=editor, text=f"Sửa lần {n}.")
        article_mark_updated(article=corrected, by=editor, note=f"Cập nhật lần {n}.")
    assert one == article_page_queries(client, corrected) == 4


def test_listings_do_not_show_the_update_time(client, editor):
    section = make_section()
    article = live(section=section)
    article_mark_updated(article=article, by=editor)
    for url in ("/", section.get_absolute_url()):
        assertNotContains(client.get(url), 'class="updated"')


# The corrections page -----------------------------------------------------


def correct_many(editor, count, clock, **kwargs):
    """`count` corrections on live stories, one a minute, the newest last."""
    made = []
    for n in range(count):
        clock.shift(timedelta(minutes=1))
        made.append(article_correct(article=live(**kwargs), by=editor, text=f"Đính chính số {n}."))
    return made


def listed(response):
    return [correction.pk for correction in response.context["corrections"]]


def test_the_corrections_page_lists_corrections_newest_first(client, editor, clock):
    article = live(title="Cảng <Đình Vũ> mở rộng")
    clock.shift(timedelta(minutes=1))
    older = article_correct(article=article, by=editor, text="Diện tích 50 ha.\nKhông phải 30 ha.")
    article_mark_updated(article=article, by=editor, note="Một cập nhật, không phải đính chính.")
    clock.shift(timedelta(minutes=1))
    newer = article_correct(article=live(), by=editor, text="Tên đúng là Trần Thị Bình.")

    response = client.get(CORRECTIONS)
    assert listed(response) == [newer.pk, older.pk]
    assertContains(response, "<h1>Đính chính</h1>", html=True)
    assertContains(response, '<a href="/dinh-chinh/" aria-current="page">Đính chính</a>', html=True)
    assertNotContains(response, "Một cập nhật, không phải đính chính.")
    assertContains(
        response,
        '<li class="correction">'
        f'<h2 class="correction__title"><a href="{article.get_absolute_url()}">Cảng &lt;Đình Vũ&gt; mở rộng</a></h2>'
        f'<p class="meta">Đính chính lúc <time datetime="{older.at.astimezone(VN).isoformat()}">'
        f"{shown(older.at)}</time></p>"
        '<p class="correction__text">Diện tích 50 ha.<br>Không phải 30 ha.</p></li>',
        html=True,
    )
    assertContains(response, f'<link rel="canonical" href="{absolute_url("/dinh-chinh/")}">', html=True)


def test_the_corrections_page_without_corrections(client):
    response = client.get(CORRECTIONS)
    assertContains(response, '<p class="empty">Chưa có đính chính nào.</p>', html=True)


def test_every_reader_page_links_to_the_corrections_page(client):
    assertContains(client.get("/"), '<a href="/dinh-chinh/">Đính chính</a>', html=True)
    assertContains(client.get(live().get_absolute_url()), '<a href="/dinh-chinh/">Đính chính</a>', html=True)


def test_only_corrections_on_live_stories_are_listed(client, editor, clock):
    shown_now = correct_many(editor, 1, clock)[0]
    leaving = live(expire_at=NOW + timedelta(hours=1))
    soon_gone = article_correct(article=leaving, by=editor, text="Sẽ hết hạn.")
    taken_down = live()
    archived = article_correct(article=taken_down, by=editor, text="Sẽ bị gỡ.")
    Article.objects.filter(pk=taken_down.pk).update(status=Status.ARCHIVED)
    assert listed(client.get(CORRECTIONS)) == [soon_gone.pk, shown_now.pk]

    clock.shift(timedelta(hours=1))  # the story expires: its correction leaves the page with it
    assert listed(client.get(CORRECTIONS)) == [shown_now.pk]
    assert archived.pk not in listed(client.get(CORRECTIONS))


def test_the_corrections_page_is_paginated_like_the_listings(client, editor, clock):
    made = correct_many(editor, 45, clock)
    newest_first = [c.pk for c in reversed(made)]
    first = client.get(CORRECTIONS)
    assert listed(first) == newest_first[:20]
    assertContains(first, f'<link rel="next" href="{absolute_url("/dinh-chinh/?trang=2")}">', html=True)
    second = client.get(CORRECTIONS, {"trang": "2"})
    assert listed(second) == newest_first[20:40]
    assertContains(second, "<h1>Đính chính — Trang 2</h1>", html=True)
    for rel, url in (("canonical", "/dinh-chinh/?trang=2"), ("prev", "/dinh-chinh/"), ("next", "/dinh-chinh/?trang=3")):
        assertContains(second, f'<link rel="{rel}" href="{absolute_url(url)}">', html=True)
    assertContains(second, '<a href="/dinh-chinh/" rel="prev">← Trang trước</a>', html=True)
    assert listed(client.get(CORRECTIONS, {"trang": "3"})) == newest_first[40:]


@pytest.mark.parametrize("number", ["0", "4", "-1", "+2", " 2", "02", "abc", "٢", "1" * 20, "2.0", ""])
def test_a_page_number_that_is_not_a_page_is_a_404(client, editor, clock, number):
    correct_many(editor, 45, clock)
    assert client.get(CORRECTIONS, {"trang": number}).status_code == 404


def test_the_corrections_page_runs_a_fixed_number_of_queries(client, editor, clock):
    correct_many(editor, 3, clock)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CORRECTIONS).status_code == 200
        return len(queries)

    small = count()
    correct_many(editor, 27, clock, body="<p>" + "Nội dung dài. " * 200 + "</p>")
    # The count, the page of corrections with their articles' titles and addresses, and the navigation.
    assert small == count() == 3


# The admin ----------------------------------------------------------------


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def correct_url(article_id):
    return reverse("admin:articles_article_corrections", args=[article_id])


def messages_of(response):
    return [(m.level_tag, m.message) for m in response.context["messages"]]


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_an_editor_sees_the_corrections_block_on_a_live_article(editor_client, editor):
    article = live()
    article_correct(article=article, by=editor, text="<b>đậm</b> sai")
    response = editor_client.get(change_url(article))
    assertContains(response, f'<form id="nr-corrections" method="post" action="{correct_url(article.pk)}">')
    assertContains(response, "<h2>Đính chính và cập nhật</h2>", html=True)
    assertContains(response, 'name="text"')
    assertContains(response, 'form="nr-corrections"', count=5)  # kind, text, date, time and the button
    assertContains(
        response, '<button type="submit" class="button" form="nr-corrections">Thêm vào bài</button>', html=True
    )
    assertContains(response, "<td>&lt;b&gt;đậm&lt;/b&gt; sai</td>", html=True)


@pytest.mark.parametrize("state", ["draft", "scheduled", "expired", "archived"])
def test_no_correction_form_on_an_article_that_is_not_live(editor_client, state):
    response = editor_client.get(change_url(in_state(state)))
    assert response.status_code == 200
    assertNotContains(response, 'id="nr-corrections"')
    assertNotContains(response, 'form="nr-corrections"')


def test_a_reporter_sees_the_corrections_but_no_form(client, reporter, editor):
    article = live(created_by=reporter)
    article_correct(article=article, by=editor, text="Sửa tên.")
    client.force_login(reporter)
    response = client.get(change_url(article))
    assertContains(response, "<td>Sửa tên.</td>", html=True)
    assertNotContains(response, 'id="nr-corrections"')


def test_an_editor_adds_a_correction_from_the_change_page(editor_client, editor):
    article = live()
    response = editor_client.post(
        correct_url(article.pk),
        {"kind": "correction", "text": "Số thành viên là 125.", "at_0": "10/03/2026", "at_1": "08:15"},
        follow=True,
    )
    assert response.redirect_chain == [(change_url(article), 302)]
    assert messages_of(response) == [("success", "Đã thêm đính chính; bạn đọc thấy ở cuối bài.")]
    correction = Correction.objects.get()
    # dd/mm/YYYY HH:MM in Vietnam time.
    assert (correction.kind, correction.text, correction.at) == (
        "correction",
        "Số thành viên là 125.",
        datetime(2026, 3, 10, 8, 15, tzinfo=VN),
    )
    assert correction.created_by == editor
    assert stored(article)["modified_at"] == datetime(2026, 3, 10, 8, 15, tzinfo=VN)


def test_an_editor_marks_an_update_with_the_time_left_empty(editor_client):
    article = live()
    response = editor_client.post(correct_url(article.pk), {"kind": "update", "text": "", "at_0": "", "at_1": ""})
    assert response.status_code == 302
    assert list(Correction.objects.values_list("kind", "text", "at")) == [("update", "", NOW)]
    assert stored(article)["modified_at"] == NOW


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "correction", "text": ""}, "Hãy ghi rõ chỗ sai và thông tin đúng"),
        ({"kind": "correction", "text": "x" * 2001}, "Nội dung:"),
        ({"kind": "correction", "text": "Sửa.", "at_0": "10/03/2026", "at_1": "09:01"}, "không được ở tương lai"),
        ({"kind": "correction", "text": "Sửa.", "at_0": "10/03/2026", "at_1": "05:59"}, "trước lúc bài được đăng"),
        ({"kind": "correction", "text": "Sửa.", "at_0": "31/02/2026", "at_1": "08:00"}, "Thời điểm (giờ Việt Nam):"),
        ({"kind": "correction", "text": "Sửa.", "at_0": "10/03/2026", "at_1": "25:99"}, "Thời điểm (giờ Việt Nam):"),
        ({"kind": "correction", "text": "Sửa.", "at_0": "10/03/2026", "at_1": ""}, "Thời điểm (giờ Việt Nam):"),
        ({"kind": "correction", "text": "Sửa.", "at_0": "9" * 40, "at_1": "08:00"}, "Thời điểm (giờ Việt Nam):"),
        ({"kind": "delete", "text": "Sửa."}, "Loại:"),
        ({"text": "Sửa."}, "Loại:"),
    ],
)
def test_bad_input_is_a_message_and_saves_nothing(editor_client, data, message):
    article = live()
    before = stored(article)
    response = editor_client.post(correct_url(article.pk), data, follow=True)
    assert response.redirect_chain == [(change_url(article), 302)]
    [(level, text)] = messages_of(response)
    assert level == "error" and message in text
    assert stored(article) == before and not Correction.objects.exists()


@pytest.mark.parametrize("state", ["draft", "review", "scheduled", "expired", "archived"])
def test_a_correction_on_an_article_not_live_is_refused_with_a_message(editor_client, state):
    article = in_state(state)
    before = stored(article)
    response = editor_client.post(correct_url(article.pk), {"kind": "correction", "text": "Sửa."}, follow=True)
    [(level, text)] = messages_of(response)
    assert level == "error" and text.startswith("Chỉ bài đang hiển thị mới được đính chính")
    assert stored(article) == before and not Correction.objects.exists()


def test_a_reporter_posting_a_correction_is_refused(client, reporter):
    own, other = live(created_by=reporter), live(created_by=make_user("phongvien2", "Phóng viên"))
    client.force_login(reporter)
    data = {"kind": "correction", "text": "Sửa."}
    assert client.post(correct_url(own.pk), data).status_code == 403
    assert client.post(correct_url(other.pk), data).status_code == 404  # someone else's story: not found
    assert not Correction.objects.exists() and stored(own)["modified_at"] is None


def test_wrong_ids_and_methods(editor_client, client):
    article = live()
    data = {"kind": "correction", "text": "Sửa."}
    assert editor_client.get(correct_url(article.pk)).status_code == 405
    assert editor_client.post(correct_url(article.pk + 1000), data).status_code == 404
    for bad in ("abc", "1 OR 1=1", "-1", "9" * 30):
        assert editor_client.post(f"/admin/articles/article/{bad}/corrections/", data).status_code == 404
    editor_client.logout()
    assert client.post(correct_url(article.pk), data).status_code == 302  # to the login page
    assert not Correction.objects.exists()
