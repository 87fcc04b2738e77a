from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from rainforest.accounts.models import Membership, UserSession
from rainforest.accounts.permissions import Principal
from rainforest.audit import trail


@receiver(user_logged_in)
def remember_session(sender, request, user, **kwargs):
    if request.session.session_key is None:
        request.session.save()
    request.session["auth_at"] = timezone.now().timestamp()
    UserSession.objects.get_or_create(user=user, session_key=request.session.session_key)


@receiver(user_logged_out)
def forget_session(sender, request, user, **kwargs):
    if user is None:
        return
    with transaction.atomic():
        UserSession.objects.filter(user=user, session_key=request.session.session_key).delete()
        if not request.session.get("expired"):
            principal = Principal(user=user, membership=Membership.objects.filter(user=user).first())
            trail.record(
                principal, "auth.logout", subject_type="user", subject_id=user.pk,
                subject_label=user.username,
            )  # fmt: skip
