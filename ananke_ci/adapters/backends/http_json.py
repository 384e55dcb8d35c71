"""JSON over HTTP for the remote backends: one overall deadline per request, retries, no
credential leaks. stdlib only (http.client).

- Deadline: a request and all its attempts end by one deadline (and by the `fix` run's, if
  sooner). A socket timeout only bounds each read, so a watchdog shuts the socket when the
  deadline passes: a hung server or a body trickled a byte a second ends on time.
- Retries with exponential backoff and full jitter on 429, 5xx, connection errors and replies
  that are not HTTP; never on another 4xx, never past the deadline.
- Redirects: a 307/308 to the same origin is followed (the body is sent again); anything
  else is refused with its target named, so credentials never go to another origin and a
  POST never silently becomes a GET.
- Secrets go into headers only; any echo of them in a server's error text is masked.
- Proxies from the environment (`https_proxy`, `http_proxy`, `no_proxy`), as urllib does.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import random
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from ananke_ci.core.deadline import Deadline
from ananke_ci.core.errors import UserError
from ananke_ci.core.protocol import DEFAULT_LIMITS, ProtocolError
from ananke_ci.core.protocol_json import decode, encode
from ananke_ci.core.records import record
from ananke_ci.core.sanitize import shown

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
TOKEN_ENV = "ANANKE_TOKEN"
MODAL_KEY_ENV = "MODAL_KEY"
MODAL_SECRET_ENV = "MODAL_SECRET"
DEFAULT_REQUEST_TIMEOUT = 300.0  # seconds: a cold GPU container takes minutes to start
_MAX_HOPS = 3


class BackendError(UserError):
    """A remote backend failed for good (after retries, or a non-retryable status)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


@record(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5  # seconds; attempt k waits up to base * 2**k (full jitter)
    max_delay: float = 8.0
    timeout: float = DEFAULT_REQUEST_TIMEOUT  # one request, all its attempts together


@record(frozen=True, slots=True)
class Auth:
    """Credentials, read from the environment by the composition root, never from flags."""

    token: str | None = None  # `Authorization: Bearer ...`
    modal_key: str | None = None  # Modal proxy auth: `Modal-Key` / `Modal-Secret`
    modal_secret: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, token_env: str = TOKEN_ENV) -> Auth:
        return cls(
            environ.get(token_env) or None,
            environ.get(MODAL_KEY_ENV) or None,
            environ.get(MODAL_SECRET_ENV) or None,
        )

    def headers(self) -> dict[str, str]:
        out = {}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        if self.modal_key and self.modal_secret:
            out["Modal-Key"] = self.modal_key
            out["Modal-Secret"] = self.modal_secret
        return out

    def mask(self, text: str) -> str:
        """`text` with every secret replaced by ***."""
        for secret in (self.token, self.modal_key, self.modal_secret):
            if secret:
                text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:  # dataclass repr would print the secrets
        return f"Auth(token={'***' if self.token else None}, modal={bool(self.modal_key)})"


NO_AUTH = Auth()
DEFAULT_RETRY = RetryPolicy()


class _Expired(Exception):
    """The deadline passed during an exchange."""


def post_json(
    url: str,
    body: Mapping[str, Any],
    *,
    auth: Auth = NO_AUTH,
    policy: RetryPolicy = DEFAULT_RETRY,
    max_response_bytes: int = DEFAULT_LIMITS.max_response_bytes,
    sleep: Callable[[float], None] = time.sleep,
    deadline: Deadline | None = None,
) -> tuple[int, Any]:
    """POST JSON; (status, parsed body) for 2xx and non-retryable 4xx; BackendError otherwise,
    by `policy.timeout` (or `deadline`, if sooner) at the latest."""
    data = encode(body)
    headers = {"Content-Type": "application/json", "Accept": "application/json", **auth.headers()}
    ends = Deadline.after(policy.timeout, f"the request timeout ({policy.timeout:g} s)").sooner(
        deadline
    )
    last = ""
    tried = 0
    for attempt in range(policy.attempts):
        if ends.expired():
            break
        if attempt:
            pause = random.uniform(0, min(policy.max_delay, policy.base_delay * 2**attempt))
            if pause >= ends.remaining():
                break
            sleep(pause)
        tried += 1
        try:
            status, raw = _exchange(url, data, headers, ends, max_response_bytes)
        except _Expired:
            last = f"no complete answer within {ends.label}"
            break
        except OSError as e:  # refused, reset, DNS, TLS, a socket timeout
            last = auth.mask(f"cannot reach the server ({type(e).__name__}: {e})")
            continue
        except http.client.HTTPException as e:  # a status line or headers that are not HTTP
            last = f"the reply is not HTTP ({type(e).__name__}: {shown(str(e), 80)})"
            continue
        if status in RETRY_STATUSES:
            last = f"HTTP {status}{_detail(raw, auth)}"
            continue
        try:
            return status, decode(raw, max_response_bytes, status=502)
        except ProtocolError as e:
            raise BackendError(f"{_where(url)}: HTTP {status}: {e.message}", status) from None
    raise BackendError(
        f"{_where(url)}: giving up after {tried} attempt"
        f"{'s' if tried != 1 else ''}: {last or 'the deadline passed'}"
    )


def post_ok(
    url: str,
    body: Mapping[str, Any],
    *,
    auth: Auth,
    policy: RetryPolicy,
    max_response_bytes: int,
    deadline: Deadline | None = None,
) -> Any:
    """POST JSON and return the parsed body of a 200 reply; any other status raises
    (`error_for`: ProtocolError for a protocol status, BackendError otherwise)."""
    status, data = post_json(
        url,
        body,
        auth=auth,
        policy=policy,
        max_response_bytes=max_response_bytes,
        deadline=deadline,
    )
    if status != 200:
        raise error_for(url, status, data, auth)
    return data


def _exchange(
    url: str,
    data: bytes,
    headers: Mapping[str, str],
    ends: Deadline,
    max_bytes: int,
    hops: int = _MAX_HOPS,
) -> tuple[int, bytes]:
    """One POST and its reply body (at most max_bytes + 1 bytes), within `ends`."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendError(f"{_where(url)}: not an http(s) URL")
    conn, target, extra = _connection(parts, ends.remaining())
    expired = threading.Event()
    opened: list[socket.socket] = []  # the reply takes the socket over from `conn`

    def stop() -> None:  # the watchdog: unblocks any read or write in progress
        expired.set()
        for sock in opened:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(ends.remaining(), stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            conn.connect()  # bounded by its own timeout: the remaining time
            opened.append(conn.sock)
            if expired.is_set():
                raise _Expired
            conn.request("POST", target, body=data, headers={**headers, **extra})
            reply = conn.getresponse()
            status, location = reply.status, reply.getheader("Location")
            chunks, size = [], 0
            while size <= max_bytes and (chunk := reply.read1(65536)):
                chunks.append(chunk)
                size += len(chunk)
        except (OSError, http.client.HTTPException):
            if expired.is_set():
                raise _Expired from None
            raise
        if expired.is_set():
            raise _Expired
    finally:
        watchdog.cancel()
        conn.close()
    if 300 <= status < 400 and status != 304:
        return _redirect(url, status, location, data, headers, ends, max_bytes, hops)
    return status, b"".join(chunks)


def _redirect(
    url: str,
    status: int,
    location: str | None,
    data: bytes,
    headers: Mapping[str, str],
    ends: Deadline,
    max_bytes: int,
    hops: int,
) -> tuple[int, bytes]:
    target = urllib.parse.urljoin(url, location or "")
    same = _origin(target) == _origin(url)
    if status in (307, 308) and same and location and hops > 0:
        return _exchange(target, data, headers, ends, max_bytes, hops - 1)
    where = _origin(target) if location else "nowhere"
    why = (
        "another origin: credentials are never sent there"
        if not same
        else "a POST is not re-sent as a GET"
        if status not in (307, 308)
        else "too many redirects"
    )
    raise BackendError(
        f"{_where(url)}: HTTP {status} redirect to {where} not followed "
        f"({why}); set --endpoint to the URL that answers",
        status,
    )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _connection(
    parts: urllib.parse.SplitResult,
    timeout: float,
) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """A connection for the URL (through the environment's proxy, if any), the request
    target to send on it, and the headers the proxy needs."""
    host, port = parts.hostname or "", parts.port
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    proxy = (
        None if urllib.request.proxy_bypass(host) else urllib.request.getproxies().get(parts.scheme)
    )
    if proxy is None:
        if parts.scheme == "https":
            return (
                http.client.HTTPSConnection(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                ),
                target,
                {},
            )
        return http.client.HTTPConnection(host, port, timeout=timeout), target, {}
    p = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    auth = {}
    if p.username:
        user = urllib.parse.unquote(p.username) + ":" + urllib.parse.unquote(p.password or "")
        auth["Proxy-Authorization"] = "Basic " + base64.b64encode(user.encode()).decode()
    if parts.scheme == "https":  # a CONNECT tunnel: the TLS session is with the server
        tunnel = http.client.HTTPSConnection(
            p.hostname or "", p.port or 8080, timeout=timeout, context=ssl.create_default_context()
        )
        tunnel.set_tunnel(host, port or 443, headers=auth)
        return tunnel, target, {}
    conn = http.client.HTTPConnection(p.hostname or "", p.port or 8080, timeout=timeout)
    return conn, urllib.parse.urlunsplit(parts._replace(fragment="")), auth


def _where(url: str) -> str:
    return url.split("?", 1)[0]


def _detail(raw: bytes, auth: Auth) -> str:
    """A short, secret-free excerpt of an error body."""
    text = raw[:2000].decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            error = parsed.get("error", parsed.get("message", parsed.get("detail")))
            if isinstance(error, dict):
                error = error.get("message", error)
            text = error if isinstance(error, str) else shown(error, 300)
    except (ValueError, RecursionError):
        pass
    text = " ".join(auth.mask(text).split())[:300]
    return f": {text}" if text else ""


def error_for(url: str, status: int, data: Any, auth: Auth) -> Exception:
    """The exception for a non-2xx reply: protocol statuses stay ProtocolError (the CLI
    reports it as a user error, exit 2)."""
    try:
        raw = json.dumps(data).encode()
    except (ValueError, RecursionError):
        raw = b""
    detail = _detail(raw, auth)
    if status in (400, 413, 422) and isinstance(data, dict) and isinstance(data.get("error"), dict):
        return ProtocolError(status, f"{_where(url)}: {detail.removeprefix(': ')}")
    if status in (401, 403):
        return BackendError(
            f"{_where(url)}: HTTP {status}: not authorised (check the token "
            f"in ${TOKEN_ENV} or ${MODAL_KEY_ENV}/${MODAL_SECRET_ENV})",
            status,
        )
    return BackendError(f"{_where(url)}: HTTP {status}{detail}", status)
