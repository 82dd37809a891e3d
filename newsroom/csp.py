"""The Content-Security-Policy middleware (django-csp), with the one inline script the admin needs.

django-prose-editor loads its editor as JavaScript modules and maps their names with an inline
<script type="importmap">, which the policy's script-src 'self' blocks: without it the editor never
starts. Django 5.2's admin renders form media without a nonce, so the media of a template response
is given this response's nonce here; django-csp then names it in the header. Only pages whose media
carries an import map (js_asset's Media) use a nonce; every other page's script-src stays 'self'.
"""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from js_asset import Media


class CSPMiddleware(BaseCSPMiddleware):
    def process_template_response(self, request, response):
        media = (response.context_data or {}).get("media")
        if isinstance(media, Media):
            response.context_data["media"] = media.with_nonce(request.csp_nonce)
        return response
