"""Tasks that exist only for the tests: they fail, sleep or count on demand."""

import time
from pathlib import Path

from django.core.cache import cache
from django.tasks import task

from rainforest.jobs.retries import attempts


class Flaky(RuntimeError):
    pass


@task()
def add(a, b):
    return a + b


@task()
def fail_first(key, failures):
    """Fails the first ``failures`` times it runs for ``key``, then returns how many runs it took."""
    runs = cache.get_or_set(key, 0)
    cache.set(key, runs + 1)
    if runs < failures:
        raise Flaky(f"run {runs + 1} of {key} failed")
    return runs + 1


@task()
def always_fail():
    raise Flaky("mail to zhang.san@example.com refused, call 13812345678")


@attempts(2)
@task()
def always_fail_twice_only():
    raise Flaky("still failing")


@task()
def sleep_then_touch(seconds, path):
    """The first attempt leaves a marker and sleeps (a worker killed meanwhile leaves the job RUNNING);
    any attempt then writes the file. A later attempt finds the marker and does not sleep."""
    marker = Path(path + ".started")
    if not marker.exists():
        marker.touch()
        time.sleep(seconds)
    Path(path).write_text("done")
    return "done"
