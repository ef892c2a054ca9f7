"""The code location loads, and the job, schedule and sensor are what the README says."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.contract import EXTRACTS
from pipelines.definitions import defs
from pipelines.defs import automation
from pipelines.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]


def test_dg_check_defs_passes():
    dg_cli = Path(sys.executable).with_name("dg")
    result = subprocess.run(
        [str(dg_cli), "check", "defs"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_stage_of_every_extract_is_an_asset():
    keys = {key.to_user_string() for key in defs().resolve_all_asset_keys()}
    for e in EXTRACTS:
        assert {f"raw/{e.stem}", f"staging/{e.stem}", f"quarantine/{e.stem}"} <= keys
    assert {"ref/calendar", "marts/metric_values", "report", "published"} <= keys


def test_nightly_schedule_runs_the_job_at_two_in_the_morning_uk_time():
    schedule = defs().resolve_schedule_def("nightly")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/London"
    assert schedule.job_name == "frontdoor"
    # In British Summer Time 02:00 in London is 01:00 UTC: the tick must follow the clock.
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)
    )
    assert len(schedule.evaluate_tick(context).run_requests or []) == 1


def sensor_tick(folder: Path, cursor: str | None) -> tuple[object, str | None]:
    """One evaluation of the sensor: what it returned and the cursor it left for the next."""
    context = dg.build_sensor_context(
        cursor=cursor, resources={"warehouse": Warehouse(input_dir=str(folder))}
    )
    return automation.new_extracts(context), context.cursor


def test_sensor_fires_on_a_new_file_and_not_again_until_something_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(automation, "SETTLE_SECONDS", 0)
    assert isinstance(sensor_tick(tmp_path, None)[0], dg.SkipReason)  # empty folder

    (tmp_path / "contacts.csv").write_text("contact_id,child_id,contact_datetime\n")
    first, cursor = sensor_tick(tmp_path, None)
    assert isinstance(first, dg.RunRequest)

    again, _ = sensor_tick(tmp_path, cursor)
    assert isinstance(again, dg.SkipReason)

    (tmp_path / "referrals.csv").write_text("referral_id,child_id,referral_date\n")
    second, _ = sensor_tick(tmp_path, cursor)
    assert isinstance(second, dg.RunRequest)
    assert second.run_key != first.run_key


def test_sensor_waits_while_a_file_is_still_arriving(tmp_path, monkeypatch):
    monkeypatch.setattr(automation, "SETTLE_SECONDS", 3600)
    (tmp_path / "contacts.csv").write_text("contact_id\n")
    assert isinstance(sensor_tick(tmp_path, None)[0], dg.SkipReason)
    old = time.time() - 7200
    os.utime(tmp_path / "contacts.csv", (old, old))
    assert isinstance(sensor_tick(tmp_path, None)[0], dg.RunRequest)


def test_dg_launch_runs_the_same_job(small_council, tmp_path):
    dg_cli = Path(sys.executable).with_name("dg")
    if not shutil.which(str(dg_cli)):
        pytest.fail(f"dg is not installed beside {sys.executable}")
    env = dict(os.environ)
    env.update(
        FRONTDOOR_INPUT=str(small_council),
        FRONTDOOR_WAREHOUSE=str(tmp_path / "w.duckdb"),
        FRONTDOOR_REPORT=str(tmp_path / "r.html"),
    )
    result = subprocess.run(
        [str(dg_cli), "launch", "--job", "frontdoor"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "w.duckdb").exists() and (tmp_path / "r.html").exists()
