"""The demo's illustrations, drawn with Pillow: seeding needs no network and no photo files.

Each key names a scene and its colours; `draw_photo(key)` always draws the same picture for a key.
Captions and credits are in the story files that show them, alt text in demo.toml.
"""

import io
import math
import random

from PIL import Image, ImageDraw

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
    },
    "so": {
        "scene": "network",
        "colors": {
            "bg": ((12, 26, 56), (20, 70, 110)),
            "line": (54, 120, 170),
            "node": (120, 230, 220),
            "ring": (250, 196, 80),
        },
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
    },
    "sach": {
        "scene": "bookshelf",
        "colors": {
            "bg": ((244, 236, 220), (224, 210, 186)),
            "wood": (120, 80, 48),
            "books": [(176, 52, 48), (40, 90, 140), (226, 180, 60), (70, 130, 90), (120, 70, 130), (220, 120, 60)],
        },
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
    },
}

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
