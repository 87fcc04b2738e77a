"""Each role's main journey on the demo city, clicked through in Chromium (issue 14, item 8).

Every page a journey shows is screenshotted (full page) and checked with axe-core against WCAG 2.1
A and AA; a serious or critical violation, or a script error, fails the journey. Links are followed
by where they lead (href), not by their wording, which the translations own.
"""

from __future__ import annotations

import pytest

# django_db: the test database must exist (the demo fixture fills it); each test then sits in a transaction
# of its own, which the server thread shares on SQLite (in memory) and does not on PostgreSQL.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_visitor_reads_the_landing_page_and_the_public_lists(journey):
    j = journey("visitor")
    j.goto("/", "landing")
    j.goto("/exchange/", "scenarios")
    j.follow("main a[href^='/exchange/scenarios/']", "scenario")
    j.goto("/exchange/lists/", "published-lists")
    j.follow("main a[href^='/exchange/lists/']", "published-list")
    j.close()


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_visitor_reads_the_public_pages_in_the_other_languages(journey, language):
    j = journey("visitor", language)
    page = j.goto("/", "landing")
    assert page.locator("html").get_attribute("lang") == language
    j.goto("/exchange/", "scenarios")
    j.follow("main a[href^='/exchange/scenarios/']", "scenario")
    j.close()


def test_enterprise_checks_itself_climbs_the_ladder_and_applies_to_a_call(journey, demo):
    call = demo.facts["open_call"]
    assert call, "the demo has no open call the enterprise has not applied to"
    j = journey("enterprise")
    j.sign_in("enterprise")
    j.goto("/policy/check/mine/", "self-check")
    j.goto("/seedling/mine/", "ladder")
    j.goto("/exchange/", "scenarios")
    j.follow("main a[href^='/exchange/scenarios/']", "scenario")
    j.goto(f"/exchange/calls/{call}/", "open-call")
    page = j.follow(f"main a[href='/exchange/calls/{call}/apply/']", "application-form")
    page.fill("textarea[name=approach]", "以现有视觉检测平台为基础，针对场景需求定制缺陷识别模型，并在试点产线验证。")
    page.fill("textarea[name=plan]", "第一个月完成数据采集与标注；第二至三个月完成模型训练与现场部署；第四个月验收。")
    page.fill("input[name=budget]", "800000")
    page.fill("textarea[name=team]", "项目负责人一名，算法工程师三名，实施工程师两名。")
    page.click("main form.stack button")
    page.wait_for_load_state("load")
    assert "/receipt/" in page.url, f"applying did not lead to a receipt but to {page.url}"
    j.check("receipt")
    j.goto("/seedling/measures/", "support-measures")
    j.close()


def test_officer_works_through_the_registry_the_pyramid_and_a_review(journey):
    j = journey("officer")
    j.sign_in("officer")
    j.goto("/registry/", "registry")
    j.follow("main td a[href^='/registry/']", "enterprise")
    j.goto("/seedling/", "pyramid")
    j.goto("/exchange/queue/", "review-queue")
    page = j.goto("/seedling/applications/?status=submitted", "measure-applications")
    form = page.locator("main form[action$='/approve/']").first
    assert form.count(), "the demo has no submitted support application for the officer to decide"
    form.locator("input[name=reason]").fill("材料齐全，符合申报条件。")
    form.locator("button").first.click()
    page.wait_for_load_state("load")
    j.check("application-approved")
    j.goto("/policy/runs/", "screening-runs")
    j.follow("main a[href^='/policy/runs/']", "screening-run")
    j.close()


def test_publisher_reads_its_scenarios_and_follows_a_call(journey, demo):
    assert demo.facts["own_call"], "the demo's publisher has no scenario with a call"
    scenario, call = demo.facts["own_call"]
    j = journey("publisher")
    j.sign_in("publisher")
    j.goto("/exchange/mine/", "my-scenarios")
    j.follow(f"main a[href='/exchange/scenarios/{scenario}/']", "scenario")
    j.follow(f"main a[href='/exchange/calls/{call}/']", "call")
    j.goto("/exchange/scenarios/new/", "new-scenario-form")
    j.close()


def test_fund_manager_reads_the_pipeline_a_deal_and_the_quarterly_report(journey, screenshots):
    j = journey("fundmanager")
    j.sign_in("fundmanager")
    j.goto("/fund/", "pipeline")
    j.follow("main a[href^='/fund/deals/']", "deal")
    page = j.goto("/fund/portfolio/", "portfolio")
    with page.expect_download() as download:
        page.click("main a[href*='format=pdf']")
    report = j.folder / "quarterly-report.pdf"
    download.value.save_as(report)
    assert report.read_bytes().startswith(b"%PDF"), "the quarterly report is not a PDF"
    j.goto("/fund/committee/", "committee")
    j.close()


def test_expert_scores_a_good_seedling_candidate(journey):
    j = journey("expert")
    j.sign_in("expert")
    j.goto("/exchange/reviews/", "call-assignments")
    j.goto("/seedling/rounds/", "selection-rounds")
    page = j.follow("main a[href^='/seedling/rounds/']", "round")
    declaration = page.locator("main textarea[name=declaration]")
    if declaration.count():  # the first visit to a round: interests are declared before any candidate is seen
        declaration.fill("与本轮候选企业无利益关系。")
        page.locator("main form:has(textarea[name=declaration]) button").click()
        page.wait_for_load_state("load")
        j.check("declared")
    page = j.follow("main a[href^='/seedling/candidacies/']", "candidate-material")
    form = page.locator("main form[action$='/score/']")
    assert form.count(), f"no score form on {page.url}"
    for field in form.locator("input[type=number]").all():
        field.fill(field.get_attribute("max") or "5")
    form.locator("textarea[name=comment]").fill("研发投入强度高，成长性好。")
    form.locator("button").click()
    page.wait_for_load_state("load")
    j.check("scored")
    j.goto("/fund/committee/", "fund-committee")
    j.close()


def test_auditor_reads_the_audit_log(journey):
    j = journey("auditor")
    j.sign_in("auditor")
    j.goto("/accounts/audit/", "audit-log")
    j.close()


def test_sysadmin_manages_users_and_jobs(journey):
    j = journey("sysadmin")
    j.sign_in("sysadmin")
    j.goto("/accounts/users/", "users")
    j.goto("/ops/jobs/", "jobs")
    j.close()


def test_security_admin_reviews_roles_and_the_password_policy(journey):
    j = journey("secadmin")
    j.sign_in("secadmin")
    j.goto("/accounts/roles/", "roles")
    j.goto("/accounts/policy/", "security-policy")
    j.close()
