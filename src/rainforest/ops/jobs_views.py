"""The system administrator's view of background work: the queue, the workers, failed jobs."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import JOBS_RETRY, JOBS_VIEW
from rainforest.jobs import selectors
from rainforest.ops.jobs_services import job_retry
from rainforest.page_actions import query_page, run_form


class JobRetryForm(forms.Form):
    """Nothing to type: the job is in the URL; the form carries the CSRF token."""


@login_required
def jobs_view(request):
    request.principal.require(JOBS_VIEW)
    page = Paginator(selectors.failed_jobs(), 50).get_page(query_page(request))
    return render(
        request,
        "ops/jobs.html",
        {
            "page": page,
            "failed": selectors.describe(page.object_list),
            "queue": selectors.queue_state(),
            "schedules": selectors.schedules(),
            "can_retry": request.principal.can(JOBS_RETRY),
        },
    )


@login_required
@require_POST
def job_retry_view(request, pk):
    request.principal.require(JOBS_RETRY)  # refused before the form is read
    run_form(request, JobRetryForm, job_retry, _("The job will be tried again shortly."), result_id=pk)
    return redirect("ops:jobs")
