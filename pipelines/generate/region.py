"""A synthetic region: N councils of varied size, each in one of the five input formats.

Council i (from 1) gets its own seed and a size from a spread around the sample council's
(37,000 children: a small London borough) up to a county's; the formats take turns (our CSV
contract, Ofsted's Annex A, the DfE CIN census, an SSD export, a CSC API payload), so a region
exercises every reader. Each council
is a folder named ``council-01``, ``council-02``, ... holding one format only, as a hub receives
them. Each is given a real English council's old LA code (``LA_CODES``, one region's councils of
different sizes): a census names it in its header, an Annex A workbook on its front sheet, and
a payload in its la_code, and for CSV extracts and the SSD (which have no council field) the
region folder's ``councils.csv`` says it, as a hub would (pipelines/region/rollup.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipelines.generate import story
from pipelines.generate.annex_a_writer import write_annex_a
from pipelines.generate.cin_writer import write_cin_census
from pipelines.generate.csc_api_writer import write_csc_api
from pipelines.generate.simulate import simulate
from pipelines.generate.ssd_writer import write_ssd

FORMATS = ("csv", "annex_a", "cin_census", "ssd", "csc_api")
# Relative to the sample council: from a small unitary to a large county.
SIZES = (1.0, 0.5, 1.6, 0.8, 2.4, 0.6, 1.2, 3.0, 0.7, 1.4)
SAMPLE_CHILDREN = 37_000
# South East councils of different sizes: Bracknell Forest, West Berkshire, Kent, Reading, Surrey,
# Slough, Hampshire, Milton Keynes, Wokingham, Oxfordshire.
LA_CODES = ("867", "869", "886", "870", "936", "871", "850", "826", "872", "931")


def write_region(
    councils: int, out: Path, seed: int = 2010, children: int | None = None
) -> list[tuple[str, str, int]]:
    """Write the region's council folders under ``out``; (name, format, children) of each.
    ``children`` sets the base size (default the sample council's)."""
    from pipelines.generate import write_extracts
    from pipelines.region.rollup import COUNCILS_CSV

    base = children or SAMPLE_CHILDREN
    as_at = dt.date.fromisoformat(story.END)
    written = []
    codes = []
    for i in range(councils):
        name = f"council-{i + 1:02d}"
        kind = FORMATS[i % len(FORMATS)]
        size = max(1, round(base * SIZES[i % len(SIZES)]))
        frames = simulate(size, seed + 101 * i)
        folder = out / name
        la_code = LA_CODES[i % len(LA_CODES)]
        if kind == "csv":
            write_extracts(frames, folder)
        else:
            if kind == "annex_a":
                write_annex_a(frames, folder, as_at, la_code=la_code)
            elif kind == "ssd":
                write_ssd(frames, folder, as_at)
            elif kind == "csc_api":
                write_csc_api(frames, folder, as_at, la_code=int(la_code))
            else:
                write_cin_census(frames, folder, as_at, lea=la_code)
            frames["population"].write_csv(folder / "population.csv")
        written.append((name, kind, size))
        codes.append(f"{name},{la_code}\n")
    (out / COUNCILS_CSV).write_text("council,la_code\n" + "".join(codes))
    return written
