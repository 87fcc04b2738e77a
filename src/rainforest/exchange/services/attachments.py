"""Uploads: the type is read from the content, the size is capped, the name is generated."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.exchange.models import Attachment

# (magic prefix, content type): PDF, PNG, JPEG, and Office Open XML (zip) documents.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
)


def sniff(data: bytes) -> str | None:
    return next((ctype for magic, ctype in SIGNATURES if data.startswith(magic)), None)


def check_upload(data: bytes, name: str) -> str:
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MiB.") % {"name": name, "mb": settings.ATTACHMENT_MAX_BYTES // 2**20}
        )
    ctype = sniff(data)
    if ctype is None:
        raise ValidationError(_("%(name)s is not a PDF, PNG, JPEG or Office document.") % {"name": name})
    return ctype


def attachment_save(*, owner_type: str, owner_id: int, data: bytes, name: str, user) -> Attachment:
    """Store one upload; call inside the owner's transaction so nothing is half-saved."""
    ctype = check_upload(data, name)
    attachment = Attachment(
        owner_type=owner_type,
        owner_id=owner_id,
        original_name=name[:200],
        content_type=ctype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
        created_at=timezone.now(),
    )
    attachment.file.save("upload", ContentFile(data), save=False)
    attachment.save()
    return attachment
