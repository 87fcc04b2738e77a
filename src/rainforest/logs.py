"""Log lines for operators: one JSON object per line (or plain text for a person at a console).

Every line carries the time, level, logger and message, and the request id of the request it was
logged in (``RequestIdFilter`` reads it from the audit context that RequestContextMiddleware sets).
Personal data stays out: nothing here logs a request, and the formatters blank e-mail addresses and
mainland mobile numbers that a message or a traceback might still carry (PIPL; the platform's own
code never logs them on purpose). Extra fields that are not plain JSON values (Django's
``django.request`` records attach the whole request object) are dropped rather than printed, since
their text would carry the query string, cookies or addresses.

A shared helper: it imports rainforest.audit.context only.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from rainforest.audit import context

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MOBILE = re.compile(r"(?<![\d.])(?:\+?86[- ]?)?1[3-9]\d{9}(?![\d.])")
# Resident identity numbers (17 digits and a check character) name a person; an organisation's
# credit code is no personal data and stays readable.
_IDENTITY = re.compile(r"(?<![\w.])\d{17}[\dXx](?![\w.])")
_PLAIN = (str, int, float, bool, type(None), list, dict)
_FIRST = ("time", "level", "logger", "message", "request_id")


def redact(text: str) -> str:
    """The text with e-mail addresses, mainland mobile numbers and identity numbers blanked."""
    return _IDENTITY.sub("[id]", _MOBILE.sub("[phone]", _EMAIL.sub("[email]", text)))


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (None outside requests). An id the record
    already carries is kept (the server's access line, logged after the request's context ended);
    Django logs a 4xx or 5xx answer after it too, with the request attached, which has its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request_id = context.get().request_id or getattr(getattr(record, "request", None), "request_id", "")
            record.request_id = request_id if isinstance(request_id, str) and request_id else None
        return True


class JsonFormatter(_BaseJsonFormatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra}``, UTF-8, one line."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        data = {key: log_data.get(key) for key in _FIRST}
        data.update((k, v) for k, v in log_data.items() if k not in data and isinstance(v, _PLAIN))
        return {k: redact(v) if isinstance(v, str) else v for k, v in data.items() if v is not None or k in _FIRST}


class TextFormatter(logging.Formatter):
    """A line a person reads at a console: time, level, logger, [request id], message."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_id = request_id or "-"
        try:
            return redact(super().format(record))
        finally:
            record.request_id = request_id
