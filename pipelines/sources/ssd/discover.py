"""Which files of a folder are SSD tables frontdoor reads (docs/formats.md "Which format").

A ``.csv`` is an SSD table when its name is one of the mapping's tables (``ssd_contacts.csv``,
any case) and its header row holds the columns that table cannot go without (the ones feeding
the contract's required columns, and the key a merged table is joined on). Another ``ssd_*.csv``
(ssd_address, ssd_cla_episodes ...) is an SSD table frontdoor has no use for: not used, and the
folder's listing says so.
"""

from __future__ import annotations

from pipelines.contract import BY_STEM
from pipelines.sources.ssd.parse import header_of
from pipelines.sources.ssd.spec import Spec, Table, load

PREFIX = "ssd_"


def needed_headers(table: Table, spec: Spec) -> tuple[str, ...]:
    """The SSD columns a table cannot be read without."""
    if table.lookup:
        return tuple(c for c in (table.key, table.name_column) if c)
    if table.merge_into:
        return (table.on,) if table.on else ()
    contract = BY_STEM.get(table.stem or "")
    required = set(contract.required_columns) if contract else set()
    return tuple(f.source for f in table.fields if f.source and f.to in required)


def look(stem: str, head: bytes) -> tuple[bool, str]:
    """(is it an SSD table frontdoor reads, why), from the file's stem and first bytes."""
    spec = load()
    table = spec.tables.get(stem.lower())
    if table is None:
        return False, "an SSD table frontdoor does not read: not used"
    text = head.decode("utf-8", errors="replace")
    headers = set(header_of(text.splitlines()[0] if text else ""))
    lacking = [h for h in needed_headers(table, spec) if h not in headers]
    if lacking:
        return False, (
            f"named like the SSD table {table.name} but its header lacks "
            f"{', '.join(lacking)}: not used"
        )
    return True, f"the SSD table {table.name}"
