import datetime as dt
import io
import json
import zipfile

import pytest

from rainforest.core.captable.ocf import OcfError, export_package, import_package
from rainforest.core.captable.table import CapTable, Event

ISSUER = {"legal_name": "杭州测试科技有限公司", "formation_date": "2023-01-01", "country_of_formation": "CN"}


def table():
    t = CapTable(unit="shares")
    for e in [
        Event(dt.date(2023, 1, 1), "issue", "创始人甲", 1_000_000),
        Event(dt.date(2023, 1, 1), "issue", "创始人乙", 500_000),
        Event(dt.date(2024, 1, 1), "pool", units=100_000),
        Event(dt.date(2024, 6, 1), "transfer", "创始人甲", 200_000, to="天使"),
        Event(dt.date(2024, 7, 1), "grant", units=40_000),
        Event(dt.date(2025, 1, 1), "exercise", "员工A", 10_000),
        Event(dt.date(2025, 2, 1), "cancel", "创始人乙", 50_000),
        Event(dt.date(2025, 3, 1), "transfer", "创始人甲", 100_000, to="天使"),
    ]:
        t.apply(e)
    return t


def test_export_and_read_back_give_the_same_table_at_every_date():
    original = table()
    package = export_package(original, issuer=ISSUER, as_of=dt.date(2025, 12, 31))
    back, issuer = import_package(package)
    assert issuer["legal_name"] == ISSUER["legal_name"] and back.unit == "shares"
    for day in (dt.date(2023, 6, 1), dt.date(2024, 6, 30), dt.date(2025, 1, 31), dt.date(2025, 12, 31)):
        assert back.at(day) == original.at(day)


def test_the_package_follows_ocf_chains():
    package = zipfile.ZipFile(io.BytesIO(export_package(table(), issuer=ISSUER, as_of=dt.date(2025, 12, 31))))
    manifest = json.loads(package.read("Manifest.ocf.json"))
    assert manifest["ocf_version"] == "1.2.0" and manifest["file_type"] == "OCF_MANIFEST_FILE"
    items = json.loads(package.read("transactions.ocf.json"))["items"]
    transfers = [i for i in items if i["object_type"] == "TX_STOCK_TRANSFER"]
    assert transfers[0]["balance_security_id"]  # 1,000,000 less 200,000 continues as a new security
    issued = {i["security_id"] for i in items if i["object_type"] == "TX_STOCK_ISSUANCE"}
    assert all(t["resulting_security_ids"][0] in issued for t in transfers)
    assert all(isinstance(i.get("quantity", "0"), str) for i in items)


def _tamper(package: bytes, name: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == name:
                body = json.loads(data)
                change(body)
                data = json.dumps(body, ensure_ascii=False).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_every_bad_item_is_named():
    package = export_package(table(), issuer=ISSUER, as_of=dt.date(2025, 12, 31))

    def damage(body):
        body["items"][0].pop("stakeholder_id")
        body["items"][1]["quantity"] = "1.12345678901"
        body["items"][2]["date"] = "2024-13-01"

    with pytest.raises(OcfError) as problem:
        import_package(_tamper(package, "transactions.ocf.json", damage))
    text = " ".join(problem.value.problems)
    assert "stakeholder_id is required" in text and "not an OCF Numeric" in text and "is not a date" in text
    assert "md5 does not match" in text


def test_a_wrong_version_or_not_a_package():
    package = export_package(table(), issuer=ISSUER, as_of=dt.date(2025, 12, 31))
    with pytest.raises(OcfError, match="expected 1.2.0"):
        import_package(_tamper(package, "Manifest.ocf.json", lambda m: m.update(ocf_version="1.1.0")))
    with pytest.raises(OcfError, match="not an OCF package"):
        import_package(b"not a zip")


def test_a_package_that_unpacks_too_large_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("Manifest.ocf.json", "{}")
        package.writestr("big.json", "0" * (51 * 2**20))
    with pytest.raises(OcfError, match="more than 50 MB"):
        import_package(out.getvalue())


def test_a_transfer_drawing_on_two_securities_reads_back():
    t = CapTable()
    for e in [
        Event(dt.date(2023, 1, 1), "issue", "A", 100),
        Event(dt.date(2023, 2, 1), "issue", "A", 50),
        Event(dt.date(2024, 1, 1), "transfer", "A", 120, to="B"),
        Event(dt.date(2024, 2, 1), "transfer", "B", 60, to="C"),
    ]:
        t.apply(e)
    back, _issuer = import_package(export_package(t, issuer=ISSUER, as_of=dt.date(2025, 1, 1)))
    assert back.at(dt.date(2025, 1, 1)) == {"A": 30, "B": 60, "C": 60}
