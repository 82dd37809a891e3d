"""No lost edits (articles/editing.py): stale saves refused with a diff, who else is editing, the heartbeat."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.editing import SAVED_COOKIE, version_token
from articles.models import Article, EditSession
from tests.factories import make_article
from tests.test_admin import change_form_data, reporter_form_data

pytestmark = pytest.mark.django_db

Status = Article.Status
REPORTER, EDITOR = "Phóng viên", "Biên tập viên"
# 21:05:09 in Vietnam time.
MOMENT = datetime(2026, 3, 14, 14, 5, 9, 123456, tzinfo=UTC)


def person(username, group, **names):
    user = get_user_model().objects.create_user(username, password=None, is_staff=True, **names)
    user.groups.add(Group.objects.get(name=group))
    return user


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reporter():
    return person("phongvien", REPORTER, first_name="Thu Hà", last_name="Phạm")


@pytest.fixture
def editor():
    return person("bientap", EDITOR, first_name="Quang Huy", last_name="Nguyễn")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def editing_url(article_id):
    return reverse("admin:articles_article_editing", args=[article_id])


def opened_version(client, article):
    """What the hidden field of the change page carries when `client` opens it."""
    form = client.get(change_url(article)).context["adminform"].form
    return form["nr_version"].value()


def stored(article):
    return Article.objects.values("title", "lead", "body", "status", "updated_at", "updated_by").get(pk=article.pk)


def errors_of(response):
    return " ".join(response.context["adminform"].form.non_field_errors())


# The stale save ---------------------------------------------------------------------------------


def test_a_save_on_a_version_someone_saved_since_is_refused_with_who_when_and_the_diff(reporter, editor):
    article = make_article(
        title="Cảng Lạch Huyện đón tàu lớn",
        lead="Sapo cũ.",
        body="<p>Đoạn một.</p><p>Đoạn hai.</p>",
        created_by=reporter,
        status=Status.DRAFT,
        live=False,
    )
    mine, theirs = client_for(reporter), client_for(editor)
    version = opened_version(mine, article)

    with time_machine.travel(MOMENT, tick=False):
        data = change_form_data(article, body="<p>Đoạn một.</p><p>Đoạn hai, biên tập viên sửa.</p>")
        assert theirs.post(change_url(article), data).status_code == 302
    edited = stored(article)

    response = mine.post(
        change_url(article),
        reporter_form_data(article, title="Cảng Lạch Huyện đón tàu 100.000 tấn", nr_version=version),
    )

    assert response.status_code == 200
    assert stored(article) == edited  # nothing overwritten
    assert errors_of(response) == (
        "Bài đã được Nguyễn Quang Huy lưu lúc 14/03/2026 21:05:09 sau khi bạn mở. Bài của bạn chưa được lưu: "
        "xem khác biệt bên dưới, rồi lưu lại nếu muốn ghi đè."
    )
    form = response.context["adminform"].form
    assert form["title"].value() == "Cảng Lạch Huyện đón tàu 100.000 tấn"  # the reporter's text stays
    assert form["body"].value() == "<p>Đoạn một.</p><p>Đoạn hai.</p>"
    # The diff: the stored text on the left, the reporter's on the right, word by word.
    assertContains(response, '<th scope="col" class="rev-diff__side">Bản đã lưu (của Nguyễn Quang Huy)</th>', html=True)
    assertContains(response, '<th scope="col" class="rev-diff__side">Bản của bạn</th>', html=True)
    assertContains(response, '<ins class="rev-ins">100.000 tấn</ins>', html=True)
    assertContains(response, '<del class="rev-del">lớn</del>', html=True)
    assertContains(response, '<del class="rev-del">hai, biên tập viên sửa.</del>', html=True)
    assertContains(response, '<ins class="rev-ins">hai.</ins>', html=True)
    # The hidden field now names the stored version: saving again is a deliberate overwrite, and goes through.
    renewed = form["nr_version"].value()
    assert renewed == version_token(Article.objects.get(pk=article.pk)) != version
    assertContains(response, f'<input type="hidden" name="nr_version" value="{renewed}" id="id_nr_version">', html=True)

    again = mine.post(
        change_url(article),
        reporter_form_data(article, title="Cảng Lạch Huyện đón tàu 100.000 tấn", nr_version=renewed),
    )

    assert again.status_code == 302
    saved = stored(article)
    assert (saved["title"], saved["body"], saved["updated_by"]) == (
        "Cảng Lạch Huyện đón tàu 100.000 tấn",
        "<p>Đoạn một.</p><p>Đoạn hai.</p>",
        reporter.pk,
    )


def test_the_same_user_in_two_tabs_is_told_it_was_their_other_tab(editor):
    article = make_article(title="Bản tin sáng", live=False, status=Status.DRAFT)
    client = client_for(editor)
    first_tab = second_tab = opened_version(client, article)

    with time_machine.travel(MOMENT, tick=False):
        data = change_form_data(article, title="Bản tin sáng (tab 1)", nr_version=first_tab)
        assert client.post(change_url(article), data).status_code == 302
    response = client.post(
        change_url(article), change_form_data(article, title="Bản tin (tab 2)") | {"nr_version": second_tab}
    )

    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).title == "Bản tin sáng (tab 1)"
    assert errors_of(response).startswith("Bạn đã lưu bài này ở một thẻ khác lúc 14/03/2026 21:05:09")
    assertContains(response, "Bản đã lưu (của bạn, ở thẻ khác)")


@pytest.mark.parametrize(
    "version",
    [
        None,  # the field left out
        "",
        "garbage",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "x" * 100_000,
        "{pk}@2020-01-01T00:00:00+00:00:forged-signature",
        "another article",
        "tampered",
    ],
)
def test_a_missing_forged_or_foreign_version_is_a_form_error_and_saves_nothing(editor, version):
    article = make_article(title="Giữ nguyên", live=False, status=Status.DRAFT)
    before = stored(article)
    if version == "another article":
        version = version_token(make_article(live=False))
    elif version == "tampered":
        token = version_token(article)
        version = token.replace(str(article.updated_at.year), str(article.updated_at.year + 1), 1)
    elif version:
        version = version.replace("{pk}", str(article.pk))
    data = change_form_data(article, title="Đã đổi")
    data.pop("nr_version")
    if version is not None:
        data["nr_version"] = version

    response = client_for(editor).post(change_url(article), data)

    assert response.status_code == 200
    assert "không cho biết nó được mở trên phiên bản nào của bài" in errors_of(response)
    assert stored(article) == before
    # The diff and a valid version come back, so the editor can look and save deliberately.
    assertContains(response, '<ins class="rev-ins">Đã đổi</ins>', html=True)
    assert response.context["adminform"].form["nr_version"].value() == version_token(article)
    assertNotContains(response, "<script>alert(1)</script>")


def test_a_story_returned_while_its_reporter_has_it_open_refuses_the_reporters_save(reporter, editor):
    article = make_article(title="Tin chờ duyệt", created_by=reporter, status=Status.REVIEW, live=False)
    mine, theirs = client_for(reporter), client_for(editor)
    version = opened_version(mine, article)

    # The editor's button posts its own form, with no version: it needs none, and goes through.
    with time_machine.travel(MOMENT, tick=False):
        button = reverse("admin:articles_article_workflow", args=[article.pk, "return"])
        assert theirs.post(button, {"note": "Thêm nguồn."}).status_code == 302
    assert stored(article)["status"] == Status.DRAFT

    for submit in ({}, {"_nr_submit": "Gửi duyệt"}):  # a plain save, and "save and submit"
        response = mine.post(
            change_url(article), reporter_form_data(article, title="Sửa tiêu đề") | submit | {"nr_version": version}
        )
        assert response.status_code == 200
        assert errors_of(response).startswith("Bài đã được Nguyễn Quang Huy lưu lúc 14/03/2026 21:05:09")
        after = stored(article)
        assert (after["title"], after["status"]) == ("Tin chờ duyệt", Status.DRAFT)
        assert article.events.count() == 1  # the return only: no submit slipped through


def test_an_editors_status_field_on_a_stale_form_is_refused_too(editor):
    article = make_article(title="Sắp lên trang", live=False, status=Status.REVIEW)
    version = version_token(article)
    Article.objects.filter(pk=article.pk).update(updated_at=MOMENT)  # saved meanwhile, by a script

    data = change_form_data(article, status=Status.PUBLISHED, nr_version=version)
    response = client_for(editor).post(change_url(article), data)

    assert response.status_code == 200
    assert errors_of(response).startswith("Bài đã được người khác lưu lúc 14/03/2026 21:05:09")
    assert stored(article)["status"] == Status.REVIEW


def test_a_conflict_on_other_fields_only_says_the_text_is_the_same(editor):
    article = make_article(title="Chỉ đổi dòng tác giả", live=False, status=Status.DRAFT)
    version = version_token(article)
    Article.objects.filter(pk=article.pk).update(byline="Nhóm phóng viên", updated_at=MOMENT)

    response = client_for(editor).post(change_url(article), change_form_data(article, nr_version=version))

    assert response.status_code == 200
    assertContains(response, "Tiêu đề, sapo và nội dung của hai bản giống nhau.")
    assert Article.objects.get(pk=article.pk).byline == "Nhóm phóng viên"


def test_an_article_deleted_while_its_form_is_open_is_a_form_error(editor):
    from articles.admin import ArticleAdminForm

    article = make_article(live=False, status=Status.DRAFT)
    data = change_form_data(article)
    form = ArticleAdminForm(data, instance=Article.objects.get(pk=article.pk))
    form.user = editor
    Article.objects.filter(pk=article.pk).delete()

    assert not form.is_valid()
    assert form.non_field_errors() == [
        "Bài này đã bị xóa trong lúc bạn đang sửa; hãy chép nội dung của bạn ra chỗ khác."
    ]


def test_a_successful_save_names_the_local_copy_it_made_safe(editor):
    client = client_for(editor)
    article = make_article(live=False, status=Status.DRAFT)

    response = client.post(change_url(article), change_form_data(article, title="Đã lưu"))
    assert response.cookies[SAVED_COOKIE].value == str(article.pk)

    add = reverse("admin:articles_article_add")
    response = client.post(add, change_form_data(Article(title="Bài mới"), nr_draft="a1b2c3d4e5f60718"))
    assert response.status_code == 302
    assert response.cookies[SAVED_COOKIE].value == "new-a1b2c3d4e5f60718"
    # A made-up draft name is not echoed into a cookie.
    for hostile in ("<script>", "a" * 200, "abc;path=/", ""):
        response = client.post(add, change_form_data(Article(title=f"Bài {len(hostile)}"), nr_draft=hostile))
        assert response.status_code == 302
        assert SAVED_COOKIE not in response.cookies
    # An add form sent back with errors keeps its copy's name, and only a well-formed one.
    response = client.post(add, change_form_data(Article(title=""), nr_draft="a1b2c3d4e5f60718"))
    assertContains(response, '<input type="hidden" name="nr_draft" id="nr-draft" value="a1b2c3d4e5f60718">', html=True)
    response = client.post(add, change_form_data(Article(title=""), nr_draft='"><script>'))
    assertContains(response, '<input type="hidden" name="nr_draft" id="nr-draft" value="">', html=True)


def test_the_form_passes_the_copys_data_to_the_script_without_inline_script(reporter):
    article = make_article(created_by=reporter, live=False, status=Status.DRAFT)

    response = client_for(reporter).get(change_url(article))

    page = response.content.decode()
    root = re.search(r'<div id="nr-editing"[^>]*>', page).group(0)
    assert f'data-key="{article.pk}"' in root
    assert 'data-user="phongvien"' in root
    assert 'data-editable="1"' in root
    assert f'data-heartbeat-url="{editing_url(article.pk)}"' in root
    assert f'data-login-url="/admin/login/?next=/admin/articles/article/{article.pk}/change/"' in root
    assert re.search(r'<script src="/static/admin_newsroom/editing.js"( nonce="[^"]+")?></script>', page)
    assert 'href="/static/admin_newsroom/editing.css"' in page
    assert " onclick=" not in page and " style=" not in root


# Who else is editing -----------------------------------------------------------------------------


def test_others_opening_the_article_see_who_is_editing_and_since_when(reporter, editor):
    article = make_article(title="Tin đang viết", created_by=reporter, status=Status.DRAFT, live=False)
    with time_machine.travel(MOMENT, tick=False):
        client_for(reporter).get(change_url(article))
    session = EditSession.objects.get()
    assert (session.article, session.user, session.opened_at, session.seen_at) == (article, reporter, MOMENT, MOMENT)

    with time_machine.travel(MOMENT + timedelta(seconds=90), tick=False):
        response = client_for(editor).get(change_url(article))
        # The reporter's own page does not name the reporter.
        own = client_for(reporter).get(change_url(article))

    assertContains(
        response,
        '<ul class="messagelist nr-editing-others">'
        '<li class="warning">Phạm Thu Hà đang sửa bài này (từ 21:05)</li></ul>',
        html=True,
    )
    assertContains(
        own,
        '<ul class="messagelist nr-editing-others"><li class="warning">'
        "Nguyễn Quang Huy đang sửa bài này (từ 21:06)</li></ul>",
        html=True,
    )
    assertNotContains(own, "Phạm Thu Hà đang sửa")
    # Reloading does not move "since" while the session is alive.
    assert EditSession.objects.get(user=reporter).opened_at == MOMENT

    # Two minutes without a sign of life, and the reporter is no longer named.
    with time_machine.travel(MOMENT + timedelta(minutes=4), tick=False):
        response = client_for(editor).get(change_url(article))
    assertNotContains(response, "đang sửa bài này")
    assertContains(response, '<ul class="messagelist nr-editing-others" hidden></ul>', html=True)


def test_a_name_with_markup_is_shown_as_text(reporter, editor):
    article = make_article(created_by=reporter, status=Status.DRAFT, live=False)
    reporter.first_name, reporter.last_name = "<script>alert(1)</script>", "<b>x</b>"
    reporter.save()
    client_for(reporter).get(change_url(article))

    response = client_for(editor).get(change_url(article))

    assertContains(response, "&lt;b&gt;x&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; đang sửa bài này")
    assertNotContains(response, "<script>alert(1)</script>")


def test_a_read_only_view_names_others_but_records_no_session(reporter, editor):
    article = make_article(title="Đã lên trang", created_by=reporter)  # live: the reporter only views it
    client_for(editor).get(change_url(article))

    response = client_for(reporter).get(change_url(article))

    assert response.context["has_change_permission"] is False
    assertContains(response, "Nguyễn Quang Huy đang sửa bài này")
    assert list(EditSession.objects.values_list("user", flat=True)) == [editor.pk]
    assert client_for(reporter).post(editing_url(article.pk)).status_code == 200
    assert list(EditSession.objects.values_list("user", flat=True)) == [editor.pk]


def queries(client, method, url, article, others):
    """The queries of one request with `others` other editors present (the requester's session already exists)."""
    for _n in range(others):
        EditSession.objects.create(article=article, user=person(f"bt{EditSession.objects.count()}", EDITOR))
    getattr(client, method)(url)
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url)
    return response, len(captured)


def test_the_change_page_runs_the_same_queries_however_many_are_editing(editor):
    client = client_for(editor)
    small, large = make_article(live=False, status=Status.DRAFT), make_article(live=False, status=Status.DRAFT)

    response, few = queries(client, "get", change_url(small), small, 1)
    assert len(response.context["editing"]["others"]) == 1
    response, many = queries(client, "get", change_url(large), large, 6)
    assert len(response.context["editing"]["others"]) == 6

    assert few == many


# The heartbeat ---------------------------------------------------------------------------------------


def test_the_heartbeat_refreshes_the_session_and_says_who_else_is_editing(reporter, editor):
    article = make_article(created_by=reporter, status=Status.DRAFT, live=False)
    mine, theirs = client_for(reporter), client_for(editor)
    with time_machine.travel(MOMENT, tick=False):
        mine.get(change_url(article))
        theirs.get(change_url(article))

    with time_machine.travel(MOMENT + timedelta(seconds=30), tick=False):
        response = mine.post(editing_url(article.pk), {"version": version_token(article)})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "others": ["Nguyễn Quang Huy đang sửa bài này (từ 21:05)"],
        "saved": None,
    }
    session = EditSession.objects.get(user=reporter)
    assert (session.opened_at, session.seen_at) == (MOMENT, MOMENT + timedelta(seconds=30))
    assert "no-cache" in response["Cache-Control"]

    # The editor saves: the reporter's next beat says so, before the reporter saves anything.
    with time_machine.travel(MOMENT + timedelta(seconds=40), tick=False):
        theirs.post(change_url(article), change_form_data(article, title="Biên tập viên đổi"))
    with time_machine.travel(MOMENT + timedelta(seconds=60), tick=False):
        data = json.loads(mine.post(editing_url(article.pk), {"version": version_token(article)}).content)
    assert data["saved"] == (
        "Nguyễn Quang Huy đã lưu bài này lúc 14/03/2026 21:05:49, sau khi bạn mở. Khi bạn lưu, bạn sẽ được xem khác "
        "biệt trước và chọn có ghi đè hay không."
    )

    # The editor's own other tab hears that it was the editor.
    with time_machine.travel(MOMENT + timedelta(seconds=60), tick=False):
        data = json.loads(theirs.post(editing_url(article.pk), {"version": version_token(article)}).content)
    assert data["saved"] == "Bạn đã lưu bài này ở một thẻ khác lúc 14/03/2026 21:05:49."

    # Leaving the page ends the session; the others are no longer told.
    response = theirs.post(editing_url(article.pk), {"release": "1"})
    assert json.loads(response.content) == {"released": True}
    assert list(EditSession.objects.values_list("user", flat=True)) == [reporter.pk]


def test_the_heartbeat_answers_get_with_405_and_writes_nothing(editor):
    article = make_article(live=False)
    response = client_for(editor).get(editing_url(article.pk))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert not EditSession.objects.exists()


def test_the_heartbeat_sends_an_anonymous_visitor_to_the_login_and_writes_nothing():
    article = make_article(live=False)
    response = Client().post(editing_url(article.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    assert not EditSession.objects.exists()


def test_the_heartbeat_needs_the_csrf_token(editor):
    article = make_article(live=False)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(editing_url(article.pk)).status_code == 403
    assert not EditSession.objects.exists()


def test_the_heartbeat_of_someone_elses_story_is_a_404_for_a_reporter(reporter):
    colleague = person("phongvien2", REPORTER)
    theirs = make_article(created_by=colleague, status=Status.DRAFT, live=False)
    EditSession.objects.create(article=theirs, user=colleague)

    for data in ({}, {"release": "1"}):
        assert client_for(reporter).post(editing_url(theirs.pk), data).status_code == 404
    assert list(EditSession.objects.values_list("user", flat=True)) == [colleague.pk]


@pytest.mark.parametrize(
    "article_id", ["0", "999999", "99999999999999999999999999", "-1", "abc", "1 OR 1=1", "%3Cscript%3E", "1.5"]
)
def test_the_heartbeat_of_a_missing_or_malformed_id_is_a_404(editor, reporter, article_id):
    url = reverse("admin:articles_article_editing", args=["__id__"]).replace("__id__", article_id)
    for user in (editor, reporter):
        assert client_for(user).post(url).status_code == 404
    assert not EditSession.objects.exists()


@pytest.mark.parametrize("version", ["garbage", "x" * 50_000, "<script>", ""])
def test_the_heartbeat_ignores_a_hostile_version(editor, version):
    article = make_article(live=False)
    response = client_for(editor).post(editing_url(article.pk), {"version": version})
    assert response.status_code == 200
    assert json.loads(response.content) == {"others": [], "saved": None}


@pytest.mark.parametrize("others", [1, 6])
def test_the_heartbeat_runs_the_same_queries_however_many_are_editing(editor, others):
    article = make_article(live=False)

    response, count = queries(client_for(editor), "post", editing_url(article.pk), article, others)

    assert len(json.loads(response.content)["others"]) == others
    # The login session and user, their permissions (user and group), the article with its byline (the admin's
    # queryset), the refresh, who else is editing.
    assert count == 8
