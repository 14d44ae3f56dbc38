"""The read API (FastAPI). Reads ``store``; never imports the crawler.

``create_app(engine=…, config=ApiConfig(…))`` builds the app (``fazhi`` builds the config from its settings); every error has the body ``{"ok": false, "error", "errors", "status"}``.
"""

from api.app import create_app

__all__ = ["create_app"]
