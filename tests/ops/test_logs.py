"""Logs: one JSON object per line from every logger, the request id on each line of a request, and
no password, e-mail address or phone number in them."""

from __future__ import annotations

import io
import json
import logging
import runpy

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from rainforest.audit import context
from rainforest.logs import JsonFormatter, RequestIdFilter, TextFormatter, redact
from tests.conftest import PASSWORD

REQUEST_ID = "tests-request-0001"


def _console():
    """The handler settings.LOGGING puts on the root logger (pytest adds its own beside it)."""
    return next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter | TextFormatter))


@pytest.fixture
def printed():
    """What the platform's own handler prints while the test runs: a function giving the parsed lines."""
    handler, stream = _console(), io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


def test_outside_debug_mode_every_logger_goes_through_one_json_handler():
    handler = _console()
    assert isinstance(handler.formatter, JsonFormatter)
    assert any(isinstance(f, RequestIdFilter) for f in handler.filters)
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == [] and django_logger.propagate  # neither Django's console nor its mail


def test_a_line_has_time_level_logger_message_and_request_id(printed):
    token = context.current.set(context.RequestContext(request_id=REQUEST_ID))
    try:
        logging.getLogger("rainforest.tests").warning("index %s not loaded", "capability", extra={"documents": 3})
    finally:
        context.current.reset(token)
    logging.getLogger("rainforest.tests").warning("outside any request")
    inside, outside = printed()[-2:]
    assert list(inside)[:5] == ["time", "level", "logger", "message", "request_id"]
    assert inside["level"] == "WARNING" and inside["logger"] == "rainforest.tests"
    assert inside["message"] == "index capability not loaded" and inside["documents"] == 3
    assert inside["request_id"] == REQUEST_ID
    assert inside["time"].endswith("+00:00")
    assert outside["request_id"] is None


def test_each_line_of_a_request_carries_its_id_even_those_logged_after_it(client, printed):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID=REQUEST_ID)  # Django logs the 404 inside the request
    client.post("/healthz", HTTP_X_REQUEST_ID=REQUEST_ID + "b")  # and a 405 answer after it, request attached
    lines = printed()
    not_found = next(line for line in lines if line["message"] == "Not Found: /no-such-page/")
    assert not_found["request_id"] == REQUEST_ID and not_found["logger"] == "django.request"
    refused = next(line for line in lines if line["message"].startswith("Method Not Allowed"))
    assert refused["request_id"] == REQUEST_ID + "b"
    assert "request" not in refused  # the request object itself is never printed (query, cookies)


def test_e_mail_addresses_and_mobile_numbers_are_blanked():
    assert redact("mail to li.lei+x@example.com.cn failed") == "mail to [email] failed"
    assert redact("call 13912345678 or +86 13912345678") == "call [phone] or [phone]"
    assert redact("uscc 91330108MA2B3C4D5E, amount 1391234567800") == "uscc 91330108MA2B3C4D5E, amount 1391234567800"
    assert redact("holder 33010619900101123X signed") == "holder [id] signed"


def test_an_exception_is_one_line_with_its_traceback_redacted(printed):
    try:
        raise ValueError("duplicate contact 13912345678")
    except ValueError:
        logging.getLogger("rainforest.tests").exception("import failed for li@example.com")
    line = printed()[-1]
    assert line["message"] == "import failed for [email]"
    assert "ValueError: duplicate contact [phone]" in line["exc_info"]


def test_extra_fields_are_blanked_too(printed):
    logging.getLogger("rainforest.tests").info("sent", extra={"to": "li@example.com", "path": "/x/13912345678/"})
    line = printed()[-1]
    assert (line["to"], line["path"]) == ("[email]", "/x/[phone]/")


def test_the_text_format_is_one_readable_line_with_the_request_id():
    record = logging.LogRecord("rainforest.tests", logging.INFO, __file__, 1, "sent to %s", ("a@b.cn",), None)
    RequestIdFilter().filter(record)
    assert TextFormatter().format(record).endswith(" INFO rainforest.tests [-] sent to [email]")


@pytest.mark.django_db
def test_a_failed_sign_in_logs_no_password(client, printed, enterprise_user):
    answer = client.post("/accounts/login/", {"username": enterprise_user.username, "password": PASSWORD + "x"})
    assert answer.status_code == 200  # refused
    client.post("/accounts/login/", {"username": "nobody", "password": PASSWORD})
    assert all(PASSWORD not in json.dumps(line, ensure_ascii=False) for line in printed())


def _logging_for(monkeypatch, **environ) -> dict:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(settings.PACKAGE_DIR / "settings.py")["LOGGING"]


def test_text_is_the_default_in_debug_mode_and_json_can_be_asked_for(monkeypatch):
    assert _logging_for(monkeypatch, DEBUG="true")["handlers"]["console"]["formatter"] == "text"
    logging_config = _logging_for(monkeypatch, DEBUG="true", RAINFOREST_LOG_FORMAT="json")
    assert logging_config["handlers"]["console"]["formatter"] == "json"


def test_an_unknown_log_format_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="RAINFOREST_LOG_FORMAT must be json or text, not 'xml'"):
        _logging_for(monkeypatch, RAINFOREST_LOG_FORMAT="xml")


def test_sql_and_its_parameters_are_never_logged(monkeypatch):
    logging_config = _logging_for(monkeypatch, LOG_LEVEL="DEBUG")
    assert logging_config["loggers"]["django.db.backends"]["level"] == "INFO"
