"""The permission matrix through the admin: role × transition × state as crafted POSTs, not service calls.

tests/test_services.py holds the same matrix against the services themselves. Here each case is the request a
browser (or an attacker) would send: the change page's workflow button (`<id>/workflow/<kind>/`) and the
changelist's bulk actions. An allowed one moves the story and records the event; every other one is answered
with the login page, a 404 or a 403, and changes nothing at all.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleEvent
from tests.test_services import MACHINE, ROLES, STATES, allowed, article_in, people  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

Kind = ArticleEvent.Kind
CHANGELIST = "/admin/articles/article/"
BULK = {
    "publish_selected": Kind.PUBLISH,
    "unschedule_selected": Kind.UNSCHEDULE,
    "archive_selected": Kind.ARCHIVE,
    "restore_selected": Kind.RESTORE,
}
BUTTON_MATRIX = [(role, kind, state) for role in ROLES for kind in MACHINE for state in STATES]
BULK_MATRIX = [(role, action, state) for role in ROLES for action in BULK for state in STATES]


def client_for(user):
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def stored(article):
    """Everything a refused request must leave as it was."""
    row = Article.objects.values("status", "publish_at", "expire_at", "updated_at", "title").get(pk=article.pk)
    return row, ArticleEvent.objects.count()


def test_the_admin_matrices_cover_every_role_transition_state_and_bulk_action():
    assert len(BUTTON_MATRIX) == 5 * 7 * 6 == 210
    assert len(BULK_MATRIX) == 5 * 4 * 6 == 120


def refusal(role):
    """How the admin refuses `role`: the login page, a 404 for a story not theirs, else a 403."""
    return {"anonymous": 302, "other_reporter": 404}.get(role, 403)


@pytest.mark.parametrize(("role", "kind", "state"), BUTTON_MATRIX)
def test_the_workflow_buttons_matrix(people, role, kind, state):  # noqa: F811 (the fixture)
    user = people[role]
    article = article_in(state, people["owner"])
    before = stored(article)
    later = timezone.localtime() + timedelta(days=1)
    data = {"note": "Thêm nguồn tin.", "publish_at": later.strftime("%d/%m/%Y %H:%M")}

    response = client_for(user).post(f"{CHANGELIST}{article.pk}/workflow/{kind}/", data)

    if allowed(role, kind, state):
        assert response.status_code == 302
        assert response["Location"] == f"{CHANGELIST}{article.pk}/change/"
        article.refresh_from_db()
        assert services.state_of(article) == MACHINE[kind][1]
        event = ArticleEvent.objects.get()
        assert (event.kind, event.actor_id, event.article_id) == (kind, user.pk, article.pk)
    else:
        assert response.status_code == refusal(role)
        if role == "anonymous":
            assert response["Location"].startswith("/admin/login/")
        assert stored(article) == before


@pytest.mark.parametrize(("role", "action", "state"), BULK_MATRIX)
def test_the_bulk_actions_matrix(people, role, action, state):  # noqa: F811 (the fixture)
    user = people[role]
    article = article_in(state, people["owner"])
    before = stored(article)
    kind = BULK[action]

    response = client_for(user).post(CHANGELIST, {"action": action, "_selected_action": [article.pk]})

    if role in ("editor", "superuser"):
        # The action runs; the service decides for each selected story, and a refusal is reported, not a 500.
        assert response.status_code == 302
        article.refresh_from_db()
        if allowed(role, kind, state):
            assert services.state_of(article) == MACHINE[kind][1]
            assert ArticleEvent.objects.get().kind == kind
        else:
            assert stored(article) == before
            messages = [str(message) for message in response.wsgi_request._messages]
            assert any(article.title in message for message in messages)
    else:
        # Nobody but an editor has bulk actions: the login page for anonymous, a 403 for every reporter.
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert stored(article) == before
