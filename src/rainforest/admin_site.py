"""The Django admin as the back office, opened and limited by the same role permissions."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.permissions import BACK_OFFICE


class BackOfficeSite(admin.AdminSite):
    site_header = _("Rainforest back office")
    site_title = _("Rainforest back office")
    index_title = _("Back office")

    def has_permission(self, request) -> bool:
        principal = getattr(request, "principal", None)
        user = request.user
        return bool(principal and user.is_active and user.is_verified() and principal.permissions & BACK_OFFICE)


site = BackOfficeSite(name="admin")


class RoleAdmin(admin.ModelAdmin):
    """Read-only unless a subclass opens writes; every right comes from one permission."""

    view_permission: str = ""
    write_permission: str = ""

    def _can(self, request, permission: str) -> bool:
        principal = getattr(request, "principal", None)
        return bool(principal and permission and principal.can(permission))

    def has_module_permission(self, request):
        return self._can(request, self.view_permission)

    def has_view_permission(self, request, obj=None):
        return self._can(request, self.view_permission)

    def has_add_permission(self, request):
        return self._can(request, self.write_permission)

    def has_change_permission(self, request, obj=None):
        return self._can(request, self.write_permission)

    def has_delete_permission(self, request, obj=None):
        return False  # deletions would lose history; deactivate or revoke instead
