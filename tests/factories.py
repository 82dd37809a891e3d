"""Small factories for tests: each makes a valid object with what is not given."""

import io
import itertools
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticleAuthor, Author, Organization, Section, Tag
from photos.models import Photo

_seq = itertools.count(1)


def jpeg_bytes(size=(64, 48), color=(200, 40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def make_section(**kwargs):
    n = next(_seq)
    return Section.objects.create(**{"name": f"Chuyên mục {n}", "position": n, **kwargs})


def make_tag(**kwargs):
    return Tag.objects.create(**{"name": f"Từ khóa {next(_seq)}", **kwargs})


def make_author(**kwargs):
    return Author.objects.create(**{"name": f"Phóng viên {next(_seq)}", **kwargs})


def make_organization(**kwargs):
    return Organization.objects.create(**{"name": f"Hội Khoa học số {next(_seq)}", **kwargs})


def make_photo(with_image=True, **kwargs):
    n = next(_seq)
    if with_image and "image" not in kwargs:
        kwargs["image"] = SimpleUploadedFile(f"anh-{n}.jpg", jpeg_bytes(), content_type="image/jpeg")
    return Photo.objects.create(**{"caption": f"Chú thích ảnh {n}", "credit": "Ảnh: Minh Anh", **kwargs})


def make_article(*, authors=(), organizations=(), tags=(), live=True, **kwargs):
    """A live article by default; pass status/publish_at/expire_at to make others."""
    n = next(_seq)
    defaults = {
        "title": f"Bài viết số {n} về Hải Phòng",
        "lead": f"Sapo của bài viết số {n}.",
        "body": f"<p>Nội dung bài viết số {n}.</p>",
    }
    if live:
        defaults |= {"status": Article.Status.PUBLISHED, "publish_at": timezone.now() - timedelta(hours=n % 50 + 1)}
    article = Article.objects.create(**(defaults | kwargs))
    for position, author in enumerate(authors):
        ArticleAuthor.objects.create(article=article, author=author, position=position)
    article.organizations.set(organizations)
    article.tags.set(tags)
    return article
