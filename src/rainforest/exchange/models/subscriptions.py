from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Subscription(models.Model):
    """What an enterprise user follows: domains, districts, keywords (any match notifies)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription")
    domains = models.JSONField(_("domains"), default=list, blank=True)
    districts = models.JSONField(_("districts"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    email = models.EmailField(_("e-mail for notices"), blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.user}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=100, help_text="what it is about, so nothing is sent twice")
    text = models.CharField(_("notice"), max_length=300)
    # The subject (title, moment, day), so a page can word the notice in its reader's language
    # (exchange.notice_wording); ``text`` is the wording of the day, which the mail sends.
    params = models.JSONField(_("notice details"), default=dict, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "key"], name="notify_once")]

    def __str__(self) -> str:
        return self.text
