from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rainforest import admin_display as show
from rainforest.accounts import permissions as p
from rainforest.accounts import services
from rainforest.accounts.models import Membership, Organisation, SecurityPolicy, User
from rainforest.admin_site import site
from rainforest.audit.models import AuditEvent


class OrganisationForm(forms.ModelForm):
    # Not named "version": the admin would try to put the model's non-editable field in the form.
    opened_version = forms.IntegerField(label=_("version"), widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "uscc", "district", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            current = Organisation.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if data.get("opened_version") != current:
                raise forms.ValidationError(_("Someone else changed this organisation after you opened it."))
        return data


@admin.register(Organisation, site=site)
class OrganisationAdmin(show.PlainAdmin):
    view_permission = p.ORGANISATIONS_VIEW_ALL
    write_permission = p.ACCOUNTS_MANAGE
    form = OrganisationForm
    list_display = ["name", "kind", "uscc", "district_shown", "active_shown"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "uscc"]
    active_shown = show.column("is_active", _("active"))

    # Who may only look reads the values in plain words, without the form's hidden version.
    VIEWED = ["name", "kind", "uscc", "district_shown", "active_shown"]

    def get_fields(self, request, obj=None):
        return self.VIEWED if not self.has_change_permission(request, obj) else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return self.VIEWED
        return super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        values = {k: form.cleaned_data[k] for k in OrganisationForm.Meta.fields}
        if change:
            services.organisation_update(
                actor=request.principal, organisation=obj,
                version=form.cleaned_data.get("opened_version") or 0, **values,
            )  # fmt: skip
        else:
            created = services.organisation_create(actor=request.principal, **values)
            obj.pk = created.pk


@admin.register(User, site=site)
class UserAdmin(show.PlainAdmin):
    view_permission = p.ACCOUNTS_MANAGE
    list_display = ["username", "display_name", "active_shown", "last_login_shown"]
    search_fields = ["username", "display_name"]
    list_filter = ["is_active"]
    fields = ["username", "display_name", "active_shown", "last_login_shown", "date_joined_shown"]
    readonly_fields = fields
    active_shown = show.column("is_active", _("active"))
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate the selected accounts"), permissions=["deactivate"])
    def deactivate(self, request, queryset):
        for user in queryset:
            services.user_set_active(actor=request.principal, user=user, active=False)
        messages.success(request, _("The selected accounts have been deactivated."))

    def has_deactivate_permission(self, request):
        return self._can(request, p.ACCOUNTS_MANAGE)


@admin.register(Membership, site=site)
class MembershipAdmin(show.PlainAdmin):
    view_permission = p.ROLES_GRANT
    list_display = ["user_shown", "organisation_shown", "role", "granted_shown"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name"]
    list_select_related = ["user", "organisation"]
    fields = readonly_fields = ["user_shown", "organisation_shown", "role", "granted_shown"]
    user_shown = show.column("user", _("user"), show=str)
    organisation_shown = show.column("organisation", _("organisation"), show=str)
    granted_shown = show.column("created_at", pgettext_lazy("back office", "Granted on"))


@admin.register(SecurityPolicy, site=site)
class SecurityPolicyAdmin(show.PlainAdmin):
    view_permission = p.SECURITY_POLICY
    fields = readonly_fields = [*services.POLICY_FIELDS, "version_shown", "updated_shown"]
    version_shown = show.column("version", _("version"))
    updated_shown = show.column("updated_at", _("Updated"))


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(show.PlainAdmin):
    view_permission = p.AUDIT_VIEW
    list_display = [
        "seq_shown", "at_shown", "actor_shown", "role_shown", "action_shown", "subject_type_shown", "subject_label",
    ]  # fmt: skip
    list_filter = [
        show.choices_filter("action", _("Action"), "action", show.action_name),
        show.choices_filter("role", _("Role"), "role", show.role_name),
    ]  # fmt: skip
    search_fields = ["actor_label", "subject_label", "subject_id", "request_id"]
    # Who did what to which object, when and from where; then the chain's own fields, which a person
    # compares with an export or a verification report (shown as literals).
    fields = readonly_fields = [
        "seq_shown", "at_shown", "actor_shown", "role_shown", "organisation_label", "action_shown",
        "subject_type_shown", "subject_id_shown", "subject_label", "before_shown", "after_shown", "ip",
        "request_id_shown", "key_id_shown", "nonce_shown", "content_mac_shown", "prev_hash_shown", "hash_shown",
    ]  # fmt: skip

    seq_shown = show.column("seq", pgettext_lazy("sequence number", "No."))
    at_shown = show.column("at", _("Time"))
    actor_shown = show.column("actor_label", _("Actor"), show=show.actor)
    role_shown = show.column("role", _("Role"), show=show.role_name)
    action_shown = show.column("action", _("Action"), show=show.action_name)
    subject_type_shown = show.column("subject_type", _("object type"), show=show.subject_type_name)
    subject_id_shown = show.column("subject_id", _("object id"), show=show.literal)
    before_shown = show.column("before", _("before"), show=show.change_lines, ordering=False)
    after_shown = show.column("after", _("after"), show=show.change_lines, ordering=False)
    request_id_shown = show.column("request_id", _("request id"), show=show.literal)
    key_id_shown = show.column("key_id", _("key id"), show=show.literal)
    nonce_shown = show.column("nonce", pgettext_lazy("audit chain", "Nonce"), show=show.literal)
    content_mac_shown = show.column("content_mac", pgettext_lazy("audit chain", "Content MAC"), show=show.literal)
    prev_hash_shown = show.column("prev_hash", pgettext_lazy("audit chain", "Previous link's hash"), show=show.literal)
    hash_shown = show.column("hash", pgettext_lazy("audit chain", "Hash"), show=show.literal)

    def object_name(self, obj) -> str:
        number = obj.seq if obj.seq is not None else show.EMPTY
        return f"{number} · {show.action_name(obj.action)}"
