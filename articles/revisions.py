"""Every save kept as a version (django-reversion): history, side-by-side diff, restore, recover.

(Being built for the workflow issue, §4.)
"""


class RevisionsAdminMixin:
    pass
