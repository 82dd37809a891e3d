"""photos/usage.py and photos/services.py: where a photo is used, and the rules for adding and deleting one."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Article
from photos import services, usage
from photos.models import Photo

from .factories import jpeg_bytes, make_article, make_photo


def make_user(username, group=None):
    user = get_user_model().objects.create_user(username, password=None, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def editor(db):
    return make_user("bientap", "Biên tập viên")


@pytest.fixture
def reporter(db):
    return make_user("phongvien", "Phóng viên")


def figure(photo):
    return f'<figure><img src="/anh/{photo.pk}/" alt=""><figcaption>{photo.caption}</figcaption></figure>'


@pytest.mark.django_db
def test_an_articles_body_photos_follow_its_body_on_every_save():
    one, two = make_photo(), make_photo()
    article = make_article(body=f"<p>Mở đầu</p>{figure(one)}{figure(two)}<figure><img src='/anh/999999/'></figure>")
    assert set(article.body_photos.all()) == {one, two}  # a figure of a photo that does not exist is not kept

    article.body = figure(two)
    article.save()
    assert list(article.body_photos.all()) == [two]

    article.body = "<p>Không còn ảnh.</p>"
    article.save()
    assert not article.body_photos.exists()


@pytest.mark.django_db
def test_articles_using_a_photo_are_those_featuring_it_or_showing_it_in_the_body():
    photo, other = make_photo(), make_photo()
    featured = make_article(featured_photo=photo)
    in_body = make_article(body=figure(photo))
    draft = make_article(live=False, body=figure(photo))
    make_article(featured_photo=other, body=figure(other))

    assert set(usage.articles_using([photo])) == {featured, in_body, draft}
    assert set(usage.live_articles_using([photo])) == {featured, in_body}
    assert set(usage.photos_of(Article.objects.filter(pk__in=[featured.pk, in_body.pk]))) == {photo}


@pytest.mark.django_db
def test_live_articles_lacking_alt_text_are_those_showing_a_photo_without_one():
    described, bare = make_photo(alt_text="Cây cầu bắc qua sông"), make_photo(alt_text="")
    lacking_featured = make_article(featured_photo=bare)
    lacking_body = make_article(featured_photo=described, body=figure(bare))
    make_article(featured_photo=described)
    make_article(live=False, featured_photo=bare)  # not live: nothing to fix yet
    expired = make_article(featured_photo=bare, publish_at=timezone.now() - timedelta(days=2))
    Article.objects.filter(pk=expired.pk).update(expire_at=timezone.now() - timedelta(days=1))

    assert set(usage.live_articles_lacking_alt_text()) == {lacking_featured, lacking_body}


def upload(name="anh.jpg", data=None):
    return SimpleUploadedFile(name, jpeg_bytes() if data is None else data, content_type="image/jpeg")


def test_a_reporter_adds_a_photo_through_the_pipeline(reporter):
    photo = services.photo_create(file=upload("IMG_0042.JPG"), by=reporter, caption="Cảng Hải Phòng")

    assert photo.uploaded_by == reporter
    assert photo.original_filename == "IMG_0042.JPG"
    assert photo.format == "JPEG"
    assert photo.image.name.startswith("photos/") and "cang-hai-phong-" in photo.image.name
    assert not photo.is_missing


def test_a_refused_file_saves_no_row_and_no_file(reporter, settings):
    with pytest.raises(ValidationError):
        services.photo_create(file=upload("x.jpg", b"<svg onload=alert(1)></svg>"), by=reporter)
    assert not Photo.objects.exists()
    assert not (settings.MEDIA_ROOT / "photos").exists() or not any((settings.MEDIA_ROOT / "photos").rglob("*.*"))


def test_staff_without_the_add_permission_may_not_add_photos(db):
    with pytest.raises(PermissionDenied):
        services.photo_create(file=upload(), by=make_user("khach"))
    assert not Photo.objects.exists()


def test_an_editor_deletes_an_unused_photo_and_its_files(editor, django_capture_on_commit_callbacks):
    photo = make_photo()
    names = [photo.image.name] + [r.name for r in photo.rendition_list("w", "webp")]
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(photo=photo, by=editor)

    assert not Photo.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_a_photo_a_live_article_shows_is_not_deleted(editor):
    photo = make_photo()
    live = make_article(title="Cầu mới thông xe", body=figure(photo))
    make_article(title="Bản nháp", live=False, featured_photo=photo)

    with pytest.raises(services.PhotoInUse) as refused:
        services.photo_delete(photo=photo, by=editor)

    assert refused.value.articles == [live]
    assert "Cầu mới thông xe" in refused.value.messages[0]
    assert "Bản nháp" not in refused.value.messages[0]
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_a_photo_only_drafts_show_may_be_deleted(editor):
    photo = make_photo()
    draft = make_article(live=False, featured_photo=photo, body=figure(photo))
    services.photo_delete(photo=photo, by=editor)
    draft.refresh_from_db()
    assert draft.featured_photo is None


def test_a_reporter_may_not_delete_photos_and_may_change_only_their_own(reporter, editor):
    own = make_photo(uploaded_by=reporter)
    others = make_photo(uploaded_by=editor)

    with pytest.raises(PermissionDenied):
        services.photo_delete(photo=own, by=reporter)
    assert Photo.objects.count() == 2
    assert services.can_change(reporter, own)
    assert not services.can_change(reporter, others)
    assert services.can_change(editor, own) and services.can_change(editor, others)
