import pytest
from django.db import transaction

from tests.plain_language import demo_city


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo city, loaded once for the module inside a transaction rolled back after it (as the
    permission matrix's world is), so the rest of the suite never sees it; each test's own savepoint
    (its django_db mark) sits inside."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo_city.load()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
