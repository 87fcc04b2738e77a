"""rainforest bootstrap: the first three administrators of a new installation (no superuser)."""

import secrets
import string

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rainforest.accounts import services
from rainforest.accounts.choices import ADMIN_ROLES, OrganisationKind, Role
from rainforest.accounts.models import Membership, Organisation
from rainforest.accounts.permissions import Principal

ACCOUNTS = (("sysadmin", Role.SYSTEM_ADMIN), ("secadmin", Role.SECURITY_ADMIN), ("auditor", Role.AUDIT_ADMIN))


def _password() -> str:
    alphabet = string.ascii_letters + string.digits + "#%+-=@"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(16))
        if (any(c.islower() for c in candidate) and any(c.isupper() for c in candidate)
                and any(c.isdigit() for c in candidate)):  # fmt: skip
            return candidate


class Command(BaseCommand):
    help = "Create the operating organisation and the system, security and audit administrators."

    def add_arguments(self, parser):
        parser.add_argument("--org-name", required=True, help="operating department, e.g. 杭州市科学技术局")
        parser.add_argument("--org-uscc", required=True, help="its unified social credit code")
        parser.add_argument("--prefix", default="", help="prefix for the three user names")

    def handle(self, *args, org_name, org_uscc, prefix, **options):
        if Membership.objects.filter(role__in=ADMIN_ROLES).exists():
            raise CommandError("Administrators exist already; the security administrator grants roles.")
        actor = Principal.system("system:bootstrap")
        created = []
        try:
            with transaction.atomic():
                org = Organisation.objects.filter(uscc=org_uscc.upper()).first()
                if org is None:
                    org = services.organisation_create(
                        actor=actor, name=org_name, kind=OrganisationKind.GOVERNMENT, uscc=org_uscc
                    )
                for name, role in ACCOUNTS:
                    password = _password()
                    user = services.user_create(actor=actor, username=prefix + name, password=password, temporary=True)
                    services.membership_grant(actor=actor, user=user, organisation=org, role=role)
                    created.append((user.username, role, password))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write("Write these down now; they are not stored in clear anywhere:")
        for username, role, password in created:
            self.stdout.write(f"  {username:<16} {role:<16} {password}")
        self.stdout.write("Each chooses their own password and sets up TOTP at first sign-in.")
