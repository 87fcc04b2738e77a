"""/api/v1/: one Ninja API, domain errors mapped once."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as RequestInvalid

from rainforest.accounts.api import BrowserSession, TokenAuth
from rainforest.accounts.api import router as accounts_router
from rainforest.accounts.errors import StaleEdit
from rainforest.api_types import request_errors
from rainforest.cockpit.api import router as cockpit_router
from rainforest.exchange.api import router as exchange_router
from rainforest.fund.api import router as fund_router
from rainforest.matching.api import router as matching_router
from rainforest.policy.api import router as policy_router
from rainforest.registry.api import router as registry_router
from rainforest.registry.problems import problem_message
from rainforest.registry.services import FactsInvalid
from rainforest.seedling.api import router as seedling_router

api = NinjaAPI(
    title="Rainforest API",
    version="1",
    urls_namespace="api-v1",
    auth=[TokenAuth(), BrowserSession()],
)
api.add_router("/", accounts_router)
api.add_router("/", registry_router)
api.add_router("/", policy_router)
api.add_router("/", exchange_router)
api.add_router("/", matching_router)
api.add_router("/", seedling_router)
api.add_router("/", fund_router)
api.add_router("/", cockpit_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": _("You may not do this.")}, status=403)


@api.exception_handler(StaleEdit)
def stale_edit(request, exc):
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": exc.messages}, status=422)


@api.exception_handler(FactsInvalid)
def facts_invalid(request, exc):
    problems = [
        {"column": p.column, "value": p.value, "code": p.code, "message": problem_message(p)} for p in exc.problems
    ]
    return api.create_response(request, {"detail": problems}, status=422)


@api.exception_handler(RequestInvalid)
def request_invalid(request, exc):
    """A request the schema refuses (wrong type, out of range, unknown choice): 422, each problem
    with where it is and what is wrong in the user's language."""
    return api.create_response(request, {"detail": request_errors(exc.errors)}, status=422)
