"""Form widgets that choose a library photo.

PhotoChooserWidget is the featured photo's field: without JavaScript a number input for the photo's id (with
a link to the library to look it up) beside the current choice's thumbnail and caption; with it
(static/photos/picker.js) the same library picker as the body editor's, a "Choose photo…" and a "Remove"
button. The value posted is the photo's id either way, so the form field (a ModelChoiceField) is unchanged.
"""

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from js_asset import Media, Script

from .models import Photo


class PhotoChooserWidget(forms.NumberInput):
    # The frame is a project template (templates/), which the form renderer does not search; the input
    # inside it is Django's own, rendered by the form renderer.
    template_name = "photos/picker/chooser.html"
    input_template_name = "django/forms/widgets/number.html"

    def __init__(self, attrs=None):
        super().__init__({"min": 1, "step": 1, **(attrs or {})})

    @property
    def media(self):
        # js_asset's Media keeps the admin's import map and CSP nonce when added to the editor's media.
        return Media(css={"all": ["photos/picker.css"]}, js=[Script("photos/picker.js", type="module")])

    def chosen(self, value):
        """The photo `value` names, or None (nothing chosen, or a value that is not a photo's id)."""
        value = str(value if value is not None else "").strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            return None
        return Photo.objects.filter(pk=int(value)).first()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        photo = self.chosen(value)
        context["photo"] = photo
        context["thumbnail"] = photo.rendition("square", "jpeg", 320) if photo and not photo.is_missing else None
        context["dialog_url"] = reverse("photo_picker:dialog")
        context["library_url"] = reverse("admin:photos_photo_changelist")
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        context["input"] = self._render(self.input_template_name, context, renderer)
        return render_to_string(self.template_name, context)
