import pytest

from articles.text import collapse_spaces, fold, slugify_vi, strip_accents, strip_bidi


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Đề án đào tạo", "de-an-dao-tao"),
        ("Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng",
         "hoi-khoa-hoc-phat-trien-nguon-nhan-luc-nhan-tai-thanh-pho-hai-phong"),
        ("ĐƯỜNG Lạch Tray — 2024!", "duong-lach-tray-2024"),
        ("Quyết định số 520 QĐ-CT", "quyet-dinh-so-520-qd-ct"),
        ("  Ủy ban   nhân dân ", "uy-ban-nhan-dan"),
        ("Nghị quyết 45/NQ-TW", "nghi-quyet-45nq-tw"),
    ],
)  # fmt: skip
def test_slugify_vi_keeps_d_and_drops_accents(text, slug):
    assert slugify_vi(text) == slug


def test_slugify_vi_cuts_on_a_word_boundary():
    slug = slugify_vi("Thành phố Hải Phòng " * 30, max_length=50)
    assert len(slug) <= 50
    assert not slug.endswith("-")
    assert slug.startswith("thanh-pho-hai-phong-thanh-pho")


def test_strip_accents_and_fold():
    assert strip_accents("Đề án Hải Phòng") == "De an Hai Phong"
    assert fold("  HẢI\u00a0PHÒNG   Nhân  lực ") == "hai phong nhan luc"
    assert fold("ĐỀ ÁN") == fold("đề án") == "de an"


def test_collapse_spaces_keeps_line_breaks_and_composes():
    decomposed = "Ha\u0309i Pho\u0300ng"  # combining marks, as some editors save them
    assert collapse_spaces(f"  {decomposed}\u00a0\u00a0 city\t ") == "Hải Phòng city"
    assert collapse_spaces("a  b\nc") == "a b\nc"


def test_strip_bidi_removes_every_direction_control_and_nothing_else():
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert strip_bidi(f"Hải{controls} Phòng") == "Hải Phòng"
    kept = "Hải Phòng \u200d\u200c\u00a0 — 👩\u200d💻 ع ש"  # joiners and other scripts are not controls
    assert strip_bidi(kept) == kept


def test_a_person_is_named_family_name_first_else_by_login():
    from types import SimpleNamespace

    from articles.text import person_name

    def user(first, last, username="pv"):
        return SimpleNamespace(first_name=first, last_name=last, get_username=lambda: username)

    assert person_name(user("Thu Hà", "Phạm")) == "Phạm Thu Hà"
    assert person_name(user("Thu Hà", "")) == "Thu Hà"
    assert person_name(user("", "", "phongvien")) == "phongvien"
    assert person_name(None) == ""
