"""Every refusal of an OCF package carries a code and its parameters beside the English text, so the
platform can say it in its reader's language; the English stays as the CLI prints it."""

import datetime as dt

import pytest

from rainforest.core.captable.ocf import OcfError, export_package, import_package
from tests.core.captable.test_ocf import ISSUER, _tamper, table


def refusal(package: bytes) -> OcfError:
    with pytest.raises(OcfError) as problem:
        import_package(package)
    return problem.value


def test_each_problem_has_a_code_and_the_english_is_unchanged():
    package = export_package(table(), issuer=ISSUER, as_of=dt.date(2025, 12, 31))

    def damage(body):
        body["items"][0].pop("stakeholder_id")
        body["items"][1]["quantity"] = "1.12345678901"
        body["items"][2]["date"] = "2024-13-01"

    error = refusal(_tamper(package, "transactions.ocf.json", damage))
    assert len(error.coded) == len(error.problems) >= 4
    codes = [code for code, _params in error.coded]
    assert {"required", "not_numeric", "not_date", "md5"} <= set(codes) and "text" not in codes
    required = dict(error.coded)["required"]
    assert required["field"] == "stakeholder_id" and required["where"].startswith("TX_STOCK_ISSUANCE ")
    assert f"{required['where']}: stakeholder_id is required" in error.problems


@pytest.mark.parametrize(
    ("package", "code", "english"),
    [
        (b"not a zip", "not_zip", "not an OCF package"),
        (None, "version", "expected 1.2.0"),
    ],
)
def test_single_refusals_are_coded_too(package, code, english):
    if package is None:
        good = export_package(table(), issuer=ISSUER, as_of=dt.date(2025, 12, 31))
        package = _tamper(good, "Manifest.ocf.json", lambda m: m.update(ocf_version="1.1.0"))
    error = refusal(package)
    assert error.coded[0][0] == code and english in error.problems[0]


def test_a_table_that_does_not_replay_keeps_the_tables_own_code():
    package = export_package(table(), issuer=ISSUER, as_of=dt.date(2025, 12, 31))

    def oversell(body):
        transfer = next(i for i in body["items"] if i["object_type"] == "TX_STOCK_TRANSFER")
        transfer["quantity"] = "9000000"  # far more than the founder holds

    def unchecked(manifest):
        for key, refs in manifest.items():
            if key.endswith("_files"):
                for ref in refs:
                    ref.pop("md5", None)  # the altered file is not refused for its checksum first

    altered = _tamper(_tamper(package, "transactions.ocf.json", oversell), "Manifest.ocf.json", unchecked)
    error = refusal(altered)
    code, params = error.coded[0]
    assert code == "table" and params["table_code"] == "more_than_held" and params["holder"] == "创始人甲"
