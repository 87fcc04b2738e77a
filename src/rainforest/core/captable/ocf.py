"""Open Cap Format 1.2.0 in and out, for the objects this table covers.

Covered: the issuer, stakeholders, one common stock class (preferred series are recorded as
holders' units, not as classes), the option plan (the unallocated pool), and the transactions
TX_STOCK_ISSUANCE, TX_STOCK_TRANSFER, TX_STOCK_CANCELLATION, TX_STOCK_PLAN_POOL_ADJUSTMENT,
TX_EQUITY_COMPENSATION_ISSUANCE and TX_EQUITY_COMPENSATION_EXERCISE. Stock transactions follow
OCF's security chains: a transfer or cancellation closes the securities it draws on (oldest
first) and continues any remainder under a new balance security. Numbers are OCF Numeric
strings. Import checks every item against the 1.2.0 required fields of its object type and
reports each problem with the item's id; the official JSON Schema files are not bundled (they
cannot be fetched offline), so this is the field-level check, not full schema validation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections import OrderedDict

from rainforest.core.captable.problems import shown
from rainforest.core.captable.table import CapTable, Event, TableError

OCF_VERSION = "1.2.0"
CLASS_ID = "common"
PLAN_ID = "plan"
NUMERIC = re.compile(r"^[+-]?[0-9]+(\.[0-9]{1,10})?$")
REQUIRED = {
    "STAKEHOLDER": ("id", "name", "stakeholder_type"),
    "STOCK_CLASS": (
        "id",
        "name",
        "class_type",
        "default_id_prefix",
        "initial_shares_authorized",
        "votes_per_share",
        "seniority",
    ),
    "STOCK_PLAN": ("id", "plan_name", "initial_shares_reserved"),
    "TX_STOCK_ISSUANCE": (
        "id",
        "date",
        "security_id",
        "custom_id",
        "stakeholder_id",
        "security_law_exemptions",
        "stock_class_id",
        "share_price",
        "quantity",
    ),
    "TX_STOCK_TRANSFER": ("id", "date", "security_id", "quantity", "resulting_security_ids"),
    "TX_STOCK_CANCELLATION": ("id", "date", "security_id", "quantity", "reason_text"),
    "TX_STOCK_PLAN_POOL_ADJUSTMENT": ("id", "date", "stock_plan_id", "shares_reserved"),
    "TX_EQUITY_COMPENSATION_ISSUANCE": (
        "id",
        "date",
        "security_id",
        "custom_id",
        "stakeholder_id",
        "security_law_exemptions",
        "compensation_type",
        "quantity",
    ),
    "TX_EQUITY_COMPENSATION_EXERCISE": ("id", "date", "security_id", "quantity", "resulting_security_ids"),
}
OPTION_HOLDER = "(option holders)"
MAX_UNPACKED = 50 * 2**20  # a cap table is kilobytes; refuse a zip bomb before reading it


class Problems(list):
    """Problems in plain English (the list: the CLI and logs read it) and, beside each, a code and its
    parameters, so the platform can say the same thing in its reader's language."""

    def __init__(self):
        super().__init__()
        self.coded: list[tuple[str, dict]] = []

    def say(self, code: str, text: str, **params) -> None:
        self.append(text)
        self.coded.append((code, params))

    @classmethod
    def one(cls, code: str, text: str, **params) -> Problems:
        problems = cls()
        problems.say(code, text, **params)
        return problems


class OcfError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        # A plain list of texts (from elsewhere) keeps its words: code "text".
        self.coded = getattr(problems, "coded", None) or [("text", {"text": p}) for p in problems]


def _money(amount: str = "0") -> dict:
    return {"amount": amount or "0", "currency": "CNY"}


def export_package(table: CapTable, *, issuer: dict, as_of: dt.date) -> bytes:
    """The table as an .ocf.zip: manifest plus stakeholders, stock classes, plans, transactions."""
    holders: OrderedDict[str, str] = OrderedDict()
    securities: dict[str, list[list]] = {}  # holder -> [[security_id, units], ...] oldest first
    options: list[list] = []
    tx: list[dict] = []
    counter = {"n": 0}

    def new_id(prefix: str) -> str:
        counter["n"] += 1
        return f"{prefix}-{counter['n']:05d}"

    def stakeholder(name: str) -> str:
        if name not in holders:
            holders[name] = f"sh-{len(holders) + 1:04d}"
        return holders[name]

    def issue(name: str, units: int, on: dt.date, price: str = "", sid: str = "") -> str:
        sid = sid or new_id("CS")
        securities.setdefault(name, []).append([sid, units])
        tx.append(
            {
                "object_type": "TX_STOCK_ISSUANCE",
                "id": new_id("tx"),
                "date": on.isoformat(),
                "security_id": sid,
                "custom_id": sid,
                "stakeholder_id": stakeholder(name),
                "security_law_exemptions": [],
                "stock_class_id": CLASS_ID,
                "share_price": _money(price or "0"),
                "quantity": str(units),
            }
        )
        return sid

    def draw(name: str, units: int, on: dt.date, make) -> None:
        left = units
        for held in list(securities.get(name, [])):
            if left == 0:
                break
            take = min(left, held[1])
            securities[name].remove(held)
            rest = held[1] - take
            item = make(held[0], take)
            if rest:
                balance = new_id("CS")
                securities[name].insert(0, [balance, rest])
                item["balance_security_id"] = balance
            buyer = item.pop("_buyer", None)
            tx.append(item)
            if buyer:  # the transferee's new security, issued to them (OCF: transfers are terminal)
                buyer_name, sid, count = buyer
                issue(buyer_name, count, on, sid=sid)
            left -= take

    for e in sorted(table.events, key=lambda e: e.on):
        on = e.on.isoformat()
        if e.kind == "issue":
            issue(e.holder, e.units, e.on, e.price)
        elif e.kind == "transfer":
            stakeholder(e.to)

            def transfer(sid, take, e=e, on=on):
                new = f"CS-T{sid}-{take}"
                return {
                    "object_type": "TX_STOCK_TRANSFER",
                    "id": new_id("tx"),
                    "date": on,
                    "security_id": sid,
                    "quantity": str(take),
                    "resulting_security_ids": [new],
                    "_buyer": (e.to, new, take),
                }

            draw(e.holder, e.units, e.on, transfer)
        elif e.kind == "cancel":
            draw(
                e.holder,
                e.units,
                e.on,
                lambda sid, take, on=on: {
                    "object_type": "TX_STOCK_CANCELLATION",
                    "id": new_id("tx"),
                    "date": on,
                    "security_id": sid,
                    "quantity": str(take),
                    "reason_text": "cancelled",
                },
            )
        elif e.kind == "pool":
            tx.append(
                {
                    "object_type": "TX_STOCK_PLAN_POOL_ADJUSTMENT",
                    "id": new_id("tx"),
                    "date": on,
                    "stock_plan_id": PLAN_ID,
                    "shares_reserved": str(e.units),
                }
            )
        elif e.kind == "grant":
            sid = new_id("EC")
            options.append([sid, e.units])
            tx.append(
                {
                    "object_type": "TX_EQUITY_COMPENSATION_ISSUANCE",
                    "id": new_id("tx"),
                    "date": on,
                    "security_id": sid,
                    "custom_id": sid,
                    "stakeholder_id": stakeholder(OPTION_HOLDER),
                    "security_law_exemptions": [],
                    "compensation_type": "OPTION",
                    "quantity": str(e.units),
                    "stock_plan_id": PLAN_ID,
                }
            )
        elif e.kind == "exercise":
            stakeholder(e.holder)
            left = e.units
            for held in list(options):
                if left == 0:
                    break
                take = min(left, held[1])
                options.remove(held)
                stock = issue(e.holder, take, e.on)
                item = {
                    "object_type": "TX_EQUITY_COMPENSATION_EXERCISE",
                    "id": new_id("tx"),
                    "date": on,
                    "security_id": held[0],
                    "quantity": str(take),
                    "resulting_security_ids": [stock],
                }
                if held[1] > take:
                    balance = new_id("EC")
                    options.insert(0, [balance, held[1] - take])
                    item["balance_security_id"] = balance
                tx.append(item)
                left -= take
    reserved = sum(e.units for e in table.events if e.kind == "pool")
    files = {
        "stakeholders.ocf.json": {
            "file_type": "OCF_STAKEHOLDERS_FILE",
            "items": [
                {
                    "object_type": "STAKEHOLDER",
                    "id": sid,
                    "name": {"legal_name": name},
                    "stakeholder_type": "INDIVIDUAL" if name.startswith("创始人") else "INSTITUTION",
                }
                for name, sid in holders.items()
            ],
        },
        "stock_classes.ocf.json": {
            "file_type": "OCF_STOCK_CLASSES_FILE",
            "items": [
                {
                    "object_type": "STOCK_CLASS",
                    "id": CLASS_ID,
                    "name": "普通股 Common" if table.unit == "shares" else "注册资本 Registered capital",
                    "class_type": "COMMON",
                    "default_id_prefix": "CS-",
                    "initial_shares_authorized": "UNLIMITED",
                    "votes_per_share": "1",
                    "seniority": "1",
                }
            ],
        },
        "stock_plans.ocf.json": {
            "file_type": "OCF_STOCK_PLANS_FILE",
            "items": [
                {
                    "object_type": "STOCK_PLAN",
                    "id": PLAN_ID,
                    "plan_name": "期权池 Option pool",
                    "initial_shares_reserved": str(reserved),
                    "stock_class_ids": [CLASS_ID],
                }
            ]
            if reserved
            else [],
        },
        "transactions.ocf.json": {"file_type": "OCF_TRANSACTIONS_FILE", "items": tx},
    }
    blobs = {name: json.dumps(body, ensure_ascii=False, indent=1).encode() for name, body in files.items()}
    ref = {name: {"filepath": name, "md5": hashlib.md5(blob).hexdigest()} for name, blob in blobs.items()}  # noqa: S324 (OCF's own checksum)
    manifest = {
        "file_type": "OCF_MANIFEST_FILE",
        "ocf_version": OCF_VERSION,
        "as_of_date": as_of.isoformat(),
        "generated_at": dt.datetime.combine(as_of, dt.time()).isoformat() + "Z",
        "issuer": {"object_type": "ISSUER", "id": "issuer", **issuer},
        "stakeholders_files": [ref["stakeholders.ocf.json"]],
        "stock_classes_files": [ref["stock_classes.ocf.json"]],
        "stock_plans_files": [ref["stock_plans.ocf.json"]],
        "transactions_files": [ref["transactions.ocf.json"]],
        "stock_legend_templates_files": [],
        "valuations_files": [],
        "vesting_terms_files": [],
        "financing_files": [],
        "documents_files": [],
        "comments": [
            f"unit: {table.unit}; one yuan of registered capital is one unit"
            if table.unit != "shares"
            else "unit: shares"
        ],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("Manifest.ocf.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, blob in blobs.items():
            package.writestr(name, blob)
    return out.getvalue()


MAX_ITEMS = 100_000  # objects in one package; a seed-stage table has dozens
MAX_UNITS = 10**15  # shares or yuan of registered capital in one transaction (a BigIntegerField holds 9.2e18)
MAX_NAME = 200  # a holder's name as the platform stores it
MAX_PRICE = 40  # a share price as the platform stores it (text)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FILE_KEYS = ("stakeholders_files", "stock_classes_files", "stock_plans_files", "transactions_files")
# Fields read as text, and lists of text, wherever they occur.
TEXT_FIELDS = ("id", "security_id", "stakeholder_id", "stock_class_id", "stock_plan_id", "balance_security_id")
UNIT_FIELDS = ("quantity", "shares_reserved", "initial_shares_reserved")


def _ident(value) -> str:
    """An id or type for a message: as written when it is short text."""
    return value if isinstance(value, str) and len(value) <= 60 and not _CONTROL.search(value) else shown(value)


def _units(value, where: str, field: str, problems: Problems, *, allow_zero: bool) -> int | None:
    """An OCF Numeric of whole units, bounded; None (with the problem said) otherwise."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or len(text) > 40 or not NUMERIC.match(text):
        problems.say(
            "not_numeric",
            f"{where}: {field} {shown(value)} is not an OCF Numeric",
            where=where,
            field=field,
            value=shown(value),
        )
        return None
    whole, _, fraction = text.lstrip("+").partition(".")
    if fraction.strip("0"):
        problems.say(
            "not_whole", f"{where}: {field} {text} is not a whole number of units", where=where, field=field, value=text
        )
        return None
    units = int(whole)
    if units < 0 or (units == 0 and not allow_zero):
        problems.say(
            "not_positive", f"{where}: {field} {text} must be more than zero", where=where, field=field, value=text
        )
        return None
    if units > MAX_UNITS:
        problems.say(
            "too_large", f"{where}: {field} {text} is implausibly large (at most {MAX_UNITS:,})",
            where=where, field=field, value=text, max=MAX_UNITS,
        )  # fmt: skip
        return None
    return units


def _check(item, problems: Problems) -> bool:
    """The 1.2.0 required fields of the item's type, and the JSON type of every field read here."""
    if not isinstance(item, dict):
        problems.say("not_object", f"an item is {shown(item)}, not an object", value=shown(item))
        return False
    kind = item.get("object_type")
    where = f"{_ident(kind) if kind is not None else '?'} {_ident(item.get('id', '?'))}"
    if not isinstance(kind, str) or kind not in REQUIRED:
        problems.say("type_not_covered", f"{where}: object type not covered here", where=where)
        return False
    ok = True
    for field in REQUIRED[kind]:
        if field not in item:
            problems.say("required", f"{where}: {field} is required", where=where, field=field)
            ok = False
    for field in TEXT_FIELDS:
        value = item.get(field)
        if field in item and not (isinstance(value, str) and 0 < len(value) <= MAX_NAME and not _CONTROL.search(value)):
            problems.say(
                "not_identifier", f"{where}: {field} must be an identifier (text), not {shown(item[field])}",
                where=where, field=field, value=shown(item[field]),
            )  # fmt: skip
            ok = False
    for field in UNIT_FIELDS:
        if field in item and _units(item[field], where, field, problems, allow_zero=field != "quantity") is None:
            ok = False
    if "date" in item:
        try:
            dt.date.fromisoformat(item["date"])
        except (TypeError, ValueError):
            problems.say(
                "not_date", f"{where}: date {shown(item['date'])} is not a date", where=where, value=shown(item["date"])
            )
            ok = False
    if "resulting_security_ids" in item:
        ids = item["resulting_security_ids"]
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            problems.say("resulting_ids", f"{where}: resulting_security_ids must be a list of identifiers", where=where)
            ok = False
    if kind == "TX_STOCK_ISSUANCE" and "share_price" in item:
        price = item["share_price"]
        amount = price.get("amount", "") if isinstance(price, dict) else None
        if (
            amount is None
            or not isinstance(amount, str)
            or len(amount) > MAX_PRICE
            or (amount and not NUMERIC.match(amount))
        ):
            problems.say("share_price", f"{where}: share_price must be an object with a Numeric amount", where=where)
            ok = False
    if kind == "STAKEHOLDER" and "name" in item:
        name = item["name"]
        legal = name.get("legal_name", "") if isinstance(name, dict) else None
        if not isinstance(legal, str):
            problems.say("stakeholder_name", f"{where}: name must be an object with a legal_name text", where=where)
            ok = False
        elif len(legal) > MAX_NAME or _CONTROL.search(legal):
            problems.say(
                "legal_name", f"{where}: legal_name must be at most {MAX_NAME} characters, without control characters",
                where=where, max=MAX_NAME,
            )  # fmt: skip
            ok = False
    return ok


def _member(package: zipfile.ZipFile, name, problems: Problems, where: str):
    """The JSON of one member of the package, or None with the problem said."""
    if not isinstance(name, str) or not name:
        problems.say(
            "filepath", f"{where}: filepath must be a file name, not {shown(name)}", where=where, value=shown(name)
        )
        return None
    try:
        blob = package.read(name)
    except KeyError:
        problems.say("missing_file", f"{where}: {name} is missing from the package", where=where, name=name)
        return None
    # A damaged member: bad CRC or deflate stream, an unsupported compression, a password.
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError, zlib.error) as exc:
        problems.say("unpack", f"{name}: cannot be unpacked ({exc})", name=name)
        return None
    try:
        return blob, json.loads(blob)
    except RecursionError:
        problems.say("nested", f"{name}: not JSON that can be read (nested too deeply)", name=name)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer of 4,300+ digits
        problems.say("not_json", f"{name}: not a JSON file ({exc})", name=name)
    return None


def import_package(data: bytes) -> tuple[CapTable, dict]:
    """An .ocf.zip back into a table (and the issuer). Every item is checked; all problems at once.

    Raises :class:`OcfError` (listing every problem) for any package that cannot be read as a
    cap table — not a zip, no manifest, JSON of the wrong shape, missing or altered files, absurd
    numbers, repeated ids, references to nothing — and nothing else."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise OcfError(Problems.one("not_zip", f"not an OCF package: not a zip archive ({exc})")) from exc
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise OcfError(
            Problems.one(
                "unpacked", f"the package unpacks to more than {MAX_UNPACKED // 2**20} MB", mb=MAX_UNPACKED // 2**20
            )
        )
    problems = Problems()
    read = _member(package, "Manifest.ocf.json", problems, "not an OCF package")
    if read is None:
        raise OcfError(problems)
    manifest = read[1]
    if not isinstance(manifest, dict):
        raise OcfError(
            Problems.one(
                "manifest_object",
                f"Manifest.ocf.json: a JSON object is required, not {shown(manifest)}",
                value=shown(manifest),
            )
        )
    if manifest.get("ocf_version") != OCF_VERSION:
        version = shown(manifest.get("ocf_version"))
        problems.say(
            "version", f"manifest: ocf_version {version}, expected {OCF_VERSION}", value=version, expected=OCF_VERSION
        )
    issuer = manifest.get("issuer", {})
    if not isinstance(issuer, dict):
        problems.say("issuer_object", f"manifest: issuer must be an object, not {shown(issuer)}", value=shown(issuer))
        issuer = {}
    elif not isinstance(issuer.get("legal_name", ""), str) or len(issuer.get("legal_name", "")) > MAX_NAME:
        problems.say(
            "issuer_name", f"manifest: issuer.legal_name must be text of at most {MAX_NAME} characters", max=MAX_NAME
        )
        issuer = {}
    comments = manifest.get("comments", [])
    if not isinstance(comments, list) or not all(isinstance(c, str) for c in comments):
        problems.say("comments", "manifest: comments must be a list of texts")
        comments = []
    items: dict[str, list] = {}
    for key in FILE_KEYS:
        refs = manifest.get(key, [])
        if not isinstance(refs, list):
            problems.say(
                "manifest_list", f"manifest: {key} must be a list, not {shown(refs)}", key=key, value=shown(refs)
            )
            continue
        for ref in refs:
            if not isinstance(ref, dict):
                problems.say(
                    "manifest_ref", f"manifest: {key} holds {shown(ref)}, not a file reference object",
                    key=key, value=shown(ref),
                )  # fmt: skip
                continue
            read = _member(package, ref.get("filepath"), problems, f"manifest: {key}")
            if read is None:
                continue
            blob, body = read
            md5 = ref.get("md5")
            if md5 and (not isinstance(md5, str) or hashlib.md5(blob).hexdigest() != md5.lower()):  # noqa: S324
                problems.say("md5", f"{ref['filepath']}: md5 does not match the manifest", name=ref["filepath"])
            if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
                problems.say(
                    "items_list",
                    f"{ref['filepath']}: a JSON object with a list of items is required",
                    name=ref["filepath"],
                )
                continue
            items.setdefault(key, []).extend(body.get("items", []))
    if sum(len(v) for v in items.values()) > MAX_ITEMS:
        problems.say("too_many", f"the package holds more than {MAX_ITEMS:,} objects", max=MAX_ITEMS)
        raise OcfError(problems)
    names = {}
    for item in items.get("stakeholders_files", []):
        if _check(item, problems):
            if item["id"] in names:
                problems.say(
                    "stakeholder_repeat",
                    f"STAKEHOLDER {item['id']}: the id repeats an earlier stakeholder",
                    id=item["id"],
                )
            names[item["id"]] = item["name"].get("legal_name") or item["id"]
    for item in items.get("stock_classes_files", []) + items.get("stock_plans_files", []):
        _check(item, problems)
    transactions = [i for i in items.get("transactions_files", []) if _check(i, problems)]
    seen_tx: set[str] = set()
    owner: dict[str, str | None] = {}
    for i in transactions:
        if i["id"] in seen_tx:
            problems.say(
                "tx_repeat", f"{i['object_type']} {i['id']}: the id repeats an earlier transaction",
                where=f"{i['object_type']} {i['id']}",
            )  # fmt: skip
        seen_tx.add(i["id"])
        if i["object_type"] == "TX_STOCK_ISSUANCE":
            if i["security_id"] in owner:
                problems.say(
                    "issued_twice", f"{i['object_type']} {i['id']}: security {i['security_id']} is issued twice",
                    where=f"{i['object_type']} {i['id']}", security=i["security_id"],
                )  # fmt: skip
            owner[i["security_id"]] = names.get(i["stakeholder_id"])
    if problems:  # every item is well formed before the chains are followed
        raise OcfError(problems)
    transactions.sort(key=lambda i: (dt.date.fromisoformat(i["date"]), i["id"]))
    results = {r for i in transactions for r in i.get("resulting_security_ids", [])}
    events: list[Event] = []
    for item in transactions:
        kind, on, where = (
            item["object_type"],
            dt.date.fromisoformat(item["date"]),
            f"{item['object_type']} {item['id']}",
        )
        units = int(str(item.get("quantity") or item.get("shares_reserved") or 0).lstrip("+").partition(".")[0])
        if kind == "TX_STOCK_ISSUANCE":
            if owner[item["security_id"]] is None:
                problems.say(
                    "unknown_stakeholder", f"{where}: unknown stakeholder {item['stakeholder_id']}",
                    where=where, id=item["stakeholder_id"],
                )  # fmt: skip
            elif item["security_id"] not in results:
                events.append(
                    Event(on, "issue", owner[item["security_id"]], units, price=item["share_price"].get("amount", ""))
                )
        elif kind in ("TX_STOCK_TRANSFER", "TX_STOCK_CANCELLATION"):
            holder = owner.get(item["security_id"])
            if holder is None:
                problems.say(
                    "unknown_security", f"{where}: unknown security {item['security_id']}",
                    where=where, security=item["security_id"],
                )  # fmt: skip
                continue
            if item.get("balance_security_id"):
                owner[item["balance_security_id"]] = holder
            if kind == "TX_STOCK_CANCELLATION":
                events.append(Event(on, "cancel", holder, units))
            else:
                buyer = owner.get(item["resulting_security_ids"][0])
                if buyer is None:
                    problems.say(
                        "resulting_no_holder",
                        f"{where}: the resulting security is issued to no stakeholder",
                        where=where,
                    )
                    continue
                events.append(Event(on, "transfer", holder, units, to=buyer))
        elif kind == "TX_STOCK_PLAN_POOL_ADJUSTMENT":
            events.append(Event(on, "pool", units=units))
        elif kind == "TX_EQUITY_COMPENSATION_ISSUANCE":
            events.append(Event(on, "grant", units=units))
        elif kind == "TX_EQUITY_COMPENSATION_EXERCISE":
            holder = owner.get(item["resulting_security_ids"][0])
            if holder is None:
                problems.say(
                    "exercise_no_holder", f"{where}: the resulting stock is issued to no stakeholder", where=where
                )
                continue
            events.append(Event(on, "exercise", holder, units))
    if problems:
        raise OcfError(problems)
    unit = "shares" if "unit: shares" in " ".join(comments) else "registered_capital_cny"
    # Events in date order, replayed once: the same checks as applying them one by one, in linear time.
    table = CapTable(unit=unit, events=sorted(events, key=lambda e: e.on))
    try:
        table.at(dt.date.max)
    except TableError as exc:
        raise OcfError(Problems.one("table", str(exc), table_code=exc.code, **exc.params)) from exc
    return table, issuer
