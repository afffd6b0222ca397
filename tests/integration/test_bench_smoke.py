"""``hubbub bench``, tiny runs of every scenario through the real command: the report's
fields are there and nothing is lost. No timing is asserted: these are not measurements."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from conftest import query
from hubbub.bench import inspircd
from hubbub.bench.catalog import SENDERS
from hubbub.bench.rooms import plan_rooms
from hubbub.cli import main

if TYPE_CHECKING:
    from conftest import ServerProcess
    from postgres import PostgresServer
    from redis_server import RedisServer

RUN_SECONDS = 60

HEADLINES = {
    "fanout": {"server CPU per delivery", "latency p50", "latency p99", "latency max"},
    "dm": {"server CPU per direct message", "latency p99", "latency max"},
    "idle": {"server RSS per idle connection", "connections signed in"},
    "signin": {
        "token sign-ins per second",
        "password sign-ins per second",
        "lobby latency during the storm p99",
    },
    "soak": {
        "acknowledgement p99",
        "acknowledgement p99, worst window",
        "windows with acknowledgement p99 > 100 ms",
    },
}


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUBBUB_")}
    return subprocess.run(
        [sys.executable, "-m", "hubbub", "bench", *args],
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        env=env,
        check=False,
    )


def run_to_report(tmp_path: Path, *args: str) -> dict[str, Any]:
    path = tmp_path / "report.json"
    done = bench(*args, "--json", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout
    report: dict[str, Any] = json.loads(path.read_text())
    return report


def assert_nothing_lost(report: dict[str, Any]) -> None:
    assert report["passed"] is True
    assert report["errors"] == []
    assert report["deliveries_expected"] > 0
    assert report["deliveries_received"] == report["deliveries_expected"]
    assert report["lost"] == report["duplicates"] == report["unexpected"] == 0


@pytest.mark.parametrize(
    ("scenario", "options", "owed"),
    [
        ("fanout", ["--clients", "20", "--messages", "50"], 20 * 50),
        ("fanout", ["--clients", "20", "--messages", "50", "--irc", "10"], 20 * 50),
        ("fanout", ["--clients", "20", "--messages", "50", "--irc", "20"], 20 * 50),
        ("dm", ["--clients", "20", "--rate", "200", "--duration", "1"], 2 * 200),
        ("idle", ["--clients", "50"], 50),
        ("signin", ["--clients", "20", "--password-clients", "5"], None),
        ("soak", ["--clients", "10", "--rate", "10", "--duration", "2"], 9 * 20),
    ],
)
def test_a_tiny_run_of_each_scenario_reports_every_delivery_once(
    tmp_path: Path, scenario: str, options: list[str], owed: int | None
) -> None:
    report = run_to_report(tmp_path, scenario, *options)

    assert report["scenario"] == scenario
    assert_nothing_lost(report)
    if owed is not None:
        assert report["deliveries_expected"] == owed
    metrics = {metric["name"]: metric for metric in report["metrics"]}
    assert HEADLINES[scenario] <= set(metrics)
    for metric in metrics.values():
        assert metric["value"] is not None, metric
        assert (metric["met"] is None) == (metric["target"] is None), metric
    assert report["own_server"] is True
    assert report["server_cpu_s"] is not None
    assert report["server_rss_kib"] > 0
    assert report["generator_cpu_s"] >= 0
    assert report["phases"]
    assert report["latency"]["samples"] > 0


def test_the_report_notes_its_servers_commits_from_metrics(tmp_path: Path) -> None:
    report = run_to_report(tmp_path, "fanout", "--clients", "10", "--messages", "30")
    (note,) = [note for note in report["notes"] if note.startswith("commits: ")]
    assert "batch size p50" in note
    assert "commit latency p99" in note


def test_messages_posted_to_rooms_are_owed_to_their_members_only(tmp_path: Path) -> None:
    clients, messages, rooms = 20, 40, 5
    report = run_to_report(
        tmp_path,
        "fanout",
        *("--clients", str(clients), "--messages", str(messages)),
        *("--rooms", str(rooms)),
    )

    assert_nothing_lost(report)
    assert report["parameters"]["rooms"] == rooms
    plan = plan_rooms("any", rooms, clients, SENDERS)
    each = messages // SENDERS
    owed = sum(len(plan[(s + n) % rooms].members) for s in range(SENDERS) for n in range(each))
    assert owed < clients * messages
    assert report["deliveries_expected"] == owed
    cpu = next(m for m in report["metrics"] if m["name"] == "server CPU per delivery")
    assert cpu["value"] is not None
    assert any("5 rooms, each client in 3" in note for note in report["notes"])


def test_rooms_need_a_server_of_the_benchmarks_own() -> None:
    done = bench("fanout", "--rooms", "3", "--url", "http://127.0.0.1:9")

    assert done.returncode == 2
    assert "--rooms needs a server of the benchmark's own" in done.stderr


def test_a_running_server_is_measured_without_cpu_or_memory_figures(
    tmp_path: Path, server_process: ServerProcess
) -> None:
    server_process.start()

    report = run_to_report(
        tmp_path, "fanout", "--url", server_process.url, "--clients", "4", "--messages", "8"
    )

    assert_nothing_lost(report)
    assert report["own_server"] is False
    assert report["server_cpu_s"] is None
    assert report["server_rss_kib"] is None
    cpu = next(m for m in report["metrics"] if m["name"] == "server CPU per delivery")
    assert cpu["value"] is None


def test_an_option_the_scenario_has_no_use_for_is_refused() -> None:
    done = bench("idle", "--rate", "5")

    assert done.returncode == 2
    assert "idle has no use for --rate" in done.stderr


@pytest.mark.parametrize(
    ("scenario", "options", "owed", "headline"),
    [
        ("fanout", ["--clients", "20", "--messages", "50"], (20 * 50, 20 * 50), "latency p50"),
        ("dm", ["--clients", "20", "--rate", "200", "--duration", "1"], (400, 400), "latency p50"),
        # On IRC the idle clients are in no channel: the lobby message is hubbub's only.
        ("idle", ["--clients", "50"], (50, 0), "connections signed in"),
    ],
)
def test_against_inspircd_shows_both_servers_and_their_ratios(
    tmp_path: Path, scenario: str, options: list[str], owed: tuple[int, int], headline: str
) -> None:
    path = tmp_path / "both.json"
    done = bench(scenario, *options, "--against", "inspircd", "--json", str(path))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "hubbub ÷ InspIRCd" in done.stdout
    assert "PASS: both servers delivered everything exactly once" in done.stdout
    both = json.loads(path.read_text())
    for side, server, expected in (("hubbub", "hubbub", owed[0]), ("other", "InspIRCd", owed[1])):
        report = both[side]
        assert (report["server"], report["scenario"], report["passed"]) == (server, scenario, True)
        assert report["deliveries_expected"] == report["deliveries_received"] == expected
        assert report["lost"] == report["duplicates"] == report["unexpected"] == 0
        assert report["server_cpu_s"] is not None
        assert report["server_rss_kib"] > 0
    assert both["hubbub"]["parameters"] == both["other"]["parameters"]
    ratio = next(r for r in both["ratios"] if r["name"] == headline)
    assert ratio["hubbub"] > 0
    assert ratio["other"] > 0
    assert ratio["ratio"] == pytest.approx(ratio["hubbub"] / ratio["other"])


def test_against_inspircd_without_the_package_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make test` installs InspIRCd: here its binary is looked for where there is none.
    monkeypatch.setattr(inspircd, "BINARY", tmp_path / "inspircd")
    args = ["bench", "fanout", "--clients", "4", "--messages", "8", "--against", "inspircd"]
    done = CliRunner().invoke(main, args)

    assert done.exit_code == 2
    assert done.stderr.strip() == "InspIRCd is not installed: sudo apt-get install inspircd"
    assert done.stdout == ""


def test_against_refuses_what_irc_cannot_carry() -> None:
    signin = bench("signin", "--against", "inspircd")
    rooms = bench("fanout", "--rooms", "3", "--against", "inspircd")
    url = bench("dm", "--url", "http://127.0.0.1:9", "--against", "inspircd")

    assert signin.returncode == rooms.returncode == url.returncode == 2
    assert "--against runs fanout, dm, idle, not signin" in signin.stderr
    assert "--against runs the lobby fanout, not --rooms" in rooms.stderr
    assert "--against compares servers of the benchmark's own, not --url" in url.stderr


@pytest.mark.parametrize(
    ("scenario", "options"),
    [
        ("fanout", ["--clients", "10", "--messages", "20"]),
        ("dm", ["--clients", "10", "--rate", "100", "--duration", "1"]),
    ],
)
def test_the_benchmarks_server_runs_on_the_database_it_is_given(
    tmp_path: Path, postgres: PostgresServer, scenario: str, options: list[str]
) -> None:
    database = postgres.new_database()
    report = run_to_report(tmp_path, scenario, *options, "--database", database)

    assert_nothing_lost(report)
    assert f"the database: {database}" in report["notes"]
    assert report["server_cpu_s"] is not None
    seeded = query(database, "SELECT count(*) FROM accounts")[0][0]
    assert seeded >= 10, "the accounts were not seeded into PostgreSQL"


def test_a_database_is_for_a_server_of_the_benchmarks_own() -> None:
    done = bench(
        "fanout", "--database", "postgresql://x@127.0.0.1:9/x", "--url", "http://127.0.0.1:9"
    )

    assert done.returncode == 2
    assert "--database is for a server of the benchmark's own" in done.stderr


@pytest.mark.parametrize(
    ("scenario", "options"),
    [
        ("fanout", ["--clients", "10", "--messages", "20"]),
        ("dm", ["--clients", "10", "--rate", "100", "--duration", "1"]),
    ],
)
def test_two_processes_on_postgresql_and_redis_carry_the_load_together(
    tmp_path: Path,
    postgres: PostgresServer,
    redis_server: RedisServer,
    scenario: str,
    options: list[str],
) -> None:
    database = postgres.new_database()
    report = run_to_report(
        tmp_path,
        scenario,
        *options,
        *("--database", database, "--redis", redis_server.url, "--processes", "2"),
    )

    assert_nothing_lost(report)
    assert any(note.startswith("2 hubbub processes") for note in report["notes"])
    assert report["server_cpu_s"] is not None
    commits = [note for note in report["notes"] if note.startswith("process ")]
    assert [note.split(":")[0] for note in commits] == ["process 1", "process 2"]
    assert not any("commits: none" in note for note in commits), "a process took no sends"


def test_several_processes_need_postgresql_and_redis() -> None:
    sqlite = bench("fanout", "--processes", "2", "--redis", "redis://127.0.0.1:9")
    no_redis = bench("dm", "--processes", "2", "--database", "postgresql://x@127.0.0.1:9/x")
    idle = bench("idle", "--redis", "redis://127.0.0.1:9")

    assert sqlite.returncode == no_redis.returncode == idle.returncode == 2
    for done in (sqlite, no_redis):
        assert "--processes above 1 needs --database postgresql://… and --redis" in done.stderr
    assert "--redis and --processes run fanout and dm, not idle" in idle.stderr
