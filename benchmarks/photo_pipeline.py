"""How long one 12-megapixel camera photo takes to save with all its renditions, and what it weighs after.

Run it as `.venv/bin/python benchmarks/photo_pipeline.py`. It uses a throwaway SQLite database and media
folder in a temporary directory (nothing of the project's own is touched), makes a 4000×3000 JPEG with
photo-like content (gradients, texture, shapes, fine detail; not flat colour, which every encoder makes
tiny) and camera EXIF with GPS, saves it as a Photo three times through the pipeline, and prints the median
time and the size of the master and of every rendition against the original.
"""

import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
SIZE = (4000, 3000)


def setup(workdir):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["DEBUG"] = "1"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def camera_photo():
    """A 4000×3000 JPEG as a camera writes one (quality 92, EXIF with make, model, serial and GPS)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(12)
    width, height = SIZE
    sky = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", [sky.point(lambda v: 90 + v // 3), sky.point(lambda v: 140 + v // 4), sky])
    draw = ImageDraw.Draw(image)
    for _ in range(400):  # buildings, boats, people: shapes of every size and colour
        x, y = rng.randrange(width), rng.randrange(height // 3, height)
        w, h = rng.randrange(20, 400), rng.randrange(20, 600)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle([x, y - h, x + w, y], fill=colour) if rng.random() < 0.6 else draw.ellipse(
            [x, y - h, x + w, y], fill=colour
        )
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    # Sensor noise and fine texture, as in any real photograph.
    texture = Image.effect_noise(SIZE, 18).convert("RGB")
    image = Image.blend(image, texture, 0.12)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Canon", "EOS R5", 1
    exif.get_ifd(0x8769)[0xA431] = "CAM-SERIAL-4417"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (20.0, 51.0, 30.0), "E", (106.0, 41.0, 15.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def measure(data):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from photos.images import inspect_image
    from photos.models import Photo

    times, cpu, photo = [], [], None
    for run in range(RUNS):
        upload = SimpleUploadedFile(f"IMG_{run:04d}.JPG", data, content_type="image/jpeg")
        started, started_cpu = time.perf_counter(), time.process_time()
        # What an upload costs: the content check the admin's validator runs, then the save with every
        # rendition and crop.
        inspect_image(upload.file)
        with transaction.atomic():
            photo = Photo.objects.create(image=upload, caption="Cảng Lạch Huyện")
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    files = [("master", photo.image.name)]
    for kind, by_format in photo.renditions.items():
        if kind == "focal":
            continue
        for fmt, entries in by_format.items():
            files += [(f"{kind} {fmt} {width}×{height}", name) for width, height, name in entries]
    sizes = [(label, default_storage.size(name)) for label, name in files]
    return times, cpu, sizes


def main():
    with tempfile.TemporaryDirectory(prefix="newsroom-photo-bench-") as workdir:
        setup(Path(workdir))
        data = camera_photo()
        times, cpu, sizes = measure(data)
    renditions = sizes[1:]
    master = sizes[0][1]
    total = sum(size for _, size in renditions)
    lines = [
        f"Original: {SIZE[0]}×{SIZE[1]} JPEG with EXIF and GPS, {len(data):,} bytes",
        f"Save with all {len(renditions)} renditions (content check, clean master, renditions), {RUNS} runs:",
        f"  median {statistics.median(times):.2f} s wall, {statistics.median(cpu):.2f} s CPU "
        f"(wall: {', '.join(f'{t:.2f}' for t in times)}; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)",
        "Files:",
        *(f"  {label:<26} {size:>10,} bytes" for label, size in sizes),
        f"Master: {master:,} bytes ({master / len(data):.0%} of the original)",
        f"Renditions together: {total:,} bytes ({total / len(data):.0%} of the original)",
        f"Master and renditions: {master + total:,} bytes ({(master + total) / len(data):.0%} of the original)",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
