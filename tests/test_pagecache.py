"""The page cache (newsroom/pagecache.py): what it serves again, to whom, for how long, and what makes it forget."""

import contextlib
import datetime as dt
import io
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import sharing
from articles.models import Article, ArticleAuthor, ContentGeneration, Correction
from newsroom import cache as resilient
from newsroom import pagecache
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def _cache_on(settings, time_machine):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_SECONDS, settings.PAGE_MAX_AGE, settings.PAGE_STALE_SECONDS = 600, 60, 30
    settings.SITE_URL = "https://news.example.vn"
    time_machine.move_to(NOW, tick=False)
    caches["pages"].clear()
    pagecache._generation = None
    yield
    caches["pages"].clear()
    pagecache._generation = None


@pytest.fixture
def story(db):
    section = make_section(name="Thời sự")
    return make_article(
        title="Cảng Lạch Huyện đón tàu lớn",
        section=section,
        publish_at=NOW - dt.timedelta(hours=1),
        tags=[make_tag(name="Cảng biển")],
        organizations=[make_organization(name="Hội Khoa học")],
        authors=[make_author(name="Nguyễn Văn An")],
    )


def stored_pages():
    """The keys of the pages stored now, in locmem or in Redis (CI runs the suite on both)."""
    pages = caches["pages"]
    if isinstance(pages, resilient.ResilientRedisCache):
        return [key.decode() for key in pages._cache.get_client().keys(pages.make_key("page:*"))]
    return [key for key in pages._cache if ":page:" in key]


def queries_per_hit():
    """A stored page costs the generation's read: a primary-key query, or a Redis GET and no query."""
    return 1 if isinstance(pagecache.generation_store(), pagecache.DatabaseGeneration) else 0


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def max_age(response):
    return next(int(part.split("=")[1]) for part in directives(response) if part.startswith("max-age="))


def reader_urls(article):
    section = article.section
    return [
        "/",
        article.get_absolute_url(),
        section.get_absolute_url(),
        reverse("articles:search") + "?q=cang",
        reverse("articles:rss"),
        reverse("articles:section_atom", args=[section.slug]),
        reverse("articles:sitemap_news"),
        reverse("articles:sitemap", args=["bai-viet"]),
        reverse("articles:robots"),
        reverse("api:list_articles"),
    ]


# Served again ---------------------------------------------------------------------------------------------


def test_every_reader_surface_is_stored_once_and_served_again_with_one_query(client, story, django_assert_num_queries):
    for url in reader_urls(story):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["X-Cache"] == "MISS", url
        # The generation's read, nothing else: not the session, not the sections.
        with django_assert_num_queries(queries_per_hit()):
            again = client.get(url)
        assert again["X-Cache"] == "HIT", url
        assert again.content == first.content, url
        assert again["Content-Type"] == first["Content-Type"], url


def test_answers_say_public_with_a_bounded_max_age_validators_and_no_vary_on_cookie(client, story):
    for response in (client.get(story.get_absolute_url()), client.get(story.get_absolute_url())):
        assert directives(response) == {"public", "max-age=60", "stale-while-revalidate=30"}
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"].endswith("GMT")
        assert "cookie" not in response.get("Vary", "").lower()
        assert not response.cookies
    # The security headers of the outer middleware are on a stored answer too.
    assert response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"


def test_a_matching_etag_or_date_answers_304_from_the_store_and_on_a_miss(client, story):
    url = story.get_absolute_url()
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    caches["pages"].clear()
    not_modified = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304 and not_modified["ETag"] == first["ETag"]
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_head_is_served_from_the_same_store(client, story):
    client.get("/")
    assert client.head("/")["X-Cache"] == "HIT"


def test_each_address_is_its_own_page(client, story):
    make_article(title="Bài thứ hai", section=story.section, publish_at=NOW - dt.timedelta(hours=2))
    search = reverse("articles:search")
    first, second = client.get(search + "?q=cang"), client.get(search + "?q=bai")
    assert second["X-Cache"] == "MISS" and first.content != second.content
    assert client.get(search + "?q=cang").content == first.content


# Never stored ---------------------------------------------------------------------------------------------


def test_signed_in_users_are_never_served_nor_stored_and_told_private_no_store(client, story, admin_user):
    client.get("/")  # stored for readers
    client.force_login(admin_user)
    for url in reader_urls(story):
        response = client.get(url)
        assert "X-Cache" not in response, url
        assert {"private", "no-store"} <= directives(response), url
    caches["pages"].clear()
    client.get(story.get_absolute_url())
    reader = Client()
    assert reader.get(story.get_absolute_url())["X-Cache"] == "MISS"


def test_previews_and_share_links_are_never_stored(client, story, admin_user):
    draft = make_article(title="Bản nháp chưa đăng", live=False)
    editor = Client()
    editor.force_login(admin_user)
    preview = editor.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "no-store" in directives(preview)
    link = sharing.share_link_create(article=draft, by=admin_user)
    for _ in range(2):
        shared = client.get(sharing.share_url(link).removeprefix("https://news.example.vn"))
        assert shared.status_code == 200 and "Bản nháp chưa đăng" in shared.content.decode()
        assert "X-Cache" not in shared and "no-store" in directives(shared)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert not stored_pages()


def test_the_admin_errors_and_posts_are_never_stored(client, story):
    assert "X-Cache" not in client.get(reverse("admin:login"))
    for _ in range(2):
        missing = client.get("/bai-viet/khong-co-bai-nay/")
        assert missing.status_code == 404 and "X-Cache" not in missing
        bad = client.get(story.section.get_absolute_url() + "?trang=abc")
        assert bad.status_code == 404 and "X-Cache" not in bad
    assert "X-Cache" not in client.post("/", {"q": "x"})
    assert not stored_pages()


def test_hostile_addresses_are_stored_under_a_fixed_size_key_and_answered_normally(client, story):
    search = reverse("articles:search")
    for query in ("<script>alert(1)</script>", "x" * 10_000, "%00", "' OR 1=1 --", "\u202e\u0000"):
        first = client.get(search, {"q": query})
        again = client.get(search, {"q": query})
        assert first.status_code == again.status_code == 200
        assert again["X-Cache"] == "HIT" and b"<script>alert" not in again.content
    assert stored_pages() and all(len(key) < 120 for key in stored_pages())


# Forgotten on commit --------------------------------------------------------------------------------------


def changes(story):
    """Each way readers' pages change through a save, delete or m2m change, as (name, change)."""
    photo = make_photo(caption="Ảnh cũ")
    story.featured_photo = photo
    story.save()
    return [
        ("article", lambda: Article.objects.filter(pk=story.pk).get().save()),
        ("author", lambda: story.authors.get().__class__.objects.filter(pk=story.authors.get().pk).get().save()),
        ("byline", lambda: ArticleAuthor.objects.create(article=story, author=make_author(name="Trần B"), position=9)),
        ("organization", lambda: story.organizations.get().save()),
        ("section", lambda: story.section.save()),
        ("tag", lambda: story.tags.get().save()),
        ("tags m2m", lambda: story.tags.add(make_tag(name="Mới"))),
        ("organizations m2m", lambda: story.organizations.clear()),
        ("photo", lambda: photo.save()),
        ("correction", lambda: Correction.objects.create(article=story, text="Sửa số liệu", at=timezone.now())),
        ("delete", lambda: make_tag(name="Tạm").delete()),
    ]


def test_every_change_readers_see_raises_the_generation_on_commit(story, django_capture_on_commit_callbacks):
    for name, change in changes(story):
        before = pagecache.current_generation()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            change()
        assert callbacks, name
        assert pagecache.current_generation() > before, name


def test_a_save_that_rolls_back_raises_nothing(story, django_capture_on_commit_callbacks):
    before = pagecache.current_generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        story.save()
    assert callbacks  # registered, and dropped with the transaction
    assert pagecache.current_generation() == before


def test_after_a_commit_every_reader_surface_is_made_again_with_the_change(
    client, story, django_capture_on_commit_callbacks
):
    urls = reader_urls(story)
    for url in urls:
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        story.title = "Cảng Lạch Huyện đón tàu 200.000 tấn"
        story.save()
    for url in urls[:-2] + urls[-1:]:  # robots.txt names no story
        response = client.get(url)
        assert response["X-Cache"] == "MISS", url
        if url != reverse("articles:sitemap", args=["bai-viet"]):
            assert "200.000 tấn" in response.content.decode(), url


def test_photo_files_remade_by_the_pipeline_raise_the_generation(story, django_capture_on_commit_callbacks):
    from photos import pipeline

    photo = make_photo()
    before = pagecache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.make_renditions(photo, reuse=False)
    assert pagecache.current_generation() > before


def test_a_flushed_generation_row_is_made_again_past_every_stored_number(db):
    pagecache._generation = pagecache.DatabaseGeneration()
    ContentGeneration.objects.all().delete()
    assert pagecache.current_generation() == 0
    pagecache.bump()
    assert pagecache.current_generation() > 1_000_000_000


# The clock ------------------------------------------------------------------------------------------------


def test_a_page_lives_no_longer_than_the_next_scheduled_story_and_shows_it_then(client, story, time_machine):
    scheduled = make_article(
        title="Tin hẹn giờ lúc 9 giờ 00 phút 20", section=story.section, publish_at=NOW + dt.timedelta(seconds=20)
    )
    assert not scheduled.is_live
    urls = [u for u in reader_urls(story) if "robots" not in u]
    for url in urls:
        first = client.get(url)
        assert max_age(first) == 20, url
        assert client.get(url)["X-Cache"] == "HIT"
    time_machine.move_to(NOW + dt.timedelta(seconds=19), tick=False)
    assert max_age(client.get("/")) == 1
    time_machine.move_to(NOW + dt.timedelta(seconds=20), tick=False)
    for url in urls:
        response = client.get(url)
        assert response["X-Cache"] == "MISS", url
        assert max_age(response) == 60, url
    assert "Tin hẹn giờ" in client.get("/").content.decode()
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_a_page_lives_no_longer_than_the_next_expiry_and_drops_the_story_then(client, story, time_machine):
    story.expire_at = NOW + dt.timedelta(seconds=45)
    story.save()
    caches["pages"].clear()
    assert max_age(client.get("/")) == 45 and client.get("/")["X-Cache"] == "HIT"
    assert client.get(story.get_absolute_url()).status_code == 200
    time_machine.move_to(NOW + dt.timedelta(seconds=45), tick=False)
    assert "Cảng Lạch Huyện" not in client.get("/").content.decode()
    assert client.get(story.get_absolute_url()).status_code == 404


def test_without_anything_scheduled_a_page_lives_page_cache_seconds(client, story, settings, time_machine):
    settings.PAGE_CACHE_SECONDS = 300
    client.get("/")
    time_machine.move_to(NOW + dt.timedelta(seconds=299), tick=False)
    assert client.get("/")["X-Cache"] == "HIT"
    time_machine.move_to(NOW + dt.timedelta(seconds=300), tick=False)
    assert client.get("/")["X-Cache"] == "MISS"


def test_off_stores_nothing_and_tells_no_cache_to_keep_a_page(client, story, settings):
    settings.PAGE_CACHE = False
    for url in reader_urls(story):
        for _ in range(2):
            response = client.get(url)
            assert "X-Cache" not in response, url
            # Feeds keep their own limit by the clock (articles/feeds.py); pages say nothing.
            if response["Content-Type"].startswith("text/html"):
                assert "public" not in directives(response), url
    assert not stored_pages()


# Redis ----------------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_server(port):
    """A Redis of this test's own on a loopback port, so the shared one is never stopped."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(10)


def redis_caches(port):
    options = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    location = f"redis://127.0.0.1:{port}/0"
    return {
        alias: {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": alias,
            "OPTIONS": options,
        }
        for alias in ("default", "pages")
    }


needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


@pytest.fixture
def own_redis(settings):
    port = free_port()
    settings.CACHES = redis_caches(port)
    for alias in ("default", "pages"):
        with contextlib.suppress(KeyError, AttributeError):
            del caches._connections.__dict__[alias]  # the cache handler's per-thread connections
    pagecache._generation = None
    yield port
    for alias in ("default", "pages"):
        with contextlib.suppress(KeyError, AttributeError):
            del caches._connections.__dict__[alias]
    pagecache._generation = None


@needs_redis
def test_with_redis_the_generation_and_pages_live_in_redis(client, story, own_redis, django_assert_num_queries):
    with redis_server(own_redis):
        assert isinstance(pagecache.generation_store(), pagecache.RedisGeneration)
        assert client.get("/")["X-Cache"] == "MISS"
        with django_assert_num_queries(0):
            assert client.get("/")["X-Cache"] == "HIT"
        before = pagecache.current_generation()
        pagecache.bump()
        assert pagecache.current_generation() == before + 1
        assert client.get("/")["X-Cache"] == "MISS"


@needs_redis
def test_redis_stopped_pages_are_still_served_and_caching_resumes_when_it_is_back(client, story, own_redis):
    with redis_server(own_redis):
        client.get("/")
        assert client.get("/")["X-Cache"] == "HIT"
    # Stopped: made afresh, never a 500, and the feed (which keeps its dates in the cache) too.
    for url in reader_urls(story):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Cache" not in response, url
        assert "public" in directives(response), url
    pagecache.bump()  # a save while Redis is away: no error for the editor
    with redis_server(own_redis):
        assert client.get("/")["X-Cache"] == "MISS"
        assert client.get("/")["X-Cache"] == "HIT"


@needs_redis
def test_a_redis_that_kept_its_pages_through_an_outage_does_not_serve_them_again(client, story, own_redis):
    """Redis unreachable, not restarted (a network cut): the pages it still holds may predate a save made
    meanwhile, so the first request to reach it again raises the generation."""
    with redis_server(own_redis):
        client.get("/")
        assert client.get("/")["X-Cache"] == "HIT"
        subprocess.run(["redis-cli", "-p", str(own_redis), "CLIENT", "PAUSE", "1500", "ALL"], check=True)
        response = client.get("/")  # times out against the paused Redis: made afresh
        assert response.status_code == 200 and "X-Cache" not in response
        assert resilient.ResilientRedisCache.available is False
        time.sleep(1.6)
        assert client.get("/")["X-Cache"] == "MISS"
        assert client.get("/")["X-Cache"] == "HIT"


# The database out of reach ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_the_database_out_of_reach_the_designed_503_is_answered_and_nothing_is_stored(client, settings):
    from tests.test_outage import assert_designed_page, database_unreachable

    pagecache._generation = pagecache.DatabaseGeneration()
    make_article(section=make_section(), title="Cầu Hoàng Văn Thụ thông xe", publish_at=NOW - dt.timedelta(hours=1))
    with database_unreachable():
        # The generation cannot be read, so nothing stored is served: it might be older than a save.
        for url in ("/", "/rss/", "/bai-viet/cau-hoang-van-thu/"):
            response = client.get(url)
            assert_designed_page(response)
            assert "X-Cache" not in response and "no-store" in directives(response)
    assert not stored_pages()
    assert client.get("/")["X-Cache"] == "MISS"
    assert client.get("/")["X-Cache"] == "HIT"


# The WSGI front ---------------------------------------------------------------------------------------------


@pytest.fixture
def wsgi(db):
    """newsroom/wsgi.py's application: FastPath over Django's handler, made for each call so that the
    middleware reads the settings of that moment. As Django's test client does, the connection's per-request
    closing is held off: it would end the test's transaction."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    def call(path, method="GET", query="", **headers):
        application = pagecache.FastPath(WSGIHandler())
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO(),
        } | {f"HTTP_{name.upper()}": value for name, value in headers.items()}
        answer = {}

        def start_response(status, pairs, exc_info=None):
            answer["status"], answer["headers"] = status, dict(pairs)

        answer["body"] = b"".join(application(environ, start_response))
        return answer

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_wsgi_front_serves_a_stored_page_whole_before_django(wsgi, story, django_assert_num_queries):
    url = story.get_absolute_url()
    made = wsgi(url)
    assert made["status"] == "200 OK" and made["headers"]["X-Cache"] == "MISS"
    with django_assert_num_queries(queries_per_hit()):
        served = wsgi(url)
    assert served["status"] == "200 OK" and served["headers"]["X-Cache"] == "HIT"
    assert served["body"] == made["body"]
    assert served["headers"]["Content-Length"] == str(len(made["body"]))
    # Every header the middleware made is there, the security ones included; only the lifetime is made anew.
    for name in ("Content-Type", "ETag", "Last-Modified", "Content-Security-Policy", "X-Content-Type-Options"):
        assert served["headers"][name] == made["headers"][name], name
    assert served["headers"]["Cache-Control"] == "public, max-age=60, stale-while-revalidate=30"
    assert "Vary" not in served["headers"] and "Set-Cookie" not in served["headers"]
    head = wsgi(url, method="HEAD")
    assert head["headers"]["X-Cache"] == "HIT" and head["body"] == b""


def test_the_wsgi_front_leaves_to_django_what_it_is_not_sure_of(wsgi, story, settings, admin_user, client):
    url = story.get_absolute_url()
    first = wsgi(url)
    # A conditional request: Django's middleware answers 304 from the store.
    assert wsgi(url, IF_NONE_MATCH=first["headers"]["ETag"])["status"].startswith("304")
    # A session cookie, a real one: the editor's own answer, never the stored one.
    client.force_login(admin_user)
    signed_in = wsgi(url, COOKIE=f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}")
    assert "X-Cache" not in signed_in["headers"] and "no-store" in signed_in["headers"]["Cache-Control"]
    # Plain http where https is required: the redirect, not the page.
    settings.SECURE_SSL_REDIRECT = True
    redirected = wsgi(url)
    assert redirected["status"].startswith("301") and "X-Cache" not in redirected["headers"]
    settings.SECURE_SSL_REDIRECT = False
    # An outdated page: made again.
    pagecache.bump()
    assert wsgi(url)["headers"]["X-Cache"] == "MISS"
    settings.PAGE_CACHE = False
    assert "X-Cache" not in wsgi(url)["headers"]


def test_static_files_and_media_read_no_generation(wsgi, story, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    table = ContentGeneration._meta.db_table
    # Collected or not (a fresh checkout has no staticfiles/), found or a 404: never the generation's row.
    for path in (settings.STATIC_URL + "css/site.css", settings.MEDIA_URL + "khong-co.jpg"):
        with CaptureQueriesContext(connection) as queries:
            answer = wsgi(path)
        assert "X-Cache" not in answer["headers"], path
        assert not [query for query in queries if table in query["sql"]], path
