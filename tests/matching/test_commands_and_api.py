"""The `rainforest match` contract, the index and feedback commands, the API."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rainforest.exchange.services import calls
from rainforest.matching import selectors, services
from tests.conftest import sign_in
from tests.exchange.conftest import as_actor

SCENARIOS = (
    "id,title,description,domain\n"
    "S1,變電站四足機器人巡檢,夜間巡視、表計讀數與紅外測溫,patrol\n"
    "S2,医院物资配送,药品与标本在科室间传送,care\n"
)
CAPABILITIES = (
    "id,title,description\nC1,机器狗智能巡检系统,可爬楼梯的四足机器狗，变电站巡视与红外测温\n"
    "C2,医院物流机器人,院内药品和标本配送，自动乘梯\nC3,景区导览机器人,多语种讲解\n"
)


def run_match(tmp_path, *args, scenarios=SCENARIOS, capabilities=CAPABILITIES):
    (tmp_path / "s.csv").write_text(scenarios, encoding="utf-8")
    (tmp_path / "c.csv").write_text(capabilities, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("match", "--scenarios", str(tmp_path / "s.csv"), "--capabilities", str(tmp_path / "c.csv"),
                 *args, stdout=out, stderr=err)  # fmt: skip
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_the_entry_point_answers_the_same_without_starting_django(tmp_path, mode):
    import os
    import subprocess
    import sys

    lines, _err = run_match(tmp_path, "--mode", mode)
    probe = (
        "import sys; from rainforest.cli import main; sys.argv = ['rainforest', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit as end:\n"
        "    assert 'django.db' not in sys.modules, 'Django was started'\n    raise\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    files = ["--scenarios", str(tmp_path / "s.csv"), "--capabilities", str(tmp_path / "c.csv")]
    done = subprocess.run(
        [sys.executable, "-c", probe, "match", *files, "--mode", mode], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == lines
    refused = subprocess.run(
        [sys.executable, "-c", probe, "match", *files, "--top", "0"], capture_output=True, text=True, env=env
    )
    assert refused.returncode == 1 and "--top must be at least 1" in refused.stderr


@pytest.mark.parametrize("django", [False, True], ids=["entry point", "management command"])
def test_a_reader_that_stops_early_gets_no_traceback(tmp_path, django):
    """`rainforest match ... | head -1`: the reader closes the pipe; the command ends quietly,
    whether it ran without Django or as the management command (DJANGO_SETTINGS_MODULE set)."""
    import os
    import subprocess
    import sys

    many = "id,title,description\n" + "".join(f"S{i},变电站巡检{i},夜间巡视与红外测温\n" for i in range(3000))
    (tmp_path / "s.csv").write_text(many, encoding="utf-8")
    (tmp_path / "c.csv").write_text(CAPABILITIES, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    if django:
        env["DJANGO_SETTINGS_MODULE"] = "rainforest.settings"
    files = ["--scenarios", str(tmp_path / "s.csv"), "--capabilities", str(tmp_path / "c.csv"), "--mode", "lexical"]
    command = subprocess.Popen(
        [sys.executable, "-m", "rainforest.cli", "match", *files],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert json.loads(command.stdout.readline())["scenario"] == "S0"
    command.stdout.close()  # as `head -1` does
    err = command.stderr.read().decode()
    assert command.wait(timeout=60) == 0 and "Traceback" not in err, err


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_match_prints_one_line_per_scenario_in_the_contract_shape(tmp_path, mode):
    lines, _err = run_match(tmp_path, "--mode", mode, "--top", "2", "--format", "jsonl")
    assert [line["scenario"] for line in lines] == ["S1", "S2"]
    for line in lines:
        assert set(line) == {"scenario", "results"} and len(line["results"]) <= 2
        for result in line["results"]:
            assert set(result) == {"capability", "score", "reasons"}
            assert isinstance(result["score"], float) and all(isinstance(r, str) for r in result["reasons"])
    assert lines[0]["results"][0]["capability"] == "C1"
    assert lines[1]["results"][0]["capability"] == "C2"


def test_match_reports_an_unusable_encoder_once_and_ranks_lexically(tmp_path, settings):
    settings.MATCH_ENCODER = "sentence-transformers:/nowhere/model"
    lines, err = run_match(tmp_path, "--mode", "hybrid")
    assert err.count("unavailable") == 1
    assert lines[0]["results"][0]["capability"] == "C1"


def test_match_refuses_bad_files_with_the_reason(tmp_path):
    with pytest.raises(CommandError, match="missing column"):
        run_match(tmp_path, capabilities="name,text\na,b\n")
    with pytest.raises(CommandError, match="repeats"):
        run_match(tmp_path, scenarios="id,title,description\nS1,a,b\nS1,c,d\n")
    with pytest.raises(CommandError, match="--top"):
        run_match(tmp_path, "--top", "0")


@pytest.mark.django_db
def test_match_index_rebuild_and_save(tmp_path, settings, offers):
    settings.MATCH_INDEX_DIR = tmp_path
    out = io.StringIO()
    call_command("match_index", "save", stdout=out)
    assert "capability: 3 documents" in out.getvalue()
    assert (tmp_path / "capability" / "meta.json").exists()
    out = io.StringIO()
    call_command("match_index", "status", stdout=out)
    assert "snapshot watermark" in out.getvalue()


@pytest.mark.django_db
def test_feedback_and_outcomes_become_judgements(tmp_path, officer, publisher, published, offers, enterprise_user):
    services.feedback_record(actor=as_actor(officer), scenario=published, capability=offers["rail"], verdict="wrong")
    services.feedback_record(actor=as_actor(officer), scenario=published, capability=offers["care"], verdict="good")
    services.shortlist_toggle(actor=as_actor(publisher), scenario=published, capability=offers["dog"])
    grades = selectors.feedback_judgements()
    assert grades[(published.pk, offers["rail"].pk)] == 0
    assert grades[(published.pk, offers["care"].pk)] == 2
    assert (published.pk, offers["dog"].pk) not in grades  # shortlisted only: no outcome yet
    call = calls.call_open(
        actor=as_actor(publisher), scenario=published, opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(days=3), rubric=[("技术", 100, 10)], max_winners=1,
    )  # fmt: skip
    calls.application_submit(
        actor=as_actor(enterprise_user), call=call, approach="机器狗", plan="试点", budget=1, team="5"
    )
    assert selectors.feedback_judgements()[(published.pk, offers["dog"].pk)] == 1  # it led to an application

    call_command("match_feedback", str(tmp_path / "fb"), stdout=io.StringIO())
    rows = list(csv.DictReader((tmp_path / "fb" / "judgements.csv").open(encoding="utf-8")))
    assert len(rows) == 3
    out = io.StringIO()
    try:  # whether the built-in held-out part meets its quality targets is the bench's verdict
        call_command("bench", "match", "--quality-only", "--evalset", str(tmp_path / "fb"), stdout=out)
    except CommandError as exc:
        assert "held-out" in str(exc)
    assert f"quality on {tmp_path / 'fb'}" in out.getvalue() and "nDCG@10" in out.getvalue()
    assert "the held-out part (never tuned on)" in out.getvalue()
    assert "small files: held-out scenarios x 50 capabilities" in out.getvalue()
    assert "hybrid, fitted on the files alone" in out.getvalue() and "hybrid, files and shipped texts" in out.getvalue()


@pytest.mark.django_db
def test_match_feedback_with_nothing_recorded(tmp_path):
    with pytest.raises(CommandError, match="no feedback"):
        call_command("match_feedback", str(tmp_path / "fb"))


def test_bench_match_runs_small(capsys):
    out = io.StringIO()
    try:  # whether a busy machine meets the speed targets is the bench's verdict, not this test's
        call_command("bench", "match", "--capabilities", "300", "--scenarios", "20", "--modes", "lexical,hybrid",
                     "--baseline-queries", "3", stdout=out)  # fmt: skip
    except CommandError as exc:
        assert str(exc).startswith("targets missed: ")
    text = out.getvalue()
    assert "[lexical] index 300 capabilities" in text and "[hybrid]" in text and "ratio, baseline / ours" in text
    assert "ours on the same, no filters" in text  # the ratio compares like with like


def test_bench_match_names_each_missed_target():
    from rainforest.core.matching.documents import Mode
    from rainforest.matching.bench import _misses

    assert _misses(Mode.LEXICAL, 59.0, [19.0] * 99 + [99.0], 29.0) == []
    missed = _misses(Mode.LEXICAL, 61.0, [21.0] * 100, 31.0)
    assert [m.split(" ")[1] for m in missed] == ["index", "one", "batch"]
    assert _misses(Mode.HYBRID, 500.0, [5.0], 1.0) == []  # the index time target is the lexical mode's
    with pytest.raises(CommandError, match="--modes"):
        call_command("bench", "match", "--modes", "fuzzy")


def test_bench_races_the_entry_point_without_django(monkeypatch):
    """The race times what a user types: a child that inherited the settings module would start Django."""
    import sys

    from rainforest.matching.bench import _child_cpu

    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "rainforest.settings")
    assert _child_cpu([sys.executable, "-c", "import os, sys; sys.exit('DJANGO_SETTINGS_MODULE' in os.environ)"]) >= 0


@pytest.mark.django_db
def test_api_recommendations_and_feedback(client, officer, published, offers, enterprise_user, expert):
    sign_in(client, officer)
    data = client.get(f"/api/v1/matching/scenarios/{published.pk}/capabilities").json()
    top_two = {r["id"] for r in data["results"][:2]}
    assert top_two == {offers["rail"].pk, offers["dog"].pk} and data["results"][0]["reasons"]
    response = client.post(
        f"/api/v1/matching/scenarios/{published.pk}/feedback",
        {"capability": offers["dog"].pk, "verdict": "good"},
        content_type="application/json",
    )
    assert response.status_code == 204
    bad = client.post(
        f"/api/v1/matching/scenarios/{published.pk}/feedback",
        {"capability": offers["dog"].pk, "verdict": "maybe"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"]
    client.logout()
    sign_in(client, enterprise_user)
    assert (
        client.get(f"/api/v1/matching/scenarios/{published.pk}/capabilities").status_code == 404
    )  # not theirs to see, as on the page
    assert client.get("/api/v1/matching/scenarios-for-me").json()["results"][0]["id"] == published.pk
    client.logout()
    sign_in(client, expert)
    assert client.get("/api/v1/matching/where-to-test").status_code == 403
