"""Versions of every save (articles/revisions.py): history, compare, restore, recover, and who may use them."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import reversion
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from reversion.models import Revision, Version

from articles import services
from articles.models import Article, ArticleAuthor, Tag
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag
from tests.test_admin import change_form_data

pytestmark = pytest.mark.django_db

Status = Article.Status
REPORTER, EDITOR = "Phóng viên", "Biên tập viên"


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def make_user(username, group=None):
    user = get_user_model().objects.create_user(username, password=None, is_staff=True, first_name=username.title())
    if group:
        user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def people():
    return {
        "owner": make_user("phongvien", REPORTER),
        "other_reporter": make_user("phongvien2", REPORTER),
        "editor": make_user("bientap", EDITOR),
    }


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def versions(article):
    return list(Version.objects.get_for_object(article).select_related("revision__user"))


def draft_by(user, **kwargs):
    """A draft saved once through the service, so it has its first version."""
    article = Article(title=kwargs.pop("title", "Bản nháp đầu tiên"), created_by=user, **kwargs)
    return services.article_save(article=article, by=user)


def url(name, *args):
    return reverse(f"admin:articles_article_{name}", args=args)


def state(article):
    """Everything a refused request must leave as it was."""
    row = Article.objects.filter(pk=article.pk).values().first()
    bylines = list(ArticleAuthor.objects.filter(article_id=article.pk).values_list("author_id", "position"))
    return row, bylines, Revision.objects.count()


# Versions are kept by every service and every admin save ---------------------------------------------------


@time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False)
def test_each_service_call_keeps_a_version_with_who_and_what(people):
    editor = people["editor"]
    article = draft_by(editor)
    services.article_submit(article=article, by=editor)
    publish_at = timezone.make_aware(timezone.datetime(2026, 12, 2, 8, 0))
    services.article_schedule(article=article, by=editor, publish_at=publish_at)
    services.article_unschedule(article=article, by=editor)
    services.article_publish(article=article, by=editor)
    services.article_archive(article=article, by=editor, note="Sai số liệu")
    services.article_restore(article=article, by=editor)
    kept = versions(article)
    assert [version.revision.get_comment() for version in kept] == [
        "Đã khôi phục thành bản nháp",
        "Đã gỡ: Sai số liệu",
        "Đã đăng",
        "Đã bỏ lịch đăng",
        "Đã lên lịch 02/12/2026 08:00",
        "Đã gửi duyệt",
        "Đã tạo",
    ]
    assert {version.revision.user for version in kept} == {editor}
    # The version holds the state after the step: the archived one says archived.
    assert kept[1].field_dict["status"] == Status.ARCHIVED


def test_a_refused_service_call_keeps_no_version(people):
    article = draft_by(people["owner"])
    before = Revision.objects.count()
    with pytest.raises(services.TransitionDenied):
        services.article_publish(article=article, by=people["owner"])
    assert Revision.objects.count() == before


def test_an_admin_save_is_one_version_with_the_byline_and_tags(people):
    editor = people["editor"]
    first, second = make_author(name="Lan"), make_author(name="Minh")
    tag = make_tag(name="Cảng biển")
    article = draft_by(editor, title="Tiêu đề cũ")
    data = change_form_data(article, title="Tiêu đề mới", tags=[str(tag.pk)]) | {
        "bylines-TOTAL_FORMS": "2",
        "bylines-0-author": str(second.pk),
        "bylines-0-position": "1",
        "bylines-1-author": str(first.pk),
        "bylines-1-position": "2",
    }
    response = client_for(editor).post(url("change", article.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    newest = versions(article)[0]
    assert newest.revision.user == editor
    assert newest.revision.get_comment() == "Đã lưu — đã sửa: tiêu đề, từ khóa, tác giả"
    assert newest.field_dict["title"] == "Tiêu đề mới"
    assert newest.field_dict["tags"] == [tag.pk]
    rows = newest.revision.version_set.exclude(pk=newest.pk)
    assert sorted((row.field_dict["position"], row.field_dict["author_id"]) for row in rows) == [
        (1, second.pk),
        (2, first.pk),
    ]
    assert len(versions(article)) == 2


def test_the_importers_save_is_a_version(tmp_path):
    from articles.importer import Importer

    path = tmp_path / "tin-cang.txt"
    path.write_text(
        "Cảng Hải Phòng đón tàu lớn\n\nNguyễn Lan\n01/12/2026 08:00\nSapo của tin.\n\nĐoạn thân bài.\n",
        encoding="utf-8",
    )
    article = Importer().import_file(path).article
    version = versions(article)[0]
    assert version.revision.get_comment() == "Nhập từ tệp tin-cang.txt"
    assert version.revision.version_set.count() == 2  # the article and its byline row


# History --------------------------------------------------------------------------------------------


def test_history_lists_versions_newest_first_with_when_who_and_what(people):
    editor = people["editor"]
    article = draft_by(editor, title="Tin <b>đậm</b>")
    services.article_submit(article=article, by=editor)
    response = client_for(editor).get(url("history", article.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Đã gửi duyệt") < html.index("Đã tạo")
    assert timezone.localtime(versions(article)[0].revision.date_created).strftime("%d/%m/%Y %H:%M") in html
    assert "Bientap" in html
    assert "Tin &lt;b&gt;đậm&lt;/b&gt;" in html
    # The workflow's events are shown too, and the compare form has both versions picked.
    assert "Gửi duyệt" in html
    assert html.count('type="radio"') == 4
    assert html.count(" checked") == 2
    assert html.count(url("revision", article.pk, versions(article)[1].pk)) == 1


@pytest.mark.parametrize("count", [2, 20])
def test_history_runs_the_same_queries_for_2_and_20_versions(people, count, django_assert_num_queries):
    editor = people["editor"]
    article = draft_by(editor)
    for n in range(count - 1):
        article.title = f"Tiêu đề lần {n}"
        services.article_save(article=article, by=editor)
    assert len(versions(article)) == count
    client = client_for(editor)
    client.get(url("history", article.pk))  # session and content types cached, as on any later page
    with django_assert_num_queries(9):
        response = client.get(url("history", article.pk))
    assert response.status_code == 200


def test_a_reporter_sees_the_history_of_their_own_stories_only(people):
    own = draft_by(people["owner"])
    other = draft_by(people["other_reporter"])
    client = client_for(people["owner"])
    assert client.get(url("history", own.pk)).status_code == 200
    assert client.get(url("history", other.pk)).status_code == 404
    first = versions(other)[0]
    assert client.get(url("revision", other.pk, first.pk)).status_code == 404
    assert client.get(url("revision_compare", other.pk), {"a": first.pk, "b": first.pk}).status_code == 404


# Compare --------------------------------------------------------------------------------------------


def test_two_versions_are_compared_side_by_side_escaped(people):
    editor = people["editor"]
    article = draft_by(editor, title="Khởi công cầu", body="<p>Đoạn một.</p>")
    older = versions(article)[0]
    article.title = "Khánh thành cầu"
    services.article_save(article=article, by=editor)
    # A version holding a script and a handler, as a raw write or an older sanitiser could have left it
    # (the sanitiser runs on every save, so it is planted in the version's data).
    newer = versions(article)[0]
    data = json.loads(newer.serialized_data)
    data[0]["fields"]["body"] = '<p>Đoạn hai.</p><script>alert(1)</script><img src=x onerror="alert(2)">'
    newer.serialized_data = json.dumps(data)
    newer.save()
    # Either order in the query: the older is on the left.
    response = client_for(editor).get(url("revision_compare", article.pk), {"a": newer.pk, "b": older.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "onerror=&quot;alert(2)&quot;" in html
    assert '<del class="rev-del">Khởi công</del>' in html
    assert '<ins class="rev-ins">Khánh thành</ins>' in html
    assert html.index("rev-diff__cell--before") < html.index('<ins class="rev-ins">Khánh thành</ins>')


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"a": "1"},
        {"a": "abc", "b": "1"},
        {"a": "-1", "b": "1"},
        {"a": "9" * 30, "b": "1"},
        {"a": "1<script>", "b": "1"},
    ],
)
def test_compare_refuses_malformed_ids(people, params):
    article = draft_by(people["editor"])
    response = client_for(people["editor"]).get(url("revision_compare", article.pk), params)
    assert response.status_code == 404


def test_compare_refuses_a_version_of_another_article(people):
    editor = people["editor"]
    article, other = draft_by(editor), draft_by(editor, title="Bài khác")
    mine, theirs = versions(article)[0], versions(other)[0]
    response = client_for(editor).get(url("revision_compare", article.pk), {"a": mine.pk, "b": theirs.pk})
    assert response.status_code == 404


# Restore --------------------------------------------------------------------------------------------


def live_story(editor, **kwargs):
    article = draft_by(editor, **kwargs)
    services.article_publish(article=article, by=editor)
    return article


def test_restoring_a_version_is_a_new_version_and_keeps_the_status(people):
    editor = people["editor"]
    section, photo = make_section(name="Kinh tế"), make_photo(alt_text="Tàu vào cảng")
    tag, org = make_tag(name="Cảng"), make_organization(name="Hội Khoa học")
    first, second = make_author(name="Lan"), make_author(name="Minh")
    article = live_story(editor, title="Bản đầu", lead="Sapo đầu", section=section, featured_photo=photo)
    with reversion.create_revision():
        reversion.set_user(editor)
        article.tags.set([tag])
        article.organizations.set([org])
        ArticleAuthor.objects.create(article=article, author=second, position=1)
        ArticleAuthor.objects.create(article=article, author=first, position=2)
        reversion.add_to_revision(article)
    wanted = versions(article)[0]
    publish_at, slug = Article.objects.get(pk=article.pk).publish_at, article.slug

    article.title, article.lead, article.section, article.featured_photo = "Bản sửa", "Sapo sửa", None, None
    services.article_save(article=article, by=editor)
    article.tags.clear()
    article.organizations.clear()
    article.bylines.all().delete()
    ArticleAuthor.objects.create(article=article, author=first, position=1)
    count = len(versions(article))

    client = client_for(editor)
    confirm = client.get(url("revision", article.pk, wanted.pk))
    assert confirm.status_code == 200
    assert url("revision_restore", article.pk, wanted.pk) in confirm.content.decode()
    response = client.post(url("revision_restore", article.pk, wanted.pk))
    assert response.status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert (article.title, article.lead, article.section, article.featured_photo) == (
        "Bản đầu",
        "Sapo đầu",
        section,
        photo,
    )
    assert list(article.tags.all()) == [tag] and list(article.organizations.all()) == [org]
    assert [row.author for row in article.bylines.all()] == [second, first]
    assert (article.status, article.publish_at, article.slug) == (Status.PUBLISHED, publish_at, slug)
    assert article.is_live
    kept = versions(article)
    assert len(kept) == count + 1
    assert kept[0].revision.user == editor
    assert kept[0].revision.get_comment().startswith("Khôi phục phiên bản")
    assert "Bientap" in kept[0].revision.get_comment()
    assert kept[0].field_dict["title"] == "Bản đầu"


def test_restoring_a_draft_keeps_it_a_draft_and_skips_rows_deleted_since(people):
    owner = people["owner"]
    tag = make_tag(name="Sẽ bị xoá")
    article = draft_by(owner, title="Bản nháp A")
    with reversion.create_revision():
        article.tags.set([tag])
    wanted = versions(article)[0]
    article.title = "Bản nháp B"
    services.article_save(article=article, by=owner)
    Tag.objects.filter(pk=tag.pk).delete()
    response = client_for(owner).post(url("revision_restore", article.pk, wanted.pk), follow=True)
    assert response.status_code == 200
    article.refresh_from_db()
    assert (article.title, article.status) == ("Bản nháp A", Status.DRAFT)
    assert list(article.tags.all()) == []
    assert f"#{tag.pk}" in response.content.decode()


def test_restore_answers_get_with_405_and_changes_nothing(people):
    editor = people["editor"]
    article = draft_by(editor, title="Một")
    article.title = "Hai"
    services.article_save(article=article, by=editor)
    old = versions(article)[-1]
    before = state(article)
    assert client_for(editor).get(url("revision_restore", article.pk, old.pk)).status_code == 405
    assert state(article) == before


def test_a_reporter_restores_only_their_own_story_while_it_is_a_draft_or_in_review(people):
    owner, editor = people["owner"], people["editor"]
    article = draft_by(owner, title="Một")
    article.title = "Hai"
    services.article_save(article=article, by=owner)
    old = versions(article)[-1]
    services.article_submit(article=article, by=owner)
    services.article_publish(article=article, by=editor)
    before = state(article)
    client = client_for(owner)
    assert client.post(url("revision_restore", article.pk, old.pk)).status_code == 403
    page = client.get(url("revision", article.pk, old.pk))
    assert page.status_code == 200 and url("revision_restore", article.pk, old.pk) not in page.content.decode()
    assert client_for(people["other_reporter"]).post(url("revision_restore", article.pk, old.pk)).status_code == 404
    assert state(article) == before


@pytest.mark.parametrize("version_id", ["abc", "-1", "9" * 30, "0"])
def test_crafted_version_ids_are_404_and_change_nothing(people, version_id):
    editor = people["editor"]
    article = draft_by(editor)
    before = state(article)
    client = client_for(editor)
    base = url("history", article.pk)
    assert client.get(f"{base}{version_id}/").status_code == 404
    assert client.post(f"{base}{version_id}/restore/").status_code == 404
    assert client.post(f"/admin/articles/article/recover/{version_id}/").status_code == 404
    assert state(article) == before


def test_restoring_a_version_of_another_article_is_404(people):
    editor = people["editor"]
    article, other = draft_by(editor), draft_by(editor, title="Bài khác")
    theirs = versions(other)[0]
    before = state(article)
    assert client_for(editor).post(url("revision_restore", article.pk, theirs.pk)).status_code == 404
    assert state(article) == before


def test_history_of_a_missing_or_malformed_article_is_404(people):
    client = client_for(people["editor"])
    for object_id in ("999999", "abc", "9" * 30):
        assert client.get(f"/admin/articles/article/{object_id}/history/").status_code == 404


# Deleting and recovering -------------------------------------------------------------------------


def test_a_deleted_article_is_recovered_as_a_draft_with_its_details(people):
    editor = people["editor"]
    tag, org = make_tag(name="Giáo dục"), make_organization(name="Sở Giáo dục")
    lan, minh = make_author(name="Lan"), make_author(name="Minh")
    # Made without a version (as the articles from before versions were kept): the delete records one.
    article = make_article(title="Bài sẽ bị xoá", authors=[minh, lan], tags=[tag], organizations=[org])
    slug, pk = article.slug, article.pk
    client = client_for(editor)
    assert client.post(url("delete", pk), {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=pk).exists()

    listing = client.get(url("recoverlist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Bài sẽ bị xoá" in html and "Bientap" in html and "Đã xoá" in html
    deleted = Version.objects.get_deleted(Article).get(object_id=str(pk))

    assert client.get(url("recover", deleted.pk)).status_code == 405
    response = client.post(url("recover", deleted.pk))
    assert response.status_code == 302
    article = Article.objects.get(pk=pk)
    assert (article.title, article.status, article.publish_at, article.expire_at) == (
        "Bài sẽ bị xoá",
        Status.DRAFT,
        None,
        None,
    )
    assert article.slug == slug
    assert [row.author for row in article.bylines.all()] == [minh, lan]
    assert list(article.tags.all()) == [tag] and list(article.organizations.all()) == [org]
    assert versions(article)[0].revision.get_comment() == "Đã khôi phục bài bị xoá, thành bản nháp"
    assert not Version.objects.get_deleted(Article).filter(object_id=str(pk)).exists()
    # A second try of the same (now stale) recover is a 404, not a second article.
    assert client.post(url("recover", deleted.pk)).status_code == 404


def test_a_recovered_article_whose_slug_was_taken_gets_a_new_one(people):
    editor = people["editor"]
    article = draft_by(editor, title="Tin trùng tên")
    slug, pk = article.slug, article.pk
    client = client_for(editor)
    client.post(url("delete", pk), {"post": "yes"})
    make_article(title="Bài khác", slug=slug)
    deleted = Version.objects.get_deleted(Article).get(object_id=str(pk))
    assert client.post(url("recover", deleted.pk)).status_code == 302
    recovered = Article.objects.get(pk=pk)
    assert recovered.slug != slug and recovered.slug.startswith("tin-trung-ten")


def test_the_bulk_delete_leaves_versions_to_recover(people):
    editor = people["editor"]
    first, second = make_article(title="Xoá một"), make_article(title="Xoá hai")
    response = client_for(editor).post(
        url("changelist"), {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"}
    )
    assert response.status_code == 302
    deleted = Version.objects.get_deleted(Article)
    assert {version.object_repr for version in deleted} == {"Xoá một", "Xoá hai"}
    assert {version.revision.user for version in deleted} == {editor}


def test_the_recover_pages_are_for_editors_only(people):
    owner = people["owner"]
    article = draft_by(owner)
    client_for(owner).post(url("delete", article.pk), {"post": "yes"})
    deleted = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    revisions = Revision.objects.count()
    client = client_for(owner)
    assert client.get(url("recoverlist")).status_code == 403
    assert client.post(url("recover", deleted.pk)).status_code == 403
    assert not Article.objects.filter(pk=article.pk).exists()
    assert Revision.objects.count() == revisions
    assert "recover" not in client.get(url("changelist")).content.decode()
    assert url("recoverlist") in client_for(people["editor"]).get(url("changelist")).content.decode()


# Who may open what -------------------------------------------------------------------------------------

ROLES = ["anonymous", "owner", "other_reporter", "editor"]


@pytest.mark.parametrize(
    ("role", "history", "restore"),
    [
        ("anonymous", 302, 302),  # to the login page
        ("owner", 200, 302),
        ("other_reporter", 404, 404),
        ("editor", 200, 302),
    ],
)
def test_permission_matrix_of_history_compare_and_restore(people, role, history, restore):
    owner = people["owner"]
    article = draft_by(owner, title="Một")
    article.title = "Hai"
    services.article_save(article=article, by=owner)
    newer, older = versions(article)
    client = client_for(people.get(role))
    assert client.get(url("history", article.pk)).status_code == history
    assert client.get(url("revision_compare", article.pk), {"a": older.pk, "b": newer.pk}).status_code == history
    assert client.get(url("revision", article.pk, older.pk)).status_code == history
    before = Article.objects.get(pk=article.pk).title
    assert client.post(url("revision_restore", article.pk, older.pk)).status_code == restore
    assert Article.objects.get(pk=article.pk).title == ("Một" if restore == 302 and role != "anonymous" else before)


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("owner", 403), ("other_reporter", 403), ("editor", 200)]
)
def test_permission_matrix_of_the_recover_list(people, role, status):
    assert client_for(people.get(role)).get(url("recoverlist")).status_code == status


def test_the_change_page_links_to_the_history(people):
    editor = people["editor"]
    article = draft_by(editor)
    page = client_for(editor).get(url("change", article.pk)).content.decode()
    assert url("history", article.pk) in page


def test_history_dates_are_vietnam_time(people):
    editor = people["editor"]
    with time_machine.travel(datetime(2026, 12, 1, 17, 30, tzinfo=UTC), tick=False):
        article = draft_by(editor)
    html = client_for(editor).get(url("history", article.pk)).content.decode()
    assert "02/12/2026 00:30" in html


def test_restored_version_older_than_a_week_still_applies(people):
    editor = people["editor"]
    article = draft_by(editor, title="Cũ")
    old = versions(article)[0]
    Revision.objects.filter(pk=old.revision_id).update(date_created=timezone.now() - timedelta(days=400))
    article.title = "Mới"
    services.article_save(article=article, by=editor)
    assert client_for(editor).post(url("revision_restore", article.pk, old.pk)).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Cũ"


# More of the same rules, and the other pages' query budgets ------------------------------------------------


def story_with(editor, size):
    """A live story saved twice, with `size` authors, tags and organisations changed in between."""
    authors = [make_author(name=f"Tác giả {n}") for n in range(size)]
    tags = [make_tag(name=f"Từ khoá {n}") for n in range(size)]
    article = live_story(editor, title="Bản đầu", section=make_section(name=f"Mục {size}"))
    with reversion.create_revision():
        reversion.set_user(editor)
        for position, author in enumerate(authors, start=1):
            ArticleAuthor.objects.create(article=article, author=author, position=position)
        article.tags.set(tags)
        reversion.add_to_revision(article)
    article.title, article.section = "Bản sau", None
    services.article_save(article=article, by=editor)
    article.tags.set(tags[:1])
    return article


@pytest.mark.parametrize("size", [1, 6])
def test_compare_and_confirm_pages_run_the_same_queries_whatever_the_details(people, size, django_assert_num_queries):
    editor = people["editor"]
    article = story_with(editor, size)
    newer, older = versions(article)[0], versions(article)[2]  # saved, and published before the details came
    client = client_for(editor)
    compare = url("revision_compare", article.pk)
    client.get(compare, {"a": older.pk, "b": newer.pk})
    with django_assert_num_queries(11):
        response = client.get(compare, {"a": older.pk, "b": newer.pk})
    assert response.status_code == 200
    html = response.content.decode()
    # The section, tags and authors that differ are listed, each name looked up once for all.
    assert "Mục " in html and "Từ khoá 0" in html and "Tác giả 0" in html
    with django_assert_num_queries(13):
        assert client.get(url("revision", article.pk, older.pk)).status_code == 200


@pytest.mark.parametrize("count", [1, 8])
def test_the_recover_list_runs_the_same_queries_for_1_and_8_deleted(people, count, django_assert_num_queries):
    editor = people["editor"]
    client = client_for(editor)
    for n in range(count):
        article = make_article(title=f"Bài xoá {n}")
        client.post(url("delete", article.pk), {"post": "yes"})
    with django_assert_num_queries(6):
        response = client.get(url("recoverlist"))
    assert response.content.decode().count('class="button">Khôi phục</button>') == count


def test_adding_through_the_admin_is_a_first_version(people):
    from tests.test_admin import article_form_data

    editor = people["editor"]
    response = client_for(editor).post(url("add"), article_form_data(title="Bài mới toanh"))
    assert response.status_code == 302
    article = Article.objects.get(title="Bài mới toanh")
    (version,) = versions(article)
    assert (version.revision.user, version.revision.get_comment()) == (editor, "Đã tạo")


def test_a_bulk_action_keeps_a_version_of_each_article(people):
    editor = people["editor"]
    first, second = draft_by(editor, title="Một"), draft_by(editor, title="Hai")
    response = client_for(editor).post(
        url("changelist"), {"action": "publish_selected", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    for article in (first, second):
        assert versions(article)[0].revision.get_comment() == "Đã đăng"


def test_restoring_skips_a_featured_photo_deleted_since_and_says_so(people):
    editor = people["editor"]
    photo = make_photo()
    article = draft_by(editor, title="Có ảnh", featured_photo=photo)
    wanted = versions(article)[0]
    article.title, article.featured_photo = "Không ảnh", None
    services.article_save(article=article, by=editor)
    photo_id = photo.pk
    photo.delete()
    response = client_for(editor).post(url("revision_restore", article.pk, wanted.pk), follow=True)
    article.refresh_from_db()
    assert (article.title, article.featured_photo) == ("Có ảnh", None)
    assert f"Ảnh #{photo_id} không còn nữa" in response.content.decode()


def test_a_reporters_deleted_draft_is_recovered_by_an_editor(people):
    owner, editor = people["owner"], people["editor"]
    article = draft_by(owner, title="Nháp của phóng viên")
    assert client_for(owner).post(url("delete", article.pk), {"post": "yes"}).status_code == 302
    deleted = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    assert deleted.revision.user == owner
    assert client_for(editor).post(url("recover", deleted.pk)).status_code == 302
    recovered = Article.objects.get(pk=article.pk)
    assert (recovered.created_by, recovered.status) == (owner, Status.DRAFT)
    # Its owner sees it again, and its history goes on from before the deletion.
    assert client_for(owner).get(url("history", article.pk)).status_code == 200
    assert [v.revision.get_comment() for v in versions(recovered)] == [
        "Đã khôi phục bài bị xoá, thành bản nháp",
        "Đã xoá",
        "Đã tạo",
    ]


def test_a_live_story_recovered_is_a_draft_off_the_site(people):
    editor = people["editor"]
    article = live_story(editor, title="Đang lên trang")
    client = client_for(editor)
    client.post(url("delete", article.pk), {"post": "yes"})
    deleted = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    client.post(url("recover", deleted.pk))
    recovered = Article.objects.get(pk=article.pk)
    assert (recovered.status, recovered.publish_at) == (Status.DRAFT, None)
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_an_admin_saves_comment_names_only_the_fields_whose_text_changed(people):
    editor = people["editor"]
    article = draft_by(editor, title="Tiêu đề", body="<p>Đoạn một.</p>")
    # The editor sends the body back with its markup rewritten but the same text.
    data = change_form_data(article, title="Tiêu đề khác", body='<p dir="auto">Đoạn một.</p>')
    assert client_for(editor).post(url("change", article.pk), data).status_code == 302
    assert versions(article)[0].revision.get_comment() == "Đã lưu — đã sửa: tiêu đề"
