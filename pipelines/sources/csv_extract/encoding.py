"""A CSV file's bytes: the size limit, the first 64 KiB checked for CSV text, and the encoding.

The contract allows UTF-8 with or without a BOM and Windows-1252 (docs/extracts.md); in a file
that mixes the two (one appended to by two programs) each stretch that is not UTF-8 is read as
Windows-1252. Importing this module registers that reading as the ``frontdoor-cp1252`` codec
error handler, which the SSD reader uses too.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import threading
from pathlib import Path

from pipelines.errors import ExtractError

_BOM = b"\xef\xbb\xbf"
# A header fits in 64 KiB; a first line longer than that is not a header (a binary file, or a
# whole file on one line), and we say so without reading or parsing the rest.
HEAD_BYTES = 65536
# Five bytes are undefined in Windows-1252: one in a file that is not UTF-8 is read as U+FFFD and
# its row quarantined (docs/security.md "CSV size and bytes").
_UNDECODABLE = "\ufffd"


def max_csv_bytes() -> int:
    """The largest CSV file read (FRONTDOOR_CSV_MAX_MIB, default 512 MiB). A file is held in
    memory with its parsed frame, about five times its size at the peak (docs/security.md "CSV
    size and bytes"); a council's largest extract is tens of MiB (136 MiB at 2,800,000
    children). A larger file is refused before a byte of it is read, naming the file."""
    return int(os.environ.get("FRONTDOOR_CSV_MAX_MIB", "512")) * 2**20


_undecodable = threading.local()


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Windows-1252; a byte undefined
    in both is read as U+FFFD and its place kept (``_undecodable.at``) so its row is
    quarantined."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    text = []
    for i, byte in enumerate(bytes(bad)):
        try:
            text.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            text.append(_UNDECODABLE)
            _undecodable.at.append((error.start + i, byte))
    return "".join(text), error.end


codecs.register_error("frontdoor-cp1252", _cp1252_fallback)


def _is_utf8(data: bytes) -> int | None:
    """None when ``data`` is valid UTF-8, else the offset of the first invalid byte. Checked
    in slices, so no decoded copy of the whole file is ever held."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 16 * 2**20
    view = memoryview(data)
    try:
        for at in range(0, len(data), step):
            decoder.decode(view[at : at + step], final=at + step >= len(data))
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:  # the exact place, only for a file that is not UTF-8
            return exc.start
    return None


def utf8_bytes(
    path: Path,
) -> tuple[bytes, str, list[str], list[tuple[int, int]], int, str]:
    """The file's bytes as UTF-8 without a BOM, the encoding it was read as, notes, the
    (line, byte) of each byte that is neither UTF-8 nor Windows-1252, the file's size and the
    SHA-256 of its bytes."""
    if not path.exists():
        raise ExtractError(path, "file does not exist")
    if not path.is_file():
        raise ExtractError(path, "not a regular file")
    try:
        size = path.stat().st_size
        limit = max_csv_bytes()
        if size > limit:
            # Refused before reading: a sparse file of 2 GB takes 244 KB on disk.
            raise ExtractError(
                path,
                f"is {size / 2**20:,.0f} MiB, larger than the limit of {limit / 2**20:,.0f} MiB "
                "for one CSV file (FRONTDOOR_CSV_MAX_MIB): refused",
            )
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
        _check_head(path, head)
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(path, f"cannot be read: {exc.strerror or exc}") from exc
    sha256 = hashlib.sha256(data).hexdigest()
    if data.startswith(_BOM):
        data, encoding = data[len(_BOM) :], "utf-8-sig"
    else:
        encoding = "utf-8"
    first_bad = _is_utf8(data)
    if first_bad is None:
        return data, encoding, [], [], size, sha256
    bad_line = data.count(b"\n", 0, first_bad) + 1
    # Not UTF-8: what Excel writes on Windows, or a file appended to by two programs. Each
    # stretch that is not UTF-8 is read as Windows-1252, so valid UTF-8 lines stay as they are.
    _undecodable.at = []
    try:
        text = data.decode("utf-8", errors="frontdoor-cp1252")
        undecodable = _undecodable.at
    finally:
        del _undecodable.at
    bad_bytes = [(data.count(b"\n", 0, at) + 1, byte) for at, byte in undecodable]
    notes = []
    if bad_bytes:
        notes.append(
            f"{len(bad_bytes)} byte(s) neither UTF-8 nor Windows-1252 (first 0x{bad_bytes[0][1]:02x} "
            f"at line {bad_bytes[0][0]}): read as U+FFFD, their rows quarantined"
        )
    # The same bytes read wholly as Windows-1252 (U+FFFD for its five undefined ones, as above).
    if text != data.decode("cp1252", errors="replace"):
        note = (
            f"mixes UTF-8 with Windows-1252 (first not UTF-8 at line {bad_line}): "
            "each part read in its own encoding"
        )
        return text.encode("utf-8"), "utf-8+cp1252", [note, *notes], bad_bytes, size, sha256
    note = f"not valid UTF-8 (first at line {bad_line}): read as Windows-1252"
    return text.encode("utf-8"), "cp1252", [note, *notes], bad_bytes, size, sha256


def _check_head(path: Path, head: bytes) -> None:
    """Refuse, from its first 64 KiB, a file that is no CSV text at all."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError(path, "is UTF-16 (Excel's 'Unicode Text'): save it as CSV UTF-8")
    first_line = head.split(b"\n", 1)[0]
    if b"\x00" in first_line:
        raise ExtractError(
            path,
            "holds NUL bytes in its first line: not CSV text (UTF-16 without a byte-order "
            "mark, or a workbook or other binary file named .csv?)",
            line=1,
        )
    if len(head) == HEAD_BYTES and b"\n" not in head and b"\r" not in head:
        raise ExtractError(
            path,
            f"the first line is longer than {HEAD_BYTES // 1024} KiB with no line end: "
            "not a CSV header (is the file one long line?)",
            line=1,
        )
