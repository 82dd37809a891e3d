import io
import math
import re
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from PIL import Image

from articles import demo, services
from articles.body import photo_ids
from articles.importer import parse, read_lines
from articles.models import Article, Author, Organization, Section, Tag
from articles.text import strip_accents
from articles.views import ArticleListMixin
from photos.models import Photo

pytestmark = pytest.mark.django_db

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MODELS = [Section, Tag, Author, Organization, Photo, Article]


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in [*MODELS, get_user_model()]}


def password_of(username, output):
    match = re.search(rf"{username}\s+password: (\S+)", output)
    return match and match.group(1)


def test_fills_an_empty_newsroom():
    seed()

    assert Section.objects.count() >= 4
    assert Author.objects.count() >= 3
    assert Tag.objects.count() >= 5
    assert Article.objects.count() >= 20


def test_organization_from_design_has_its_facts():
    seed()

    org = Organization.objects.get(name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng")
    assert org.member_count == 125
    assert "520 QĐ-CT" in org.founding_document
    assert "Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố" in org.alias_list
    assert org.founded_on.year == 2012
    assert "thành lập năm 2012" in org.description.lower()
    assert "nhiệm kỳ thứ ba" in org.description
    assert "JICA" in org.description
    assert Organization.objects.filter(parent__isnull=False).exists()


def test_articles_in_every_state():
    seed()

    published = Article.objects.published()
    scheduled = Article.objects.scheduled()
    assert scheduled.count() == 1
    assert not published.filter(pk__in=scheduled).exists()
    drafts = Article.objects.filter(status=Article.Status.DRAFT)
    assert drafts.exists()
    assert Article.objects.filter(status=Article.Status.REVIEW).count() == 1
    assert not published.filter(pk__in=drafts).exists()
    expired = [article for article in Article.objects.all() if article.is_expired]
    assert expired
    assert not published.filter(pk__in=[article.pk for article in expired]).exists()
    assert published.count() >= 15


def test_every_section_has_a_live_article():
    seed()

    for section in Section.objects.all():
        assert Article.objects.published().filter(section=section).exists(), section.name


def test_live_articles_show_drawn_photos():
    seed()

    with_photos = Article.objects.published().filter(featured_photo__isnull=False).select_related("featured_photo")
    assert with_photos.count() >= 6
    for article in with_photos:
        photo = article.featured_photo
        assert photo.caption
        assert photo.alt_text
        assert photo.credit.startswith("Ảnh: ")
        with photo.image.open("rb") as file, Image.open(file) as image:
            assert image.format == "JPEG"
            assert image.size == (photo.width, photo.height) == (1600, 900)


def test_a_body_shows_a_library_photo_as_a_figure():
    seed()

    bodies = Article.objects.filter(body__contains="<figure>").values_list("body", flat=True)
    ids = [pk for body in bodies for pk in photo_ids(body)]
    assert ids
    assert Photo.objects.filter(pk__in=ids).count() == len(set(ids))


def test_articles_have_authors_in_order_and_topics():
    seed()

    article = Article.objects.get(title__startswith="Doanh nghiệp logistics tìm người")
    assert [author.name for author in article.author_list] == ["Nguyễn Quang Huy", "Phạm Thu Hà"]
    assert article.tags.exists()
    assert Article.objects.filter(organizations__isnull=False).distinct().count() >= 3


def test_titles_are_vietnamese_and_slugs_ascii():
    seed()

    for title, slug in Article.objects.values_list("title", "slug"):
        assert strip_accents(title) != title, title
        assert slug.isascii(), slug
        assert re.fullmatch(r"[a-z0-9-]+", slug), slug


def test_running_twice_creates_nothing_new(settings):
    settings.DEBUG = True
    seed()
    before = counts()
    files = sorted(path.name for path in settings.MEDIA_ROOT.rglob("*.jpg"))

    output = seed()

    assert counts() == before
    assert sorted(path.name for path in settings.MEDIA_ROOT.rglob("*.jpg")) == files
    assert "Demo content already present; nothing to do." in output
    assert "password:" not in output


def test_demo_users_with_debug_on(settings):
    settings.DEBUG = True

    first, second = seed(), seed()

    for username in ("bientap", "phongvien"):
        password = password_of(username, first)
        assert password
        assert first.count(password) == 1
        assert password not in second
        user = authenticate(username=username, password=password)
        assert user is not None
        assert user.is_staff
        assert not user.is_superuser
    assert Author.objects.filter(user__username="phongvien").exists()


def test_demo_user_permissions(settings):
    settings.DEBUG = True
    seed()
    editor = get_user_model().objects.get(username="bientap")
    reporter = get_user_model().objects.get(username="phongvien")

    # Their permissions come from the groups the migration made, none are granted to the accounts by hand.
    assert list(editor.groups.values_list("name", flat=True)) == ["Biên tập viên"]
    assert list(reporter.groups.values_list("name", flat=True)) == ["Phóng viên"]
    assert not editor.user_permissions.exists() and not reporter.user_permissions.exists()
    assert editor.has_perms(["articles.delete_article", "articles.change_section", "articles.add_organization"])
    assert editor.has_perm("articles.publish_article")
    assert reporter.has_perms(["articles.add_article", "articles.change_article", "photos.add_photo"])
    assert reporter.has_perms(["articles.add_tag", "articles.view_section", "articles.view_organization"])
    assert not reporter.has_perm("articles.publish_article")
    assert not reporter.has_perm("articles.change_section")
    assert not reporter.has_perm("articles.add_author")
    # The demo reporter owns the stories with their byline, and may publish none of them.
    theirs = services.visible_articles(reporter)
    assert theirs.exists() and theirs.count() < Article.objects.count()
    assert not any(services.allowed_transitions(reporter, article) for article in theirs if article.status != "draft")
    assert services.is_editor(editor) and not services.is_editor(reporter)


def test_no_users_with_debug_off(settings):
    settings.DEBUG = False

    output = seed()

    assert not get_user_model().objects.exists()
    assert "createsuperuser" in output
    assert Article.objects.count() >= 20


def test_no_users_option(settings):
    settings.DEBUG = True

    output = seed("--no-users")

    assert not get_user_model().objects.exists()
    assert "password:" not in output


def with_broken_story(monkeypatch, name, story):
    """The demo data with one more story at the end, after the others have stored their photos."""
    data = demo.load_data()
    data["stories"][name] = story
    monkeypatch.setattr(demo, "load_data", lambda: data)


def test_failure_leaves_nothing_behind(settings, monkeypatch):
    with_broken_story(
        monkeypatch, "hoc-sinh-nhat-duoc-vi-2", {"section": "Không có chuyên mục này", "tags": [], "hours_ago": 1}
    )

    with pytest.raises(CommandError) as failure:
        seed()

    assert str(failure.value) == (
        "hoc-sinh-nhat-duoc-vi-2.txt in demo.toml: unknown section 'Không có chuyên mục này'; nothing was created"
    )
    assert all(count == 0 for count in counts().values())
    assert not list(settings.MEDIA_ROOT.rglob("*.jpg"))


def test_a_story_file_the_importer_refuses_leaves_nothing_behind(settings, monkeypatch, tmp_path):
    stories = tmp_path / "stories"
    shutil.copytree(demo.STORIES, stories)
    (stories / "hong.txt").write_text("Tin hỏng\n\nMinh Anh\n31/02/2024 25:61\n\nSapo.\n")
    data = demo.load_data()
    data["stories"]["hong"] = {"section": "Thời sự", "tags": [], "hours_ago": 1}

    with pytest.raises(demo.DemoError) as failure:
        demo.DemoSeeder(with_users=False, data=data, stories_dir=stories).run()

    assert str(failure.value) == f"{stories / 'hong.txt'}:4: invalid dateline '31/02/2024 25:61': " + (
        "day is out of range for month"
    )
    assert all(count == 0 for count in counts().values())
    assert not list(settings.MEDIA_ROOT.rglob("*.jpg"))


def test_every_story_file_is_in_the_data_file_and_the_other_way_round():
    files = {path.stem for path in demo.STORIES.glob("*.txt")}

    assert files == set(demo.load_data()["stories"])
    assert not [path for path in demo.STORIES.iterdir() if path.suffix != ".txt"]


def test_stories_are_imported_through_the_importer():
    seed()

    for article in Article.objects.all():
        path = demo.STORIES / article.import_key
        assert article.import_source == str(path.resolve())
        assert parse(read_lines(path)).title == article.title


def test_a_demo_story_is_protected_like_any_imported_published_article():
    seed()
    path = demo.STORIES / "den-chieu-sang-ngo-nho.txt"
    before = Article.objects.values().get(import_key=path.name)

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_article", str(path), stdout=io.StringIO(), stderr=err)

    assert "pass --update to change it, nothing changed" in err.getvalue()
    assert Article.objects.values().get(import_key=path.name) == before


def test_one_section_has_three_pages_of_live_stories(client):
    seed()
    section = Section.objects.get(name="Thời sự")
    live = Article.objects.published().filter(section=section).count()

    response = client.get(section.get_absolute_url(), {ArticleListMixin.page_kwarg: 3})

    assert live >= 45
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.paginator.num_pages == 3 == math.ceil(live / ArticleListMixin.paginate_by)
    assert len(page.object_list) == live - 2 * ArticleListMixin.paginate_by


def test_bodies_keep_their_headings_quotes_and_lists():
    seed()

    hoi = Article.objects.get(title__startswith="Hội Khoa học phát triển nguồn nhân lực")
    assert "<h2>Hơn mười năm, ba nhiệm kỳ</h2>" in hoi.body
    assert "<li>Có 125 hội viên.</li>" in hoi.body
    bodies = " ".join(Article.objects.values_list("body", flat=True))
    assert "<blockquote><p>“Tôi đi sớm hơn mười lăm phút" in bodies
    assert "<ol><li>Chuyển sang hóa đơn điện tử" in bodies


def test_a_featured_photo_is_not_shown_again_in_the_body():
    seed()

    articles = Article.objects.filter(featured_photo__isnull=False)
    assert articles.count() >= 10
    for article in articles:
        assert article.featured_photo_id not in photo_ids(article.body), article.title


def test_a_desk_byline_stays_free_text():
    seed()

    notice = Article.objects.get(title__startswith="Thông báo nhận hồ sơ học bổng")
    assert (notice.byline, notice.author_list) == ("Ban Bạn đọc", [])
    assert not Author.objects.filter(name__startswith="Ban ").exists()


def test_photo_credit_and_caption_come_from_the_caption_line():
    seed()

    photo = Article.objects.get(title__startswith="Mùa phượng đỏ").featured_photo
    assert photo.caption == "Hàng phượng vĩ nở đỏ trên một con phố đầu hè (ảnh minh họa)."
    assert photo.credit == "Ảnh: Đồ họa Newsroom"
    assert photo.alt_text == demo.load_data()["photos"]["phuong"]


@pytest.mark.parametrize(
    ("local_now", "expected"),
    [
        (datetime(2024, 4, 4, 10, 0), datetime(2024, 4, 4, 12, 30)),
        (datetime(2024, 4, 4, 22, 0), datetime(2024, 4, 4, 23, 45)),
        (datetime(2024, 4, 4, 23, 40), datetime(2024, 4, 5, 2, 10)),
    ],
)
def test_scheduled_story_goes_live_later_today_when_there_is_room(local_now, expected):
    assert demo.later_today(local_now.replace(tzinfo=VIETNAM)) == expected.replace(tzinfo=VIETNAM)


def test_the_demo_editor_corrected_and_updated_a_story(settings, client):
    settings.DEBUG = True
    seed()
    article = Article.objects.get(import_key="hoi-khoa-hoc-phat-trien-nguon-nhan-luc-nhan.txt")
    correction, update = article.corrections.order_by("at")

    assert (correction.kind, update.kind) == ("correction", "update")
    assert "con số đúng là 125 hội viên" in correction.text
    assert correction.created_by.username == "bientap"
    assert (correction.at - article.publish_at).total_seconds() == 40 * 60
    assert article.modified_at == update.at
    response = client.get(article.get_absolute_url())
    assert "con số đúng là 125 hội viên" in response.content.decode()
    assert "con số đúng là 125 hội viên" in client.get("/dinh-chinh/").content.decode()


def test_without_the_demo_accounts_no_correction_is_signed_by_nobody():
    seed("--no-users")
    assert not Article.objects.filter(corrections__isnull=False).exists()
