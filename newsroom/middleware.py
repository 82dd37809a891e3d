"""Request handling for the whole site, not one app: the language each page is served in."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation


class LanguageMiddleware:
    """The paper's pages in Vietnamese; the admin in the language its user chose.

    Django's LocaleMiddleware would follow the browser's Accept-Language and show
    a Vietnamese paper with English dates to every visitor with an English browser.
    Here readers always get the paper's language, and staff may switch the admin to
    English through the language cookie (/i18n/setlang/).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        if request.path.startswith(self.admin_prefix):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = chosen if chosen in self.available else language
        request.LANGUAGE_CODE = language
        # Only for this request: the thread goes back to its language afterwards (a test's, a command's).
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
