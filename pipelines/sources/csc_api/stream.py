"""The child records of a DfE CSC API payload file, one at a time (bounded memory).

A payload file is one of (docs/formats.md "CSC API"):
- a JSON array of child records (what the API takes in a POST): ``[{"la_child_id": ...}, ...]``;
- an object with the council's ``la_code`` and its ``Children`` (an array, or one record), as
  DfE's payload structure document shows it;
- JSON lines: one child record per line (as the SSD's ssd_api_data_staging table holds them,
  ``json_payload`` per row, exported one per line).

The file is parsed as a stream (ijson), so a payload of every child a council holds needs memory
for one record at a time, not the whole file. A record's place is its line for JSON lines, and
its position in the array (1 for the first child) otherwise: JSON has no lines to speak of once
it is one array, and a streaming parser does not count them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson

from pipelines.errors import ExtractError

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


def max_json_bytes() -> int:
    """The largest payload file read (FRONTDOOR_JSON_MAX_MIB, default 2048 MiB). It is streamed,
    so the cap bounds the time a stray file can take, not the memory."""
    return int(os.environ.get("FRONTDOOR_JSON_MAX_MIB", "2048")) * 2**20


def is_payload_head(head: bytes) -> bool:
    """The first bytes of a file open JSON holding a CSC API child record."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    return text[:1] in ("[", "{") and '"la_child_id"' in text


@dataclass(frozen=True)
class Record:
    place: int  # the line (JSON lines) or the position in the array
    child: dict[str, object]
    la_code: str | None


@dataclass(frozen=True)
class BadLine:
    """A line of JSON lines that is not a JSON object: a finding, the rest read on."""

    place: int
    error: str


def _shape(path: Path) -> str:
    """``lines``, ``array`` or ``object``: how the file holds its records."""
    with path.open("rb") as f:
        first = f.readline().lstrip(b"\xef\xbb\xbf \t")
        while first.strip() == b"":
            first = f.readline()
            if not first:
                return "array"
    stripped = first.strip()
    if stripped.startswith(b"["):
        return "array"
    try:
        first_record = json.loads(stripped)
    except ValueError:
        return "object"  # an object spread over lines
    if isinstance(first_record, dict) and isinstance(first_record.get("Children"), list):
        return "object"  # the whole payload on one line
    return "lines"


def _lines(path: Path) -> Iterator[Record | BadLine]:
    with path.open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                child = json.loads(line)
            except ValueError as error:
                yield BadLine(number, f"not JSON: {error.msg if hasattr(error, 'msg') else error}")
                continue
            if not isinstance(child, dict):
                yield BadLine(number, "not a JSON object (a child record)")
                continue
            la_code = child.get("la_code")
            if isinstance(child.get("Children"), dict):
                child = child["Children"]  # one record wrapped as DfE's document shows it
            yield Record(number, child, None if la_code is None else str(la_code))


def _la_code(path: Path) -> str | None:
    with path.open("rb") as f:
        for prefix, event, value in ijson.parse(f, use_float=True):
            if prefix == "la_code" and event in ("number", "string"):
                return str(int(value) if isinstance(value, float) else value)
    return None


def _children(path: Path, shape: str) -> Iterator[Record]:
    la_code = _la_code(path) if shape == "object" else None
    with path.open("rb") as f:
        if shape == "array":
            items = ijson.items(f, "item", use_float=True)
        else:
            items = ijson.items(f, "Children.item", use_float=True)
        found = False
        for position, child in enumerate(items, start=1):
            found = True
            if isinstance(child, dict):
                yield Record(position, child, la_code)
    if shape == "object" and not found:
        # DfE's document shows Children as one record, not an array
        with path.open("rb") as f:
            for child in ijson.items(f, "Children", use_float=True):
                if isinstance(child, dict):
                    yield Record(1, child, la_code)


def records(path: Path) -> Iterator[Record | BadLine]:
    """Every child record of a payload file, streamed. Raises ExtractError naming the file for
    a file over the cap or JSON that breaks off (a line of JSON lines is a BadLine instead)."""
    limit = max_json_bytes()
    if path.stat().st_size > limit:
        raise ExtractError(
            path,
            f"is larger than the limit of {limit / 2**20:,.0f} MiB for one payload file "
            "(FRONTDOOR_JSON_MAX_MIB): refused",
        )
    shape = _shape(path)
    try:
        if shape == "lines":
            yield from _lines(path)
        else:
            yield from _children(path, shape)
    except (ijson.JSONError, UnicodeDecodeError) as error:
        raise ExtractError(path, f"not well-formed JSON: {error}") from error
