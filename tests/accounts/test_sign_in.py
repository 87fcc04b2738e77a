import datetime as dt
import time

from django.contrib.sessions.models import Session
from django.utils import timezone

from rainforest.accounts import services
from rainforest.accounts.models import User
from rainforest.audit.models import AuditEvent
from tests.conftest import PASSWORD, SYSTEM, current_code, sign_in

REFUSED = "Sign-in failed"


def post_login(client, username, password):
    client.cookies["django_language"] = "en"
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_unknown_user_and_wrong_password_get_the_same_message(client, enterprise_user):
    unknown = post_login(client, "nobody", PASSWORD).content.decode()
    wrong = post_login(client, "alice", "Wrong#pass1").content.decode()
    assert REFUSED in unknown and REFUSED in wrong
    assert unknown.count(REFUSED) == wrong.count(REFUSED) == 1


def test_messages_are_simplified_chinese_by_default_whatever_the_browser_asks(client, enterprise_user):
    body = client.post("/accounts/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "登录失败" in body.content.decode()


def test_the_chosen_language_sticks(client, db):
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/accounts/login/"})
    assert "登入" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in client.get("/accounts/login/").content.decode()


def test_four_failures_do_not_lock_the_fifth_does(client, enterprise_user):
    for _ in range(4):
        post_login(client, "alice", "Wrong#pass1")
    assert post_login(client, "alice", PASSWORD).status_code == 302  # success resets the count
    client.post("/accounts/logout/")
    for _ in range(5):
        post_login(client, "alice", "Wrong#pass1")
    locked = post_login(client, "alice", PASSWORD)
    assert locked.status_code == 200 and REFUSED in locked.content.decode()
    user = User.objects.get(username="alice")
    assert user.locked_until - timezone.now() > dt.timedelta(minutes=29)
    assert AuditEvent.objects.filter(action="auth.account.locked").count() == 1
    assert AuditEvent.objects.filter(action="auth.login.refused_locked").count() == 1


def test_lock_expires_after_thirty_minutes(client, enterprise_user):
    User.objects.filter(pk=enterprise_user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert post_login(client, "alice", PASSWORD).status_code == 302


def test_every_authentication_event_is_audited(client, enterprise_user):
    post_login(client, "nobody", "x")
    post_login(client, "alice", "Wrong#pass1")
    post_login(client, "alice", PASSWORD)
    client.post("/accounts/logout/")
    actions = list(AuditEvent.objects.filter(action__startswith="auth.").values_list("action", flat=True))
    assert actions == ["auth.logout", "auth.login.password_ok", "auth.login.failed", "auth.login.unknown_user"]
    event = AuditEvent.objects.get(action="auth.login.password_ok")
    assert event.ip == "127.0.0.1" and event.request_id and event.role == "enterprise_user"


def test_logout_kills_the_server_session(client, enterprise_user):
    sign_in(client, enterprise_user)
    key = client.session.session_key
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/registry/mine/").status_code == 302


def test_deactivation_ends_every_session_of_the_user(client, enterprise_user, django_capture_on_commit_callbacks):
    sign_in(client, enterprise_user)
    assert client.get("/registry/mine/").status_code == 302  # redirects to the own page
    with django_capture_on_commit_callbacks(execute=True):
        services.user_set_active(actor=SYSTEM, user=enterprise_user, active=False)
    assert not Session.objects.exists()
    response = client.get("/registry/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_idle_timeout_ends_the_session(client, enterprise_user):
    sign_in(client, enterprise_user)
    session = client.session
    session["seen_at"] = timezone.now().timestamp() - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "expired=1" in response.url
    assert AuditEvent.objects.filter(action="auth.session.expired").exists()


def test_activity_within_thirty_minutes_keeps_the_session(client, enterprise_user):
    sign_in(client, enterprise_user)
    session = client.session
    session["seen_at"] = timezone.now().timestamp() - 29 * 60
    session.save()
    assert client.get("/").status_code == 200


def test_absolute_lifetime_ends_even_an_active_session(client, enterprise_user):
    sign_in(client, enterprise_user)
    session = client.session
    session["auth_at"] = timezone.now().timestamp() - 8 * 3600 - 1
    session.save()
    assert client.get("/").status_code == 302


def test_officer_must_pass_totp_before_any_page(client, officer):
    post_login(client, "olivia", PASSWORD)
    response = client.get("/registry/")
    assert response.status_code == 302 and response.url.startswith("/accounts/otp/")
    assert client.get("/api/v1/enterprises").status_code in (401, 403)
    bad = client.post("/accounts/otp/", {"token": "000000" if current_code(officer) != "000000" else "111111"})
    assert bad.status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp.failed").exists()
    time.sleep(1.1)  # django-otp throttles: one failure costs one second before the next try
    client.post("/accounts/otp/", {"token": current_code(officer)})
    assert client.get("/registry/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp.verified").exists()


def test_privileged_user_without_a_device_is_led_to_set_one_up(client, make_user, bureau):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rainforest.accounts.choices import Role

    user = make_user("newofficer", Role.PROGRAMME_OFFICER, bureau)
    TOTPDevice.objects.filter(user=user).delete()
    post_login(client, "newofficer", PASSWORD)
    page = client.get("/accounts/otp/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    from django_otp.oath import totp

    client.post("/accounts/otp/", {"token": f"{totp(device.bin_key):06d}"})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/registry/").status_code == 200


def test_enterprise_user_needs_no_second_factor(client, enterprise_user):
    post_login(client, "alice", PASSWORD)
    assert client.get("/registry/mine/").status_code == 302
    assert client.get("/registry/mine/").url.startswith("/registry/9")


def test_expired_password_of_a_privileged_role_must_be_changed(client, officer):
    User.objects.filter(pk=officer.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    sign_in(client, officer)
    response = client.get("/registry/")
    assert response.status_code == 302 and response.url == "/accounts/password/"
    client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Camellia#2028",
                                        "new_password2": "Camellia#2028"})  # fmt: skip
    assert client.get("/registry/").status_code == 200


def test_enterprise_passwords_do_not_expire(client, enterprise_user):
    User.objects.filter(pk=enterprise_user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=400))
    sign_in(client, enterprise_user)
    assert client.get("/").status_code == 200


def test_an_enterprise_user_who_set_up_totp_is_held_to_it(client, enterprise_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=enterprise_user, name="own choice", confirmed=True)
    post_login(client, "alice", PASSWORD)
    assert client.get("/").url.startswith("/accounts/otp/")
    client.post("/accounts/otp/", {"token": current_code(enterprise_user)})
    assert client.get("/").status_code == 200


def test_system_administrator_resets_a_forgotten_password_to_a_temporary_one(client, sysadmin, enterprise_user):
    from django.test import Client

    admin = sign_in(Client(), sysadmin)
    reset = admin.post(f"/accounts/users/{enterprise_user.pk}/password/", {"password": "Temp#Pass2026"})
    assert reset.status_code == 302
    assert AuditEvent.objects.filter(action="auth.password.reset", subject_id=str(enterprise_user.pk)).exists()
    post_login(client, "alice", "Temp#Pass2026")
    assert client.get("/").url == "/accounts/password/"  # must choose their own first
    client.post("/accounts/password/", {"old_password": "Temp#Pass2026", "new_password": "Own#Choice2026",
                                        "new_password2": "Own#Choice2026"})  # fmt: skip
    assert client.get("/").status_code == 200


def test_only_the_system_administrator_resets_passwords(client, secadmin, enterprise_user):
    sign_in(client, secadmin)
    reset = client.post(f"/accounts/users/{enterprise_user.pk}/password/", {"password": "Temp#Pass2026"})
    assert reset.status_code == 403


def test_client_address_behind_trusted_proxies_only(rf, settings):
    from rainforest.accounts.middleware import client_ip

    settings.TRUSTED_PROXIES = frozenset({"10.0.0.1"})
    forged = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="203.0.113.9")
    assert client_ip(forged) == "203.0.113.9"  # not from our proxy: the header is ignored
    proxied = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert client_ip(proxied) == "198.51.100.7"  # the address our proxy saw, not what the client claimed
