"""Each row's ``_row_error`` when it is malformed, and the notes saying how many are.

A malformed row is kept, with a description that never quotes it, so that staging quarantines
it with its line: more or fewer fields than the header, cut short inside a quoted value, a NUL
byte, a byte that is neither UTF-8 nor Windows-1252, a value over the size a value may have.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.sources.csv_extract.frame import BEYOND, ROW_ERROR, WORK

# Working columns: each record's field count, whether it is longer than the header, and why a
# value of the row was cut (all dropped before the frame is returned).
FIELDS, _LONGER, _HUGE = f"{WORK}fields", f"{WORK}longer", f"{WORK}huge"
# No field of any extract comes near this: a longer one (a blob, a run of NUL bytes from a sparse
# file) makes its row malformed, and only its first _KEPT_CHARS characters are kept, so that no
# step downstream has to hold or copy it (docs/security.md "The text cap").
MAX_VALUE_BYTES = 65_536
_KEPT_CHARS = 1_000


def cut_huge_values(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Values over MAX_VALUE_BYTES cut to their first _KEPT_CHARS characters, and ``_HUGE``
    saying so for their rows (NULL elsewhere)."""
    huge = [n for n in names if (frame.get_column(n).str.len_bytes().max() or 0) > MAX_VALUE_BYTES]
    if not huge:
        return frame
    over = {n: pl.col(n).str.len_bytes() > MAX_VALUE_BYTES for n in huge}
    why = pl.coalesce(
        [
            pl.when(over[n]).then(
                pl.lit(
                    f"holds a value in column '{n}' longer than the limit of "
                    f"{MAX_VALUE_BYTES:,} bytes (kept cut to its first {_KEPT_CHARS:,} characters)"
                )
            )
            for n in huge
        ]
    )
    return frame.with_columns(
        why.alias(_HUGE),
        *(
            pl.when(over[n]).then(pl.col(n).str.head(_KEPT_CHARS)).otherwise(pl.col(n)).alias(n)
            for n in huge
        ),
    )


def row_errors(
    frame: pl.DataFrame,
    names: list[str],
    overflow: list[str],
    width: int,
    has_nul: bool,
    cut_line: int | None,
    bad_bytes: list[tuple[int, int]] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """Add ``_row_error`` (when some row is malformed) and drop the helper columns; and notes.

    A row with more fields than the header is malformed when a field beyond the header holds
    something: empty ones are a trailing comma, ignored. A row with fewer fields was cut short,
    and so was the last row when it ends inside a quoted value (``cut_line``).
    """
    fields = pl.col(FIELDS)
    if overflow:
        beyond = pl.concat_str([pl.col(o).fill_null("") for o in overflow], separator=",")
        has_more = pl.any_horizontal(
            [pl.col(o).str.strip_chars().str.len_chars() > 0 for o in overflow]
        )
    else:
        beyond, has_more = pl.lit(""), pl.lit(False)
    nul_column = pl.coalesce(
        [pl.when(pl.col(n).str.contains("\x00", literal=True)).then(pl.lit(n)) for n in names]
        if has_nul
        else [pl.lit(None, dtype=pl.String)]
    )
    # The row whose record holds each undecodable byte: the last that starts at or before its
    # line (a quoted value may run over several lines).
    undecodable = pl.lit(None, dtype=pl.String)
    if bad_bytes:
        starts = frame.get_column("_line").to_numpy()
        at = np.searchsorted(starts, [line for line, _ in bad_bytes], side="right") - 1
        byte_of_row: dict[int, str] = {}
        for row, (_, byte) in zip(at, bad_bytes, strict=True):
            if row >= 0:
                byte_of_row.setdefault(int(row), f"0x{byte:02x}")
        marks = [None] * frame.height
        for row, byte in byte_of_row.items():
            marks[row] = byte
        undecodable = pl.Series(marks, dtype=pl.String)
    huge = pl.col(_HUGE) if _HUGE in frame.columns else pl.lit(None, dtype=pl.String)
    error = (
        pl.when(pl.col("_line") == (cut_line or 0))  # line 0 is never a row
        .then(pl.lit("ends inside a quoted value (cut short?)"))
        .when(fields < width)
        .then(pl.format("has {} field(s) where the header has {} (cut short?)", fields, width))
        .when(has_more.fill_null(False))
        .then(pl.format("has {} fields where the header has {}", fields, width))
        .when(nul_column.is_not_null())
        .then(pl.format("holds a NUL byte in column '{}'", nul_column))
        .when(undecodable.is_not_null())
        .then(pl.format("holds the byte {}, which is neither UTF-8 nor Windows-1252", undecodable))
        .when(huge.is_not_null())
        .then(huge)
    )
    frame = frame.with_columns(
        error.alias(ROW_ERROR),
        (fields > width).alias(_LONGER),
        # What lay beyond the header's last column, kept as read (raw keeps every row whole).
        pl.when(has_more.fill_null(False)).then(beyond.str.strip_chars_end(",")).alias(BEYOND),
    ).drop(overflow)
    notes = []
    trailing = frame.filter(pl.col(_LONGER) & pl.col(ROW_ERROR).is_null())
    if trailing.height:
        notes.append(
            f"{trailing.height} row(s) end with empty field(s) beyond the header's {width} "
            f"(a trailing comma?), first at line {trailing['_line'][0]}: ignored"
        )
    bad = frame.filter(pl.col(ROW_ERROR).is_not_null())
    if bad.height:
        notes.append(
            f"{bad.height} malformed row(s) quarantined, first at line {bad['_line'][0]}: "
            f"the row {bad[ROW_ERROR][0]}"
        )
    frame = frame.drop(FIELDS, _LONGER, _HUGE, strict=False)
    if not bad.height:
        frame = frame.drop(ROW_ERROR)
    if not overflow or frame.get_column(BEYOND).null_count() == frame.height:
        frame = frame.drop(BEYOND)
    return frame, notes
