"""The code location loads, and the job, schedule and sensor are what the README says."""

from __future__ import annotations

import datetime as dt
import json
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
from pipelines.run.warehouse import Warehouse
from pipelines.validation import gx_service

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_dg_check_defs_passes():
    dg_cli = Path(sys.executable).with_name("dg")
    result = subprocess.run(
        [str(dg_cli), "check", "defs"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_stage_of_every_extract_is_an_asset():
    keys = {key.to_user_string() for key in defs().resolve_all_asset_keys()}
    for e in EXTRACTS:
        assert {f"staging/{e.stem}", f"quarantine/{e.stem}"} <= keys
    # The rows as read are no asset: each file is read and staged in one step (issue 23).
    assert not {k for k in keys if k.startswith("raw/")}
    assert {"ref/calendar", "marts/run_info", "marts/metric_values", "report", "release"} <= keys
    # One asset per table an analyst uses: each fact table and each metric family.
    from pipelines.marts.build import models

    assert {f"marts/{m.name}" for m in models()} <= keys
    assert {"marts/fact_referrals", "marts/metrics_referrals", "marts/data_quality"} <= keys


def test_every_asset_has_kinds_a_table_name_and_the_warehouse_pool():
    definitions = defs()
    for assets_def in definitions.assets:
        for key, spec in ((s.key, s) for s in assets_def.specs):
            assert spec.kinds, key
        if any(k.path[0] == "region" for k in assets_def.keys):
            # a council's run is a process of its own with its own warehouse and pool; the
            # roll-up writes OUT/region only
            assert assets_def.op.pool is None, assets_def.op.name
            continue
        assert assets_def.op.pool == "frontdoor_warehouse", assets_def.op.name


def test_nightly_schedule_runs_the_job_at_two_in_the_morning_uk_time(tmp_path):
    schedule = defs().resolve_schedule_def("nightly")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/London"
    assert schedule.job_name == "frontdoor"
    (tmp_path / "contacts.csv").write_text("contact_id\n")
    old = time.time() - 7200
    os.utime(tmp_path / "contacts.csv", (old, old))
    # In British Summer Time 02:00 in London is 01:00 UTC: the tick must follow the clock.
    # The warehouse resource has a set-up and teardown (the run lock), so Dagster opens the
    # resources of a tick as a context manager, as its daemon does.
    with dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC),
        resources={"warehouse": Warehouse(input_dir=str(tmp_path))},
    ) as context:
        assert len(schedule.evaluate_tick(context).run_requests or []) == 1
        # The same settle rule as the sensor: a file still being written skips the night's tick.
        (tmp_path / "referrals.csv").write_text("referral_id\n")
        result = schedule.evaluate_tick(context)
    assert not result.run_requests and "still being copied" in result.skip_message


def test_a_regional_hubs_daemon_runs_the_regions_automation_and_not_a_councils():
    """`frontdoor region` starts Dagster's daemon with FRONTDOOR_REGION_INPUT set: the council's
    schedule and sensor are off there (once, in a fresh clone, the sensor ran data/sample into
    output/ inside the hub's run history), and on where no region is set."""
    statuses = (
        "import json; from pipelines.definitions import defs; d = defs(); "
        "print(json.dumps({n: d.resolve_sensor_def(n).default_status.value "
        "for n in ('new_extracts', 'region_folders')} | {n: "
        "d.resolve_schedule_def(n).default_status.value for n in ('nightly', 'region_nightly')}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
    said = {}
    for region in ("", "/srv/region"):
        done = subprocess.run(
            [sys.executable, "-c", statuses],
            env={**env, "FRONTDOOR_REGION_INPUT": region} if region else env,
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        said[region] = json.loads(done.stdout.strip().splitlines()[-1])
    assert said[""] == {
        "new_extracts": "RUNNING",
        "nightly": "RUNNING",
        "region_folders": "STOPPED",
        "region_nightly": "RUNNING",
    }
    assert said["/srv/region"] == {
        "new_extracts": "STOPPED",
        "nightly": "STOPPED",
        "region_folders": "RUNNING",
        "region_nightly": "RUNNING",
    }


def sensor_tick(
    folder: Path, cursor: str | None, output: Path | None = None
) -> tuple[object, str | None]:
    """One evaluation of the sensor: what it returned and the cursor it left for the next."""
    warehouse = Warehouse(input_dir=str(folder), output_dir=str(output or folder / "out"))
    with dg.build_sensor_context(cursor=cursor, resources={"warehouse": warehouse}) as context:
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


def test_sensor_starts_nothing_when_the_published_release_was_made_from_these_extracts(
    sample_run, monkeypatch
):
    # `dg dev` started on unchanged extracts starts no run: the fingerprint is the release's.
    monkeypatch.setattr(automation, "SETTLE_SECONDS", 0)
    result, _ = sensor_tick(sample_run.input_dir, None, sample_run.output)
    assert isinstance(result, dg.SkipReason)
    assert "published release was made from these extracts" in result.skip_message


def test_sensor_waits_while_a_file_is_still_arriving(tmp_path, monkeypatch):
    monkeypatch.setattr(automation, "SETTLE_SECONDS", 3600)
    (tmp_path / "contacts.csv").write_text("contact_id\n")
    assert isinstance(sensor_tick(tmp_path, None)[0], dg.SkipReason)
    old = time.time() - 7200
    os.utime(tmp_path / "contacts.csv", (old, old))
    assert isinstance(sensor_tick(tmp_path, None)[0], dg.RunRequest)


@pytest.mark.slow
def test_dg_launch_runs_the_same_job(small_council, tmp_path):
    dg_cli = Path(sys.executable).with_name("dg")
    if not shutil.which(str(dg_cli)):
        pytest.fail(f"dg is not installed beside {sys.executable}")
    env = dict(os.environ)
    env.update(FRONTDOOR_INPUT=str(small_council), FRONTDOOR_OUTPUT=str(tmp_path))
    # Its own Great Expectations worker, as a council's run has, not the session's service:
    # the run succeeds only if its worker started and answered every suite.
    del env[gx_service.SOCKET_VARIABLE]
    result = subprocess.run(
        [str(dg_cli), "launch", "--job", "frontdoor"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "warehouse.duckdb").exists() and (tmp_path / "report.html").exists()
