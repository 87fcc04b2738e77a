"""Names of the quantities rules test, in the user's language."""

from django.utils.translation import gettext_lazy as _

from rainforest.registry.models import YearlyFacts

DERIVED = {
    "age_years": _("years since founding"),
    "is_tech_sme_any": _("on the national or provincial tech-SME register"),
    "hnte_certificate_valid": _("holds a valid high-tech certificate"),
    "ip_total": _("IP held (class I and II)"),
    "rd_to_revenue_3y": _("R&D / revenue over three years"),
    "rd_domestic_share_3y": _("R&D in China / all R&D over three years"),
    "conversions_avg_3y": _("results converted per year (three-year average)"),
    "net_asset_growth": _("net asset growth"),
    "sales_growth": _("sales growth"),
    "years_of_data": _("years of figures"),
    "mainland_registered": _("registered in mainland China"),
    "tech_staff_ratio": _("tech staff / employees"),
    "rd_staff_ratio": _("R&D staff / employees"),
    "rd_to_revenue": _("R&D expense / revenue"),
    "rd_to_total_costs": _("R&D expense / total costs"),
    "high_tech_income_share": _("high-tech income / total income"),
    "score": _("score"),
    "score_range": _("score range"),
    "score.staff": _("tech-staff sub-score"),
}


def field_label(name: str) -> str:
    if name in DERIVED:
        return str(DERIVED[name])
    try:
        return str(YearlyFacts._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a name that is no model field is shown as it is
        return name


def describe(test) -> str:
    """A rule's test as a short formula, e.g. 'employees <= 100' or 'any of (…)'."""
    from rainforest.core.policy.model import AllOf, AnyOf, Compare, Unpublished

    if isinstance(test, Unpublished):
        return str(_("not published"))
    if isinstance(test, AnyOf | AllOf):
        word = _("any of") if isinstance(test, AnyOf) else _("all of")
        return f"{word} (" + "; ".join(describe(t) for t in test.tests) + ")"
    assert isinstance(test, Compare)
    label = field_label(test.field)
    if test.op in ("is_true", "is_false"):
        return f"{label} = {_('yes') if test.op == 'is_true' else _('no')}"
    if test.threshold_bands:
        bands = ", ".join(f"{b.describe()} → {b.value:g}" for b in test.threshold_bands)
        return f"{label} {test.op} [{field_label(test.threshold_field)}: {bands}]"
    value = test.value
    if isinstance(value, tuple):
        return f"{label} {test.op} {', '.join(value)}"
    return f"{label} {test.op} {value:,.10g}"


def results_context(ruleset, results, advice) -> dict:
    """Tier results laid out for the policy/_tier_results.html partial: each criterion with its
    advice ("to pass: raise X from A to B") and the advised quantity's name."""
    tiers = []
    for tier_id, result in results.items():
        rows = []
        for c in result.criteria:
            tip = advice.get((tier_id, c.id))
            rows.append({"c": c, "advice": tip, "advice_field": field_label(tip.field) if tip else ""})
        tiers.append({"tier": ruleset.tiers[tier_id], "result": result, "rows": rows})
    return {"tiers": tiers, "ruleset": ruleset}
