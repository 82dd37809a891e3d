"""manage.py import_article and articles.importer: the plain-text format (docs/architecture.md, "The import format")."""

import io
import re
import shutil
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from articles.importer import VIETNAM, Importer, ImportFailed, body_html, parse, read_lines, split_credit
from articles.models import Article, ArticleAuthor, Author, Organization
from photos.images import ImageRefused, inspect_image
from photos.models import Photo
from tests.factories import jpeg_bytes, make_author, make_organization, make_section

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
WELL_FORMED = SAMPLES / "de-an-dao-tao.txt"
COMPACT = SAMPLES / "ban-chap-hanh.txt"
BAD_DATE = SAMPLES / "ngay-sai.txt"
EMPTY = SAMPLES / "rong.txt"

PRESENT_PHOTO = "hoi-nghi-trien-khai-de-an-1712209912.jpg"
MISSING_PHOTO = "vien-viet-nhat-ky-ket-1712209913.jpg"
TITLE = "Hải Phòng triển khai Đề án đào tạo nguồn nhân lực chất lượng cao"
SLUG = "hai-phong-trien-khai-de-an-dao-tao-nguon-nhan-luc-chat-luong-cao"
LEAD = (
    "Sáng 4/4, Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố tổ chức hội nghị triển khai "
    "Đề án đào tạo nguồn nhân lực chất lượng cao giai đoạn 2024 – 2030."
)
PARAGRAPHS = [
    "Phát biểu khai mạc, Chủ tịch Hội cho biết sau 12 năm hoạt động theo Quyết định số 520 QĐ-CT của UBND "
    "thành phố, Hội đã có 125 hội viên và đang bước vào năm đầu của nhiệm kỳ III.",
    "Theo Đề án, Hội phối hợp với Viện Phát triển nguồn nhân lực Việt – Nhật thực hiện các khóa đào tạo kỹ năng "
    "quản trị, với kinh phí do JICA tài trợ. Mỗi khóa kéo dài ba tháng.",
    "Năm 2024, Hội đặt mục tiêu đào tạo 500 cán bộ quản lý, doanh nhân trẻ của thành phố.",
]
PRESENT_CAPTION = "Quang cảnh hội nghị triển khai Đề án đào tạo."
MISSING_CAPTION = "Đại diện Hội và Viện Việt – Nhật trao đổi biên bản hợp tác."


def run(*args):
    """call_command that must succeed: (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_article", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    """call_command that must fail: (error message, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_article", *map(str, args), stdout=out, stderr=err)
    return str(failure.value), out.getvalue(), err.getvalue()


@pytest.fixture
def images(tmp_path):
    """A folder holding the first photo of the well-formed sample, as a real JPEG made with Pillow."""
    folder = tmp_path / "anh"
    folder.mkdir()
    (folder / PRESENT_PHOTO).write_bytes(jpeg_bytes(size=(64, 48)))
    return folder


@pytest.fixture
def organizations():
    return {
        # Only aliases occur in the sample, each written with other capitals or without accents.
        "hoi": make_organization(
            name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
            aliases="HỘI KHOA HỌC PHÁT TRIỂN NGUỒN NHÂN LỰC, NHÂN TÀI THÀNH PHỐ\nHội Khoa học nhân lực Hải Phòng",
        ),
        "vjcc": make_organization(
            name="Vietnam–Japan Human Resources Development Institute",
            aliases="Vien Phat trien nguon nhan luc Viet – Nhat",
        ),
        "jica": make_organization(name="Cơ quan Hợp tác Quốc tế Nhật Bản", short_name="JICA"),
        "unrelated": make_organization(name="Hội Nhà báo thành phố Hải Phòng", short_name="VJC"),
    }


def copy_sample(sample, tmp_path):
    target = tmp_path / sample.name
    shutil.copy(sample, target)
    return target


def media_files(settings):
    media = Path(settings.MEDIA_ROOT)
    return {path.relative_to(media) for path in media.rglob("*") if path.is_file()} if media.exists() else set()


def figure(photo, caption):
    url = f"/anh/{photo.pk}/"
    return f'<figure><img src="{url}" alt="{caption}"><figcaption>{caption}</figcaption></figure>'


def test_the_well_formed_sample_has_the_quirks_it_is_meant_to_test():
    raw = WELL_FORMED.read_bytes()
    assert raw.count(b"\r\n") == 21
    assert b"\n" not in raw.replace(b"\r\n", b"")
    text = raw.decode()
    assert "\u00a0" in text
    assert "khóa   đào tạo" in text
    assert "chất lượng cao   \r\n" in text
    assert COMPACT.read_bytes().startswith(b"\xef\xbb\xbf")
    assert EMPTY.read_bytes() == b""


def test_import_reads_headline_byline_dateline_lead_and_body(images, organizations):
    out, err = run(WELL_FORMED, "--images", images)

    article = Article.objects.get()
    present, missing = Photo.objects.order_by("pk")
    assert article.title == TITLE
    assert article.slug == SLUG
    assert article.import_key == "de-an-dao-tao.txt"
    assert article.publish_at == datetime(2024, 4, 4, 6, 33, tzinfo=UTC)
    assert article.lead == LEAD
    assert article.body == "\n".join(
        [
            f"<p>{PARAGRAPHS[0]}</p>",
            figure(present, PRESENT_CAPTION),
            f"<p>{PARAGRAPHS[1]}</p>",
            figure(missing, MISSING_CAPTION),
            f"<p>{PARAGRAPHS[2]}</p>",
        ]
    )
    assert "\u00a0" not in article.body + article.lead + article.title
    assert "MINH ANH" not in article.body
    assert article.status == Article.Status.DRAFT
    assert article.section is None
    assert article.created_by is None
    assert article.featured_photo == present
    assert [author.name for author in article.author_list] == ["Minh Anh"]
    assert article.bylines.get().position == 0
    assert err == ""


def test_import_output_lists_counts_and_missing_photos(images, organizations):
    out, _ = run(WELL_FORMED, "--images", images)

    assert out.splitlines() == [
        f"created: {TITLE} (/bai-viet/{SLUG}/) — 2 photos, 1 missing, 3 organisations",
        f"  missing photo: {MISSING_PHOTO} (not found): {MISSING_CAPTION}",
        "1 files imported",
    ]


def test_found_photo_is_stored_and_missing_one_is_kept_without_a_file(images):
    run(WELL_FORMED, "--images", images)

    present, missing = Photo.objects.order_by("pk")
    assert present.original_filename == PRESENT_PHOTO
    assert present.caption == PRESENT_CAPTION
    assert present.credit == ""
    # A name of the project's making (photos/storage.py), never the file's own; renditions made on import.
    assert re.fullmatch(
        r"photos/\d{4}/\d{2}/quang-canh-hoi-nghi-trien-khai-de-an-dao-tao-[a-z2-9]{12}\.jpg", present.image.name
    )
    assert (present.width, present.height, present.format) == (64, 48, "JPEG")
    assert not present.is_missing
    assert [entry[:2] for entry in present.renditions["w"]["jpeg"]] == [[64, 48]]
    assert missing.original_filename == MISSING_PHOTO
    assert missing.caption == MISSING_CAPTION
    assert missing.credit == "Ảnh: Thu Hà"
    assert not missing.image
    assert missing.is_missing


def test_photos_are_looked_for_beside_the_text_and_checked_by_content(tmp_path):
    text = copy_sample(WELL_FORMED, tmp_path)
    (tmp_path / PRESENT_PHOTO).write_bytes(jpeg_bytes())
    (tmp_path / MISSING_PHOTO).write_bytes(b"%PDF-1.4 not a photo")

    out, _ = run(text)

    present, renamed_pdf = Photo.objects.order_by("pk")
    assert present.image
    assert not renamed_pdf.image
    # The reason is the one the admin's upload gives (photos.images), in the active language.
    with pytest.raises(ImageRefused) as refused:
        inspect_image(tmp_path / MISSING_PHOTO)
    reason = str(refused.value.reason).rstrip(".")
    assert f"  missing photo: {MISSING_PHOTO} ({reason}): {MISSING_CAPTION}" in out.splitlines()
    assert "2 photos, 1 missing" in out


def test_organisations_are_linked_by_alias_and_short_name_whatever_the_case_and_accents(organizations):
    run(WELL_FORMED)

    linked = set(Article.objects.get().organizations.all())
    assert linked == {organizations["hoi"], organizations["vjcc"], organizations["jica"]}


def test_header_lines_without_blank_lines_and_a_bom(organizations):
    run(COMPACT)

    article = Article.objects.get()
    assert article.title == "Hội Khoa học nhân lực, nhân tài Hải Phòng ra mắt Ban chấp hành nhiệm kỳ III"
    assert article.publish_at == datetime(2024, 3, 15, 1, 5, tzinfo=UTC)
    assert article.lead.startswith("Chiều 14/3, Hội Khoa học")
    assert article.body == (
        "<p>Đại hội đã bầu Ban chấp hành gồm 21 ủy viên. Hội được thành lập năm 2012, hiện có 125 hội viên.</p>"
    )
    assert article.featured_photo is None
    assert list(article.organizations.all()) == [organizations["hoi"]]


def test_an_author_is_reused_when_the_byline_differs_only_in_accents_case_or_spaces():
    thu_ha = make_author(name="Thu Hà")
    minh_anh = make_author(name="minh  anh")

    run(COMPACT, WELL_FORMED)

    assert Author.objects.count() == 2
    assert Article.objects.get(import_key=COMPACT.name).author_list == [thu_ha]
    assert Article.objects.get(import_key=WELL_FORMED.name).author_list == [minh_anh]


def test_an_exact_name_wins_and_an_ambiguous_byline_is_an_error(tmp_path):
    make_author(name="Lê Thị Hà")
    ha = make_author(name="Lê Thị Hạ")
    exact = tmp_path / "exact.txt"
    exact.write_text("Tin ngắn\n\nLê Thị Hạ\n04/04/2024 13:33\n\nSapo.\n")
    ambiguous = tmp_path / "ambiguous.txt"
    ambiguous.write_text("Tin ngắn khác\n\nLe Thi Ha\n04/04/2024 13:33\n\nSapo.\n")

    message, _, err = run_failing(exact, ambiguous)

    assert Article.objects.get().author_list == [ha]
    assert err.startswith(f"{ambiguous}:3: byline matches several authors: ")
    assert message == "1 of 2 files failed"
    assert Author.objects.count() == 2


def test_status_published_makes_the_dateline_the_publication_time():
    run(WELL_FORMED, "--status", "published")

    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.publish_at == datetime(2024, 4, 4, 13, 33, tzinfo=VIETNAM)
    assert list(Article.objects.published()) == [article]


def test_section_option_files_the_article_in_that_section():
    education = make_section(name="Giáo dục", slug="giao-duc")

    run(WELL_FORMED, "--section", "giao-duc")

    assert Article.objects.get().section == education


def test_an_unknown_section_imports_nothing():
    make_section(name="Giáo dục", slug="giao-duc")

    message, out, _ = run_failing(WELL_FORMED, COMPACT, "--section", "khong-co")

    assert message == "unknown section 'khong-co' (known: giao-duc); nothing imported"
    assert out == ""
    assert Article.objects.count() == Author.objects.count() == Photo.objects.count() == 0


def test_an_unknown_images_folder_imports_nothing(tmp_path):
    message, _, _ = run_failing(WELL_FORMED, "--images", tmp_path / "khong-co")

    assert message == f"--images {tmp_path / 'khong-co'}: no such folder"
    assert Article.objects.count() == 0


def test_importing_again_updates_the_article_without_duplicates(tmp_path, images, organizations):
    text = copy_sample(WELL_FORMED, tmp_path)
    run(text, "--images", images)
    article = Article.objects.get()
    photo_pks = sorted(Photo.objects.values_list("pk", flat=True))
    edited = text.read_bytes().decode()
    edited = edited.replace("Sáng 4/4,", "Sáng thứ Năm 4/4,").replace("500 cán bộ", "600 cán bộ")
    edited = edited.replace("với kinh phí do JICA tài trợ", "với kinh phí tự túc")
    text.write_bytes(edited.encode())

    out, _ = run(text, "--images", images)

    updated = Article.objects.get()
    assert updated.pk == article.pk
    assert updated.slug == SLUG
    assert updated.lead == LEAD.replace("Sáng 4/4,", "Sáng thứ Năm 4/4,")
    assert f"<p>{PARAGRAPHS[2].replace('500', '600')}</p>" in updated.body
    assert sorted(Photo.objects.values_list("pk", flat=True)) == photo_pks
    assert Author.objects.count() == 1
    assert ArticleAuthor.objects.count() == 1
    assert set(updated.organizations.all()) == {organizations["hoi"], organizations["vjcc"]}
    assert out.splitlines()[0] == f"updated: {TITLE} (/bai-viet/{SLUG}/) — 2 photos, 1 missing, 2 organisations"


def test_importing_again_keeps_what_an_editor_added_to_a_photo(images, settings):
    run(WELL_FORMED, "--images", images)
    present = Photo.objects.get(original_filename=PRESENT_PHOTO)
    present.credit = "Ảnh: Minh Anh"
    present.save()
    stored = present.image.name
    files_before = media_files(settings)

    run(WELL_FORMED, "--images", images)

    present.refresh_from_db()
    assert present.credit == "Ảnh: Minh Anh"
    assert present.image.name == stored
    assert media_files(settings) == files_before


def test_importing_again_completes_a_photo_whose_file_has_arrived(images):
    run(WELL_FORMED, "--images", images)
    (images / MISSING_PHOTO).write_bytes(jpeg_bytes(size=(30, 20)))

    out, _ = run(WELL_FORMED, "--images", images)

    present, completed = Photo.objects.order_by("pk")
    assert completed.original_filename == MISSING_PHOTO
    assert (completed.width, completed.height) == (30, 20)
    assert completed.credit == "Ảnh: Thu Hà"
    assert "2 photos, 0 missing" in out
    assert "missing photo" not in out


def test_importing_again_keeps_a_published_status_and_slug(tmp_path):
    text = copy_sample(WELL_FORMED, tmp_path)
    run(text, "--status", "published")
    text.write_bytes(text.read_bytes().replace("triển khai".encode(), "khởi động".encode(), 1))

    run(text, "--update")

    article = Article.objects.get()
    assert article.title == "Hải Phòng khởi động Đề án đào tạo nguồn nhân lực chất lượng cao"
    assert article.status == Article.Status.PUBLISHED
    assert article.slug == SLUG


def test_importing_again_with_an_explicit_status_applies_it(tmp_path):
    run(WELL_FORMED, "--status", "published")

    run(WELL_FORMED, "--status", "draft", "--update")

    assert Article.objects.get().status == Article.Status.DRAFT


def test_a_draft_imported_again_follows_its_new_headline(tmp_path):
    text = copy_sample(WELL_FORMED, tmp_path)
    run(text)
    text.write_bytes(text.read_bytes().replace("triển khai".encode(), "khởi động".encode(), 1))

    run(text)

    assert Article.objects.get().slug == "hai-phong-khoi-dong-de-an-dao-tao-nguon-nhan-luc-chat-luong-cao"


def test_a_malformed_file_saves_nothing_while_the_good_one_imports(images):
    message, out, err = run_failing(BAD_DATE, WELL_FORMED, "--images", images)

    assert err.splitlines() == [f"{BAD_DATE}:4: invalid dateline '31/02/2024 25:61': day is out of range for month"]
    assert message == "1 of 2 files failed"
    assert out.startswith(f"created: {TITLE} ")
    assert Article.objects.get().title == TITLE
    assert list(Author.objects.values_list("name", flat=True)) == ["Minh Anh"]
    assert Photo.objects.count() == 2


def test_an_empty_file_is_an_error():
    message, out, err = run_failing(EMPTY)

    assert err == f"{EMPTY}:1: empty file: expected a headline, a byline and a dateline\n"
    assert message == "1 of 1 files failed"
    assert out == ""


def test_a_file_failing_validation_after_parsing_rolls_everything_back(tmp_path, settings):
    text = tmp_path / "dai.txt"
    text.write_text(f"{'Hải Phòng ' * 30}\n\nTác giả Mới\n04/04/2024 13:33\n\nSapo.\n\n{PRESENT_PHOTO}\nẢnh.\n")
    (tmp_path / PRESENT_PHOTO).write_bytes(jpeg_bytes())

    _, _, err = run_failing(text)

    assert err.startswith(f"{text}:1: title: ")
    assert Article.objects.count() == Author.objects.count() == Photo.objects.count() == 0
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


def test_a_nonexistent_path_and_a_non_utf8_file_are_errors_of_their_own(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Tiêu đề\n\nMinh Anh\n04/04/2024 13:33\n".encode() + b"Sapo \xe0 la Windows-1258.\n")
    nowhere = tmp_path / "khong-co.txt"

    message, out, err = run_failing(nowhere, latin, COMPACT)

    assert err.splitlines() == [
        f"{nowhere}: no such file or directory",
        f"{latin}:5: not UTF-8 text (byte 0xe0); save the file as UTF-8",
    ]
    assert message == "2 of 3 files failed"
    assert Article.objects.get().import_key == COMPACT.name


def test_body_text_is_escaped_and_sanitised(tmp_path):
    text = tmp_path / "xss.txt"
    text.write_text(
        "Tin <em>thử</em>\n\nMinh Anh\n04/04/2024 13:33\n\nSapo <b>đậm</b>.\n\n"
        'Đoạn <script>alert("x")</script> và <a href="javascript:alert(1)">liên kết</a>.\n\n'
        "anh.png\nChú thích <img src=x onerror=alert(1)>\n"
    )

    run(text)

    article = Article.objects.get()
    photo = Photo.objects.get()
    caption = escape("Chú thích <img src=x onerror=alert(1)>")
    assert article.title == "Tin <em>thử</em>"
    assert article.lead == "Sapo <b>đậm</b>."
    assert article.body == (
        '<p>Đoạn &lt;script&gt;alert("x")&lt;/script&gt; '
        'và &lt;a href="javascript:alert(1)"&gt;liên kết&lt;/a&gt;.</p>\n'
        f'<figure><img src="/anh/{photo.pk}/" alt="{caption}"><figcaption>{caption}</figcaption></figure>'
    )


def test_the_command_help_documents_the_status_rule(capsys):
    with pytest.raises(SystemExit):
        call_command("import_article", "--help")

    assert "keeps its current status" in " ".join(capsys.readouterr().out.split())


def parse_text(tmp_path, content):
    path = tmp_path / "bai.txt"
    path.write_text(content)
    return parse(read_lines(path))


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (" \r\n\u00a0\r\n", 1, "empty file: expected a headline, a byline and a dateline"),
        ("Tiêu đề\n", 2, "missing byline: the file ends after line 1"),
        ("Tiêu đề\n\nMinh Anh\n", 4, "missing dateline (dd/mm/YYYY HH:MM): the file ends after line 3"),
        (
            "04/04/2024 13:33\nMinh Anh\nSapo.\n",
            1,
            "missing headline: found a date '04/04/2024 13:33' where the headline should be",
        ),
        (
            "Tiêu đề\n\n04/04/2024 13:33\n\nSapo.\n",
            3,
            "missing byline: found a date '04/04/2024 13:33' where the byline should be",
        ),
        (
            "Tiêu đề\nMinh Anh\nSáng 4/4, Hội Khoa học tổ chức hội nghị.\n",
            3,
            "expected the dateline as dd/mm/YYYY HH:MM (Vietnam time), "
            "found 'Sáng 4/4, Hội Khoa học tổ chức hội nghị.'",
        ),
        (
            "Tiêu đề\n\nMinh Anh\n4/4/24\n\nSapo.\n",
            4,
            "expected the dateline as dd/mm/YYYY HH:MM (Vietnam time), found '4/4/24'",
        ),
        (
            "Tiêu đề\n\nMinh Anh\n04/04/2024 24:00\n\nSapo.\n",
            4,
            "invalid dateline '04/04/2024 24:00': hour must be in 0..23",
        ),
        ("Tiêu đề\nMinh Anh\n04/04/2024 13:33\n\n\n", 4, "nothing after the dateline: expected the lead paragraph"),
        (
            "Tiêu đề\nMinh Anh\n04/04/2024 13:33\nMinh Anh\n",
            4,
            "nothing after the dateline: expected the lead paragraph",
        ),
        ("Ti\x00êu đề\n", 1, "NUL character: is this a UTF-16 or binary file? Save it as UTF-8 text"),
    ],
)
def test_parse_errors_name_the_line_at_fault(tmp_path, content, line, reason):
    with pytest.raises(ImportFailed) as failure:
        parse_text(tmp_path, content)

    assert (failure.value.line, failure.value.reason) == (line, reason)


def test_parse_accepts_one_digit_day_month_and_hour(tmp_path):
    parsed = parse_text(tmp_path, "Tiêu đề\nMinh Anh\n4/4/2024 9:05\nSapo.\n")

    assert parsed.publish_at == datetime(2024, 4, 4, 2, 5, tzinfo=UTC)


def test_parse_keeps_prose_and_paths_that_end_in_an_image_extension_as_text(tmp_path):
    parsed = parse_text(tmp_path, "Tiêu đề\nMinh Anh\n04/04/2024 13:33\nSapo.\n\nXem ảnh.jpg\n\n../../mat-khau.jpg\n")

    assert [block.text for block in parsed.body] == ["Xem ảnh.jpg", "../../mat-khau.jpg"]
    assert parsed.figures == []


def test_parse_takes_the_first_paragraph_after_a_leading_photo_as_the_lead(tmp_path):
    parsed = parse_text(
        tmp_path, "Tiêu đề\nMinh Anh\n04/04/2024 13:33\n\na.jpg\nẢnh a.\n\nSapo.\n\nb.webp\n\nc.GIF\nẢnh c.\n"
    )

    assert (parsed.lead, parsed.lead_line) == ("Sapo.", 8)
    assert [(f.line, f.filename, f.caption) for f in parsed.figures] == [
        (5, "a.jpg", "Ảnh a."),
        (10, "b.webp", ""),
        (12, "c.GIF", "Ảnh c."),
    ]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Đại biểu ký kết. (Ảnh: Thu Hà)", ("Đại biểu ký kết.", "Ảnh: Thu Hà")),
        ("Quang cảnh hội nghị. Ảnh: Minh Anh", ("Quang cảnh hội nghị.", "Ảnh: Minh Anh")),
        ("Lễ ra mắt (nguồn: Hội Khoa học)", ("Lễ ra mắt", "nguồn: Hội Khoa học")),
        ("Học viên trong giờ thực hành. Ảnh minh họa", ("Học viên trong giờ thực hành. Ảnh minh họa", "")),
        ("Ảnh: tư liệu của Hội", ("Ảnh: tư liệu của Hội", "")),
        ("Đại biểu (bên phải) phát biểu", ("Đại biểu (bên phải) phát biểu", "")),
    ],
)
def test_a_credit_is_split_from_the_caption_only_when_written_as_papers_write_it(caption, expected):
    assert split_credit(caption) == expected


def test_organisations_are_fetched_once_per_run(tmp_path):
    make_organization(name="Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng")
    second = tmp_path / "ban-chap-hanh-2.txt"
    shutil.copy(COMPACT, second)

    with CaptureQueriesContext(connection) as queries:
        run(COMPACT, second)

    # Linking (the through table) is per article; reading the organisations themselves is once per run.
    sqls = [query["sql"] for query in queries.captured_queries]
    org_queries = [sql for sql in sqls if 'FROM "articles_organization"' in sql and "article_organizations" not in sql]
    assert len(org_queries) == 1
    assert Organization.objects.get().articles.count() == 2


# --- Holes a hostile look found ---------------------------------------------------------------------------------


def png_header(width, height):
    """The first bytes of a PNG that claims width × height pixels: enough for Pillow to read its size."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + data + chunk(b"IEND", b"")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    big = tmp_path / "lon.txt"
    big.write_bytes(b"Tin\n\nMinh Anh\n04/04/2024 13:33\n\n" + "Đoạn dài. ".encode() * 200)
    size = big.stat().st_size

    message, out, err = run_failing(big, COMPACT)

    assert err.splitlines() == [f"{big}: too large ({size} bytes; the limit is 1000)"]
    assert message == "1 of 2 files failed"
    assert Article.objects.get().import_key == COMPACT.name


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_file_whose_size_is_not_known_in_advance_is_read_no_further_than_the_limit(settings):
    # /dev/zero reports a size of 0 and never ends: only a bounded read stops it.
    settings.IMPORT_MAX_BYTES = 1000

    _, _, err = run_failing("/dev/zero")

    assert err == "/dev/zero: too large (more than 1000 bytes; the limit is 1000)\n"


def test_a_file_at_the_size_limit_imports(tmp_path, settings):
    text = copy_sample(COMPACT, tmp_path)
    settings.IMPORT_MAX_BYTES = text.stat().st_size

    run(text)

    assert Article.objects.count() == 1


def test_a_storage_error_is_reported_for_its_file_and_the_next_file_imports(tmp_path, settings):
    text = copy_sample(WELL_FORMED, tmp_path)
    (tmp_path / PRESENT_PHOTO).write_bytes(jpeg_bytes())
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where MEDIA_ROOT's folder should be")
    settings.MEDIA_ROOT = blocker / "media"

    message, out, err = run_failing(text, COMPACT)

    [line] = err.splitlines()
    assert line.startswith(f"{text}: could not store photo {PRESENT_PHOTO}: ")
    assert message == "1 of 2 files failed"
    assert Article.objects.get().import_key == COMPACT.name
    assert Photo.objects.count() == 0
    assert list(Author.objects.values_list("name", flat=True)) == ["Thu Ha"]


def test_a_storage_error_removes_the_files_that_file_had_already_stored(tmp_path, settings, monkeypatch):
    text = copy_sample(WELL_FORMED, tmp_path)
    (tmp_path / PRESENT_PHOTO).write_bytes(jpeg_bytes())
    (tmp_path / MISSING_PHOTO).write_bytes(jpeg_bytes())
    real_save = FileSystemStorage._save

    def save_once_then_fail(self, name, content):
        # The second photo's master is named after its caption (photos/storage.py).
        if "/dai-dien-hoi-va-vien-viet-nhat" in name:
            raise PermissionError(13, "Permission denied")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save_once_then_fail)

    _, _, err = run_failing(text)

    assert err == f"{text}: could not store photo {MISSING_PHOTO}: permission denied\n"
    assert Article.objects.count() == Photo.objects.count() == Author.objects.count() == 0
    # The first photo's master and every rendition made from it are gone too.
    assert media_files(settings) == set()


def test_a_photo_over_the_pixel_limit_is_reported_and_not_stored(tmp_path, settings):
    text = tmp_path / "bom.txt"
    text.write_text("Tin có ảnh lớn\n\nMinh Anh\n04/04/2024 13:33\n\nSapo.\n\nlon.png\nẢnh rất lớn.\n")
    (tmp_path / "lon.png").write_bytes(png_header(10_000, 10_000))  # 100 megapixels in 100 bytes

    out, _ = run(text)

    photo = Photo.objects.get()
    assert not photo.image
    [line] = [line for line in out.splitlines() if line.startswith("  missing photo:")]
    assert line.startswith("  missing photo: lon.png (")
    assert "10000×10000" in line
    assert line.endswith("): Ảnh rất lớn.")
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.png"))


def test_the_pixel_limit_is_the_setting(tmp_path, settings):
    text = copy_sample(WELL_FORMED, tmp_path)
    (tmp_path / PRESENT_PHOTO).write_bytes(jpeg_bytes(size=(64, 48)))
    settings.PHOTO_MAX_PIXELS = 64 * 48 - 1

    out, _ = run(text)

    assert not Photo.objects.get(original_filename=PRESENT_PHOTO).image
    assert f"  missing photo: {PRESENT_PHOTO} (" in out


def test_an_article_remembers_the_resolved_path_it_was_imported_from(tmp_path, monkeypatch):
    text = copy_sample(COMPACT, tmp_path)
    monkeypatch.chdir(tmp_path)

    run(Path(".") / text.name)

    assert Article.objects.get().import_source == str(text.resolve())


def test_a_same_named_file_from_another_folder_is_a_conflict_and_changes_nothing(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = copy_sample(WELL_FORMED, tmp_path / "a")
    other = tmp_path / "b" / WELL_FORMED.name
    other.write_text("Một tin khác hẳn\n\nNgười Khác\n05/05/2024 10:00\n\nSapo khác.\n")
    run(first, "--status", "published")
    before = Article.objects.values().get()

    message, out, err = run_failing(other, "--update")

    assert err == (
        f"{other}: conflict: an article was imported from another file of this name, {first.resolve()} "
        f"(this file is {other.resolve()}); nothing changed\n"
    )
    assert message == "1 of 1 files failed"
    assert Article.objects.values().get() == before
    assert Author.objects.count() == 1


def test_a_draft_is_conflicting_too(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, other = copy_sample(COMPACT, tmp_path / "a"), copy_sample(COMPACT, tmp_path / "b")
    run(first)

    _, _, err = run_failing(other)

    assert "conflict" in err
    assert Article.objects.get().import_source == str(first.resolve())


def test_updating_a_published_article_needs_update(tmp_path):
    text = copy_sample(WELL_FORMED, tmp_path)
    run(text, "--status", "published")
    before = Article.objects.values().get()
    text.write_bytes(text.read_bytes().replace("triển khai".encode(), "khởi động".encode(), 1))

    message, out, err = run_failing(text)

    assert err == (
        f"{text}: the article imported from this file is published ({SLUG}); "
        "pass --update to change it, nothing changed\n"
    )
    assert message == "1 of 1 files failed"
    assert Article.objects.values().get() == before

    out, _ = run(text, "--update")

    assert Article.objects.get().title.startswith("Hải Phòng khởi động")
    assert out.startswith("updated: ")


def test_updating_a_taken_down_article_needs_update(tmp_path):
    text = copy_sample(COMPACT, tmp_path)
    run(text)
    Article.objects.update(status=Article.Status.ARCHIVED)

    _, _, err = run_failing(text)

    assert (
        err == f"{text}: the article imported from this file is taken down ({Article.objects.get().slug}); "
        "pass --update to change it, nothing changed\n"
    )


def test_a_draft_is_updated_without_update_and_an_old_row_adopts_its_source(tmp_path):
    text = copy_sample(COMPACT, tmp_path)
    run(text)
    Article.objects.update(import_source="")  # imported before the source was recorded

    out, _ = run(text)

    assert out.startswith("updated: ")
    assert Article.objects.get().import_source == str(text.resolve())


# --- Block markers and the featured photo ---------------------------------------------------------------------


def test_markers_make_headings_quotes_and_lists(tmp_path):
    parsed = parse_text(
        tmp_path,
        "Tiêu đề\nMinh Anh\n04/04/2024 13:33\n\nSapo.\n\n"
        "## Hơn mười năm, ba nhiệm kỳ\nĐoạn ngay sau tiêu đề.\n\n"
        "### Tiêu đề nhỏ\n\n"
        "> “Tôi đi sớm hơn,” anh Nam nói,\n> “là tránh được đoạn tắc.”\n\n"
        "Những điều cần biết:\n* Thành lập năm 2012;\n* có 125 hội viên,\nđang ở nhiệm kỳ thứ ba.\n\n"
        "3. Bước ba.\n4. Bước bốn.\n",
    )

    assert body_html(parsed.body, {}) == "\n".join(
        [
            "<h2>Hơn mười năm, ba nhiệm kỳ</h2>",
            "<p>Đoạn ngay sau tiêu đề.</p>",
            "<h3>Tiêu đề nhỏ</h3>",
            "<blockquote><p>“Tôi đi sớm hơn,” anh Nam nói, “là tránh được đoạn tắc.”</p></blockquote>",
            "<p>Những điều cần biết:</p>",
            "<ul><li>Thành lập năm 2012;</li><li>có 125 hội viên, đang ở nhiệm kỳ thứ ba.</li></ul>",
            '<ol start="3"><li>Bước ba.</li><li>Bước bốn.</li></ol>',
        ]
    )
    assert [block.line for block in parsed.body] == [7, 8, 10, 12, 15, 16, 20]
    assert "125 hội viên" in parsed.text


@pytest.mark.parametrize(
    "line",
    [
        "- Chào bác, bác đi đâu sớm thế?",
        "– Tôi ra chợ, anh ạ.",
        "* * *",
        "##Dính liền",
        "# Một dấu thăng",
        ">Không cách",
        "2024. Một năm nhiều việc.",
        "*Nhấn mạnh*",
    ],
)
def test_dialogue_and_look_alikes_stay_paragraphs(tmp_path, line):
    parsed = parse_text(tmp_path, f"Tiêu đề\nMinh Anh\n04/04/2024 13:33\n\nSapo.\n\n{line}\n")

    assert body_html(parsed.body, {}) == f"<p>{escape(line)}</p>"


def test_marker_text_is_escaped(tmp_path):
    parsed = parse_text(
        tmp_path, "Tiêu đề\nMinh Anh\n04/04/2024 13:33\n\nSapo.\n\n## <script>x</script>\n* <b>đậm</b>\n"
    )

    assert (
        body_html(parsed.body, {})
        == "<h2>&lt;script&gt;x&lt;/script&gt;</h2>\n<ul><li>&lt;b&gt;đậm&lt;/b&gt;</li></ul>"
    )


def test_a_photo_before_the_body_text_is_the_featured_photo_and_not_repeated_in_the_body(tmp_path):
    text = tmp_path / "co-anh.txt"
    text.write_text(
        "Tin có ảnh\n\nMinh Anh\n04/04/2024 13:33\n\nSapo.\n\ndau.jpg\nẢnh đầu bài. (Ảnh: Thu Hà)\n\n"
        "Đoạn một.\n\ngiua.jpg\nẢnh giữa bài.\n"
    )
    (tmp_path / "dau.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "giua.jpg").write_bytes(jpeg_bytes())

    run(text)

    article = Article.objects.get()
    first, middle = Photo.objects.order_by("pk")
    assert article.featured_photo == first
    assert (first.caption, first.credit) == ("Ảnh đầu bài.", "Ảnh: Thu Hà")
    assert article.body == f"<p>Đoạn một.</p>\n{figure(middle, 'Ảnh giữa bài.')}"


def test_a_caller_may_name_the_authors_or_keep_the_byline_as_free_text(tmp_path):
    ha, huy = make_author(name="Phạm Thu Hà"), make_author(name="Nguyễn Quang Huy")
    two = tmp_path / "hai-tac-gia.txt"
    two.write_text("Tin hai tác giả\n\nNguyễn Quang Huy, Phạm Thu Hà\n04/04/2024 13:33\n\nSapo.\n")
    desk = tmp_path / "ban-doc.txt"
    desk.write_text("Thông báo\n\nBan Bạn đọc\n04/04/2024 13:33\n\nSapo.\n")
    importer = Importer()

    importer.import_file(two, authors=[huy, ha])
    importer.import_file(desk, authors=[])

    assert Article.objects.get(import_key=two.name).author_list == [huy, ha]
    notice = Article.objects.get(import_key=desk.name)
    assert (notice.author_list, notice.byline) == ([], "Ban Bạn đọc")
    assert Author.objects.count() == 2


def test_a_photo_kept_without_its_file_appears_on_the_article_once_a_reimport_brings_the_file(client, images):
    run(WELL_FORMED, "--images", images, "--status", "published")
    article = Article.objects.get()
    waiting = Photo.objects.get(original_filename=MISSING_PHOTO)
    body = article.body
    before = client.get(article.get_absolute_url()).content.decode()
    # Readers are not shown a photo with no file (nor an empty figure for it).
    assert MISSING_CAPTION not in before
    (images / MISSING_PHOTO).write_bytes(jpeg_bytes(size=(800, 600)))

    out, _ = run(WELL_FORMED, "--images", images, "--update")

    assert "2 photos, 0 missing" in out
    waiting.refresh_from_db()
    assert not waiting.is_missing
    article.refresh_from_db()
    # Nobody edited the article: its body refers to the same library photo as before.
    assert article.body == body
    assert f'src="/anh/{waiting.pk}/"' in body
    page = client.get(article.get_absolute_url()).content.decode()
    assert MISSING_CAPTION in page
    assert f"{waiting.rendition('w', 'jpeg', 640).url} 640w" in page
    assert f"{waiting.rendition('w', 'webp', 640).url} 640w" in page
