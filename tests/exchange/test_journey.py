"""The whole journey through the pages, each role in its own browser session."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from rainforest.accounts.choices import Role
from rainforest.exchange.models import Application, Call, Project, PublicNotice, Scenario
from tests.conftest import sign_in
from tests.exchange.conftest import PROPOSAL, SCENARIO


def browser(user):
    return sign_in(Client(), user)


def test_draft_to_landing_through_the_pages(publisher, officer, enterprise_user, outsider, expert, make_user, startup):
    pub, off, ent, rival, exp = (browser(u) for u in (publisher, officer, enterprise_user, outsider, expert))
    # a department drafts and submits
    assert pub.post("/exchange/scenarios/new/", {**SCENARIO, "contact_public": "on"}).status_code == 302
    scenario = Scenario.objects.get()
    pub.post(f"/exchange/scenarios/{scenario.pk}/moves/submit/")
    # an officer approves and publishes a batch
    off.post(f"/exchange/scenarios/{scenario.pk}/moves/approve/")
    published = off.post(
        "/exchange/lists/publish/",
        {"kind": "scenarios", "year": 2026, "number": 1, "title": "2026年第1批", "ids": [scenario.pk]},
    )
    assert published.status_code == 302
    scenario.refresh_from_db()
    assert scenario.status == "published"
    # the publisher opens a call
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M:%S"
    opened = pub.post(
        f"/exchange/scenarios/{scenario.pk}/call/",
        {
            "opens_at": (now - dt.timedelta(minutes=5)).strftime(fmt),
            "closes_at": (now + dt.timedelta(days=3)).strftime(fmt),
            "max_winners": 1,
            "rubric": "技术方案, 60, 10\n团队, 40, 10",
        },
    )
    assert opened.status_code == 302, opened.content.decode()[:2000]
    call = Call.objects.get()
    # an enterprise finds the scenario and applies; a rival too
    assert SCENARIO["title"] in Client().get("/exchange/", {"q": "巡检"}).content.decode()
    assert ent.post(f"/exchange/calls/{call.pk}/apply/", PROPOSAL).status_code == 302
    assert rival.post(f"/exchange/calls/{call.pk}/apply/", PROPOSAL).status_code == 302
    # the deadline passes; the officer starts review and forms the panel, a conflicted expert is refused
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=5))
    off.post(f"/exchange/calls/{call.pk}/start-review/")
    conflicted = make_user("carl", Role.EXPERT, startup)
    refused = off.post(f"/exchange/calls/{call.pk}/panel/", {"username": "carl"}, follow=True)
    assert "杭州甲科技有限公司" in refused.content.decode() and not conflicted.assignments.exists()
    off.post(f"/exchange/calls/{call.pk}/panel/", {"username": "ethan"})
    assignment = expert.assignments.get()
    # the expert declares, then scores both
    exp.post(f"/exchange/reviews/{assignment.pk}/", {"note": "", "confirm": "on"})
    rubric = list(call.rubric.all())
    for application in Application.objects.all():
        marks = {f"score_{r.pk}": 9 if application.applicant_id == startup.pk else 6 for r in rubric}
        exp.post(f"/exchange/reviews/{assignment.pk}/{application.pk}/", marks)
    # the publisher picks the winner with a reason: public notice
    winner = Application.objects.get(applicant=startup)
    pub.post(
        f"/exchange/calls/{call.pk}/pick/",
        {"winner": [winner.pk], f"reason_{winner.pk}": "方案完整、成本合理", "channel": "hz@example.cn"},
    )
    call.refresh_from_db()
    assert call.status == "notice"
    # five working days later, the officer finalises
    PublicNotice.objects.filter(call=call).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    off.post(f"/exchange/calls/{call.pk}/finalise/")
    project = Project.objects.get()
    assert project.enterprise_id == startup.pk
    # the project lands
    ent.post(
        f"/exchange/projects/{project.pk}/milestones/",
        {"title": "试点部署", "due_on": timezone.localdate().isoformat()},
    )
    milestone = project.milestones.get()
    ent.post(
        f"/exchange/projects/{project.pk}/milestones/{milestone.pk}/done/",
        {"evidence": "现场验收单已上传"},
    )
    pub.post(f"/exchange/projects/{project.pk}/moves/confirm_landing/", {"note": "试点达标"})
    project.refresh_from_db()
    assert project.status == "landed"
    targets = Client().get("/exchange/targets/").content.decode()
    assert "落地机会数" in targets
    from rainforest.exchange import selectors

    rows = {r["key"]: r["count"] for r in selectors.targets(timezone.localdate().year)["rows"]}
    assert rows == {"scenarios": 1, "projects": 1, "landings": 1}
