"""The bad-input corpus: faulty extract files, one readable row each, with the expected outcome.

Each case is a file name, the file's bytes and what must happen to it:

- ``Failed``: the whole file is refused (``audit.load_log`` status ``failed``); the message
  names the file, and the line and column where they exist. The rest of the run goes on.
- ``Loaded``: the file loads; every data row is either staged or quarantined (none lost), the
  quarantined ones at the given lines under the given column and rule, each reason naming the
  file, line and column. ``warning`` must appear among the loader's notes and ``staged`` gives
  known values of the staged rows, where the case is about how a value is read.

Data-quality findings that are not quarantine reasons (completed before start, future dates,
unknown optional codes) stage normally here; tests/test_bad_input.py checks that the validation
step reports them in a whole run.

A few cases cannot be bytes in a table: a directory, a file that cannot be opened, and a 100 MB
file (written at test time); they are ``SPECIAL`` and built by the test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

CONTACTS = b"contact_id,child_id,contact_datetime\n"
REFERRALS = b"referral_id,child_id,referral_date\n"
ASSESSMENTS = b"assessment_id,child_id,assessment_type,start_date,completed_date\n"


@dataclass(frozen=True)
class Failed:
    line: int | None  # None: the fault has no line (the file as a whole)
    column: str | None
    words: str  # part of the message saying why


@dataclass(frozen=True)
class Loaded:
    rows: int  # data rows in the file (= rows read = staged + quarantined)
    quarantined: tuple[tuple[int, str | None, str], ...] = ()  # (line, column, rule)
    warning: str = ""  # part of one of the loader's notes
    # SQL select list over staging.<stem> ordered by _line, and the rows it must return
    staged: tuple[str, list[tuple]] | None = None


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    content: bytes | None  # None: a SPECIAL case built by the test
    outcome: Failed | Loaded
    why: str = field(default="", compare=False)

    @property
    def stem(self) -> str:
        return self.file.removesuffix(".csv").lower()


D = dt.date
CASES: tuple[Case, ...] = (
    # --- the file as a whole ------------------------------------------------------------------
    Case("empty file (0 bytes)", "contacts.csv", b"", Failed(1, None, "empty")),
    Case("only blank lines", "contacts.csv", b"\n\r\n\n", Failed(1, None, "empty")),
    Case("header only", "contacts.csv", CONTACTS, Loaded(0)),
    Case(
        "missing required column",
        "contacts.csv",
        b"contact_id,contact_datetime\nK1,2012-04-02\n",
        Failed(1, "child_id", "missing"),
    ),
    Case(
        "duplicated column",
        "contacts.csv",
        b"contact_id,child_id,Child_ID ,contact_datetime\nK1,C1,C1,2012-04-02\n",
        Failed(1, "child_id", "twice"),
    ),
    Case(
        "header-less file",
        "contacts.csv",
        b"K1,C1,2012-04-02\nK2,C2,2012-04-02\n",
        Failed(1, "contact_id", "no header row"),
    ),
    Case(
        "semicolon separated",
        "contacts.csv",
        b"contact_id;child_id;contact_datetime\nK1;C1;2012-04-02\n",
        Failed(1, "contact_id", "separated"),
    ),
    Case(
        "a header column named like lineage",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,_line\nK1,C1,2012-04-02,9\n",
        # renamed, so the file's _line can never pose as the loader's own
        Loaded(1, warning="read as 'col_line'"),
    ),
    Case(
        "a header column named like the loader's working columns",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,_frontdoor_fields\nK1,C1,2012-04-02,9\n",
        Loaded(1, warning="read as 'col_frontdoor_fields'"),
    ),
    Case(
        "UTF-16 with byte-order mark (Excel 'Unicode Text')",
        "contacts.csv",
        (CONTACTS + b"K1,C1,2012-04-02\n").decode().encode("utf-16"),
        Failed(None, None, "UTF-16"),
    ),
    Case(
        "UTF-16 without byte-order mark",
        "contacts.csv",
        (CONTACTS + b"K1,C1,2012-04-02\n").decode().encode("utf-16-le"),
        Failed(1, None, "NUL bytes"),
    ),
    Case(
        "a workbook saved as .csv",
        "contacts.csv",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
        Failed(1, None, "binary"),
    ),
    Case(
        "a byte undefined in Windows-1252",
        "contacts.csv",
        CONTACTS + b"K1,C1,2012-04-02\nK2,C\x81,2012-04-02\n",
        # issue 19 item 10: that row is quarantined with its line, the file loads
        Loaded(2, ((3, None, "malformed_row"),), warning="0x81 at line 3"),
    ),
    Case(
        "unbalanced quote",
        "contacts.csv",
        CONTACTS + b'K1,C1,2012-04-02\nK2,"C2,2012-04-02\nK3,C3,2012-04-02\n',
        Failed(3, "child_id", "never closed"),
    ),
    Case(
        "a stray quote after a quoted value",
        "contacts.csv",
        CONTACTS + b'K1,C1,2012-04-02\nK2,"C2"x,2012-04-02\n',
        Failed(3, None, "not a readable CSV"),
    ),
    Case(
        "a stray quote inside an unquoted value",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,team\nK1,C1,2012-04-02,North\n"
        b'K2,C2,2012-04-02,Team 5"\nK3,C3,2012-04-02,South\n',
        Failed(3, "team", "quote"),
    ),
    Case("an extract that is a directory", "contacts.csv", None, Failed(None, None, "regular")),
    Case("no read permission (OSError on open)", "contacts.csv", None, Failed(None, None, "read")),
    Case("100 MB file of one line", "contacts.csv", None, Failed(1, None, "one long line")),
    Case(
        "a header, then 100 MB of commas on one line",
        "contacts.csv",
        None,
        Failed(2, None, "104,857,601 fields"),
    ),
    # --- encodings and layout that load -------------------------------------------------------
    Case(
        "Windows-1252 with pound and e acute",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,team\nK1,C1,2012-04-02,\xa35 Caf\xe9\n",
        Loaded(1, warning="Windows-1252", staged=("team", [("£5 Café",)])),
    ),
    Case(
        "mixed UTF-8 and Windows-1252 lines",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,team\n"
        b"K1,C1,2012-04-02,Caf\xc3\xa9\nK2,C2,2012-04-02,Caf\xe9\n",
        Loaded(2, warning="mixes UTF-8", staged=("team", [("Café",), ("Café",)])),
    ),
    Case(
        "UTF-8 byte-order mark",
        "contacts.csv",
        b"\xef\xbb\xbf" + CONTACTS + b"K1,C1,2012-04-02\n",
        Loaded(1, staged=("contact_id", [("K1",)])),
    ),
    Case(
        "CRLF line endings",
        "contacts.csv",
        CONTACTS.replace(b"\n", b"\r\n") + b"K1,C1,2012-04-02 09:00\r\nK2,C2,2012-04-02\r\n",
        Loaded(2, staged=("child_id, _line", [("C1", 2), ("C2", 3)])),
    ),
    Case(
        "CR-only line endings (old Mac)",
        "contacts.csv",
        CONTACTS.replace(b"\n", b"\r") + b"K1,C1,2012-04-02\rK2,C2,2012-04-02\r",
        Loaded(2, warning="CR only", staged=("contact_id, _line", [("K1", 2), ("K2", 3)])),
    ),
    Case(
        "trailing delimiter on every line, header too",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,\nK1,C1,2012-04-02,\nK2,C2,2012-04-02,\n",
        Loaded(2, warning="header field 4 is blank"),
    ),
    Case(
        "trailing delimiter on every data row",
        "contacts.csv",
        CONTACTS + b"K1,C1,2012-04-02,\nK2,C2,2012-04-02,\n",
        Loaded(2, warning="trailing comma", staged=("contact_id", [("K1",), ("K2",)])),
    ),
    Case(
        "header with spaces and capitals",
        "contacts.csv",
        b" Contact_ID , CHILD_ID,Contact_DateTime\nK1,C1,2012-04-02\n",
        Loaded(1, warning="read as", staged=("contact_id, child_id", [("K1", "C1")])),
    ),
    Case(
        "blank lines",
        "contacts.csv",
        b"\n" + CONTACTS + b"\nK1,C1,2012-04-02\n\r\nK2,C2,2012-04-02\n\n",
        Loaded(2, warning="blank line", staged=("contact_id, _line", [("K1", 4), ("K2", 6)])),
    ),
    Case(
        "quoted newline",
        "contacts.csv",
        b'contact_id,child_id,contact_datetime,team\nK1,C1,2012-04-02,"North\nEast"\n'
        b"K2,C2,2012-04-02,South\n",
        Loaded(2, staged=("team, _line", [("North\nEast", 2), ("South", 4)])),
    ),
    Case(
        "no newline at end of file",
        "contacts.csv",
        CONTACTS + b"K1,C1,2012-04-02\nK2,C2,2012-04-02",
        Loaded(2, staged=("contact_id, _line", [("K1", 2), ("K2", 3)])),
    ),
    Case(
        "extra columns",
        "contacts.csv",
        b"contact_id,notes,child_id,contact_datetime\nK1,called back,C1,2012-04-02\n",
        Loaded(1, warning="1 extra column(s) read and not used"),
    ),
    Case(
        "extra columns named like internals",
        "contacts.csv",
        b'contact_id,child_id,contact_datetime,rowid,__fail,"odd ""name"""\n'
        b"K1,C1,2012-04-02,x,1,a\nK1,C1,2012-04-02,y,2,b\n",
        Loaded(2, ((3, "contact_id", "duplicate_id"),), warning="read as 'col_rowid'"),
    ),
    Case(
        "leading zeros in IDs",
        "contacts.csv",
        CONTACTS + b"007,0012,2012-04-02\n",
        Loaded(1, staged=("contact_id, child_id", [("007", "0012")])),
    ),
    Case(
        "whitespace-padded values",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,team\n  K1 ,\tC1, 2012-04-02 09:00 , North \n",
        Loaded(
            1,
            staged=(
                "contact_id, child_id, contact_datetime, team",
                [("K1", "C1", dt.datetime(2012, 4, 2, 9), "North")],
            ),
        ),
    ),
    Case(
        "codes in lower case",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,source,outcome\nK1,C1,2012-04-02,3a,nfa\n",
        Loaded(1, staged=("source, outcome", [("3A", "NFA")])),
    ),
    Case(
        "Yes/No variants",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,out_of_hours\n"
        b"K1,C1,2012-04-02,Yes\nK2,C1,2012-04-02,n\nK3,C1,2012-04-02,TRUE\n"
        b"K4,C1,2012-04-02,0\nK5,C1,2012-04-02,maybe\nK6,C1,2012-04-02,\n",
        Loaded(
            6, staged=("out_of_hours", [(True,), (False,), (True,), (False,), (None,), (None,)])
        ),
    ),
    Case(
        "unknown optional code (kept, reported by validation)",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,source\nK1,C1,2012-04-02,ZZ\n",
        Loaded(1, staged=("source", [("ZZ",)])),
    ),
    # --- rows that are quarantined ------------------------------------------------------------
    Case(
        "a row with too many fields",
        "contacts.csv",
        CONTACTS + b"K1,C1,2012-04-02\nK2,C2,2012-04-02,surplus\nK3,C3,2012-04-02\n",
        Loaded(3, ((3, None, "malformed_row"),), warning="first at line 3"),
    ),
    Case(
        "a row with too few fields",
        "contacts.csv",
        CONTACTS + b"K1,C1,2012-04-02\nK2,2012-04-02\nK3,C3,2012-04-02\n",
        Loaded(3, ((3, None, "malformed_row"),)),
    ),
    Case(
        "truncated last line (cut short, no newline)",
        "contacts.csv",
        b"contact_id,child_id,contact_datetime,team\nK1,C1,2012-04-02,North\nK2,C2,2012-0",
        Loaded(2, ((3, None, "malformed_row"),)),
    ),
    Case(
        "last line cut short inside a quoted value",
        "contacts.csv",
        b'contact_id,child_id,contact_datetime,team\nK1,C1,2012-04-02,"North"\nK2,C2,2012-04-02,"Sou',
        Loaded(2, ((3, None, "malformed_row"),), warning="ends inside a quoted value"),
    ),
    Case(
        "NUL byte in a value",
        "contacts.csv",
        CONTACTS + b"K1,C\x001,2012-04-02\nK2,C2,2012-04-02\n",
        Loaded(2, ((2, None, "malformed_row"),), warning="NUL byte in column 'child_id'"),
    ),
    Case(
        "two extracts run together: the header again mid-file, with a BOM",
        "contacts.csv",
        CONTACTS + b"K1,C1,2012-04-02\n\xef\xbb\xbf" + CONTACTS + b"K2,C2,2012-04-03\n",
        Loaded(3, ((3, "contact_datetime", "not_a_datetime"),)),
    ),
    Case(
        "a completely blank required value",
        "contacts.csv",
        CONTACTS + b"K1,   ,2012-04-02\nK2,C2,2012-04-02\n",
        Loaded(2, ((2, "child_id", "required"),)),
    ),
    Case(
        "duplicate IDs",
        "referrals.csv",
        REFERRALS + b"R1,C1,2012-04-01\nR2,C2,2012-04-01\nR1,C3,2012-04-02\n",
        Loaded(3, ((4, "referral_id", "duplicate_id"),)),
    ),
    Case(
        "US month-first date 12/31/2012",
        "referrals.csv",
        REFERRALS + b"R1,C1,12/31/2012\n",
        Loaded(1, ((2, "referral_date", "not_a_date"),)),
    ),
    Case(
        "Excel serial date 40909",
        "referrals.csv",
        REFERRALS + b"R1,C1,40909\n",
        Loaded(1, ((2, "referral_date", "not_a_date"),)),
    ),
    Case(
        "31/02/2012",
        "referrals.csv",
        REFERRALS + b"R1,C1,31/02/2012\nR2,C1,29/02/2012\n",
        Loaded(
            2, ((2, "referral_date", "not_a_date"),), staged=("referral_date", [(D(2012, 2, 29),)])
        ),
    ),
    Case(
        "text in a date",
        "referrals.csv",
        REFERRALS + b"R1,C1,last Tuesday\n",
        Loaded(1, ((2, "referral_date", "not_a_date"),)),
    ),
    Case(
        "two-digit year",
        "referrals.csv",
        REFERRALS + b"R1,C1,01/04/12\n",
        Loaded(1, ((2, "referral_date", "not_a_date"),)),
    ),
    Case(
        "a date with a time in a date column",
        "referrals.csv",
        REFERRALS + b"R1,C1,2012-04-01 00:00\n",
        Loaded(1, ((2, "referral_date", "not_a_date"),)),
    ),
    Case(
        "a date-time with a UTC offset",
        "contacts.csv",
        CONTACTS + b"K1,C1,2012-04-02T09:00+01:00\n",
        Loaded(1, ((2, "contact_datetime", "not_a_datetime"),)),
    ),
    Case(
        "unknown required code",
        "assessments.csv",
        ASSESSMENTS + b"A1,C1,FULL,2014-01-06,\nA2,C1,single,2014-01-06,\n",
        Loaded(2, ((2, "assessment_type", "unknown_code"),)),
    ),
    Case(
        "population: negative, absurd and formatted numbers",
        "population.csv",
        b'year,children_0_17\n2012,-5\n2013,99999999999999999999\n2014,"60,000"\n2015,6e4\n',
        Loaded(
            4,
            (
                (3, "children_0_17", "not_an_integer"),
                (4, "children_0_17", "not_an_integer"),
                (5, "children_0_17", "not_an_integer"),
            ),
            # a negative count is a whole number: staged, for validation to question
            staged=("year, children_0_17", [(2012, -5)]),
        ),
    ),
    # --- data-quality findings: staged here, reported by validation in a whole run -------------
    Case(
        "assessment completed before it started",
        "assessments.csv",
        ASSESSMENTS + b"A1,C1,SINGLE,2014-01-06,2014-01-01\n",
        Loaded(1, staged=("start_date, completed_date", [(D(2014, 1, 6), D(2014, 1, 1))])),
    ),
    Case(
        "plan ending before it starts",
        "cp_plans.csv",
        b"plan_id,child_id,start_date,end_date\nP1,C1,2014-01-06,2013-12-01\n",
        Loaded(1, staged=("start_date, end_date", [(D(2014, 1, 6), D(2013, 12, 1))])),
    ),
    Case(
        "a date in the future",
        "assessments.csv",
        ASSESSMENTS + b"A1,C1,SINGLE,2014-01-06,2031-01-06\n",
        # after the day of the run: implausible, set aside (issue 19 item 7)
        Loaded(1, ((2, "completed_date", "implausible_date"),)),
    ),
)

SPECIAL = {c.name for c in CASES if c.content is None}
