"""articles.diff: a readable, escaped, bounded side-by-side diff of title, lead and body."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from articles import diff
from articles.diff import article_diff


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def rows_by_name(before, after):
    return {row.name: row for row in article_diff(before, after)}


def test_fields_in_order_with_labels():
    rows = article_diff({"title": "A", "lead": "", "body": ""}, {"title": "A", "lead": "", "body": ""})
    assert [row.name for row in rows] == ["title", "lead", "body"]
    assert all(row.label for row in rows)
    assert not any(row.changed for row in rows)


def test_vietnamese_word_change_marked_as_words():
    rows = rows_by_name(
        {"title": "Hải Phòng khởi công cầu mới", "lead": "", "body": ""},
        {"title": "Hải Phòng khánh thành cầu mới", "lead": "", "body": ""},
    )
    title = rows["title"]
    assert title.changed
    assert '<del class="rev-del">khởi công</del>' in title.before_html
    assert '<ins class="rev-ins">khánh thành</ins>' in title.after_html
    # The unchanged words stay plain on both sides.
    assert "Hải Phòng " in title.before_html and " cầu mới" in title.after_html
    assert "<ins" not in title.before_html and "<del" not in title.after_html


def test_unchanged_fields_are_plain_text():
    rows = rows_by_name(
        {"title": "Tiêu đề", "lead": "Sapô giữ nguyên", "body": "<p>Đoạn một</p>"},
        {"title": "Tiêu đề mới", "lead": "Sapô giữ nguyên", "body": "<p>Đoạn một</p>"},
    )
    assert rows["title"].changed
    assert not rows["lead"].changed and not rows["body"].changed
    assert rows["lead"].before_html == rows["lead"].after_html == '<p class="rev-line">Sapô giữ nguyên</p>'
    assert "<del" not in rows["body"].before_html and "<ins" not in rows["body"].after_html


def test_empty_fields_say_so():
    rows = rows_by_name({"title": "", "lead": None, "body": ""}, {"title": "", "lead": "Có sapô", "body": ""})
    assert "(trống)" in rows["title"].before_html and "(trống)" in rows["title"].after_html
    assert rows["lead"].changed
    assert "(trống)" in rows["lead"].before_html
    assert '<ins class="rev-ins">Có sapô</ins>' in rows["lead"].after_html
    # A missing key is an empty field, not an error.
    assert not article_diff({}, {})[2].changed


def test_body_compared_per_block_with_figures():
    before = (
        "<h2>Bối cảnh</h2><p>Đoạn <strong>một</strong>.</p>"
        '<figure><img src="/anh/12/" alt=""><figcaption>Lễ khởi công</figcaption></figure>'
        "<ul><li>Ý một</li><li>Ý hai</li></ul><blockquote><p>Trích dẫn</p></blockquote>"
    )
    after = before.replace("Ý hai", "Ý hai sửa").replace("Lễ khởi công", "Lễ khánh thành")
    assert diff.lines_of("body", before) == [
        "Bối cảnh",
        "Đoạn một.",
        "[Ảnh #12: Lễ khởi công]",
        "Ý một",
        "Ý hai",
        "Trích dẫn",
    ]
    body = rows_by_name({"body": before}, {"body": after})["body"]
    assert body.changed
    assert '<ins class="rev-ins">sửa</ins>' in body.after_html
    assert '<del class="rev-del">khởi công]</del>' in body.before_html
    assert '<ins class="rev-ins">khánh thành]</ins>' in body.after_html
    # Markup of the stored body is never passed through: only the diff's own elements appear.
    assert set(re.findall(r"</?([a-z0-9]+)", body.before_html + body.after_html)) <= {"p", "del", "ins"}


def test_added_and_removed_paragraphs():
    body = rows_by_name({"body": "<p>Giữ</p><p>Bỏ đi</p>"}, {"body": "<p>Giữ</p><p>Bỏ đi</p><p>Thêm vào</p>"})["body"]
    assert 'rev-line--added"><ins class="rev-ins">Thêm vào</ins>' in body.after_html
    body = rows_by_name({"body": "<p>Giữ</p><p>Bỏ đi</p>"}, {"body": "<p>Giữ</p>"})["body"]
    assert 'rev-line--removed"><del class="rev-del">Bỏ đi</del>' in body.before_html


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">bấm</a>',
    "<iframe src=//evil.example></iframe>",
    '"><svg onload=alert(1)>',
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_html_is_text_never_markup(hostile):
    for field in ("title", "lead", "body"):
        rows = article_diff({field: "<p>Cũ</p>"}, {field: f"<p>Mới</p>{hostile}"})
        html = "".join(row.before_html + row.after_html for row in rows)
        assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<svg" not in html
        assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", html)
        assert "javascript:" not in re.sub(r"&[a-z#0-9]+;", "", "".join(re.findall(r"<[^>]+>", html)))
        assert set(re.findall(r"</?([a-z0-9]+)", html)) <= {"p", "del", "ins"}


def test_script_and_foreign_image_show_as_text_in_body():
    body = rows_by_name({"body": ""}, {"body": '<p>x</p><script>alert(1)</script><img src=x onerror="alert(1)">'})
    after = body["body"].after_html
    assert "&lt;script&gt;" in after and "alert(1)" in after
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in after


def test_escaped_entities_stay_escaped():
    # A stored body holding the text "<b>" (as &lt;b&gt;) shows those characters, escaped again.
    after = rows_by_name({"body": ""}, {"body": "<p>a &lt;b&gt; c &amp; d</p>"})["body"].after_html
    assert "a &lt;b&gt; c &amp; d" in after


def test_huge_input_is_capped_and_says_so():
    many = "".join(f"<p>Đoạn số {i} có nội dung</p>" for i in range(diff.MAX_LINES + 500))
    lines = diff.lines_of("body", many)
    assert len(lines) == diff.MAX_LINES + 1
    assert lines[-1] == "… (rút gọn)"

    long_line = "chữ " * 100_000
    lines = diff.lines_of("lead", long_line)
    assert lines[-1] == "… (rút gọn)"  # over MAX_CHARS
    assert lines[0].endswith("… (rút gọn)") and len(lines[0]) < diff.MAX_LINE_CHARS + 20


def test_many_long_changed_lines_stay_within_the_word_budget(monkeypatch):
    # Hundreds of long paragraphs that all differ: word-level marking stops once the field's budget is
    # spent, and the rest of the lines are marked changed as a whole (bounded time, nothing lost).
    compared = []
    real = diff.difflib.SequenceMatcher

    def counting(isjunk, a, b, autojunk):
        compared.append(len(a) * len(b))
        return real(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(diff.difflib, "SequenceMatcher", counting)
    before = "".join(f"<p>{i} " + "một hai ba " * 80 + "</p>" for i in range(300))
    after = "".join(f"<p>{i} " + "hai ba một " * 80 + "</p>" for i in range(300))
    body = article_diff({"body": before}, {"body": after})[2]
    word_work = sum(compared[3:])  # the first three compare the lines of title, lead and body
    assert word_work <= diff.MAX_WORD_WORK
    assert body.after_html.count('class="rev-line rev-line--changed"') == 300
    assert '<ins class="rev-ins">299 hai ba một' in body.after_html  # a late line, marked as a whole
    assert '<p class="rev-line rev-line--changed">0 <del class="rev-del">' in body.before_html  # an early one, by words


def test_template_renders_two_columns_escaped():
    rows = article_diff({"title": "Cũ <b>"}, {"title": "Mới <script>x</script>"})
    html = render_to_string("admin/articles/_diff.html", {"diff": rows, "before_label": "Trước", "after_label": "Sau"})
    assert "<script>x" not in html
    assert "&lt;script&gt;" in html
    assert html.count('class="rev-diff__cell rev-diff__cell--before"') == 3
    assert 'data-label="Trước"' in html and 'data-label="Sau"' in html
    assert "revisions.css" in html
    assert ' style="' not in html and "<script" not in html
