"""Demo content for a fresh newsroom, written by `manage.py seed_demo`.

The stories are invented for demonstration. The people quoted in them are fictitious; about real bodies they
state only plain descriptions and the facts given in DESIGN §1. Photos are illustrations drawn here with
Pillow, so seeding needs no network and no files.

Content first (plain data), then the drawing of the illustrations, then the seeding itself.
"""

import io
import math
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from PIL import Image, ImageDraw

from .models import Article, ArticleAuthor, Author, Organization, Photo, Section, Tag
from .text import slugify_vi

# ---------------------------------------------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------------------------------------------

SECTIONS = [
    ("Thời sự", "Tin tức trong ngày của thành phố: chính quyền, giao thông, đời sống đô thị."),
    ("Kinh tế", "Cảng biển, logistics, doanh nghiệp và thị trường lao động Hải Phòng."),
    ("Xã hội", "Chuyện đời thường, an sinh, môi trường và những người tử tế quanh ta."),
    ("Giáo dục", "Trường lớp, tuyển sinh, đào tạo nghề và phát triển nguồn nhân lực."),
    ("Văn hóa", "Ký ức đô thị, sách, âm nhạc và những mùa hoa của thành phố Cảng."),
]

TAGS = [
    "nguồn nhân lực",
    "nhân tài",
    "chuyển đổi số",
    "cảng biển",
    "logistics",
    "đào tạo nghề",
    "hợp tác Việt – Nhật",
    "đô thị",
    "giao thông",
    "môi trường",
    "tình nguyện",
    "tuyển sinh",
    "văn hóa đọc",
    "hoa phượng",
    "hỏi – đáp",
    "học bổng",
    "doanh nghiệp nhỏ",
]

HA, HUY, CHAU, LONG = "Phạm Thu Hà", "Nguyễn Quang Huy", "Lê Minh Châu", "Trần Đức Long"

# `user` names the demo account an author signs in with (see DEMO_USERS); guest writers have none.
AUTHORS = [
    {
        "name": HA,
        "user": "phongvien",
        "bio": "Phóng viên mảng giáo dục và nguồn nhân lực; thích những câu chuyện bắt đầu từ một lớp học.",
    },
    {
        "name": HUY,
        "user": "bientap",
        "bio": "Biên tập viên chuyên mục Kinh tế, theo dõi cảng biển, logistics và thị trường lao động.",
    },
    {
        "name": CHAU,
        "bio": "Cộng tác viên, giảng viên đại học, viết về văn hóa và đời sống đô thị Hải Phòng.",
    },
    {
        "name": LONG,
        "bio": "Cộng tác viên, kỹ sư phần mềm, quan tâm tới chuyển đổi số ở doanh nghiệp nhỏ và trường học.",
    },
]

HOI = "Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng"
UBND = "Ủy ban nhân dân thành phố Hải Phòng"
SO_NOI_VU = "Sở Nội vụ thành phố Hải Phòng"
VIEN = "Viện Phát triển nguồn nhân lực Việt Nam – Nhật Bản"

# Parents come before their children. Only the facts of DESIGN §1 are stated; the others get plain descriptions.
ORGANIZATIONS = [
    {
        "name": UBND,
        "short_name": "UBND thành phố Hải Phòng",
        "aliases": ["UBND TP Hải Phòng"],
        "description": "Cơ quan hành chính nhà nước của thành phố Hải Phòng.",
    },
    {
        "name": SO_NOI_VU,
        "parent": UBND,
        "aliases": ["Sở Nội vụ Hải Phòng"],
        "description": "Cơ quan chuyên môn của Ủy ban nhân dân thành phố, tham mưu về tổ chức bộ máy, cán bộ, "
        "công chức, viên chức và quản lý nhà nước về hội.",
    },
    {
        "name": VIEN,
        "aliases": ["Viện Phát triển nguồn nhân lực Việt Nam - Nhật Bản"],
        "description": "Đối tác của Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng trong các "
        "chương trình do Cơ quan Hợp tác Quốc tế Nhật Bản (JICA) tài trợ kinh phí.",
    },
    {
        "name": HOI,
        "aliases": [
            "Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố",
            "Hội Khoa học phát triển nguồn nhân lực, nhân tài Hải Phòng",
        ],
        # Only the year is known; the model has a date, so 1 January stands for "in 2012" and the description
        # says the year in words.
        "founded_on": date(2012, 1, 1),
        "founding_document": "Quyết định số 520 QĐ-CT của Ủy ban nhân dân thành phố Hải Phòng",
        "member_count": 125,
        "description": "Hội thành lập năm 2012 theo Quyết định số 520 QĐ-CT của Ủy ban nhân dân thành phố Hải "
        "Phòng, hiện có 125 hội viên và đang ở năm đầu tiên của nhiệm kỳ thứ ba. Hội đã phối hợp với Viện Phát "
        "triển nguồn nhân lực Việt Nam – Nhật Bản trong các chương trình do Cơ quan Hợp tác Quốc tế Nhật Bản "
        "(JICA) tài trợ kinh phí.",
    },
]

CREDIT = "Ảnh: Đồ họa Newsroom"

# Each photo is an illustration drawn by one of the scenes below, in its own colours.
PHOTOS = {
    "hoi-truong": {
        "scene": "hall",
        "colors": {
            "bg": ((238, 228, 212), (206, 190, 166)),
            "board": (170, 30, 36),
            "accent": (244, 204, 90),
            "floor": ((150, 104, 80), (96, 60, 46)),
            "seats": (122, 36, 40),
        },
        "caption": "Một hội trường chuẩn bị cho hội nghị (ảnh minh họa).",
        "alt": "Hình vẽ hội trường với phông nền đỏ trên sân khấu và các hàng ghế phía trước.",
    },
    "lop": {
        "scene": "hall",
        "colors": {
            "bg": ((232, 236, 226), (196, 204, 188)),
            "board": (36, 82, 62),
            "accent": (232, 234, 218),
            "floor": ((196, 160, 112), (150, 112, 72)),
            "seats": (120, 84, 50),
        },
        "caption": "Lớp học những ngày ôn thi (ảnh minh họa).",
        "alt": "Hình vẽ lớp học nhìn từ cuối phòng: bảng xanh và các dãy bàn gỗ.",
    },
    "cang": {
        "scene": "harbour",
        "colors": {
            "bg": ((250, 176, 112), (252, 226, 180)),
            "sun": (255, 244, 214),
            "water": ((56, 104, 140), (22, 52, 82)),
            "quay": (70, 70, 78),
            "boxes": [(196, 60, 44), (36, 104, 160), (232, 170, 40), (64, 140, 96), (150, 60, 110)],
            "crane": (224, 120, 36),
            "hull": (40, 44, 60),
        },
        "caption": "Bãi container và cần cẩu bên bến cảng lúc chiều muộn (ảnh minh họa).",
        "alt": "Hình vẽ các dãy container nhiều màu, ba cần cẩu và một tàu hàng trên mặt nước lúc hoàng hôn.",
    },
    "cang-dem": {
        "scene": "harbour",
        "colors": {
            "bg": ((14, 22, 48), (52, 60, 104)),
            "sun": (236, 236, 250),
            "water": ((26, 40, 72), (8, 14, 30)),
            "quay": (34, 36, 46),
            "boxes": [(120, 52, 48), (40, 70, 110), (140, 110, 40), (50, 96, 74)],
            "crane": (206, 178, 72),
            "hull": (18, 20, 28),
        },
        "caption": "Bến cảng vẫn sáng đèn khi ca đêm bắt đầu (ảnh minh họa).",
        "alt": "Hình vẽ bến cảng ban đêm với trăng, cần cẩu vàng và các dãy container.",
    },
    "cau": {
        "scene": "bridge",
        "colors": {
            "bg": ((126, 178, 222), (220, 236, 246)),
            "water": ((90, 140, 170), (44, 86, 116)),
            "shore": (96, 132, 110),
            "pylon": (236, 236, 232),
            "cable": (250, 250, 250),
        },
        "caption": "Cầu dây văng bắc qua sông, một trong những cửa ngõ của thành phố (ảnh minh họa).",
        "alt": "Hình vẽ cây cầu dây văng màu trắng với hai trụ tháp bắc qua dòng sông dưới trời xanh.",
    },
    "so": {
        "scene": "network",
        "colors": {
            "bg": ((12, 26, 56), (20, 70, 110)),
            "line": (54, 120, 170),
            "node": (120, 230, 220),
            "ring": (250, 196, 80),
        },
        "caption": "Dữ liệu kết nối cửa hàng, kho và kế toán trên cùng một hệ thống (ảnh minh họa).",
        "alt": "Hình vẽ trừu tượng các điểm sáng nối với nhau bằng những đường mảnh trên nền xanh đậm.",
    },
    "pho": {
        "scene": "skyline",
        "colors": {
            "bg": ((150, 196, 230), (246, 232, 206)),
            "sun": (255, 250, 230),
            "far": (170, 180, 196),
            "near": (112, 118, 140),
            "window": (236, 240, 246),
            "lit": 0.5,
            "water": ((132, 160, 178), (84, 108, 130)),
        },
        "caption": "Nhà cao tầng mọc lên ven sông, gần các khu công nghiệp (ảnh minh họa).",
        "alt": "Hình vẽ các tòa nhà cao thấp ven sông dưới trời sáng, cửa sổ phản chiếu ánh nắng.",
    },
    "song": {
        "scene": "skyline",
        "colors": {
            "bg": ((44, 30, 84), (236, 120, 96)),
            "sun": (255, 200, 120),
            "far": (86, 60, 110),
            "near": (34, 26, 56),
            "window": (255, 214, 120),
            "lit": 0.35,
            "water": ((92, 56, 98), (24, 18, 44)),
        },
        "caption": "Phố ven sông lên đèn trong đêm nhạc cuối tuần (ảnh minh họa).",
        "alt": "Hình vẽ phố ven sông lúc chạng vạng, cửa sổ sáng đèn vàng soi xuống mặt nước.",
    },
    "bien": {
        "scene": "seaside",
        "colors": {
            "bg": ((120, 190, 236), (236, 246, 250)),
            "sun": (255, 246, 200),
            "water": ((60, 160, 190), (24, 100, 140)),
            "sand": ((242, 222, 176), (220, 190, 140)),
            "foam": (246, 252, 252),
            "sail": (236, 96, 70),
        },
        "caption": "Bãi biển sạch sau một buổi sáng tình nguyện (ảnh minh họa).",
        "alt": "Hình vẽ bãi cát vàng, sóng biển xanh và hai chiếc thuyền buồm đỏ ở xa.",
    },
    "sach": {
        "scene": "bookshelf",
        "colors": {
            "bg": ((244, 236, 220), (224, 210, 186)),
            "wood": (120, 80, 48),
            "books": [(176, 52, 48), (40, 90, 140), (226, 180, 60), (70, 130, 90), (120, 70, 130), (220, 120, 60)],
        },
        "caption": "Giá sách của một thư viện trường học (ảnh minh họa).",
        "alt": "Hình vẽ ba tầng giá gỗ xếp đầy sách nhiều màu.",
    },
    "phuong": {
        "scene": "flame_trees",
        "colors": {
            "bg": ((140, 200, 240), (232, 244, 250)),
            "street": (196, 190, 180),
            "houses": [(240, 214, 160), (226, 200, 186), (250, 236, 200), (200, 214, 220)],
            "roof": (150, 70, 50),
            "trunk": (96, 70, 52),
            "flowers": [(214, 36, 36), (236, 70, 40), (196, 24, 44), (244, 112, 52), (60, 130, 60)],
        },
        "caption": "Hàng phượng vĩ nở đỏ trên một con phố đầu hè (ảnh minh họa).",
        "alt": "Hình vẽ bốn cây phượng tán đỏ rực bên dãy nhà thấp, cánh hoa rơi trên mặt đường.",
    },
}

# A body is a list of blocks: a string is a paragraph; ("h2", text), ("quote", text), ("list", [items]),
# ("steps", [items]) and ("figure", photo key) are the rest. `ago` is hours before the seeding; `state` is
# "scheduled" (later today), "draft" or "review"; `expired_ago` makes a published story expired that long ago.
ARTICLES = [
    # --- Thời sự ------------------------------------------------------------------------------------------------
    {
        "title": "Hội Khoa học phát triển nguồn nhân lực, nhân tài Hải Phòng bước vào năm đầu nhiệm kỳ thứ ba",
        "section": "Thời sự",
        "authors": [HA],
        "organizations": [HOI, VIEN],
        "tags": ["nguồn nhân lực", "nhân tài", "hợp tác Việt – Nhật"],
        "photo": "hoi-truong",
        "ago": 3,
        "lead": "Thành lập năm 2012, đến nay có 125 hội viên, Hội Khoa học phát triển nguồn nhân lực, nhân tài "
        "thành phố Hải Phòng đang ở năm đầu tiên của nhiệm kỳ thứ ba.",
        "body": [
            "Hội được thành lập năm 2012 theo Quyết định số 520 QĐ-CT của Ủy ban nhân dân thành phố Hải Phòng. "
            "Như tên gọi, đây là nơi những người làm khoa học, quản lý, giảng dạy và kinh doanh cùng bàn về một "
            "câu hỏi lớn của thành phố: đào tạo, thu hút và giữ chân người giỏi.",
            ("h2", "Hơn mười năm, ba nhiệm kỳ"),
            "Với 125 hội viên, Hội bước vào năm đầu tiên của nhiệm kỳ thứ ba. Năm đầu nhiệm kỳ thường là lúc "
            "nhìn lại chặng đường đã qua và đặt ra việc cần làm cho những năm tới, khi nhu cầu nhân lực chất "
            "lượng cao của một thành phố cảng ngày càng lớn.",
            ("h2", "Hợp tác với đối tác Nhật Bản"),
            "Hội đã phối hợp với Viện Phát triển nguồn nhân lực Việt Nam – Nhật Bản trong các chương trình do Cơ "
            "quan Hợp tác Quốc tế Nhật Bản (JICA) tài trợ kinh phí. Những chương trình như vậy đưa kinh nghiệm "
            "quản trị và đào tạo của Nhật Bản đến gần hơn với người lao động và doanh nghiệp địa phương.",
            "Những điều cần biết về Hội:",
            (
                "list",
                [
                    "Thành lập năm 2012 theo Quyết định số 520 QĐ-CT của Ủy ban nhân dân thành phố Hải Phòng.",
                    "Có 125 hội viên.",
                    "Đã phối hợp với Viện Phát triển nguồn nhân lực Việt Nam – Nhật Bản, với kinh phí từ JICA.",
                    "Đang ở năm đầu tiên của nhiệm kỳ thứ ba.",
                ],
            ),
            "Các bài viết về Hội được tập hợp tại trang tổ chức của Hội trên báo.",
        ],
    },
    {
        "title": "Hỏi – đáp: Một hội khoa học ở địa phương ra đời như thế nào?",
        "section": "Thời sự",
        "authors": [HUY],
        "organizations": [UBND, SO_NOI_VU, HOI],
        "tags": ["hỏi – đáp", "nguồn nhân lực"],
        "ago": 27,
        "lead": "Nhiều bạn đọc hỏi: ai cho phép thành lập một hội, hồ sơ gồm những gì, và vì sao hội lại có "
        "“nhiệm kỳ”? Chuyên mục Thời sự tóm tắt những điều cơ bản.",
        "body": [
            ("h2", "Ai cho phép thành lập hội?"),
            "Với một hội hoạt động trong phạm vi thành phố, việc cho phép thành lập thuộc thẩm quyền của Ủy ban "
            "nhân dân thành phố. Sở Nội vụ là cơ quan chuyên môn giúp Ủy ban thẩm định hồ sơ và theo dõi hoạt "
            "động của các hội sau khi ra đời.",
            "Chẳng hạn, Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng được thành lập năm "
            "2012 theo Quyết định số 520 QĐ-CT của Ủy ban nhân dân thành phố Hải Phòng.",
            ("h2", "Hồ sơ thường gồm những gì?"),
            "Ban vận động thành lập hội thường phải chuẩn bị:",
            (
                "list",
                [
                    "đơn đề nghị thành lập hội;",
                    "dự thảo điều lệ, nêu rõ tôn chỉ, mục đích và phạm vi hoạt động;",
                    "danh sách và lý lịch của những người trong ban vận động;",
                    "văn bản về nơi dự kiến đặt trụ sở.",
                ],
            ),
            ("h2", "Nhiệm kỳ và đại hội"),
            "Hội hoạt động theo nhiệm kỳ do điều lệ quy định. Cuối mỗi nhiệm kỳ, hội tổ chức đại hội để tổng "
            "kết, bầu ban lãnh đạo mới và thông qua phương hướng cho chặng đường tiếp theo.",
            "Bạn đọc có câu hỏi về thủ tục hành chính có thể gửi về chuyên mục; những câu hỏi được nhiều người "
            "quan tâm sẽ được giải đáp trong các số sau.",
        ],
    },
    {
        "title": "Tọa đàm trực tuyến: Nhân lực chất lượng cao cho kinh tế biển",
        "section": "Thời sự",
        "authors": [HA, HUY],
        "tags": ["nguồn nhân lực", "cảng biển", "logistics"],
        "state": "scheduled",
        "lead": "Tòa soạn tổ chức tọa đàm trực tuyến với chuyên gia đào tạo, doanh nghiệp cảng biển và sinh viên, "
        "bàn về việc chuẩn bị con người cho các ngành kinh tế biển.",
        "body": [
            "Cảng biển, logistics, đóng tàu và du lịch biển đều cần những người lao động vừa vững nghề vừa thạo "
            "ngoại ngữ. Tọa đàm đặt câu hỏi: nhà trường, doanh nghiệp và người học cần làm gì để khoảng cách "
            "giữa giảng đường và bến cảng ngắn lại?",
            ("h2", "Những câu hỏi sẽ được bàn"),
            (
                "steps",
                [
                    "Doanh nghiệp cảng biển đang thiếu những vị trí nào?",
                    "Chương trình đào tạo cần thay đổi gì để theo kịp thiết bị và phần mềm mới?",
                    "Sinh viên có thể chuẩn bị gì ngay từ năm thứ nhất?",
                ],
            ),
            "Bạn đọc gửi câu hỏi cho khách mời qua trang này trong suốt thời gian diễn ra tọa đàm. Biên bản tọa "
            "đàm sẽ được đăng lại trên chuyên mục Kinh tế.",
        ],
    },
    {
        "title": "Tuyến phố ven sông phân làn để thi công cống thoát nước",
        "section": "Thời sự",
        "authors": [HUY],
        "tags": ["giao thông", "đô thị"],
        "photo": "cau",
        "ago": 6,
        "lead": "Từ tuần này, một làn xe trên tuyến phố ven sông được rào chắn để thi công cống thoát nước. Người "
        "đi đường nên chọn lộ trình khác vào giờ cao điểm.",
        "body": [
            "Theo thông báo của đơn vị thi công, làn sát bờ sông được rào lại theo từng đoạn khoảng hai trăm mét. "
            "Xe máy và ô tô con vẫn đi được ở làn còn lại; xe tải nặng được hướng dẫn đi đường vòng.",
            ("h2", "Giờ cao điểm nên đi đường nào?"),
            "Buổi sáng, dòng xe từ phía cầu vào trung tâm thường ùn ở nút giao đầu tuyến. Người dân có thể đi "
            "theo các phố song song, dù xa hơn một chút nhưng ít phải dừng chờ.",
            (
                "quote",
                "“Tôi đi sớm hơn mười lăm phút là tránh được đoạn tắc. Làm cống xong, mùa mưa phố không ngập "
                "nữa thì cũng đáng,” anh Vũ Đình Nam, một người chạy xe công nghệ, nói.",
            ),
            "Đơn vị thi công cho biết sẽ hoàn trả mặt đường từng đoạn ngay khi xong phần cống, và không thi công "
            "những đoạn gần trường học vào giờ tan trường.",
        ],
    },
    {
        "title": "Người dân góp ý dự thảo công viên ven sông: “Xin thêm bóng mát và ghế ngồi”",
        "section": "Thời sự",
        "authors": [CHAU],
        "tags": ["đô thị", "môi trường"],
        "ago": 50,
        "lead": "Tại buổi lấy ý kiến ở nhà văn hóa khu dân cư, người cao tuổi muốn có nhiều cây lớn, còn người trẻ "
        "mong có đường chạy bộ và chỗ cho trẻ con chơi.",
        "body": [
            "Bản vẽ dự thảo được treo kín một bức tường của nhà văn hóa. Người dân đến từ sáng sớm, nhiều người "
            "mang theo cả kính lúp để xem cho kỹ vị trí nhà mình.",
            (
                "quote",
                "“Tôi đi bộ ven sông mỗi sáng đã hơn hai mươi năm. Công viên đẹp mấy mà không có bóng cây thì "
                "trưa hè cũng chẳng ai ra,” bà Nguyễn Thị Lan, 67 tuổi, góp ý.",
            ),
            ("h2", "Những đề xuất được nhắc nhiều"),
            (
                "list",
                [
                    "trồng cây bóng mát bản địa thay vì cây cảnh nhỏ;",
                    "làm đường chạy bộ tách riêng với lối đi dạo;",
                    "bố trí nhà vệ sinh công cộng và chỗ để xe đạp;",
                    "giữ lại bến thuyền cũ như một phần ký ức của khu phố.",
                ],
            ),
            "Các ý kiến được ghi vào biên bản và gửi kèm hồ sơ dự thảo. Người dân chưa kịp dự buổi lấy ý kiến "
            "vẫn có thể gửi góp ý bằng văn bản về nhà văn hóa khu dân cư.",
        ],
    },
    # --- Kinh tế ------------------------------------------------------------------------------------------------
    {
        "title": "Doanh nghiệp logistics tìm người: kỹ sư giỏi ngoại ngữ vẫn là “hàng hiếm”",
        "section": "Kinh tế",
        "authors": [HUY, HA],
        "tags": ["logistics", "cảng biển", "nguồn nhân lực"],
        "photo": "cang",
        "ago": 5,
        "lead": "Hàng hóa qua cảng tăng, các công ty giao nhận mở thêm chi nhánh, nhưng tìm được người vừa hiểu "
        "nghiệp vụ vừa làm việc được bằng tiếng Anh vẫn là bài toán khó.",
        "body": [
            "Ở các hội chợ việc làm gần đây, gian tuyển dụng của doanh nghiệp logistics luôn đông người hỏi. "
            "Nhưng theo các nhà tuyển dụng, số hồ sơ đáp ứng ngay yêu cầu công việc không nhiều.",
            ("h2", "Thiếu nhất là kỹ năng gì?"),
            (
                "quote",
                "“Chúng tôi cần người đọc được hợp đồng vận tải, trao đổi với hãng tàu bằng tiếng Anh và dùng "
                "thành thạo phần mềm quản lý kho. Người có đủ ba điều đó rất ít,” anh Đỗ Văn Thành, trưởng phòng "
                "nhân sự một công ty giao nhận, cho biết.",
            ),
            "Những kỹ năng được nhà tuyển dụng nhắc nhiều nhất:",
            (
                "list",
                [
                    "tiếng Anh chuyên ngành vận tải và thương mại;",
                    "hiểu chứng từ xuất nhập khẩu và thủ tục hải quan;",
                    "sử dụng phần mềm quản lý kho, theo dõi lô hàng;",
                    "làm việc theo ca, chịu được áp lực thời gian.",
                ],
            ),
            ("h2", "Đào tạo lại ngay tại doanh nghiệp"),
            "Không chờ được thị trường, nhiều công ty tự mở lớp ngắn hạn cho nhân viên mới, ghép người mới với "
            "người có kinh nghiệm trong ba tháng đầu. Cách làm này tốn kém nhưng giữ chân người lao động tốt hơn.",
        ],
    },
    {
        "title": "Chuyển đổi số ở doanh nghiệp nhỏ: bắt đầu từ hóa đơn và kho hàng",
        "section": "Kinh tế",
        "authors": [LONG],
        "tags": ["chuyển đổi số", "doanh nghiệp nhỏ"],
        "photo": "so",
        "ago": 14,
        "lead": "Không cần hệ thống đắt tiền, một cửa hàng vật liệu xây dựng có thể bắt đầu chuyển đổi số bằng "
        "hóa đơn điện tử và một bảng theo dõi tồn kho dùng chung.",
        "body": [
            "Chị Trịnh Thị Thu, chủ một cửa hàng vật liệu xây dựng, kể rằng trước đây mỗi tối chị mất gần một "
            "giờ để đối chiếu sổ bán hàng với số hàng còn trong kho. Có hôm sai lệch cả chục bao xi măng mà "
            "không biết vì sao.",
            ("h2", "Bốn bước chị Thu đã làm"),
            (
                "steps",
                [
                    "Chuyển sang hóa đơn điện tử để không phải nhập lại số liệu bán hàng.",
                    "Lập một bảng tồn kho dùng chung trên điện thoại cho cả cửa hàng và kho.",
                    "Quy định mỗi lần nhập, xuất hàng đều ghi ngay, không để cuối ngày.",
                    "Mỗi tuần xem lại bảng để biết mặt hàng nào bán chậm.",
                ],
            ),
            (
                "quote",
                "“Cái khó nhất không phải là phần mềm mà là thói quen. Tháng đầu ai cũng quên ghi, sang tháng "
                "thứ hai thì thành nếp,” chị Thu nói.",
            ),
            "Theo các chuyên gia, doanh nghiệp nhỏ nên chọn công cụ giải quyết đúng việc đang tốn thời gian nhất, "
            "làm quen trong vài tháng rồi mới tính bước tiếp theo, thay vì mua một hệ thống lớn ngay từ đầu.",
        ],
    },
    {
        "title": "Cảng biển và bài toán đào tạo công nhân vận hành thiết bị hiện đại",
        "section": "Kinh tế",
        "authors": [HUY],
        "tags": ["cảng biển", "đào tạo nghề", "nguồn nhân lực"],
        "ago": 30,
        "lead": "Cần cẩu điều khiển bằng máy tính, phần mềm điều độ bãi và cổng tự động đòi hỏi người công nhân "
        "cảng hôm nay phải học nhiều hơn hẳn thế hệ trước.",
        "body": [
            "Mười năm trước, một công nhân lái cẩu giỏi chủ yếu cần đôi tay chắc và con mắt tinh. Nay, trong "
            "cabin còn có màn hình, dữ liệu về từng container và những lệnh điều độ đến liên tục.",
            ("figure", "cang-dem"),
            ("h2", "Học trên mô hình trước khi lên cabin"),
            "Nhiều đơn vị đã dùng thiết bị mô phỏng để học viên tập các thao tác khó, như nâng hạ container khi "
            "gió mạnh, trước khi được ngồi vào cabin thật cùng người hướng dẫn.",
            (
                "quote",
                "“Trên mô hình, sai thì làm lại. Ngoài bến, một lần sai có thể làm hỏng hàng của khách,” anh Bùi "
                "Văn Khải, một thợ cẩu có mười lăm năm trong nghề, nói.",
            ),
            "Những người trong nghề cho rằng việc học không dừng lại sau khóa đào tạo đầu tiên: mỗi lần cảng "
            "nâng cấp thiết bị hay phần mềm là một lần công nhân phải học lại.",
        ],
    },
    {
        "title": "Học quản trị kiểu Nhật: từ lớp học về đến xưởng may nhỏ",
        "section": "Kinh tế",
        "authors": [HA, CHAU],
        "organizations": [VIEN, HOI],
        "tags": ["hợp tác Việt – Nhật", "nguồn nhân lực", "doanh nghiệp nhỏ"],
        "ago": 70,
        "lead": "Sắp xếp lại nơi làm việc, cải tiến từng chút mỗi ngày: những bài học quản trị từ Nhật Bản đang "
        "được các chủ doanh nghiệp nhỏ ở Hải Phòng đem về áp dụng.",
        "body": [
            "Chị Vũ Thị Hạnh có một xưởng may mười hai máy. Sau một khóa học về quản trị theo phong cách Nhật "
            "Bản, việc đầu tiên chị làm là dọn lại xưởng: vải vụn có chỗ riêng, kéo và thước treo đúng chỗ trên "
            "từng bàn máy.",
            (
                "quote",
                "“Trước kia mỗi ngày công nhân mất không biết bao nhiêu phút để đi tìm dụng cụ. Giờ nhìn vào là "
                "thấy ngay cái gì thiếu,” chị Hạnh kể.",
            ),
            ("h2", "Những nguyên tắc dễ bắt đầu"),
            (
                "list",
                [
                    "sàng lọc: bỏ những gì không dùng tới;",
                    "sắp xếp: mỗi thứ có một chỗ, ai cũng biết chỗ đó;",
                    "sạch sẽ: dọn dẹp là một phần của công việc hằng ngày;",
                    "cải tiến nhỏ, thường xuyên, do chính người làm đề xuất.",
                ],
            ),
            "Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố Hải Phòng đã phối hợp với Viện Phát "
            "triển nguồn nhân lực Việt Nam – Nhật Bản trong các chương trình do JICA tài trợ kinh phí. Những "
            "chương trình hợp tác như vậy là một kênh để kinh nghiệm quản trị của Nhật Bản đến với doanh nghiệp "
            "địa phương.",
        ],
    },
    {
        "title": "Chợ truyền thống quen dần với thanh toán bằng mã QR",
        "section": "Kinh tế",
        "authors": [LONG, HA],
        "tags": ["chuyển đổi số"],
        "ago": 100,
        "lead": "Tấm mã QR dán cạnh bàn cân đã thành quen thuộc ở nhiều sạp hàng. Tiểu thương bớt lo tiền lẻ, "
        "người mua không cần mang nhiều tiền mặt.",
        "body": [
            "Bà Đặng Thị Tuyết bán rau ở chợ đã ba mươi năm. Lúc đầu bà ngại vì sợ nhầm tiền, nay bà tự kiểm tra "
            "thông báo trên điện thoại sau mỗi lần khách quét mã.",
            (
                "quote",
                "“Con gái cài cho tôi chế độ đọc to số tiền. Khách trả là tôi nghe thấy ngay, chẳng phải đeo "
                "kính,” bà Tuyết cười.",
            ),
            ("h2", "Vài lưu ý cho người bán"),
            (
                "list",
                [
                    "chỉ coi là đã nhận tiền khi thông báo về tài khoản của mình, không chỉ nhìn màn hình của khách;",
                    "không cho người lạ dán đè mã QR lên bảng của sạp;",
                    "giữ bí mật mật khẩu và mã xác thực, kể cả với người xưng là nhân viên ngân hàng.",
                ],
            ),
            "Ban quản lý chợ cho biết sẽ mở thêm các buổi hướng dẫn ngắn vào đầu giờ chiều, lúc chợ vắng khách.",
        ],
    },
    # --- Xã hội -------------------------------------------------------------------------------------------------
    {
        "title": "Phòng trọ công nhân: khi chủ nhà cũng là người giữ lửa",
        "section": "Xã hội",
        "authors": [HA],
        "tags": ["đô thị", "nguồn nhân lực"],
        "photo": "pho",
        "ago": 20,
        "lead": "Giữ giá phòng ổn định, lắp thêm camera, mở một góc sách cho con em công nhân: có những chủ nhà trọ "
        "coi người thuê như hàng xóm lâu năm.",
        "body": [
            "Dãy trọ mười sáu phòng của ông Lương Văn Tâm nằm cuối một con ngõ nhỏ. Phần lớn người thuê là công "
            "nhân các khu công nghiệp, có người đã ở đây hơn sáu năm.",
            (
                "quote",
                "“Người ta xa nhà đi làm, mình cho thuê phòng thì cũng phải lo cho người ta được yên tâm,” ông Tâm "
                "nói.",
            ),
            ("h2", "Những việc nhỏ làm nên khác biệt"),
            (
                "list",
                [
                    "không tăng giá phòng giữa hợp đồng;",
                    "tính tiền điện, nước theo đúng giá quy định;",
                    "lắp bình chữa cháy ở mỗi tầng và hướng dẫn cách dùng;",
                    "dành một phòng nhỏ làm chỗ học cho trẻ con buổi tối.",
                ],
            ),
            "Chị Ngô Thị Huyền, công nhân một nhà máy điện tử, bảo điều chị quý nhất là cảm giác an toàn: tan ca "
            "đêm về, ngõ có đèn và luôn có người quen chào hỏi.",
        ],
    },
    {
        "title": "Người trẻ rủ nhau đi hiến máu: “Một giờ của mình, một cơ hội cho người khác”",
        "section": "Xã hội",
        "authors": [CHAU],
        "tags": ["tình nguyện"],
        "ago": 40,
        "lead": "Các ngày hội hiến máu cuối tuần thu hút đông sinh viên và người đi làm trẻ. Nhiều người lần đầu "
        "đến vì bạn rủ, rồi trở thành người hiến máu thường xuyên.",
        "body": [
            "Hơn bảy giờ sáng, hàng người chờ đăng ký đã kéo dài ra tận cổng nhà văn hóa. Nhiều bạn trẻ đi theo "
            "nhóm, mặc áo đồng phục của câu lạc bộ tình nguyện.",
            (
                "quote",
                "“Lần đầu em run lắm, nhưng chỉ mất khoảng một giờ. Nghĩ đến việc máu của mình có thể giúp ai đó "
                "qua cơn nguy kịch là thấy đáng,” Trần Thùy Linh, sinh viên năm ba, chia sẻ.",
            ),
            ("h2", "Trước khi đi hiến máu"),
            (
                "list",
                [
                    "ngủ đủ giấc đêm hôm trước;",
                    "ăn nhẹ, không ăn đồ nhiều dầu mỡ, không uống rượu bia;",
                    "mang theo giấy tờ tùy thân;",
                    "uống nhiều nước trước và sau khi hiến.",
                ],
            ),
            "Ban tổ chức khuyến khích người đã hiến máu rủ thêm bạn bè vào những đợt sau, nhất là trong các "
            "tháng hè và dịp Tết, khi lượng máu dự trữ thường thiếu.",
        ],
    },
    {
        "title": "Làm sạch bãi biển cuối tuần: khi rác không còn là chuyện của người khác",
        "section": "Xã hội",
        "authors": [CHAU, HA],
        "tags": ["môi trường", "tình nguyện"],
        "photo": "bien",
        "ago": 26,
        "lead": "Mỗi sáng Chủ nhật, một nhóm bạn trẻ mang bao tải và găng tay ra bãi biển. Sau vài tháng, họ có "
        "thêm những người đồng hành không ngờ: chính các hộ kinh doanh ven biển.",
        "body": [
            "Nhóm bắt đầu với năm người, đều là bạn học cũ. Họ chia bãi biển thành từng đoạn, nhặt rác từ sáu "
            "đến tám giờ sáng rồi phân loại ngay tại chỗ.",
            ("h2", "Rác nhiều nhất là gì?"),
            "Theo ghi chép của nhóm, phần lớn là chai nhựa, túi ni lông, ống hút và hộp xốp đựng thức ăn, những "
            "thứ hoàn toàn có thể thay bằng đồ dùng nhiều lần.",
            (
                "quote",
                "“Lúc đầu người ta nhìn mình như người lạ. Giờ mấy quán ven biển tự mang túi rác ra góp, còn "
                "treo cả biển nhắc khách,” Đoàn Minh Quân, trưởng nhóm, kể.",
            ),
            "Nhóm mong có thêm thùng rác phân loại dọc bãi biển và mời bất kỳ ai muốn tham gia cứ đến vào sáng "
            "Chủ nhật, không cần đăng ký trước.",
        ],
    },
    {
        "title": "Khu tập thể cũ chờ cải tạo: người dân mong sớm có phương án",
        "section": "Xã hội",
        "authors": [HA],
        "tags": ["đô thị"],
        "state": "draft",
        "lead": "Tường bong tróc, cầu thang xuống cấp, nhiều hộ phải tự chống đỡ ban công. Người dân khu tập thể "
        "mong sớm biết phương án cải tạo.",
        "body": [
            "Khu tập thể được xây từ những năm bảy mươi của thế kỷ trước. Nhiều hộ đã cơi nới thêm phòng, làm "
            "chuồng cọp, khiến mặt tiền các dãy nhà chằng chịt sắt thép.",
            "Phóng viên đang liên hệ với các hộ dân và chính quyền phường để bổ sung ý kiến.",
        ],
    },
    # --- Giáo dục -----------------------------------------------------------------------------------------------
    {
        "title": "Học nghề ngay tại bến cảng: khi doanh nghiệp cùng nhà trường đào tạo",
        "section": "Giáo dục",
        "authors": [HA],
        "tags": ["đào tạo nghề", "cảng biển", "nguồn nhân lực"],
        "photo": "cang-dem",
        "ago": 8,
        "lead": "Thay vì chỉ học trên giảng đường, học viên ngành khai thác cảng dành một phần ba thời gian khóa "
        "học để thực tập ngay tại bến, dưới sự hướng dẫn của công nhân lành nghề.",
        "body": [
            "Mô hình đào tạo kết hợp không mới, nhưng cách làm mỗi nơi một khác. Ở đây, doanh nghiệp cử người "
            "cùng nhà trường soạn chương trình, và chính công nhân giỏi của cảng đứng lớp thực hành.",
            ("h2", "Một ngày thực tập"),
            (
                "steps",
                [
                    "Sáng: giao ban cùng tổ sản xuất, nghe phổ biến kế hoạch và quy định an toàn.",
                    "Giữa ca: quan sát, rồi làm thử dưới sự kèm cặp của người hướng dẫn.",
                    "Cuối ca: ghi nhật ký thực tập và trao đổi lại những gì chưa hiểu.",
                ],
            ),
            (
                "quote",
                "“Ở trường em học quy trình trên giấy. Xuống bến mới hiểu vì sao từng bước phải làm đúng như "
                "thế,” Phan Văn Hiếu, học viên năm hai, nói.",
            ),
            "Với doanh nghiệp, lợi ích là tuyển được người đã quen việc; với học viên, là cơ hội có việc làm "
            "ngay sau khi tốt nghiệp.",
        ],
    },
    {
        "title": "Học sinh lớp 12 bước vào giai đoạn ôn thi nước rút",
        "section": "Giáo dục",
        "authors": [HA],
        "tags": ["tuyển sinh"],
        "photo": "lop",
        "ago": 18,
        "lead": "Những tuần cuối trước kỳ thi, giáo viên khuyên học sinh ôn theo chủ đề, làm đề có bấm giờ và đừng "
        "đánh đổi giấc ngủ lấy vài giờ học thêm.",
        "body": [
            "Phòng học buổi chiều của lớp 12 vẫn sáng đèn dù đã hết giờ chính khóa. Học sinh tự chia nhóm, "
            "người giỏi môn nào kèm bạn môn đó.",
            (
                "quote",
                "“Giai đoạn này không nên học thêm kiến thức mới quá nhiều. Quan trọng là hệ thống lại và luyện "
                "cách phân bổ thời gian trong phòng thi,” cô Hoàng Thị Mai, giáo viên Ngữ văn, chia sẻ.",
            ),
            ("h2", "Lời khuyên cho những tuần cuối"),
            (
                "list",
                [
                    "ôn theo chủ đề, đánh dấu phần còn yếu để dành thời gian nhiều hơn;",
                    "mỗi tuần làm ít nhất một đề thi thử có bấm giờ;",
                    "ngủ đủ bảy đến tám tiếng, giữ giờ giấc đều đặn;",
                    "nói chuyện với thầy cô, cha mẹ khi thấy căng thẳng.",
                ],
            ),
            "Phụ huynh được khuyên không so sánh con với bạn bè, và chuẩn bị bữa ăn đủ chất thay vì mua thêm "
            "thuốc bổ không rõ nguồn gốc.",
        ],
    },
    {
        "title": "Thư viện trường mở cửa cuối tuần, phụ huynh cũng đến mượn sách",
        "section": "Giáo dục",
        "authors": [CHAU],
        "tags": ["văn hóa đọc"],
        "photo": "sach",
        "ago": 60,
        "lead": "Một trường tiểu học thử mở thư viện vào sáng thứ Bảy cho cả học sinh và cha mẹ. Sau một học kỳ, "
        "thẻ mượn sách của phụ huynh đã nhiều gần bằng của học sinh.",
        "body": [
            "Ý tưởng đến từ cô thủ thư Nguyễn Thị Bích: nhiều phụ huynh đưa con đến học năng khiếu sáng thứ Bảy "
            "rồi ngồi chờ ngoài cổng, sao không mời họ vào thư viện?",
            ("figure", "lop"),
            (
                "quote",
                "“Có bố đưa con đến, ban đầu chỉ ngồi lướt điện thoại. Vài tuần sau, anh ấy mượn về cuốn sách "
                "lịch sử dày nhất thư viện,” cô Bích kể.",
            ),
            ("h2", "Đọc cùng con"),
            "Mỗi tháng, thư viện chọn một cuốn sách để cha mẹ và con cùng đọc, rồi mời các gia đình kể lại điều "
            "mình thích nhất. Nhiều bài kể của học sinh được dán lên bảng tin của trường.",
            "Nhà trường cho biết sẽ tiếp tục mở thư viện cuối tuần và kêu gọi phụ huynh góp sách cũ còn tốt.",
        ],
    },
    {
        "title": "Thông báo nhận hồ sơ học bổng “Tiếp sức đến trường”",
        "section": "Giáo dục",
        "byline": "Ban Bạn đọc",
        "tags": ["học bổng"],
        "ago": 150,
        "expired_ago": 20,
        "lead": "Quỹ học bổng “Tiếp sức đến trường” của tòa soạn nhận hồ sơ của học sinh, sinh viên có hoàn cảnh khó "
        "khăn, vượt khó học tốt. Hồ sơ nhận trong năm ngày kể từ ngày đăng thông báo.",
        "body": [
            "Quỹ dành cho học sinh, sinh viên đang học tại Hải Phòng, có hoàn cảnh gia đình khó khăn và kết quả "
            "học tập khá trở lên.",
            ("h2", "Hồ sơ gồm"),
            (
                "list",
                [
                    "đơn xin học bổng, có xác nhận của nhà trường;",
                    "bản sao kết quả học tập năm gần nhất;",
                    "giấy xác nhận hoàn cảnh gia đình của chính quyền địa phương;",
                    "một bài viết ngắn về ước mơ của em.",
                ],
            ),
            "Danh sách học sinh, sinh viên nhận học bổng sẽ được công bố trên báo.",
        ],
    },
    {
        "title": "Dạy kỹ năng số cho học sinh tiểu học: nên bắt đầu từ đâu?",
        "section": "Giáo dục",
        "authors": [LONG, HA],
        "tags": ["chuyển đổi số"],
        "state": "review",
        "lead": "Trẻ em dùng điện thoại từ rất sớm nhưng chưa chắc đã biết dùng an toàn. Giáo viên và phụ huynh "
        "nên dạy con những gì trước?",
        "body": [
            "Kỹ năng số không chỉ là biết gõ phím hay mở phần mềm. Với học sinh tiểu học, điều cần nhất là biết "
            "giữ an toàn cho mình và tôn trọng người khác trên mạng.",
            ("h2", "Ba điều nên dạy trước"),
            (
                "steps",
                [
                    "Không chia sẻ tên trường, địa chỉ nhà, ảnh cá nhân với người lạ.",
                    "Gặp điều gì khiến mình sợ hay khó chịu thì kể ngay với bố mẹ, thầy cô.",
                    "Nói chuyện trên mạng cũng lễ phép như khi nói trực tiếp.",
                ],
            ),
            "Các thầy cô cũng khuyên cha mẹ đặt giờ dùng thiết bị rõ ràng và dùng cùng con trong thời gian đầu.",
        ],
    },
    # --- Văn hóa ------------------------------------------------------------------------------------------------
    {
        "title": "Mùa phượng đỏ, ký ức chung của nhiều thế hệ người Hải Phòng",
        "section": "Văn hóa",
        "authors": [CHAU],
        "tags": ["hoa phượng"],
        "photo": "phuong",
        "ago": 12,
        "lead": "Đầu hè, phượng nở đỏ trên nhiều con phố. Với người Hải Phòng, sắc hoa ấy gắn với mùa thi, mùa chia "
        "tay và cả những buổi chiều đạp xe qua phố cũ.",
        "body": [
            "Không ai nhớ chính xác mình thấy cây phượng đầu tiên khi nào. Chỉ biết lớn lên, mỗi lần nhìn thấy "
            "một tán hoa đỏ rực là lại nhớ ra một mùa hè nào đó.",
            (
                "quote",
                "“Hồi đi học, chúng tôi ép cánh phượng vào lưu bút, viết cho nhau những dòng ngô nghê. Giờ con tôi "
                "cũng làm y như thế,” ông Trịnh Văn Hùng, một giáo viên đã nghỉ hưu, cười.",
            ),
            ("h2", "Ngắm phượng thế nào cho đẹp"),
            (
                "list",
                [
                    "đi vào sáng sớm hoặc chiều muộn, khi nắng dịu và phố vắng;",
                    "chọn những đoạn phố có hàng cây dài để thấy cả dải màu;",
                    "đừng bẻ cành, hái hoa: để dành cho người đến sau.",
                ],
            ),
            "Mùa phượng chỉ kéo dài vài tuần. Rồi hoa rụng, lá xanh trở lại, và thành phố chờ một mùa hè khác.",
        ],
    },
    {
        "title": "Đêm nhạc ven sông kéo người trẻ trở lại khu phố cũ",
        "section": "Văn hóa",
        "authors": [CHAU],
        "tags": ["đô thị"],
        "photo": "song",
        "ago": 36,
        "lead": "Một sân khấu nhỏ dựng bên bờ sông, vài nhóm nhạc trẻ và những chiếc ghế nhựa: tối thứ Bảy, khu "
        "phố cũ bỗng đông vui như những năm nào.",
        "body": [
            "Chương trình do một nhóm nghệ sĩ trẻ tự tổ chức, không bán vé. Khán giả ngồi kín hai bên đường, có "
            "cả những cụ già mang theo quạt nan ra nghe.",
            (
                "quote",
                "“Bọn mình muốn kéo người ta ra khỏi nhà, ra khỏi màn hình, để nhìn lại những con phố mà ông bà "
                "mình từng sống,” Lại Quốc Bảo, một thành viên ban nhạc, nói.",
            ),
            ("h2", "Không chỉ có âm nhạc"),
            "Dọc bờ sông là các gian bày ảnh cũ về khu phố, sách của những nhà văn viết về thành phố, và một góc "
            "để trẻ con vẽ tranh lên giấy khổ lớn.",
            "Ban tổ chức cho biết sẽ duy trì đêm nhạc vào tối thứ Bảy cuối cùng của mỗi tháng, nếu thời tiết cho phép.",
        ],
    },
    {
        "title": "Những hiệu sách nhỏ giữa phố: giữ một nếp đọc",
        "section": "Văn hóa",
        "authors": [CHAU],
        "tags": ["văn hóa đọc"],
        "ago": 80,
        "lead": "Giữa những cửa hàng điện thoại và quán cà phê, vài hiệu sách nhỏ vẫn mở cửa mỗi ngày, nhờ những "
        "người bán yêu sách và những khách quen không bỏ thói quen đọc.",
        "body": [
            "Hiệu sách của ông Đinh Văn Phúc rộng chừng hai chục mét vuông, sách xếp từ sàn lên đến trần. Ông "
            "thuộc vị trí gần như từng cuốn và hay giới thiệu sách theo “gu” của từng khách quen.",
            (
                "quote",
                "“Bán sách không giàu được, nhưng có người quay lại bảo cuốn ông giới thiệu hay quá, thế là vui cả "
                "tuần,” ông Phúc nói.",
            ),
            ("h2", "Sống cùng thời sách điện tử"),
            "Nhiều hiệu sách nhỏ đã mở trang bán hàng trên mạng, nhận đặt sách cũ theo yêu cầu và tổ chức các buổi "
            "giao lưu đọc sách cuối tuần để giữ chân khách trẻ.",
            "Với nhiều người, ghé hiệu sách quen sau giờ làm vẫn là một niềm vui nhỏ mà mua sách trên mạng không "
            "thay được.",
        ],
    },
]

# Demo accounts, created only when DEBUG is on. `role` picks the permissions in grant_demo_permissions().
DEMO_USERS = [
    {"username": "bientap", "role": "editor", "first_name": "Quang Huy", "last_name": "Nguyễn"},
    {"username": "phongvien", "role": "reporter", "first_name": "Thu Hà", "last_name": "Phạm"},
]

# ---------------------------------------------------------------------------------------------------------------
# Illustrations
# ---------------------------------------------------------------------------------------------------------------

PHOTO_SIZE = (1600, 900)


def _gradient(size, top, bottom):
    """An image fading from `top` to `bottom` colour, top to bottom."""
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _shade(color, factor):
    return tuple(max(0, min(255, round(channel * factor))) for channel in color)


def _water(image, draw, rng, top, colors, streaks=40):
    """A water band from `top` down, with light streaks on it."""
    width, height = image.size
    image.paste(_gradient((width, height - top), *colors), (0, top))
    for _ in range(streaks):
        x, y = rng.randint(0, width), rng.randint(top + 10, height)
        draw.line((x, y, x + rng.randint(40, 180), y), fill=_shade(colors[0], 1.3), width=2)


def _harbour(image, draw, rng, c):
    width, _ = image.size
    sun_x = rng.randint(250, 650)
    draw.ellipse((sun_x - 80, 170, sun_x + 80, 330), fill=c["sun"])
    _water(image, draw, rng, 640, c["water"])
    draw.rectangle((0, 600, width, 645), fill=c["quay"])
    for x in range(60, 940, 124):
        for row in range(rng.randint(1, 4)):
            bottom, color = 600 - row * 46, rng.choice(c["boxes"])
            draw.rectangle((x, bottom - 44, x + 118, bottom), fill=color)
            for rib in range(x + 8, x + 114, 12):
                draw.line((rib, bottom - 40, rib, bottom - 4), fill=_shade(color, 0.8), width=2)
    for x in (1020, 1220, 1420):
        draw.polygon([(x, 600), (x + 16, 600), (x + 40, 330), (x + 28, 330)], fill=c["crane"])
        draw.polygon([(x + 110, 600), (x + 126, 600), (x + 86, 330), (x + 74, 330)], fill=c["crane"])
        draw.rectangle((x - 30, 312, x + 170, 330), fill=c["crane"])
        draw.rectangle((x + 40, 250, x + 86, 312), fill=_shade(c["crane"], 0.8))
        draw.line((x + 63, 250, x - 30, 312), fill=c["crane"], width=3)
        draw.line((x + 63, 250, x + 170, 312), fill=c["crane"], width=3)
    draw.polygon([(960, 660), (1580, 660), (1540, 730), (1000, 730)], fill=c["hull"])
    for x in range(1010, 1500, 60):
        draw.rectangle((x, 620, x + 56, 660), fill=rng.choice(c["boxes"]))


def _skyline(image, draw, rng, c):
    width, _ = image.size
    horizon, sun_x = 700, rng.randint(900, 1300)
    draw.ellipse((sun_x - 110, 190, sun_x + 110, 410), fill=c["sun"])
    for color, lowest, highest, lit in ((c["far"], 160, 340, False), (c["near"], 90, 430, True)):
        x = -20
        while x < width:
            w, h = rng.randint(60, 150), rng.randint(lowest, highest)
            draw.rectangle((x, horizon - h, x + w, horizon), fill=color)
            for wy in range(horizon - h + 14, horizon - 24, 26) if lit else ():
                for wx in range(x + 10, x + w - 16, 22):
                    if rng.random() < c["lit"]:
                        draw.rectangle((wx, wy, wx + 10, wy + 14), fill=c["window"])
            x += w + rng.randint(0, 14)
    _water(image, draw, rng, horizon, c["water"])
    for y in range(horizon + 10, image.height, 14):
        half = rng.randint(20, 110)
        draw.line((sun_x - half, y, sun_x + half, y), fill=_shade(c["sun"], 0.85), width=3)


def _bridge(image, draw, rng, c):
    width, _ = image.size
    horizon, deck = 640, 540
    _water(image, draw, rng, horizon, c["water"])
    hills = [(0, horizon), (0, 610), (220, 596), (480, 618), (760, 590), (1040, 612), (1320, 588), (1600, 606)]
    draw.polygon([*hills, (width, horizon)], fill=c["shore"])
    for px in (520, 1080):
        for i in range(1, 10):
            for side in (-1, 1):
                draw.line((px, 196 + i * 12, px + side * i * 52, deck), fill=c["cable"], width=3)
        draw.polygon([(px - 36, horizon), (px - 8, 170), (px + 8, 170), (px + 36, horizon)], fill=c["pylon"])
    draw.rectangle((0, deck, width, deck + 22), fill=c["pylon"])
    for px in range(120, width, 240):
        draw.rectangle((px - 8, deck + 22, px + 8, horizon), fill=_shade(c["pylon"], 0.8))


def _seaside(image, draw, rng, c):
    width, height = image.size
    horizon, shore = 470, 740
    sun_x = rng.randint(300, 1300)
    draw.ellipse((sun_x - 70, 180, sun_x + 70, 320), fill=c["sun"])
    image.paste(_gradient((width, shore - horizon), *c["water"]), (0, horizon))
    image.paste(_gradient((width, height - shore), *c["sand"]), (0, shore))
    for row in range(12):
        y = horizon + 20 + row * 22
        wave = [(x, y + 4 * math.sin(x / 40 + row)) for x in range(0, width + 20, 20)]
        draw.line(wave, fill=_shade(c["water"][0], 1.25), width=2)
    foam = [(x, shore + 6 * math.sin(x / 60)) for x in range(0, width + 20, 20)]
    draw.line(foam, fill=c["foam"], width=8)
    for x in rng.sample(range(200, 1400, 100), 2):
        draw.polygon([(x, 500), (x + 90, 500), (x + 76, 520), (x + 12, 520)], fill=_shade(c["sail"], 0.5))
        draw.polygon([(x + 44, 380), (x + 44, 496), (x + 100, 496)], fill=c["sail"])


def _network(image, draw, rng, c):
    width, height = image.size
    nodes = [(rng.randint(40, width - 40), rng.randint(40, height - 40)) for _ in range(70)]
    for i, (ax, ay) in enumerate(nodes):
        for bx, by in nodes[i + 1 :]:
            if math.hypot(ax - bx, ay - by) < 190:
                draw.line((ax, ay, bx, by), fill=c["line"], width=2)
    for x, y in nodes:
        r = rng.choice((5, 7, 10))
        draw.ellipse((x - 3 * r, y - 3 * r, x + 3 * r, y + 3 * r), outline=c["line"], width=2)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=c["node"])
    for x, y in rng.sample(nodes, 6):
        draw.ellipse((x - 44, y - 44, x + 44, y + 44), outline=c["ring"], width=3)


def _bookshelf(image, draw, rng, c):
    width, height = image.size
    for shelf in (300, 560, 820):
        x = 90
        while x < width - 130:
            w, h, color = rng.randint(22, 48), rng.randint(150, 220), rng.choice(c["books"])
            draw.rectangle((x, shelf - h, x + w, shelf), fill=color)
            draw.line((x + 4, shelf - h + 20, x + w - 4, shelf - h + 20), fill=_shade(color, 1.4), width=3)
            x += w + rng.randint(1, 4) + (70 if rng.random() < 0.04 else 0)
        draw.rectangle((50, shelf, width - 50, shelf + 24), fill=c["wood"])
    draw.rectangle((50, 40, 84, height), fill=c["wood"])
    draw.rectangle((width - 84, 40, width - 50, height), fill=c["wood"])


def _hall(image, draw, rng, c):
    width, height = image.size
    image.paste(_gradient((width, height - 420), *c["floor"]), (0, 420))
    draw.rectangle((300, 90, 1300, 360), fill=c["board"])
    draw.rectangle((300, 360, 1300, 384), fill=_shade(c["board"], 0.7))
    for i in range(3):
        draw.rounded_rectangle((420, 150 + i * 64, 1180 - i * 140, 182 + i * 64), radius=14, fill=c["accent"])
    for row in range(6):
        seat, y = 56 + row * 12, 450 + row * 76
        step = seat * 1.35
        count = int((width - 80) // step)
        left = (width - count * step) / 2
        for i in range(count):
            x = left + i * step
            draw.rounded_rectangle((x, y, x + seat, y + 30 + row * 5), radius=8, fill=_shade(c["seats"], 1 + row / 10))


def _flame_trees(image, draw, rng, c):
    width, height = image.size
    ground = 700
    x = 0
    while x < width:
        w, h = rng.randint(110, 200), rng.randint(150, 260)
        draw.rectangle((x, ground - h, x + w, ground), fill=rng.choice(c["houses"]))
        draw.polygon([(x - 8, ground - h), (x + w / 2, ground - h - 40), (x + w + 8, ground - h)], fill=c["roof"])
        x += w + 6
    draw.rectangle((0, ground, width, height), fill=c["street"])
    for tx in (200, 620, 1060, 1450):
        draw.polygon([(tx - 18, ground + 20), (tx + 18, ground + 20), (tx + 8, 380), (tx - 8, 380)], fill=c["trunk"])
        for _ in range(160):
            cx, cy, r = tx + rng.gauss(0, 150), 330 + rng.gauss(0, 60), rng.randint(14, 34)
            draw.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), fill=rng.choice(c["flowers"]))
    for _ in range(120):
        px, py = rng.randint(0, width), rng.randint(ground + 10, height)
        draw.ellipse((px, py, px + 10, py + 6), fill=rng.choice(c["flowers"][:4]))


SCENES = {
    "harbour": _harbour,
    "skyline": _skyline,
    "bridge": _bridge,
    "seaside": _seaside,
    "network": _network,
    "bookshelf": _bookshelf,
    "hall": _hall,
    "flame_trees": _flame_trees,
}


def draw_photo(key):
    """JPEG bytes of the illustration PHOTOS[key]; a key always draws the same picture."""
    spec = PHOTOS[key]
    image = _gradient(PHOTO_SIZE, *spec["colors"]["bg"])
    SCENES[spec["scene"]](image, ImageDraw.Draw(image), random.Random(key), spec["colors"])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------------------------


def render_blocks(blocks, photos):
    """Body HTML from content blocks, every text escaped; a figure points at its library photo."""
    return "".join(_render_block(block, photos) for block in blocks)


def _render_block(block, photos):
    if isinstance(block, str):
        return format_html("<p>{}</p>", block)
    kind, value = block
    match kind:
        case "h2":
            return format_html("<h2>{}</h2>", value)
        case "quote":
            return format_html("<blockquote><p>{}</p></blockquote>", value)
        case "list":
            return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in value)))
        case "steps":
            return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((item,) for item in value)))
        case "figure":
            # The form articles/body.py recognises and redraws from the library's current caption and credit.
            photo = photos[value]
            return format_html(
                '<figure><img src="{}" alt="{}"><figcaption>{}</figcaption></figure>',
                photo.get_absolute_url(),
                photo.description,
                photo.caption,
            )
    raise ValueError(f"Unknown body block {kind!r}")


def later_today(now):
    """About two and a half hours ahead, kept within today in Vietnam time when there is room for it."""
    target = (now + timedelta(hours=2, minutes=30)).replace(second=0, microsecond=0)
    vietnam = timezone.get_default_timezone()
    today = timezone.localtime(now, vietnam)
    if timezone.localtime(target, vietnam).date() == today.date():
        return target
    late_evening = today.replace(hour=23, minute=45, second=0, microsecond=0)
    # Too close to midnight, a story "later today" would go live almost at once: tomorrow shows scheduling better.
    return late_evening if late_evening - now >= timedelta(minutes=15) else target


def article_timing(item, now):
    """(status, publish_at, expire_at) of a demo story, relative to the moment of seeding."""
    state = item.get("state", Article.Status.PUBLISHED)
    if state in (Article.Status.DRAFT, Article.Status.REVIEW):
        return state, None, None
    if state == "scheduled":
        return Article.Status.PUBLISHED, later_today(now), None
    expire_at = _hours_before(now, item["expired_ago"]) if "expired_ago" in item else None
    return Article.Status.PUBLISHED, _hours_before(now, item["ago"]), expire_at


def _hours_before(now, hours):
    return (now - timedelta(hours=hours)).replace(second=0, microsecond=0)


def grant_demo_permissions(user, role):
    """Direct permissions standing in for the Editor and Reporter groups until a data migration makes them."""
    everything = ("add", "change", "delete", "view")
    models = ("article", "articleauthor", "photo", "author", "organization", "section", "tag")
    allowed = {
        "editor": dict.fromkeys(models, everything),
        "reporter": {
            "article": ("add", "change", "view"),
            "articleauthor": ("add", "change", "view"),
            "photo": ("add", "change", "view"),
            "tag": ("add", "view"),
            "author": ("view",),
            "organization": ("view",),
            "section": ("view",),
        },
    }[role]
    codenames = {f"{action}_{model}" for model, actions in allowed.items() for action in actions}
    permissions = list(Permission.objects.filter(content_type__app_label="articles", codename__in=codenames))
    if len(permissions) != len(codenames):
        raise LookupError("Permissions of the articles app are missing; run `manage.py migrate` first.")
    user.user_permissions.add(*permissions)


@dataclass
class NewAccount:
    username: str
    role: str
    password: str


@dataclass
class DemoSeeder:
    """Creates the demo content that is missing, all or nothing.

    Every row is looked up by its natural key (name, slug, the photo's file name) before it is made, so a
    second run creates nothing, and never touches an existing account or its password.
    """

    with_users: bool
    now: datetime = field(default_factory=timezone.now)
    created: Counter = field(default_factory=Counter)
    new_accounts: list = field(default_factory=list)
    # Rows by natural key, for the articles to point at; filled by run().
    users: dict = field(init=False, default_factory=dict)
    sections: dict = field(init=False, default_factory=dict)
    tags: dict = field(init=False, default_factory=dict)
    authors: dict = field(init=False, default_factory=dict)
    organizations: dict = field(init=False, default_factory=dict)
    photos: dict = field(init=False, default_factory=dict)
    _files: list = field(init=False, default_factory=list)

    def run(self):
        try:
            with transaction.atomic():
                if self.with_users:
                    self.users = self.seed_users()
                self.sections = self.seed_sections()
                self.tags = {name: self._get_or_create(Tag, name=name) for name in TAGS}
                self.authors = self.seed_authors()
                self.organizations = self.seed_organizations()
                self.photos = {key: self.seed_photo(key, spec) for key, spec in PHOTOS.items()}
                for item in ARTICLES:
                    self.seed_article(item)
        except BaseException:
            # The rollback removes the rows but not the image files written meanwhile.
            for storage, name in self._files:
                storage.delete(name)
            raise
        return self

    def _count(self, label):
        self.created[label] += 1

    def _get_or_create(self, model, defaults=None, **lookup):
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        if created:
            self._count(f"{model.__name__.lower()}s")
        return obj

    def seed_users(self):
        user_model = get_user_model()
        users = {}
        for spec in DEMO_USERS:
            user = user_model.objects.filter(username=spec["username"]).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                user = user_model.objects.create_user(
                    spec["username"],
                    password=password,
                    first_name=spec["first_name"],
                    last_name=spec["last_name"],
                    is_staff=True,
                )
                grant_demo_permissions(user, spec["role"])
                self.new_accounts.append(NewAccount(user.username, spec["role"], password))
                self._count("users")
            users[user.username] = user
        return users

    def seed_sections(self):
        return {
            name: self._get_or_create(Section, name=name, defaults={"position": position, "description": text})
            for position, (name, text) in enumerate(SECTIONS, start=1)
        }

    def seed_authors(self):
        authors = {}
        for spec in AUTHORS:
            author = self._get_or_create(
                Author, slug=slugify_vi(spec["name"]), defaults={"name": spec["name"], "bio": spec["bio"]}
            )
            user = self.users.get(spec.get("user"))
            if user and author.user_id is None and not Author.objects.filter(user=user).exists():
                author.user = user
                author.save(update_fields=["user"])
            authors[spec["name"]] = author
        return authors

    def seed_organizations(self):
        organizations = {}
        for spec in ORGANIZATIONS:
            facts = {key: value for key, value in spec.items() if key not in {"name", "parent", "aliases"}}
            facts["aliases"] = "\n".join(spec.get("aliases", []))
            facts["parent"] = organizations.get(spec.get("parent"))
            organizations[spec["name"]] = self._get_or_create(Organization, name=spec["name"], defaults=facts)
        return organizations

    def seed_photo(self, key, spec):
        filename = f"demo-{key}.jpg"
        photo = Photo.objects.filter(original_filename=filename).first()
        if photo:
            return photo
        photo = Photo(
            caption=spec["caption"],
            credit=CREDIT,
            alt_text=spec["alt"],
            original_filename=filename,
            uploaded_by=self.users.get("bientap"),
        )
        photo.image.save(filename, ContentFile(draw_photo(key), name=filename), save=False)
        self._files.append((photo.image.storage, photo.image.name))
        photo.save()
        self._count("photos")
        return photo

    def seed_article(self, item):
        if Article.objects.filter(slug=slugify_vi(item["title"])).exists():
            return
        status, publish_at, expire_at = article_timing(item, self.now)
        authors = [self.authors[name] for name in item.get("authors", [])]
        article = Article(
            title=item["title"],
            lead=item["lead"],
            body=render_blocks(item["body"], self.photos),
            section=self.sections[item["section"]],
            byline=item.get("byline", ""),
            featured_photo=self.photos.get(item.get("photo")),
            status=status,
            publish_at=publish_at,
            expire_at=expire_at,
            created_by=authors[0].user if authors else None,
        )
        # The demo data goes through the same validation as an editor's form.
        article.full_clean()
        article.save()
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author=author, position=position) for position, author in enumerate(authors)
        )
        article.organizations.set([self.organizations[name] for name in item.get("organizations", [])])
        article.tags.set([self.tags[name] for name in item["tags"]])
        self._count("articles")
