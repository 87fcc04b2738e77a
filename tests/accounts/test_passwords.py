import pytest
from django.core.exceptions import ValidationError

from rainforest.accounts import services
from rainforest.accounts.permissions import Principal
from tests.conftest import SYSTEM


def codes(exc):
    return {e.code for e in exc.value.error_list}


@pytest.fixture
def user(make_user):
    return make_user("wangwu")


def change(user, password):
    services.password_change(actor=Principal(user=user, membership=None), user=user, new_password=password)


def test_seven_characters_are_too_short_eight_are_enough(user):
    with pytest.raises(ValidationError) as exc:
        change(user, "Ab1#xyz")
    assert "password_too_short" in codes(exc)
    change(user, "Ab1#xyzw")


def test_two_character_classes_are_refused_three_pass(user):
    with pytest.raises(ValidationError) as exc:
        change(user, "abcdefgh12")
    assert codes(exc) == {"password_classes"}
    change(user, "abcdefgh12X")


def test_password_containing_the_username_is_refused(user):
    with pytest.raises(ValidationError) as exc:
        change(user, "XwangWu#2027")
    assert "password_username" in codes(exc)


def test_the_last_five_passwords_cannot_be_reused_the_sixth_can(user):
    history = [f"Tea#garden{i}" for i in range(5)]
    for pw in history:
        change(user, pw)
    for pw in history:
        with pytest.raises(ValidationError) as exc:
            change(user, pw)
        assert "password_reused" in codes(exc)
    change(user, "Tea#garden5")
    change(user, history[0])  # now six changes back: allowed again


def test_password_change_is_audited(user):
    from rainforest.audit.models import AuditEvent

    change(user, "Lotus#pond77")
    assert AuditEvent.objects.filter(action="auth.password.changed", subject_id=str(user.pk)).exists()


def test_initial_password_follows_the_policy_too(db):
    with pytest.raises(ValidationError):
        services.user_create(actor=SYSTEM, username="lin", password="short")
