"""The fund's pages in the reader's words: OCF refusals in the interface language, the deal page's
buttons, units and figures as people read them, the committee's vote words."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, pgettext

from rainforest.core.captable.ocf import export_package
from rainforest.core.captable.table import CapTable, Event
from rainforest.fund import services
from rainforest.fund.choices import Vote
from tests.conftest import sign_in
from tests.core.captable.test_ocf import ISSUER, _tamper
from tests.fund.conftest import ON, as_actor
from tests.fund.test_deals import founded_table

pytestmark = pytest.mark.django_db


def _package() -> bytes:
    """A one-issuance package whose issuance lost its stakeholder (and so its checksum)."""
    t = CapTable()
    t.apply(Event(dt.date(2023, 1, 1), "issue", "创始人甲", 1_000_000))
    good = export_package(t, issuer=ISSUER, as_of=dt.date(2025, 1, 1))
    return _tamper(good, "transactions.ocf.json", lambda body: body["items"][0].pop("stakeholder_id"))


def test_an_ocf_refusal_is_in_the_readers_language(fund_manager, company):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    for language in ("zh-hans", "en"):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            services.table_import_ocf(actor=fm, deal=deal, data=_package())
        messages = refused.value.messages
        with translation.override(language):
            expected = gettext("%(where)s: %(field)s is required.") % {
                "where": "TX_STOCK_ISSUANCE tx-00002",
                "field": "stakeholder_id",
            }
            checksum = gettext("%(name)s does not match the checksum (md5) in the manifest.") % {
                "name": "transactions.ocf.json"
            }
        assert expected in messages and checksum in messages
        assert "stakeholder_id is required" not in " ".join(messages) or language == "en"


def test_the_vote_words_have_their_own_context():
    with translation.override("zh-hans"):
        words = [str(label) for _value, label in Vote.choices]
        assert words == [pgettext("vote", "For"), pgettext("vote", "Against"), pgettext("vote", "Abstain")]
        assert words[0] != gettext("For")  # the table header 适用对象 is another word


def test_the_deal_page_shows_units_money_and_dates_as_people_read_them(fund_manager, company, client):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    founded_table(fm, deal)
    services.round_propose(
        actor=fm,
        deal=deal,
        name="天使轮",
        on=ON,
        pre_money="40000000",
        investors=[{"name": "x", "amount": "4000000", "is_fund": True}, {"name": "VC", "amount": "6000000"}],
    )
    sign_in(client, fund_manager)
    page = client.get(f"/fund/deals/{deal.pk}/").content.decode()
    with translation.override("zh-hans"):
        unit = gettext("Counted in %(unit)s.") % {"unit": gettext("shares")}
        decline = gettext("Decline")
    assert unit in page and f">{decline}</button>" in page
    assert "4,000.00 万元" in page and "6,000,000" in page and "2026年11月20日" in page and "8.00 %" in page
    for raw in ("40000000", "4000000.00", "0.08<", "2026-11-20 ", ">shares<"):
        assert raw not in page, raw
