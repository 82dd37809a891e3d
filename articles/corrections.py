"""Corrections and marked updates on live articles: the services, and the admin's part.

(Being built for the workflow issue, §7.)
"""


class CorrectionsAdminMixin:
    pass
