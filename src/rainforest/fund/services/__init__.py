"""Every write of the Seedling fund, one module per concern: deals (workflow and checklist),
captable (events, OCF), rounds (proposal with its compliance report, recording), committee (seats,
meetings, ballots, decisions) and money (flows and write-downs). Each runs in one transaction with
its audit record. The names below are the fund's service surface for pages, the API and the demo."""

from rainforest.fund.services.captable import table_event_add, table_export_ocf, table_import_ocf, table_of
from rainforest.fund.services.committee import ballot_cast, committee_seat, meeting_decide, meeting_open, quorum
from rainforest.fund.services.common import FUND_NAME
from rainforest.fund.services.deals import CHECKLIST, checklist_set, deal_create, deal_move
from rainforest.fund.services.money import flow_record, mark_write_down
from rainforest.fund.services.rounds import round_propose, round_record

__all__ = [
    "CHECKLIST",
    "FUND_NAME",
    "ballot_cast",
    "checklist_set",
    "committee_seat",
    "deal_create",
    "deal_move",
    "flow_record",
    "mark_write_down",
    "meeting_decide",
    "meeting_open",
    "quorum",
    "round_propose",
    "round_record",
    "table_event_add",
    "table_export_ocf",
    "table_import_ocf",
    "table_of",
]
