import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from rainforest.accounts.choices import OrganisationKind
from rainforest.accounts.models import Organisation
from rainforest.audit.models import AuditEvent
from rainforest.registry import services
from rainforest.registry.models import Enterprise, YearlyFacts
from rainforest.registry.problems import problem_message
from tests.conftest import SYSTEM, new_uscc

HEADER = "uscc,name,founded_on,fiscal_year,employees,tech_staff,revenue,district\n"


def csv(*rows):
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


@pytest.fixture
def codes():
    return [new_uscc() for _ in range(3)]


def good(codes):
    a, b, c = codes
    return csv(
        f"{a},杭州甲科技有限公司,2022-03-01,2024,20,8,3000000,滨江区",
        f"{a},杭州甲科技有限公司,2022-03-01,2025,25,10,4500000,滨江区",
        f"{b},杭州乙科技有限公司,2021-05-20,2025,100,100,,西湖区",
        f"{c},杭州丙科技有限公司,2020-01-10,2025,,,,",
    )


def test_import_creates_enterprises_and_years_with_audit(db, codes):
    report = services.facts_import(actor=SYSTEM, data=good(codes), filename="a.csv")
    assert (report.enterprises_created, report.facts_created) == (3, 4)
    assert Enterprise.objects.count() == 3
    facts = YearlyFacts.objects.get(enterprise__organisation__uscc=codes[1])
    assert facts.revenue is None and facts.employees == 100  # blank stays unknown
    assert AuditEvent.objects.filter(action="registry.facts.created").count() == 4
    assert AuditEvent.objects.filter(action="registry.import.completed").count() == 1


def test_reimporting_the_same_file_changes_nothing(db, codes):
    services.facts_import(actor=SYSTEM, data=good(codes))
    before = AuditEvent.objects.exclude(action="registry.import.completed").count()
    report = services.facts_import(actor=SYSTEM, data=good(codes))
    assert (report.facts_created, report.facts_updated, report.facts_unchanged) == (0, 0, 4)
    assert AuditEvent.objects.exclude(action="registry.import.completed").count() == before


def test_reimport_updates_by_code_and_year_and_records_before_and_after(db, codes):
    services.facts_import(actor=SYSTEM, data=good(codes))
    a = codes[0]
    changed = csv(f"{a},杭州甲科技有限公司,2022-03-01,2025,30,10,4500000,滨江区")
    report = services.facts_import(actor=SYSTEM, data=changed)
    assert (report.facts_updated, report.facts_unchanged) == (1, 0)
    event = AuditEvent.objects.get(action="registry.facts.updated")
    assert (event.before, event.after) == ({"employees": 25}, {"employees": 30})
    facts = YearlyFacts.objects.get(enterprise__organisation__uscc=a, fiscal_year=2025)
    assert facts.version == 2


def test_one_bad_row_saves_nothing_and_every_problem_is_listed(db, codes):
    a, b, _ = codes
    data = csv(
        f"{a},杭州甲科技有限公司,2022-03-01,2025,20,8,3000000,滨江区",
        f"{b[:-1]}{'0' if b[-1] != '0' else '1'},杭州乙科技有限公司,2021-05-20,2025,-1,0,,西湖区",
        f"{a},杭州甲科技有限公司,2022-03-01,2025,20,8,3000000,滨江区",
        f"{new_uscc()},+cmd,2099-01-01,2025,5,6,,",
    )
    with pytest.raises(services.ImportRefused) as err:
        services.facts_import(actor=SYSTEM, data=data)
    found = {(p.row, p.column, p.code) for p in err.value.problems}
    assert {(3, "uscc", "uscc_check"), (3, "employees", "negative"), (4, "uscc", "duplicate"),
            (5, "name", "formula"), (5, "founded_on", "date_future"),
            (5, "tech_staff", "tech_staff_above_employees")} <= found  # fmt: skip
    assert Organisation.objects.filter(kind="enterprise").count() == 0
    assert YearlyFacts.objects.count() == 0


def test_problems_read_in_the_users_language(db):
    from django.utils import translation

    with pytest.raises(services.ImportRefused) as err:
        services.facts_import(actor=SYSTEM, data=b"")
    with translation.override("zh-hans"):
        assert problem_message(err.value.problems[0]) == "文件为空。"
    with translation.override("zh-hant"):
        assert problem_message(err.value.problems[0]) == "檔案為空。"
    with translation.override("en"):
        assert problem_message(err.value.problems[0]) == "The file is empty."


def test_code_of_a_non_enterprise_organisation_is_refused(make_org):
    dept = make_org(name="某局", kind=OrganisationKind.GOVERNMENT)
    with pytest.raises(services.ImportRefused) as err:
        services.facts_import(actor=SYSTEM, data=csv(f"{dept.uscc},某局,2000-01-01,2025,,,,"))
    assert [p.code for p in err.value.problems] == ["not_an_enterprise"]


def test_gb18030_and_xlsx_files_import(db, codes):
    services.facts_import(actor=SYSTEM, data=good(codes).decode().encode("gb18030"))
    book = Workbook()
    ws = book.active
    for line in good(codes).decode().splitlines():
        ws.append(line.split(","))
    buf = io.BytesIO()
    book.save(buf)
    report = services.facts_import(actor=SYSTEM, data=buf.getvalue(), filename="facts.xlsx")
    assert report.facts_unchanged == 4


def test_export_then_import_round_trips(db, codes):
    services.facts_import(actor=SYSTEM, data=good(codes))
    for fmt in ("csv", "xlsx"):
        data = services.facts_export(actor=SYSTEM, fmt=fmt)
        report = services.facts_import(actor=SYSTEM, data=data, filename=f"export.{fmt}")
        assert report.facts_unchanged == 4 and report.facts_updated == 0
    assert AuditEvent.objects.filter(action="registry.exported").count() == 2


def test_cli_import_and_export(db, codes, tmp_path, capsys):
    src = tmp_path / "facts.csv"
    src.write_bytes(good(codes))
    call_command("registry", "import", str(src))
    assert "Imported 4 rows" in capsys.readouterr().out
    out = tmp_path / "out.xlsx"
    call_command("registry", "export", str(out))
    assert out.read_bytes().startswith(b"PK")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"uscc,name\n")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("registry", "import", str(bad))


@pytest.mark.parametrize("value", ["3000000000", "2147483648", "9" * 5000])
def test_an_integer_beyond_the_database_column_is_a_cell_problem_and_nothing_is_saved(db, codes, value):
    """It used to overflow the integer column (a traceback; a DataError on PostgreSQL)."""
    before = (Organisation.objects.count(), YearlyFacts.objects.count(), AuditEvent.objects.count())
    data = csv(f"{codes[0]},杭州甲科技有限公司,2022-03-01,2025,{value},8,3000000,滨江区")
    with pytest.raises(services.ImportRefused) as err:
        services.facts_import(actor=SYSTEM, data=data)
    assert [(p.row, p.column, p.value, p.code) for p in err.value.problems] == [
        (2, "employees", value, "int_too_large")
    ]
    assert "100000000" in problem_message(err.value.problems[0])
    assert (Organisation.objects.count(), YearlyFacts.objects.count(), AuditEvent.objects.count()) == before


def test_a_row_shorter_than_the_header_is_refused_not_imported_with_blanks(db, codes):
    data = csv(
        f"{codes[0]},杭州甲科技有限公司,2022-03-01,2025,20", f"{codes[1]},杭州乙科技有限公司,2021-05-20,2025,,,,"
    )
    with pytest.raises(services.ImportRefused) as err:
        services.facts_import(actor=SYSTEM, data=data)
    assert [(p.row, p.code) for p in err.value.problems] == [(2, "short_row")]
    assert "5" in problem_message(err.value.problems[0]) and "8" in problem_message(err.value.problems[0])
    assert not YearlyFacts.objects.exists()


def test_the_command_exits_1_listing_row_column_and_value(db, codes, tmp_path):
    path = tmp_path / "facts.csv"
    path.write_bytes(csv(f"{codes[0]},杭州甲科技有限公司,2022-03-01,2025,3000000000,8,3000000,滨江区",
                         f"{codes[1]},杭州乙科技有限公司,2021-05-20,2025"))  # fmt: skip
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("registry", "import", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 2\temployees\t'3000000000'" in err.getvalue() and "row 3\t-" in err.getvalue()
    assert not YearlyFacts.objects.exists()


def test_the_largest_amount_the_registry_takes_comes_back_to_the_fen(db, codes):
    """SQLite keeps decimals as doubles: amounts stop where a double still holds every fen."""
    a = codes[0]
    services.facts_import(actor=SYSTEM, data=csv(f"{a},甲科技有限公司,2020-05-01,2024,10,5,9999999999999.99,滨江区"))
    assert str(YearlyFacts.objects.get().revenue) == "9999999999999.99"
    with pytest.raises(services.ImportRefused):
        services.facts_import(actor=SYSTEM, data=csv(f"{a},甲科技有限公司,2020-05-01,2025,10,5,10000000000000,滨江区"))
