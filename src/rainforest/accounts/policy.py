"""Read the security policy (cached briefly: it is read on every request)."""

from __future__ import annotations

from django.core.cache import cache

from rainforest.accounts.models import SecurityPolicy

CACHE_KEY = "accounts:security-policy"


def security_policy() -> SecurityPolicy:
    policy = cache.get(CACHE_KEY)
    if policy is None:
        policy, _ = SecurityPolicy.objects.get_or_create(pk=1)
        cache.set(CACHE_KEY, policy, 30)
    return policy


def forget_cached_policy() -> None:
    cache.delete(CACHE_KEY)
