"""The analysts' notebooks run, top to bottom, against the sample warehouse.

Each notebook reconciles the published figure with the row-level facts behind it and asserts
they agree, so executing it is a test of the marts as well as of the notebook.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_at_least_two_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_against_the_sample_warehouse(path, sample_run, monkeypatch, tmp_path):
    monkeypatch.setenv("FRONTDOOR_WAREHOUSE", str(sample_run.warehouse))
    monkeypatch.setenv("FRONTDOOR_NOTEBOOK_IMAGES", str(tmp_path))
    notebook = nbformat.read(path, as_version=4)
    # run from the repository's root, as the README's command runs it
    NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(ROOT)}}).execute()
    errors = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
    # each chart saved as a static image, and shown as one in the notebook
    images = list(tmp_path.glob("*.png"))
    assert images and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in images)
    shown = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    assert len(shown) == len(images)


def test_the_readme_analyst_example_returns_only_real_periods(sample_run, capsys):
    """The README's first query, run as written (on the sample's published warehouse): one row
    per financial year of the data's own history, none before it, no team rows."""
    import duckdb

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## For analysts") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = code.replace('"output/warehouse.duckdb"', repr(str(sample_run.warehouse)))
    exec(code, {})  # the README's own lines: they print the rows
    rows = ast.literal_eval(capsys.readouterr().out.strip())
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        start = con.execute("SELECT history_start FROM marts.run_info").fetchall()[0][0]
    assert start.isoformat() == "2008-04-01"  # the sample's first contact
    years = [r[0] for r in rows]
    # 2008-09 to 2013-14: the history's years, once each (the carried-in 2006-07 and 2007-08
    # are not in metric_values)
    assert years == ["2008-09", "2009-10", "2010-11", "2011-12", "2012-13", "2013-14"]
