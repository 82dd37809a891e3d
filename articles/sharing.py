"""Signed, expiring, revocable read-only links to a non-live article for someone without an account.

(Being built for the workflow issue, §6.)
"""

from django.http import Http404


class SharingAdminMixin:
    pass


def share_view(request, token):
    raise Http404
