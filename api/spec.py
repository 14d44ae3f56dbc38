"""The OpenAPI document as the API answers: a bad parameter is a 400 with the one error body (``ErrorBody``),
never FastAPI's default 422 ``HTTPValidationError``, and any operation can answer 400 (unknown parameters)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

_ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
_BAD_REQUEST = {
    "description": "bad or unknown parameters",
    "content": {"application/json": {"schema": _ERROR_BODY}},
}


def with_error_schema(app: FastAPI) -> None:
    """Make ``app.openapi()`` describe the real 400 instead of FastAPI's 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    responses = operation.setdefault("responses", {})
                    responses.pop("422", None)
                    responses.setdefault("400", _BAD_REQUEST)
            components = schema.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                components.pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
