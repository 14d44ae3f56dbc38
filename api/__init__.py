"""The read API (FastAPI). Reads ``store``; never imports the crawler.

``create_app(engine=…, settings=…)`` builds the app; every error has the body ``{"ok": false, "error", "errors", "status"}``.
"""

from api.app import create_app

__all__ = ["create_app"]
