"""What each kind of notice says, worded when it is shown, in the reader's language.

A notice keeps its subject (a scenario's title, a closing time, a date) in ``params`` and the
wording of the day in ``text``: the mail is sent from ``text``, and a page words the notice again
from its kind and params, so an English or Traditional reader does not read the Simplified words
the job happened to write. A notice from before ``params`` existed is shown as it was written.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from rainforest.formatting import date_cn, datetime_cn

MESSAGES = {
    "scenario_published": _("New scenario you follow: %(t)s"),
    "call_opened": _("A call is open on a scenario you follow: %(t)s. Applications close at %(when)s."),
    "deadline": _("The call on %(t)s closes at %(when)s; you can edit your application until then."),
    "notice_over": _("The notice of the call on %(t)s ended on %(d)s with no objection pending: it can be finalised."),
}


def params_of(*, title: str, when: dt.datetime | None = None, day: dt.date | None = None) -> dict:
    """The params a notice keeps (JSON: moments and days as ISO text)."""
    params = {"t": title}
    if when is not None:
        params["when"] = when.isoformat()
    if day is not None:
        params["d"] = day.isoformat()
    return params


def worded(kind: str, params: dict) -> str:
    """The notice in the active language."""
    values = dict(params)
    if "when" in values:
        values["when"] = datetime_cn(dt.datetime.fromisoformat(values["when"]))
    if "d" in values:
        values["d"] = date_cn(dt.date.fromisoformat(values["d"]))
    return str(MESSAGES[kind]) % values


def notice_text(notification) -> str:
    """What a page shows for ``notification``."""
    if notification.kind not in MESSAGES or not notification.params:
        return notification.text
    try:
        return worded(notification.kind, notification.params)
    except (KeyError, TypeError, ValueError, OverflowError):  # params of another shape: the words of the day
        return notification.text
