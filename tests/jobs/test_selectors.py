"""What the jobs page says about periodic jobs, in the reader's words."""

import datetime as dt

import pytest
from django.utils import translation

from rainforest.jobs.selectors import interval_text, schedules


@pytest.mark.parametrize(
    ("every", "text"),
    [
        (dt.timedelta(seconds=5), "every 5 seconds"),
        (dt.timedelta(seconds=90), "every 90 seconds"),
        (dt.timedelta(minutes=1), "every minute"),
        (dt.timedelta(minutes=10), "every 10 minutes"),
        (dt.timedelta(hours=1), "every hour"),
        (dt.timedelta(days=1), "every day"),
        (dt.timedelta(days=2), "every 2 days"),
    ],
)
def test_an_interval_reads_as_a_person_says_it(every, text):
    with translation.override("en"):
        assert interval_text(every) == text


def test_the_schedules_are_named_in_chinese_not_by_their_code(db):
    with translation.override("zh-hans"):
        rows = {row["name"]: row for row in schedules()}
        assert rows["audit.seal"]["every"] == "每 5 秒"
        assert rows["exchange.remind_deadlines"]["every"] == "每 1 小时"
        assert rows["audit.seal"]["label"] != "audit.seal"
