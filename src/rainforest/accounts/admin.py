from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from rainforest.accounts import permissions as p
from rainforest.accounts import services
from rainforest.accounts.models import Membership, Organisation, SecurityPolicy, User
from rainforest.admin_site import RoleAdmin, site
from rainforest.audit.models import AuditEvent


class OrganisationForm(forms.ModelForm):
    # Not named "version": the admin would try to put the model's non-editable field in the form.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

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
class OrganisationAdmin(RoleAdmin):
    view_permission = p.ORGANISATIONS_VIEW_ALL
    write_permission = p.ACCOUNTS_MANAGE
    form = OrganisationForm
    list_display = ["name", "kind", "uscc", "district", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "uscc"]

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
class UserAdmin(RoleAdmin):
    view_permission = p.ACCOUNTS_MANAGE
    list_display = ["username", "display_name", "is_active", "last_login"]
    search_fields = ["username", "display_name"]
    list_filter = ["is_active"]
    fields = ["username", "display_name", "is_active", "last_login", "date_joined"]
    readonly_fields = fields
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate the selected accounts"), permissions=["deactivate"])
    def deactivate(self, request, queryset):
        for user in queryset:
            services.user_set_active(actor=request.principal, user=user, active=False)
        messages.success(request, _("The selected accounts have been deactivated."))

    def has_deactivate_permission(self, request):
        return self._can(request, p.ACCOUNTS_MANAGE)


@admin.register(Membership, site=site)
class MembershipAdmin(RoleAdmin):
    view_permission = p.ROLES_GRANT
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name"]
    readonly_fields = ["user", "organisation", "role", "created_at"]


@admin.register(SecurityPolicy, site=site)
class SecurityPolicyAdmin(RoleAdmin):
    view_permission = p.SECURITY_POLICY
    readonly_fields = [*services.POLICY_FIELDS, "version", "updated_at"]


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(RoleAdmin):
    view_permission = p.AUDIT_VIEW
    list_display = ["seq", "at", "actor_label", "role", "action", "subject_type", "subject_label"]
    list_filter = ["action", "role"]
    search_fields = ["actor_label", "subject_label", "subject_id", "request_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
