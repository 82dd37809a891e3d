from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Organization
from articles.text import fold
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

pytestmark = pytest.mark.django_db


def test_slugs_are_vietnamese_correct_and_unique():
    first = make_article(title="Đề án đào tạo")
    second = make_article(title="Đề án  đào tạo!")
    third = make_article(title="ĐỀ ÁN ĐÀO TẠO")
    assert [first.slug, second.slug, third.slug] == ["de-an-dao-tao", "de-an-dao-tao-2", "de-an-dao-tao-3"]
    assert make_section(name="Giáo dục").slug == "giao-duc"
    assert make_tag(name="Chuyển đổi số").slug == "chuyen-doi-so"
    assert make_author(name="Đặng Thùy Dương").slug == "dang-thuy-duong"


def test_slug_stays_when_title_changes():
    article = make_article(title="Đề án đào tạo")
    article.title = "Đề án đào tạo nhân lực"
    article.save()
    article.refresh_from_db()
    assert article.slug == "de-an-dao-tao"


def test_slug_of_a_published_article_cannot_change():
    article = make_article(title="Cảng Lạch Huyện")
    article.slug = "cang-moi"
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "slug" in error.value.message_dict


def test_slug_of_a_draft_can_change():
    article = make_article(live=False, title="Cảng Lạch Huyện")
    article.slug = "cang-lach-huyen-mo-rong"
    article.full_clean()
    article.save()
    assert Article.objects.get(pk=article.pk).slug == "cang-lach-huyen-mo-rong"


def test_database_refuses_expire_before_publish():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(publish_at=now, expire_at=now - timedelta(minutes=1))
    assert not Article.objects.exists()


def test_database_refuses_published_without_publish_at():
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="Không ngày", status=Article.Status.PUBLISHED)


def test_clean_gives_publish_at_to_an_article_published_now(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    article = Article(title="Tin nhanh", status=Article.Status.PUBLISHED)
    article.full_clean()
    assert article.publish_at == timezone.now()


def test_full_clean_reports_expire_before_publish_in_vietnamese():
    now = timezone.now()
    article = Article(title="Tin", status=Article.Status.PUBLISHED, publish_at=now, expire_at=now)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "Thời điểm gỡ bài phải sau thời điểm xuất bản." in str(error.value)


def test_authors_keep_their_order():
    a, b, c = make_author(name="Cao"), make_author(name="An"), make_author(name="Bình")
    article = make_article(authors=[a, b, c])
    ArticleAuthor.objects.filter(article=article, author=a).update(position=5)
    assert Article.objects.with_listing_data().get(pk=article.pk).author_list == [b, c, a]


def test_str_and_absolute_urls():
    article = make_article(title="Đề án đào tạo")
    organization = make_organization(name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng")
    photo = make_photo(caption="Lễ ra mắt đề án")
    assert str(article) == "Đề án đào tạo"
    assert article.get_absolute_url() == "/bai-viet/de-an-dao-tao/"
    assert str(organization) == organization.name
    assert organization.get_absolute_url() == (
        "/to-chuc/hoi-khoa-hoc-phat-trien-nguon-nhan-luc-nhan-tai-thanh-pho-hai-phong/"
    )
    assert make_section(name="Thời sự").get_absolute_url() == "/chuyen-muc/thoi-su/"
    assert make_tag(name="Cảng biển").get_absolute_url() == "/tu-khoa/cang-bien/"
    assert make_author(name="Lê Minh").get_absolute_url() == "/tac-gia/le-minh/"
    assert str(photo) == "Lễ ra mắt đề án"
    assert photo.get_absolute_url() == f"/anh/{photo.pk}/"


def test_photo_records_size_and_original_filename():
    photo = make_photo()
    assert (photo.width, photo.height) == (64, 48)
    assert photo.original_filename.startswith("anh-") and photo.original_filename.endswith(".jpg")
    assert photo.description == photo.caption
    photo.alt_text = "Hội trường"
    assert photo.description == "Hội trường"


def test_organization_is_mentioned_by_any_of_its_names():
    organization = Organization(
        name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
        short_name="HRD Hải Phòng",
        aliases="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố\n\n  Hội Nhân lực  \n",
    )
    assert organization.alias_list == ["Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố", "Hội Nhân lực"]
    shouted = "Chủ tịch HỘI KHOA HỌC PHÁT TRIỂN NGUỒN NHÂN LỰC, NHÂN TÀI THÀNH PHỐ cho biết"
    assert organization.mentioned_in(fold(shouted))
    assert organization.mentioned_in(fold("theo hội nhân lực"))
    assert not organization.mentioned_in(fold("Hội Nhân lựcx"))
    assert not organization.mentioned_in(fold("một hội khác"))


def test_reading_time():
    article = make_article(lead="", body="<p>" + "chữ " * 450 + "</p>")
    assert article.reading_time == 3


def test_blanking_the_slug_of_a_published_article_in_code_keeps_its_address():
    article = make_article(title="Cảng Lạch Huyện")
    article.title, article.slug = "Tiêu đề mới", ""
    article.save()
    assert Article.objects.get(pk=article.pk).slug == "cang-lach-huyen"


def test_blanking_the_slug_of_a_draft_makes_it_again_from_the_title():
    article = make_article(live=False, title="Cảng Lạch Huyện")
    article.title, article.slug = "Cảng Nam Đình Vũ", ""
    article.save()
    assert Article.objects.get(pk=article.pk).slug == "cang-nam-dinh-vu"


def test_one_article_per_imported_file_name():
    make_article(import_key="de-an.txt")
    make_article(import_key="")
    make_article(import_key="")  # articles written in the admin have no file
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(import_key="de-an.txt")


def test_photo_dimensions_are_stored_whichever_way_the_file_arrives():
    from django.core.files.base import ContentFile

    from photos.models import Photo
    from tests.factories import jpeg_bytes

    photo = Photo(caption="Ảnh vẽ")
    photo.image.save("ve.jpg", ContentFile(jpeg_bytes(size=(30, 20))), save=False)
    photo.width = photo.height = None  # as a nameless ContentFile leaves them on Django 5.1+
    photo.save()
    assert Photo.objects.filter(pk=photo.pk).values_list("width", "height").get() == (30, 20)
