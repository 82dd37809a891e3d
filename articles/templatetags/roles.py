"""The roles of articles/services.py for templates: `{% if user|is_editor %}` asks services, never a permission.

And `{{ user|person }}`: a staff name family name first, as every admin page writes it (text.person_name).
"""

from django import template

from .. import services
from ..text import person_name

register = template.Library()


@register.filter
def is_editor(user):
    return services.is_editor(user)


@register.filter
def is_staff_user(user):
    return services.is_staff_user(user)


@register.filter
def person(user):
    return person_name(user) or "—"
