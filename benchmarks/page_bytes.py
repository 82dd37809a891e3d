"""What a 360 px phone downloads for the seed article page, images apart from everything else.

    .venv/bin/python -m benchmarks.page_bytes [--project DIR] [--json]

The project in DIR (this checkout by default; another worktree measures another commit) is seeded with
`manage.py seed_demo` into a throwaway SQLite database and MEDIA_ROOT, served by gunicorn as in production
(DEBUG off, collected and compressed static files, media served by Django), and the page is opened in headless
Chromium at 360 × 800 CSS px with a device scale factor of 2, then scrolled to the bottom so that every lazy
image loads. Bytes are what came over the wire: response headers and bodies, as Chromium counts them.

Nothing here imports Django: the project under measurement runs in its own processes, with its own code.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# The seed story about the Hội Khoa học phát triển nguồn nhân lực, nhân tài (articles/demo/stories/), by its file.
STORY = "hoi-khoa-hoc-phat-trien-nguon-nhan-luc-nhan.txt"
FIND_STORY = f"from articles.models import Article; print(Article.objects.get(import_key={STORY!r}).get_absolute_url())"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 360, "height": 800}
SCALE = 2
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "page-bytes-benchmark-only-not-a-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": "http://127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
    "SERVE_MEDIA": "1",
}
# Scroll a screen at a time, pausing for lazy images to be requested, until the page ends.
SCROLL = """async () => {
  const pause = () => new Promise((done) => setTimeout(done, 150));
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
    scrollTo(0, y);
    await pause();
  }
  scrollTo(0, document.documentElement.scrollHeight);
  await pause();
}"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(project, env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed in {project}:\n{done.stdout}{done.stderr}")
    return done.stdout


def wait_for(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def measure_page(url):
    """{"images": bytes, "other": bytes, "requests": [...]} for one visit to `url` by a fresh 360 px phone."""
    from playwright.sync_api import sync_playwright

    received = []

    def finished(request):
        sizes = request.sizes()
        received.append(
            {
                "url": request.url,
                "type": request.resource_type,
                "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
            }
        )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=SCALE)
        page = context.new_page()
        page.on("requestfinished", finished)
        response = page.goto(url, wait_until="networkidle")
        if response is None or response.status != 200:
            raise SystemExit(f"{url} answered {response and response.status}")
        page.evaluate(SCROLL)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        context.close()
        browser.close()
    images = sum(item["bytes"] for item in received if item["type"] == "image")
    other = sum(item["bytes"] for item in received if item["type"] != "image")
    return {"url": url, "images": images, "other": other, "total": images + other, "requests": received}


def run(project):
    project = Path(project).resolve()
    with tempfile.TemporaryDirectory(prefix="newsroom-page-bytes-") as scratch:
        env = os.environ | PRODUCTION
        env |= {"DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3", "MEDIA_ROOT": f"{scratch}/media"}
        env.pop("REDIS_URL", None)
        manage(project, env, "migrate", "--no-input", "--verbosity", "0")
        manage(project, env, "seed_demo", "--no-users")
        manage(project, env, "collectstatic", "--no-input", "--verbosity", "0")
        path = manage(project, env, "shell", "--verbosity", "0", "--command", FIND_STORY).strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application", "--bind", f"127.0.0.1:{port}"],
            cwd=project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}{path}"
            wait_for(url, server)
            return measure_page(url)
        finally:
            server.terminate()
            server.wait(timeout=10)


def kb(count):
    return f"{count / 1024:,.1f} KiB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default=Path(__file__).resolve().parent.parent, help="the checkout to measure")
    parser.add_argument("--json", action="store_true", help="print the numbers and every request as JSON")
    args = parser.parse_args(argv)
    result = run(args.project)
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    largest_first = sorted(result["requests"], key=lambda item: -item["bytes"])
    lines = [f"{item['bytes']:>10,}  {item['type']:<10} {item['url']}" for item in largest_first]
    lines += [
        result["url"],
        f"images {kb(result['images'])}, everything else {kb(result['other'])}, total {kb(result['total'])}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
