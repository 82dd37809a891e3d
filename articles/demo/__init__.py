"""Demo content for a fresh newsroom, written by `manage.py seed_demo`.

The stories are plain-text files in stories/, in the format `import_article` reads, and they go through the
importer's own code (`parse`, then `Importer`): the path a real newsroom's files take. demo.toml holds what the
text format cannot say: sections, authors, organisations and tags, and per story its section, tags, authors,
state and age. The illustrations are drawn by illustrations.py into a temporary folder given to the importer
as its images folder.

The stories are invented for demonstration. The people quoted in them are fictitious; about real bodies they
state only plain descriptions and the facts of the Hội Khoa học phát triển nguồn nhân lực, nhân tài thành phố
Hải Phòng (docs/architecture.md, "The domain").
"""

import secrets
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from ..corrections import article_correct, article_mark_updated
from ..importer import Importer, ImportFailed, parse, read_lines
from ..models import Article, Author, Organization, Section, Tag
from ..text import slugify_vi
from .illustrations import PHOTOS, draw_photo

HERE = Path(__file__).parent
STORIES = HERE / "stories"

# Demo accounts, created only when DEBUG is on. `role` names the group (made by migration articles 0005) they join.
DEMO_USERS = [
    {"username": "bientap", "role": "editor", "first_name": "Quang Huy", "last_name": "Nguyễn"},
    {"username": "phongvien", "role": "reporter", "first_name": "Thu Hà", "last_name": "Phạm"},
]
ROLE_GROUPS = {"editor": "Biên tập viên", "reporter": "Phóng viên"}

STORY_KEYS = {"section", "tags", "hours_ago", "state", "expired_hours_ago", "authors", "organizations", "corrections"}
CORRECTION_KEYS = {"text", "minutes_after", "kind"}
STATES = {"scheduled", Article.Status.DRAFT, Article.Status.REVIEW}


class DemoError(Exception):
    """The demo data is inconsistent (a story names an unknown section, a file does not parse…)."""


def load_data(path=HERE / "demo.toml"):
    with open(path, "rb") as file:
        return tomllib.load(file)


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


def story_timing(story, now):
    """(status, publish_at, expire_at) of a demo story, relative to the moment of seeding."""
    state = story.get("state", Article.Status.PUBLISHED)
    if state in (Article.Status.DRAFT, Article.Status.REVIEW):
        return state, None, None
    if state == "scheduled":
        return Article.Status.PUBLISHED, later_today(now), None
    expire_at = _hours_before(now, story["expired_hours_ago"]) if "expired_hours_ago" in story else None
    return Article.Status.PUBLISHED, _hours_before(now, story["hours_ago"]), expire_at


def _hours_before(now, hours):
    return (now - timedelta(hours=hours)).replace(second=0, microsecond=0)


def join_role_group(user, role):
    """Puts the account in its role's group; what each role may do is in articles/services.py."""
    group = Group.objects.filter(name=ROLE_GROUPS[role]).first()
    if group is None:
        raise LookupError("The newsroom's groups are missing; run `manage.py migrate` first.")
    user.groups.add(group)


@dataclass
class NewAccount:
    username: str
    role: str
    password: str


@dataclass
class DemoSeeder:
    """Creates the demo content that is missing, all or nothing.

    Every row is looked up by its natural key (name, slug, the story's file name) before it is made, so a
    second run creates nothing, and never touches an existing account or its password.
    """

    with_users: bool
    now: datetime = field(default_factory=timezone.now)
    # Looked up when the seeder is made, so that tests can give other data.
    data: dict = field(default_factory=lambda: load_data())
    stories_dir: Path = STORIES
    created: Counter = field(default_factory=Counter)
    new_accounts: list = field(default_factory=list)
    # Rows by natural key, for the stories to point at; filled by run().
    users: dict = field(init=False, default_factory=dict)
    sections: dict = field(init=False, default_factory=dict)
    tags: dict = field(init=False, default_factory=dict)
    authors: dict = field(init=False, default_factory=dict)
    organizations: dict = field(init=False, default_factory=dict)

    def run(self):
        importer = None
        try:
            with transaction.atomic(), tempfile.TemporaryDirectory(prefix="newsroom-demo-") as images:
                if self.with_users:
                    self.users = self.seed_users()
                self.sections = self.seed_sections()
                self.tags = {name: self._get_or_create(Tag, name=name) for name in self.data["tags"]}
                self.authors = self.seed_authors()
                self.organizations = self.seed_organizations()
                # Made after the organisations exist: the importer links the ones each story names.
                importer = Importer(images_dir=images)
                for name, story in self.data["stories"].items():
                    self.seed_story(importer, Path(images), name, story)
        except BaseException:
            # The rollback removes the rows but not the image files the importer stored meanwhile.
            for storage, name in importer.stored if importer else []:
                storage.delete(name)
            raise
        return self

    def _count(self, label, number=1):
        self.created[label] += number

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
                join_role_group(user, spec["role"])
                self.new_accounts.append(NewAccount(user.username, spec["role"], password))
                self._count("users")
            users[user.username] = user
        return users

    def seed_sections(self):
        return {
            spec["name"]: self._get_or_create(
                Section, name=spec["name"], defaults={"position": position, "description": spec["description"]}
            )
            for position, spec in enumerate(self.data["sections"], start=1)
        }

    def seed_authors(self):
        authors = {}
        for spec in self.data["authors"]:
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
        for spec in self.data["organizations"]:
            facts = {key: value for key, value in spec.items() if key not in {"name", "parent", "aliases"}}
            facts["aliases"] = "\n".join(spec.get("aliases", []))
            if "parent" in spec:
                facts["parent"] = _lookup(organizations, spec["parent"], "parent organisation", spec["name"])
            organizations[spec["name"]] = self._get_or_create(Organization, name=spec["name"], defaults=facts)
        return organizations

    def seed_story(self, importer, images, name, story):
        path = self.stories_dir / f"{name}.txt"
        if Article.objects.filter(import_key=path.name).exists():
            return
        where = f"{path.name} in demo.toml"
        if unknown := set(story) - STORY_KEYS:
            raise DemoError(f"{where}: unknown settings {', '.join(sorted(unknown))}")
        state = story.get("state")
        if not ((state is None and "hours_ago" in story) or (state in STATES and "hours_ago" not in story)):
            raise DemoError(f"{where}: give either hours_ago or a state ({', '.join(sorted(STATES))})")
        section = _lookup(self.sections, story["section"], "section", where)
        tags = [_lookup(self.tags, tag, "tag", where) for tag in story["tags"]]
        # None: the byline names the author, as in any imported file.
        authors = (
            [_lookup(self.authors, name, "author", where) for name in story["authors"]] if "authors" in story else None
        )
        extra = [_lookup(self.organizations, org, "organisation", where) for org in story.get("organizations", [])]
        status, publish_at, expire_at = story_timing(story, self.now)
        try:
            parsed = parse(read_lines(path))
            # The dateline in a demo file is a placeholder: the story's age is relative to the seeding.
            parsed.publish_at = publish_at
            for figure in parsed.figures:
                self._draw(figure.filename, images, where)
            first = self.authors.get(parsed.byline) if authors is None else next(iter(authors), None)

            def prepare(article):
                # Validated with the rest of the article by the importer, like an editor's form.
                article.section, article.status, article.expire_at = section, status, expire_at
                article.created_by = first.user if first else None

            result = importer.import_file(path, parsed, authors=authors, prepare=prepare)
        except ImportFailed as error:
            raise DemoError(error.where(path)) from None
        article = result.article
        article.tags.set(tags)
        article.organizations.add(*extra)
        for photo in result.photos:
            photo.alt_text = self.data["photos"][photo.original_filename.removeprefix("demo-").removesuffix(".jpg")]
            photo.uploaded_by = self.users.get("bientap")
            photo.save(update_fields=["alt_text", "uploaded_by"])
        self._count("photos", len(result.photos))
        self._count("articles")
        self.seed_corrections(article, story.get("corrections", []), where)

    def seed_corrections(self, article, corrections, where):
        """A story's corrections and marked updates, made by the demo editor through the services (with users only)."""
        editor = self.users.get("bientap")
        for spec in corrections:
            if unknown := set(spec) - CORRECTION_KEYS:
                raise DemoError(f"{where}: unknown correction settings {', '.join(sorted(unknown))}")
            if editor is None:
                continue  # without the demo accounts there is no editor to sign it
            at = article.publish_at + timedelta(minutes=spec["minutes_after"])
            if spec.get("kind", "correction") == "update":
                article_mark_updated(article=article, by=editor, note=spec.get("text", ""), at=at)
            else:
                article_correct(article=article, by=editor, text=spec["text"], at=at)
            self._count("corrections")

    def _draw(self, filename, images, where):
        """The illustration a story names (demo-<key>.jpg), drawn once per run into the images folder."""
        key = filename.removeprefix("demo-").removesuffix(".jpg")
        if key not in PHOTOS or key not in self.data["photos"]:
            raise DemoError(f"{where}: no illustration {filename} (known: {', '.join(sorted(PHOTOS))})")
        target = images / filename
        if not target.exists():
            target.write_bytes(draw_photo(key))


def _lookup(rows, name, what, where):
    try:
        return rows[name]
    except KeyError:
        raise DemoError(f"{where}: unknown {what} {name!r}") from None
