import pytest


@pytest.fixture
def no_backoff(settings):
    """Retries are due at once, so one batch runs a job's whole chain."""
    settings.RAINFOREST_JOB_BACKOFF_SECONDS = 0
    settings.RAINFOREST_JOB_ATTEMPTS = 5
