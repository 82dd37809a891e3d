import pytest

from articles.sanitize import clean_body
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p onclick=\"x()\">Hải Phòng</p>", "<p>Hải Phòng</p>"),
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ('<p><a href="javascript:alert(1)">x</a></p>', '<p><a rel="noopener noreferrer">x</a></p>'),
        ('<p><a href="https://haiphong.gov.vn" target="_blank">UBND</a></p>',
         '<p><a href="https://haiphong.gov.vn" rel="noopener noreferrer">UBND</a></p>'),
        ('<p><a href="mailto:toasoan@example.vn">thư</a></p>',
         '<p><a href="mailto:toasoan@example.vn" rel="noopener noreferrer">thư</a></p>'),
        ("<h1>Tiêu đề</h1><h2>Mục</h2>", "Tiêu đề<h2>Mục</h2>"),
        ('<img src="x.jpg" onerror="steal()">', '<img src="x.jpg">'),
        ("<iframe src=\"https://evil.example\"></iframe><p>ok</p>", "<p>ok</p>"),
        ("<p style=\"color:red\" class=\"x\">t</p>", "<p>t</p>"),
        ('<table><tr><td colspan="2">1</td></tr></table>',
         '<table><tbody><tr><td colspan="2">1</td></tr></tbody></table>'),
        ("<p></p>", ""),
        ("<!-- ghi chú --><p>x</p>", "<p>x</p>"),
    ],
)  # fmt: skip
def test_clean_body_allowlist(dirty, clean):
    assert clean_body(dirty) == clean


def test_body_is_sanitised_on_every_save_not_only_in_forms():
    article = make_article(body='<p onmouseover="x()">Tin <script>alert(1)</script>nóng</p>')
    article.refresh_from_db()
    assert article.body == "<p>Tin nóng</p>"
    article.body = "<p>Sửa <img src=x onerror=alert(1)></p>"
    article.save()
    article.refresh_from_db()
    assert article.body == '<p>Sửa <img src="x"></p>'
