from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rainforest.accounts.choices import Role
from rainforest.accounts.models import Organisation, SecurityPolicy
from rainforest.accounts.services import POLICY_FIELDS
from rainforest.form_fields import EMPTY_CHOICE


class PlainForm(forms.Form):
    """Labels without Django's trailing colon: a label above its field needs none, and its
    translations mixed a half-width colon into Chinese labels."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _role_choices(empty):
    return [("", empty), *Role.choices]


class LoginForm(PlainForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class OtpForm(PlainForm):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the six digits shown by your authenticator app.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(PlainForm):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise forms.ValidationError(_("The current password is not correct."))
        return self.cleaned_data["old_password"]

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password2"):
            raise forms.ValidationError(_("The two new passwords differ."))
        return data


class UserCreateForm(PlainForm):
    username = forms.RegexField(
        label=_("User name"), max_length=150, regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and . @ + - _ only.")},
    )  # fmt: skip
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)


class _OrganisationCode(forms.ModelChoiceField):
    """An active organisation typed as its unified social credit code, in either case."""

    def to_python(self, value):
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)


class RoleGrantForm(PlainForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    # Typed, not chosen: a list of every organisation is 120,000 options at city scale (30 s a page).
    organisation = _OrganisationCode(
        label=_("Organisation (unified social credit code)"),
        queryset=Organisation.objects.filter(is_active=True),
        to_field_name="uscc",
        widget=forms.TextInput(attrs={"maxlength": 18, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid_choice": _("There is no active organisation with this code.")},
    )
    # No role chosen in advance: granting the first one in the list by oversight is a real risk.
    role = forms.ChoiceField(label=_("Role"), choices=lambda: _role_choices(EMPTY_CHOICE))


class RoleFilterForm(PlainForm):
    q = forms.CharField(label=_("User name"), required=False, max_length=150)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=lambda: _role_choices(pgettext_lazy("roles filter", "All roles"))
    )


class SecurityPolicyForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SecurityPolicy
        fields = POLICY_FIELDS


def _action_choices():
    """Every named action under its area, each area also chosen whole (its codes' common start)."""
    from rainforest.audit.labels import ACTIONS, AREAS

    groups: dict[str, list] = {}
    for code, name in ACTIONS.items():
        area = code.split(".", 1)[0]
        if area in AREAS:
            groups.setdefault(area, [(f"{area}.", _("All of %(area)s") % {"area": AREAS[area]})]).append((code, name))
    return [("", _("All actions"))] + [(AREAS[area], options) for area, options in groups.items()]


class AuditFilterForm(PlainForm):
    # Chosen by name, matched as the start of the code: an area's entry ("auth.") takes all of it.
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_action_choices)
    actor = forms.CharField(label=_("Actor"), required=False)
    subject = forms.CharField(label=_("Object"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"))
    verify = forms.BooleanField(required=False, widget=forms.HiddenInput)  # walk the hash chain too


class TokenCreateForm(PlainForm):
    name = forms.CharField(label=_("Token name"), max_length=100)


class PasswordResetForm(PlainForm):
    password = forms.CharField(label=_("Temporary password"), widget=forms.PasswordInput)


class MembershipSwitchForm(forms.Form):
    membership = forms.IntegerField(min_value=1)


class UserActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("1", _("Active")), ("0", _("Deactivated"))], coerce=lambda v: v == "1")
