"""What a committee member sees of a meeting: the quorum, who has voted and their own vote while the
meeting is open (ballots sealed), the tally and everyone's vote once it is decided; and who sees
nothing at all."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, pgettext

from rainforest.accounts.choices import OrganisationKind
from rainforest.fund import selectors, services
from tests.conftest import sign_in
from tests.fund.conftest import ON, as_actor, facts
from tests.fund.test_deals import founded_table

pytestmark = pytest.mark.django_db


def zh(text: str, context: str = "") -> str:
    with translation.override("zh-hans"):
        return pgettext(context, text) if context else gettext(text)


@pytest.fixture
def meeting(fund_manager, company, committee):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    founded_table(fm, deal)
    proposed = services.round_propose(
        actor=fm,
        deal=deal,
        name="天使轮",
        on=ON,
        pre_money="40000000",
        investors=[{"name": "x", "amount": "4000000", "is_fund": True}],
    )
    return services.meeting_open(actor=fm, round=proposed, held_on=ON - dt.timedelta(days=14))


def test_while_open_a_member_sees_the_quorum_who_voted_and_only_their_own_vote(meeting, committee):
    services.ballot_cast(actor=as_actor(committee[4]), meeting=meeting, vote="against", conditions="估值过高")
    services.ballot_cast(actor=as_actor(committee[5]), meeting=meeting, conflict="曾任该公司顾问")
    member = sign_in(Client(), committee[3])
    member.post(f"/fund/committee/{meeting.pk}/ballot/", {"vote": "for", "conditions": "完成工商变更"})
    page = member.get("/fund/committee/").content.decode()
    with translation.override("zh-hans"):
        counts = gettext("%(cast)s of %(seats)s members have voted; a decision needs at least %(quorum)s votes.") % {
            "cast": 2,
            "seats": 7,
            "quorum": 5,
        }
    assert counts in page and zh("The quorum is not reached yet.") in page
    assert page.count(zh("voted (sealed)")) == 1  # ext1's vote, not shown
    assert zh("declared an interest") in page  # a declaration is no secret: that member will not vote
    # The vote words appear in the form's choices; in the ballot table only the member's own.
    assert f"<td>{zh('Against', 'vote')}</td>" not in page and "估值过高" not in page and zh("Tally") not in page
    assert f"<td>{zh('For', 'vote')}</td>" in page and "完成工商变更" in page


def test_the_seal_holds_on_the_deal_page_until_the_decision(meeting, committee, fund_manager):
    services.ballot_cast(actor=as_actor(committee[4]), meeting=meeting, vote="against", conditions="估值过高")
    fiona = sign_in(Client(), fund_manager)
    page = fiona.get(f"/fund/deals/{meeting.round.deal_id}/").content.decode()
    assert zh("voted (sealed)") in page and "估值过高" not in page and zh("Against", "vote") not in page


def test_once_decided_everyone_on_it_sees_the_tally_and_each_vote(meeting, committee, fund_manager):
    for user in committee[:5]:
        services.ballot_cast(actor=as_actor(user), meeting=meeting, vote="for")
    services.ballot_cast(actor=as_actor(committee[5]), meeting=meeting, vote="against", conditions="估值过高")
    services.meeting_decide(actor=as_actor(fund_manager), meeting=meeting, minutes="多数通过")
    page = sign_in(Client(), committee[6]).get("/fund/committee/").content.decode()
    assert zh("Tally") in page and zh("Approved", "committee decision") in page
    assert "估值过高" in page and f"<td>{zh('Against', 'vote')}</td>" in page and zh("voted (sealed)") not in page
    assert str(committee[5]) in page and "多数通过" in page
    assert 'name="vote"' not in page  # ballots are closed
    meeting.refresh_from_db()
    board = selectors.meeting_board(meeting, list(meeting.ballots.select_related("member__user")), user=committee[6])
    assert board.tally == {"for": 5, "against": 1, "abstain": 0} and board.quorum_reached
    assert board.own.vote == "" and [line.state for line in board.lines].count("waiting") == 1


def test_the_board_opens_nothing_to_anyone_off_the_meeting(meeting, committee, make_user, make_org, enterprise_user):
    from rainforest.accounts.choices import OrganisationKind, Role

    services.ballot_cast(actor=as_actor(committee[4]), meeting=meeting, vote="against", conditions="估值过高")
    # An expert with no seat, and one seated after the meeting opened (no ballot in it).
    outsider = make_user("outsider", Role.EXPERT, make_org("浙江大学", OrganisationKind.UNIVERSITY, ""))
    client = sign_in(Client(), outsider)
    assert "估值过高" not in client.get("/fund/committee/").content.decode()
    assert client.post(f"/fund/committee/{meeting.pk}/ballot/", {"vote": "for"}).status_code == 404
    # A member who is not a fund manager never sees the deal page, where the record is kept.
    member = sign_in(Client(), committee[3])
    assert member.get(f"/fund/deals/{meeting.round.deal_id}/").status_code == 403
    assert sign_in(Client(), enterprise_user).get("/fund/committee/").status_code == 403
    assert selectors.meeting_board(meeting, list(meeting.ballots.all()), user=outsider).own is None


def test_a_member_reads_the_meetings_still_voting_first_and_can_be_sent_to_one(
    meeting, committee, fund_manager, make_org
):
    """Open meetings first, the soonest first; each has its anchor, which the workbench links to;
    an external expert is not sent to the deal's own page (it is the fund's, not theirs)."""
    fm = as_actor(fund_manager)
    other = facts(
        make_org("杭州星河光电有限公司", OrganisationKind.ENTERPRISE, "余杭区"), founded="2024-03-01", employees=12
    )
    deal = services.deal_create(actor=fm, enterprise=other, source="self")
    founded_table(fm, deal)
    proposed = services.round_propose(
        actor=fm, deal=deal, name="种子轮", on=ON, pre_money="20000000",
        investors=[{"name": "x", "amount": "2000000", "is_fund": True}],
    )  # fmt: skip
    later = services.meeting_open(actor=fm, round=proposed, held_on=ON - dt.timedelta(days=20))
    member = sign_in(Client(), committee[6])
    page = member.get("/fund/committee/").content.decode()
    assert page.index(f'id="meeting-{later.pk}"') < page.index(f'id="meeting-{meeting.pk}"')
    assert f"/fund/deals/{meeting.round.deal_id}/" not in page
    assert f"/fund/committee/#meeting-{later.pk}" in member.get("/").content.decode()
