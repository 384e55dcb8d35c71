"""The gateway's routes as a FastAPI app (what `@modal.asgi_app` serves).

Same routes as `ananke-ci serve`, so the protocol client needs only the base URL:
`GET /health`, `POST /v1/generate`, `POST /v1/grammar/validate`. The body is read only after
the token is checked, and never past the request-size limit.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ananke_ci.core.protocol import ProtocolError
from modal_app.gateway import Answer, Gateway, ReadBody


def build_api(gateway: Gateway) -> FastAPI:
    """The ASGI app over `gateway` (no docs routes: nothing to browse without a token)."""
    api = FastAPI(
        title="ananke-ci generation service", docs_url=None, redoc_url=None, openapi_url=None
    )

    @api.get("/health")
    async def health() -> JSONResponse:
        return _json(gateway.health())

    @api.post("/v1/generate")
    async def generate(request: Request) -> JSONResponse:
        return _json(await gateway.generate(request.headers, _reader(request)))

    @api.post("/v1/grammar/validate")
    async def validate(request: Request) -> JSONResponse:
        return _json(await gateway.validate(request.headers, _reader(request)))

    return api


def _reader(request: Request) -> ReadBody:
    async def read(max_bytes: int) -> bytes:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise ProtocolError(413, f"body is larger than {max_bytes} bytes")
        body = bytearray()
        async for chunk in request.stream():  # chunked bodies have no Content-Length
            body += chunk
            if len(body) > max_bytes:
                raise ProtocolError(413, f"body is larger than {max_bytes} bytes")
        return bytes(body)

    return read


def _json(answer: Answer) -> JSONResponse:
    return JSONResponse(answer.body, answer.status, headers=dict(answer.headers))
