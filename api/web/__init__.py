"""The web interface: the public reports browser (``/``) and the operator console (``/ops``), server-rendered.

Jinja2 templates and vendored static files (htmx, Swagger UI, ReDoc) ship inside this package: no page asks any
other host for anything. Pages read ``store`` like the rest of ``api``; a crawl is requested through the store.
:func:`install` adds the routes, the static files and the self-hosted ``/docs`` and ``/redoc`` to the app.
"""

from api.web.install import install

__all__ = ["install"]
