"""Enterprises and carriers: capabilities, subscriptions and notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import EXCHANGE_SUPPLY
from rainforest.exchange import selectors
from rainforest.exchange.forms import CapabilityForm, ReasonForm, SubscriptionForm
from rainforest.exchange.models import Subscription
from rainforest.exchange.notice_wording import notice_text
from rainforest.exchange.services import scenarios
from rainforest.exchange.services.subscriptions import notification_open, notifications_read, subscription_save
from rainforest.exchange.workflows import CAPABILITY, OFFICER, capability_capacities, offered
from rainforest.page_actions import add_form_errors, posted_choice, query_page, run_form

NOTICES_PER_PAGE = 20


@login_required
def my_capabilities_view(request):
    items = selectors.my_capabilities(actor=request.principal)
    form = CapabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # "Save as draft" saves a draft and nothing more; only the other button sends it for review.
        submit = posted_choice(request, "then", ("draft", "submit"), default="draft") == "submit"
        try:
            scenarios.capability_create(actor=request.principal, submit=submit, **form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The capability is saved and submitted for review.")
                if submit
                else _("The draft is saved. It is not submitted: submit it for review when it is ready."),
            )
            return redirect("exchange:my_capabilities")
    return render(request, "exchange/my_capabilities.html", {"items": items, "form": form})


@login_required
@require_POST
def capability_move_view(request, pk: int, move: str):
    """One move of the capability's table, named in the URL: the supplier submits or withdraws its
    own, an officer approves or returns one with reasons."""
    if not offered(CAPABILITY, move):
        raise Http404
    capability = selectors.capability_get(actor=request.principal, pk=pk)
    run_form(request, ReasonForm, scenarios.capability_move, _("Done."), capability=capability, action=move)
    if OFFICER in capability_capacities(request.principal, capability):
        return redirect("exchange:queue")
    return redirect("exchange:my_capabilities")


@login_required
def subscription_view(request):
    request.principal.require(EXCHANGE_SUPPLY)
    current = Subscription.objects.filter(user=request.user).first()
    initial = (
        {
            "domains": current.domains,
            "districts": current.districts,
            "keywords": ", ".join(current.keywords),
            "email": current.email,
        }
        if current
        else None
    )
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subscription_save(
            actor=request.principal,
            domains=data["domains"],
            districts=data["districts"],
            keywords=data["keywords"].replace("，", ",").split(","),
            email=data["email"],
        )
        messages.success(request, _("Your subscription has been saved."))
        return redirect("exchange:subscription")
    page = Paginator(selectors.notifications(actor=request.principal), NOTICES_PER_PAGE).get_page(query_page(request))
    notices = [(n, notice_text(n)) for n in page]
    return render(request, "exchange/subscription.html", {"form": form, "notices": notices, "page": page})


@login_required
def notification_open_view(request, pk: int):
    """A notice is opened from a list: it is read now, and the reader goes where it points."""
    notification = notification_open(actor=request.principal, pk=pk)
    if notification is None:
        raise Http404
    target = notification.link
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("exchange:subscription")
    return redirect(target)


@login_required
@require_POST
def notifications_read_view(request):
    notifications_read(actor=request.principal)
    return redirect("exchange:subscription")
