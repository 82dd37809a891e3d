"""The roles of articles/services.py for templates: `{% if user|is_editor %}` asks services, never a permission."""

from django import template

from .. import services

register = template.Library()


@register.filter
def is_editor(user):
    return services.is_editor(user)


@register.filter
def is_staff_user(user):
    return services.is_staff_user(user)
