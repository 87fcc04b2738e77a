"""Per-request facts the audit trail records (client address, request id, acting principal)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class RequestContext:
    ip: str | None = None
    request_id: str = ""


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "rainforest_request_context", default=None
)


def get() -> RequestContext:
    """The current request's context, or an empty one outside requests (CLI, jobs)."""
    return current.get() or RequestContext()
