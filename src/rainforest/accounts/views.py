from __future__ import annotations

import csv
import io
import math
from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from rainforest.accounts import forms, selectors, services
from rainforest.accounts.authentication import BACKEND, RateLimited, sign_in
from rainforest.accounts.models import ApiToken, Membership, User
from rainforest.accounts.permissions import ACCOUNTS_MANAGE, AUDIT_EXPORT, SECURITY_POLICY
from rainforest.accounts.policy import security_policy
from rainforest.audit import trail
from rainforest.core.facts.writer import defuse
from rainforest.page_actions import add_form_errors, query_page, run_form


def _safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def login_view(request):
    form = forms.LoginForm(request.POST or None)
    if request.GET.get("expired"):
        messages.info(request, _("Your session ended. Please sign in again."))
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except RateLimited:
            user = None
            form.add_error(None, _("Too many sign-in attempts. Wait a minute and try again."))
        else:
            if user is None:
                # One message for unknown user, wrong password, locked or inactive account.
                form.add_error(
                    None,
                    _(
                        "Sign-in failed: the user name or password is wrong, or the account is "
                        "locked. After 5 failures an account is locked for 30 minutes."
                    ),
                )
        if user is not None:
            login(request, user, backend=BACKEND)
            return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def _otp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        return device
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "authenticator"})
    return device


def _otp_wait(device: TOTPDevice) -> int:
    """Whole seconds until django-otp lets this device check a code again (0: it may now). After
    each wrong code the wait doubles (1, 2, 4 ... seconds); a code sent sooner is not even checked."""
    allowed, info = device.verify_is_allowed()
    if allowed or not info or not info.get("locked_until"):
        return 0
    return max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))


@login_required
def otp_view(request):
    """Set up (first time) or verify the TOTP second factor."""
    device = _otp_device(request.user)
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (wait := _otp_wait(device)):
        # Throttled: no code is checked, so none is called wrong; the user is told how long to wait.
        with transaction.atomic():
            trail.record(
                request.principal, "auth.otp.throttled", subject_type="user",
                subject_id=request.user.pk, subject_label=request.user.username, after={"wait_seconds": wait},
            )  # fmt: skip
        form.add_error(
            "token",
            ngettext(
                "Too many wrong codes in a row. Wait %(n)s second, then enter the code your app shows at that time.",
                "Too many wrong codes in a row. Wait %(n)s seconds, then enter the code your app shows at that time.",
                wait,
            )
            % {"n": wait},
        )
    elif request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        matched = (
            match_token(request.user, token) if device.confirmed else (device if device.verify_token(token) else None)
        )
        with transaction.atomic():
            if matched is not None:
                if not device.confirmed:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                trail.record(
                    request.principal, "auth.otp.verified", subject_type="user",
                    subject_id=request.user.pk, subject_label=request.user.username,
                )  # fmt: skip
            else:
                trail.record(
                    request.principal, "auth.otp.failed", subject_type="user",
                    subject_id=request.user.pk, subject_label=request.user.username,
                )  # fmt: skip
        if matched is not None:
            otp_login(request, matched)
            return redirect(_safe_next(request))
        form.add_error("token", _("That code is not valid. Check your device's clock and retry."))
    context = {"form": form, "setup": not device.confirmed, "next": _safe_next(request, "")}
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, micro=False).svg_inline(scale=4)
        context["secret"] = b32encode(device.bin_key).decode()
    return render(request, "accounts/otp.html", context)


@login_required
def password_change_view(request):
    form = forms.PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.principal, user=request.user,
                new_password=form.cleaned_data["new_password"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error("new_password", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_POST
def membership_switch_view(request):
    form = forms.MembershipSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404
    membership = get_object_or_404(Membership, pk=form.cleaned_data["membership"], user=request.user)
    request.session["membership_id"] = membership.pk
    return redirect("home")


@login_required
def users_view(request):
    users = selectors.user_list(actor=request.principal)
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_create(actor=request.principal, **form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The account has been created."))
            return redirect("accounts:users")
    page = Paginator(users, 50).get_page(query_page(request))
    return render(request, "accounts/users.html", {"form": form, "page": page, "now": timezone.now()})


@login_required
@require_POST
def user_active_view(request, pk: int):
    request.principal.require(ACCOUNTS_MANAGE)  # refused before the form is read
    user = get_object_or_404(User, pk=pk)
    run_form(request, forms.UserActiveForm, services.user_set_active, _("Saved."), user=user)
    return redirect("accounts:users")


@login_required
@require_POST
def user_password_view(request, pk: int):
    """The system administrator sets a temporary password for someone who forgot theirs."""
    request.principal.require(ACCOUNTS_MANAGE)  # refused before the form is read
    user = get_object_or_404(User, pk=pk)
    form = forms.PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.password_change(actor=request.principal, user=user, new_password=form.cleaned_data["password"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("A temporary password is set; the user must change it at the next sign-in."))
    return redirect("accounts:users")


@login_required
def roles_view(request):
    filters = forms.RoleFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    memberships = selectors.membership_list(actor=request.principal, **{k: v for k, v in chosen.items() if v})
    form = forms.RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            form.add_error("username", _("There is no account with this user name."))
        else:
            try:
                services.membership_grant(
                    actor=request.principal, user=user,
                    organisation=form.cleaned_data["organisation"], role=form.cleaned_data["role"],
                )  # fmt: skip
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The role has been granted."))
                return redirect("accounts:roles")
    page = Paginator(memberships, 50).get_page(query_page(request))
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "accounts/roles.html", {"form": form, "page": page, "filters": filters, "query": query})


@login_required
@require_POST
def role_revoke_view(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk)
    services.membership_revoke(actor=request.principal, membership=membership)
    messages.success(request, _("The role has been revoked."))
    return redirect("accounts:roles")


@login_required
def policy_view(request):
    request.principal.require(SECURITY_POLICY)
    policy = security_policy()
    form = forms.SecurityPolicyForm(request.POST or None, instance=policy, initial={"version": policy.version})
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.security_policy_update(actor=request.principal, version=form.cleaned_data["version"], **values)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The security policy has been saved."))
            return redirect("accounts:policy")
    return render(request, "accounts/policy.html", {"form": form})


def _audit_filters(request):
    form = forms.AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "action": data["action"], "actor_label": data["actor"], "subject": data["subject"],
            "since": data["since"], "until": data["until"],
        }  # fmt: skip
    return form, filters


@login_required
def audit_view(request):
    form, filters = _audit_filters(request)
    events = selectors.audit_event_list(actor=request.principal, **filters)
    verification = None
    # Reading the page writes nothing: events the worker has not sealed yet are listed first, without a
    # number. Verifying is the auditor's explicit act, and seals first.
    if form.is_bound and form.is_valid() and form.cleaned_data["verify"]:
        verification = trail.verify()
    page = Paginator(events, 50).get_page(query_page(request))
    return render(request, "accounts/audit.html", {"form": form, "page": page, "verification": verification})


@login_required
def audit_export_view(request):
    request.principal.require(AUDIT_EXPORT)
    trail.seal()  # every committed event in the file, in its place in the chain
    _form, filters = _audit_filters(request)
    events = selectors.audit_event_list(actor=request.principal, **filters)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(trail.COLUMNS)
    for event in events.iterator(chunk_size=2000):
        writer.writerow(
            [defuse(str(getattr(event, c) if getattr(event, c) is not None else "")) for c in trail.COLUMNS]
        )
    with transaction.atomic():
        trail.record(request.principal, "audit.exported", after={k: str(v) for k, v in filters.items()})
    response = HttpResponse(buf.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response


@login_required
def tokens_view(request):
    tokens = selectors.api_token_list(actor=request.principal)
    form = forms.TokenCreateForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.api_token_create(actor=request.principal, name=form.cleaned_data["name"])
        form = forms.TokenCreateForm()
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "raw": raw})


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk)
    services.api_token_revoke(actor=request.principal, token=token)
    return redirect("accounts:tokens")
