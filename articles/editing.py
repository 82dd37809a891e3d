"""No lost edits: stale saves refused with a diff, who else is editing, the browser's local copy.

(Being built for the workflow issue, §5.)
"""


class NoLostEditsFormMixin:
    pass


class EditingAdminMixin:
    pass
