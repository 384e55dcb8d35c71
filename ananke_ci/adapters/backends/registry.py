"""Choosing a backend: one lazy factory per name in `core/config.BACKENDS`.

`fix`, the bot's fix step and `serve` build their backend with `make_backend`; each caller
first decides the name and the settings (flags, then `[generate]`, then its default). A
factory imports its module only when called: the local backend pulls in torch and
transformers (seconds), the remote ones llguidance's tokenizer glue.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ananke_ci.core.config import BACKENDS
from ananke_ci.core.deadline import Deadline
from ananke_ci.core.errors import UserError
from ananke_ci.core.protocol import Backend
from ananke_ci.core.records import record

if TYPE_CHECKING:
    import llguidance

    from ananke_ci.adapters.backends.http_json import RetryPolicy


@record(frozen=True, slots=True)
class BackendSettings:
    model: str | None = None  # model id or local path; None: the backend's default
    endpoint: str | None = None  # the server of a remote backend
    request_timeout: float | None = None  # one remote request, retries included
    deadline: Deadline | None = None  # the whole run's
    tokenizer: llguidance.LLTokenizer | None = None  # re-check remote candidates with it
    progress: Callable[[str], None] | None = None  # told while the local model loads


Factory = Callable[[BackendSettings, Mapping[str, str]], Backend]


def _local(settings: BackendSettings, environ: Mapping[str, str]) -> Backend:
    # imported on demand: torch and transformers take seconds
    from ananke_ci.adapters.backends.local_backend import LocalBackend

    return LocalBackend(settings.model, environ=environ, progress=settings.progress)


def _endpoint(kind: str, settings: BackendSettings) -> str:
    if not settings.endpoint:
        raise UserError(f"the {kind} backend needs --endpoint URL (or [generate] endpoint)")
    return settings.endpoint


def _policy(settings: BackendSettings) -> RetryPolicy:
    from ananke_ci.adapters.backends.http_json import DEFAULT_RETRY, RetryPolicy  # http.client

    if settings.request_timeout is None:
        return DEFAULT_RETRY
    return RetryPolicy(timeout=settings.request_timeout)


def _openai(settings: BackendSettings, environ: Mapping[str, str]) -> Backend:
    # the remote clients import llguidance: off the paths that build no backend
    from ananke_ci.adapters.backends.http_json import Auth
    from ananke_ci.adapters.backends.openai_backend import OpenAIBackend

    endpoint = _endpoint("openai", settings)
    if not settings.model:
        raise UserError("the openai backend needs a model name (--model)")
    return OpenAIBackend(
        endpoint,
        settings.model,
        auth=Auth.from_env(environ),
        tokenizer=settings.tokenizer,
        policy=_policy(settings),
        deadline=settings.deadline,
    )


def _protocol(kind: str) -> Factory:
    """Our generation protocol: an `ananke-ci serve` peer or the modal_app service."""

    def make(settings: BackendSettings, environ: Mapping[str, str]) -> Backend:
        # http.client and llguidance: only a remote backend needs them
        from ananke_ci.adapters.backends.http_json import Auth
        from ananke_ci.adapters.backends.protocol_client import ProtocolClient

        return ProtocolClient(
            _endpoint(kind, settings),
            auth=Auth.from_env(environ),
            tokenizer=settings.tokenizer,
            name=kind,
            policy=_policy(settings),
            deadline=settings.deadline,
        )

    return make


FACTORIES: dict[str, Factory] = {
    "local": _local,
    "openai": _openai,
    "modal": _protocol("modal"),
    "protocol": _protocol("protocol"),  # an `ananke-ci serve` peer
}


DEFAULTS = BackendSettings()


def make_backend(
    kind: str, settings: BackendSettings = DEFAULTS, environ: Mapping[str, str] = os.environ
) -> Backend:
    """The backend called `kind` (one of `core/config.BACKENDS`); secrets only from
    `environ`."""
    factory = FACTORIES.get(kind)
    if factory is None:
        raise UserError(f"unknown backend {kind!r}; valid backends: {', '.join(BACKENDS)}")
    return factory(settings, environ)
