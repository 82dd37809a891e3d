"""The library admin's forms: one photo's change form, and the upload of several photos at once."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Photo
from .usage import live_articles_using

# The focal point's two numbers: the keyboard's way to set it (static/photos/focal.js sets them by a click).
FOCAL_ATTRS = {"step": "0.01", "min": "0", "max": "1", "inputmode": "decimal"}
FOCAL_HELP = {
    "focal_x": _("0 is the left edge, 1 the right edge, 0.5 the middle."),
    "focal_y": _("0 is the top edge, 1 the bottom edge, 0.5 the middle."),
}


class PhotoAdminForm(forms.ModelForm):
    class Meta:
        model = Photo
        fields = ["image", "caption", "credit", "alt_text", "original_filename", "focal_x", "focal_y"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, help_text in FOCAL_HELP.items():
            # Only on the change page (the admin leaves them out of the add page and of a read-only view).
            if name in self.fields:
                field = self.fields[name]
                field.min_value, field.max_value = 0, 1
                field.validators += [MinValueValidator(0), MaxValueValidator(1)]
                field.widget = forms.NumberInput(attrs=FOCAL_ATTRS)
                field.help_text = help_text
                # Left out of a POST (an older form, a script), the point stays where it is.
                field.required = False
        photo = self.instance
        for name, suggestion in (("caption", photo.suggested_caption), ("credit", photo.suggested_credit)):
            field = self.fields.get(name)
            if field is not None and suggestion and not getattr(photo, name):
                field.help_text = format_html("{}{}", suggestion_html(f"id_{name}", suggestion), field.help_text)
        # Already missing (an imported photo, say): said here, not a form error, so the photo can still get its
        # file or a corrected caption.
        alt_field = self.fields.get("alt_text")
        if alt_field is not None and photo.pk and not photo.alt_text and (titles := self._live_titles()):
            warning = gettext("Live articles show this photo without an alt text: %(titles)s") % {"titles": titles}
            alt_field.help_text = format_html('<span class="nr-alt-missing">{}</span> {}', warning, alt_field.help_text)

    def clean_focal_x(self):
        return self._focal("focal_x")

    def clean_focal_y(self):
        return self._focal("focal_y")

    def _focal(self, name):
        value = self.cleaned_data[name]
        return getattr(self.instance, name) if value is None else value

    def _live_titles(self):
        live = live_articles_using([self.instance]).order_by("-publish_at")[:20]
        return "; ".join(article.title for article in live)

    def clean_alt_text(self):
        alt_text = self.cleaned_data["alt_text"].strip()
        # Until the form is saved the instance holds the stored alt text: clearing it is what is refused.
        if not alt_text and self.instance.pk and self.instance.alt_text and (titles := self._live_titles()):
            raise ValidationError(
                gettext("Live articles show this photo, so it needs an alt text: %(titles)s") % {"titles": titles},
                code="alt_text_required",
            )
        return alt_text


def suggestion_html(field_id, text):
    """The suggestion found in the file, with a button (library.js) that copies it into the field."""
    return format_html(
        '<span class="nr-suggestion">{} <button type="button" class="button nr-suggestion-use" data-target="{}" '
        'data-value="{}">{}</button></span>',
        format_html(gettext("Suggested by the photo's file: «{}»"), text),
        field_id,
        text,
        gettext("Use this suggestion"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    # Django's file widget refuses `multiple` unless it is asked for.
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one <input type="file" multiple>; each is checked later by photo_create()."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/avif"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [file for file in files if file]
        if not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleImageField, self).clean(file, initial) for file in files]


class MultiUploadForm(forms.Form):
    files = MultipleImageField(
        label=_("Photos"),
        help_text=_("Choose one or more JPEG, PNG, WebP or AVIF files; each is checked and saved on its own."),
    )
    caption = forms.CharField(
        label=capfirst(_("caption")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text=_("Optional: given to every photo uploaded now."),
    )
    credit = forms.CharField(
        label=capfirst(_("credit")),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=_("Optional: given to every photo uploaded now, for example: Ảnh: Minh Anh."),
    )
