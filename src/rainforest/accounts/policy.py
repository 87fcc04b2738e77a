"""Read the security policy (cached briefly: it is read on every request)."""

from __future__ import annotations

from django.core.cache import cache

from rainforest.accounts.models import SecurityPolicy

CACHE_KEY = "accounts:security-policy"
CACHE_SECONDS = 30


def security_policy() -> SecurityPolicy:
    """The policy; with the cache unreachable every call reads the database (a miss)."""
    policy = cache.get(CACHE_KEY)
    if policy is None:
        policy, _ = SecurityPolicy.objects.get_or_create(pk=1)
        cache.set(CACHE_KEY, policy, CACHE_SECONDS)
    return policy


def forget_cached_policy() -> None:
    # A change made while Redis cannot be reached cannot delete the copy Redis holds: that copy
    # then lives out its CACHE_SECONDS, which bounds how long an old policy can still be read.
    cache.delete(CACHE_KEY)
