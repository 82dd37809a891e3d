"""The workflow's services and who may call them (articles/services.py), without the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleEvent
from articles.services import TransitionDenied

from .factories import make_article, make_author

pytestmark = pytest.mark.django_db

Status = Article.Status
Kind = ArticleEvent.Kind
REPORTER, EDITOR = "Phóng viên", "Biên tập viên"


def make_user(username, group=None, **kwargs):
    user = get_user_model().objects.create_user(username, password=None, is_staff=True, **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)  # a fresh object: no cached permissions


@pytest.fixture
def people():
    return {
        "anonymous": AnonymousUser(),
        "owner": make_user("phongvien", REPORTER),
        "other_reporter": make_user("phongvien2", REPORTER),
        "editor": make_user("bientap", EDITOR),
        "superuser": get_user_model().objects.create_superuser("quantri", password=None),
    }


def article_in(state, owner):
    now = timezone.now()
    kwargs = {
        "draft": {"status": Status.DRAFT, "live": False},
        "review": {"status": Status.REVIEW, "live": False},
        "scheduled": {"status": Status.PUBLISHED, "publish_at": now + timedelta(hours=3)},
        "live": {"status": Status.PUBLISHED, "publish_at": now - timedelta(hours=3)},
        "expired": {
            "status": Status.PUBLISHED,
            "publish_at": now - timedelta(days=2),
            "expire_at": now - timedelta(hours=1),
        },
        "archived": {"status": Status.ARCHIVED, "publish_at": now - timedelta(days=3), "live": False},
    }[state]
    return make_article(created_by=owner, **kwargs)


def call(kind, article, user):
    later = timezone.now() + timedelta(days=1)
    return {
        Kind.SUBMIT: lambda: services.article_submit(article=article, by=user),
        Kind.RETURN: lambda: services.article_return_to_draft(article=article, by=user, note="Thêm nguồn tin."),
        Kind.PUBLISH: lambda: services.article_publish(article=article, by=user),
        Kind.SCHEDULE: lambda: services.article_schedule(article=article, by=user, publish_at=later),
        Kind.UNSCHEDULE: lambda: services.article_unschedule(article=article, by=user),
        Kind.ARCHIVE: lambda: services.article_archive(article=article, by=user),
        Kind.RESTORE: lambda: services.article_restore(article=article, by=user),
    }[kind]()


STATES = ["draft", "review", "scheduled", "live", "expired", "archived"]
ROLES = ["anonymous", "owner", "other_reporter", "editor", "superuser"]
# Each transition: the states it starts from, and the state it leads to.
MACHINE = {
    Kind.SUBMIT: ({"draft"}, "review"),
    Kind.RETURN: ({"review"}, "draft"),
    Kind.PUBLISH: ({"draft", "review", "scheduled"}, "live"),
    Kind.SCHEDULE: ({"draft", "review", "scheduled"}, "scheduled"),
    Kind.UNSCHEDULE: ({"scheduled"}, "review"),
    Kind.ARCHIVE: ({"live", "scheduled", "expired"}, "archived"),
    Kind.RESTORE: ({"archived"}, "draft"),
}


def allowed(role, kind, state):
    starts, _ = MACHINE[kind]
    if state not in starts:
        return False
    if role in ("editor", "superuser"):
        return True
    return role == "owner" and kind == Kind.SUBMIT


MATRIX = [(role, kind, state) for role in ROLES for kind in MACHINE for state in STATES]


def test_the_matrix_covers_every_role_transition_and_state():
    assert len(MATRIX) == 5 * 7 * 6 == 210
    assert sum(allowed(*case) for case in MATRIX) == 2 * 13 + 1  # editor and superuser: 13 each; owner: submit


@pytest.mark.parametrize(("role", "kind", "state"), MATRIX)
def test_permission_matrix(people, role, kind, state):
    user = people[role]
    article = article_in(state, people["owner"])
    before = Article.objects.values("status", "publish_at", "expire_at", "updated_at").get(pk=article.pk)
    assert services.state_of(article) == state
    assert (kind in services.allowed_transitions(user, article)) == allowed(role, kind, state)
    if allowed(role, kind, state):
        event = call(kind, article, user)
        article.refresh_from_db()
        assert services.state_of(article) == MACHINE[kind][1]
        assert (event.kind, event.actor, event.from_status, event.to_status) == (
            kind,
            user,
            before["status"],
            article.status,
        )
    else:
        with pytest.raises(TransitionDenied) as refused:
            call(kind, Article.objects.get(pk=article.pk), user)
        assert isinstance(refused.value, PermissionDenied)
        assert refused.value.message
        assert Article.objects.values("status", "publish_at", "expire_at", "updated_at").get(pk=article.pk) == before
        assert not ArticleEvent.objects.exists()


def test_refusals_are_in_vietnamese(people):
    article = article_in("review", people["owner"])
    with pytest.raises(TransitionDenied, match="Chỉ biên tập viên"):
        services.article_publish(article=article, by=people["owner"])


def test_a_byline_author_with_an_account_owns_the_story(people):
    colleague = make_user("congtac", REPORTER)
    article = article_in("draft", people["owner"])
    assert not services.can_edit(colleague, article)
    article.bylines.create(author=make_author(name="Cộng Tác", user=colleague))
    assert services.can_edit(colleague, article)
    assert services.can_submit(colleague, article)
    assert list(services.visible_articles(colleague)) == [article]
    assert list(services.visible_articles(people["other_reporter"])) == []


@pytest.mark.parametrize("state", STATES)
def test_a_reporter_edits_and_deletes_their_own_story_only_while_draft_or_review(people, state):
    article = article_in(state, people["owner"])
    expected = state in ("draft", "review")
    assert services.can_edit(people["owner"], article) is expected
    assert services.can_delete(people["owner"], article) is expected
    assert services.can_view(people["owner"], article)
    assert not services.can_view(people["other_reporter"], article)
    assert not services.can_edit(people["other_reporter"], article)
    assert services.can_edit(people["editor"], article)
    assert services.can_delete(people["editor"], article)
    assert not services.can_view(people["anonymous"], article)


def test_a_return_to_draft_needs_a_note(people):
    article = article_in("review", people["owner"])
    with pytest.raises(ValidationError) as error:
        services.article_return_to_draft(article=article, by=people["editor"], note="   ")
    assert "note" in error.value.message_dict
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW
    event = services.article_return_to_draft(article=article, by=people["editor"], note=" Thiếu ảnh. ")
    assert (event.note, Article.objects.get(pk=article.pk).status) == ("Thiếu ảnh.", Status.DRAFT)


def test_scheduling_in_the_past_is_refused_and_changes_nothing(people):
    article = article_in("review", people["owner"])
    with pytest.raises(ValidationError) as error:
        services.article_schedule(
            article=article, by=people["editor"], publish_at=timezone.now() - timedelta(minutes=1)
        )
    assert "publish_at" in error.value.message_dict
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_scheduling_validates_the_take_down_time_and_saves_nothing(people):
    article = article_in("review", people["owner"])
    later = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.article_schedule(article=article, by=people["editor"], publish_at=later, expire_at=later)
    assert "expire_at" in error.value.message_dict
    stored = Article.objects.get(pk=article.pk)
    assert (stored.status, stored.publish_at, ArticleEvent.objects.count()) == (Status.REVIEW, None, 0)


def test_schedule_records_the_time_and_publish_now_brings_a_scheduled_story_forward(people):
    article = article_in("draft", people["owner"])
    later = timezone.now() + timedelta(days=2)
    event = services.article_schedule(article=article, by=people["editor"], publish_at=later)
    assert event.publish_at == later
    assert Article.objects.scheduled().get() == article
    before = timezone.now()
    services.article_publish(article=article, by=people["editor"])
    assert Article.objects.published().get() == article
    assert before <= Article.objects.get().publish_at <= timezone.now()


def test_publish_keeps_a_backdated_time(people):
    then = timezone.now() - timedelta(days=3)
    article = make_article(created_by=people["owner"], status=Status.REVIEW, publish_at=then)
    services.article_publish(article=article, by=people["editor"])
    assert Article.objects.published().get().publish_at == then


def test_unschedule_sends_back_to_review_without_a_time(people):
    article = article_in("scheduled", people["owner"])
    services.article_unschedule(article=article, by=people["editor"])
    stored = Article.objects.get()
    assert (stored.status, stored.publish_at) == (Status.REVIEW, None)


def test_archive_takes_a_story_off_the_site_and_restore_makes_it_a_draft_with_its_slug(people):
    article = article_in("live", people["owner"])
    slug = article.slug
    services.article_archive(article=article, by=people["editor"], note="Sai số liệu.")
    assert not Article.objects.published().exists()
    services.article_restore(article=article, by=people["editor"])
    stored = Article.objects.get()
    assert (stored.status, stored.slug) == (Status.DRAFT, slug)
    assert [(e.kind, e.note) for e in stored.events.all()] == [(Kind.RESTORE, ""), (Kind.ARCHIVE, "Sai số liệu.")]


def test_the_permission_is_judged_on_the_stored_row_not_on_the_object_passed(people):
    article = article_in("live", people["owner"])
    stale = Article.objects.get(pk=article.pk)
    stale.status = Status.DRAFT  # a stale or tampered object says "draft": the row says live
    with pytest.raises(TransitionDenied):
        services.article_submit(article=stale, by=people["owner"])
    assert services.state_of(Article.objects.get(pk=article.pk)) == "live"


def test_an_inactive_or_non_staff_editor_may_do_nothing(people):
    article = article_in("review", people["owner"])
    people["editor"].is_active = False
    with pytest.raises(TransitionDenied):
        services.article_publish(article=article, by=people["editor"])
    outsider = make_user("ngoai", EDITOR)
    outsider.is_staff = False
    with pytest.raises(TransitionDenied):
        services.article_publish(article=article, by=outsider)
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_article_save_refuses_a_status_change_and_a_reporters_schedule_fields(people):
    article = article_in("draft", people["owner"])
    article.status = Status.PUBLISHED
    with pytest.raises(TransitionDenied):
        services.article_save(article=article, by=people["editor"])
    article = Article.objects.get(pk=article.pk)
    article.publish_at = timezone.now()
    with pytest.raises(TransitionDenied):
        services.article_save(article=article, by=people["owner"])
    article = Article.objects.get(pk=article.pk)
    article.title = "Tiêu đề mới"
    services.article_save(article=article, by=people["owner"])
    with pytest.raises(TransitionDenied):
        services.article_save(article=Article.objects.get(pk=article.pk), by=people["other_reporter"])
    assert Article.objects.get(pk=article.pk).title == "Tiêu đề mới"


def test_an_editors_save_of_a_live_story_keeps_it_live(people):
    article = article_in("live", people["owner"])
    article.title = "Tiêu đề đã sửa"
    services.article_save(article=article, by=people["editor"])
    assert Article.objects.published().get().title == "Tiêu đề đã sửa"


@pytest.mark.parametrize(
    ("state", "status", "publish_in", "expected"),
    [
        ("draft", Status.REVIEW, None, Kind.SUBMIT),
        ("review", Status.DRAFT, None, Kind.RETURN),
        ("review", Status.PUBLISHED, None, Kind.PUBLISH),
        ("review", Status.PUBLISHED, -5, Kind.PUBLISH),
        ("review", Status.PUBLISHED, 5, Kind.SCHEDULE),
        ("scheduled", Status.PUBLISHED, 5, Kind.SCHEDULE),
        ("scheduled", Status.PUBLISHED, -5, Kind.PUBLISH),
        ("live", Status.ARCHIVED, "same", Kind.ARCHIVE),
        ("live", Status.PUBLISHED, "same", None),
        ("live", Status.PUBLISHED, -50, None),
        ("archived", Status.DRAFT, "same", Kind.RESTORE),
        ("draft", Status.DRAFT, 5, None),
    ],
)
def test_plan_status_change(people, state, status, publish_in, expected):
    article = article_in(state, people["owner"])
    if publish_in == "same":
        publish_at = article.publish_at
    else:
        publish_at = None if publish_in is None else timezone.now() + timedelta(hours=publish_in)
    assert services.plan_status_change(article, status, publish_at) == expected


@pytest.mark.parametrize(
    ("state", "status", "publish_in", "field"),
    [
        ("live", Status.REVIEW, "same", "status"),
        ("live", Status.DRAFT, "same", "status"),
        ("scheduled", Status.REVIEW, "same", "status"),
        ("live", Status.PUBLISHED, 5, "publish_at"),
        ("draft", Status.ARCHIVED, None, "status"),
        ("archived", Status.REVIEW, "same", "status"),
    ],
)
def test_plan_status_change_refuses_what_is_not_a_transition(people, state, status, publish_in, field):
    article = article_in(state, people["owner"])
    publish_at = article.publish_at if publish_in == "same" else timezone.now() + timedelta(hours=publish_in or 0)
    with pytest.raises(ValidationError) as error:
        services.plan_status_change(article, status, publish_at)
    assert field in error.value.message_dict


def test_the_groups_hold_the_roles_permissions():
    editor, reporter = Group.objects.get(name=EDITOR), Group.objects.get(name=REPORTER)
    editor_perms = set(editor.permissions.values_list("codename", flat=True))
    reporter_perms = set(reporter.permissions.values_list("codename", flat=True))
    assert {"publish_article", "delete_article", "change_section", "view_articleevent"} <= editor_perms
    assert {"add_article", "change_article", "add_photo", "view_section", "add_tag"} <= reporter_perms
    assert not {"publish_article", "change_section", "add_author", "delete_photo"} & reporter_perms


def test_a_reporter_previews_only_their_own_stories_and_an_editor_any(client, people):
    own = make_article(title="Bài của tôi", status=Status.DRAFT, live=False, created_by=people["owner"])
    other = make_article(title="Bài của người khác", status=Status.REVIEW, live=False, created_by=people["editor"])
    live = make_article(title="Bài đã lên trang")
    missing = client.get("/bai-viet/khong-co-bai-nay/")

    client.force_login(people["owner"])
    assert client.get(own.get_absolute_url()).status_code == 200
    refused = client.get(other.get_absolute_url())
    assert refused.status_code == 404
    assert "Bài của người khác" not in refused.content.decode()
    assert client.get(live.get_absolute_url()).status_code == 200

    client.force_login(people["other_reporter"])
    assert client.get(own.get_absolute_url()).status_code == 404

    client.force_login(people["editor"])
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 200
    assert missing.status_code == 404
