"""`manage.py seed_demo`: a living front page for a newcomer, in Vietnamese (content in articles/demo/)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.demo import DemoError, DemoSeeder


class Command(BaseCommand):
    help = (
        "Fill an empty newsroom with Vietnamese demo content: sections, authors, organisations, photos and "
        "articles in every state, the stories imported from the text files in articles/demo/stories. With DEBUG "
        "on, also creates the demo accounts bientap (editor) and phongvien (reporter). Running it again adds only "
        "what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users", action="store_true", help="Do not create the demo accounts, even with DEBUG on."
        )

    def handle(self, *args, no_users, **options):
        started = time.monotonic()
        try:
            seeder = DemoSeeder(with_users=settings.DEBUG and not no_users).run()
        except DemoError as error:
            raise CommandError(f"{error}; nothing was created") from None
        self.report_content(seeder.created, time.monotonic() - started)
        self.report_accounts(seeder.new_accounts, no_users=no_users)

    def report_content(self, created, seconds):
        if not created:
            self.stdout.write("Demo content already present; nothing to do.")
            return
        counts = ", ".join(f"{count} {label}" for label, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Created {counts} in {seconds:.1f} s."))

    def report_accounts(self, new_accounts, *, no_users):
        if no_users:
            self.stdout.write("Demo users skipped (--no-users).")
        elif not settings.DEBUG:
            self.stdout.write(
                "Demo users were not created because DEBUG is off. "
                "To sign in to the admin, create an account with: python manage.py createsuperuser"
            )
        elif not new_accounts:
            self.stdout.write("Demo users bientap and phongvien already exist; their passwords were not changed.")
        else:
            self.stdout.write(self.style.WARNING("Demo accounts (passwords are shown only this once):"))
            for account in new_accounts:
                self.stdout.write(f"  {account.username:<10} password: {account.password}  ({account.role})")
            self.stdout.write("Sign in at /admin/.")
