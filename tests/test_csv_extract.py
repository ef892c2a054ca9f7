"""load_raw on tiny hand-made files; the bytes are in each test so the expected answer is visible."""

import random

import duckdb
import pytest

from pipelines.contract import extract
from pipelines.errors import ExtractError
from pipelines.sources.csv_extract import load_raw

CONTACTS = extract("contacts")
CONTACT_COLUMNS = list(CONTACTS.column_names)


@pytest.fixture
def con():
    con = duckdb.connect()
    yield con
    con.close()


def write(tmp_path, data: bytes, name: str = "contacts.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows(con, columns: str = "contact_id, _line", table: str = "raw.contacts"):
    return con.execute(f"SELECT {columns} FROM {table} ORDER BY _line").fetchall()


def test_plain_file_all_varchar_with_lineage(con, tmp_path):
    path = write(
        tmp_path,
        b"contact_id,child_id,contact_datetime,source,decision_datetime,outcome,out_of_hours,team\n"
        b"007,C1,2012-04-02 09:00,1A,,,Y,North\n"
        b"008,C2,02/04/2012 10:00,9,2012-04-03,NFA,N,South\n",
    )
    load = load_raw(con, path, CONTACTS)
    assert load.rows == 2
    assert load.table == "raw.contacts"
    assert load.encoding == "utf-8"
    assert load.warnings == ()
    described = con.execute("DESCRIBE raw.contacts").fetchall()
    assert [(r[0], r[1]) for r in described] == [
        *[(c, "VARCHAR") for c in CONTACT_COLUMNS],
        ("_source_file", "VARCHAR"),
        ("_line", "BIGINT"),
    ]
    # values as read: leading zeros kept, nothing typed; an empty field is NULL
    assert rows(con, "contact_id, contact_datetime, decision_datetime, _source_file, _line") == [
        ("007", "2012-04-02 09:00", None, str(path), 2),
        ("008", "02/04/2012 10:00", "2012-04-03", str(path), 3),
    ]


def test_bom_is_dropped_from_the_first_header(con, tmp_path):
    path = write(
        tmp_path, b"\xef\xbb\xbfcontact_id,child_id,contact_datetime\r\nK1,C1,2012-04-02\r\n"
    )
    load = load_raw(con, path, CONTACTS)
    assert load.encoding == "utf-8-sig"
    assert rows(con, "contact_id, child_id, contact_datetime, _line") == [
        ("K1", "C1", "2012-04-02", 2)
    ]


def test_windows_1252_is_detected_and_decoded(con, tmp_path):
    # \xa3 = pound sign, \xe9 = e acute, \x92 = right single quote (not in Latin-1)
    path = write(
        tmp_path,
        b"contact_id,child_id,contact_datetime,team\n"
        b"K1,C1,2012-04-02,\xa35 Caf\xe9\n"
        b"K2,C2,2012-04-02,O\x92Brien\n",
    )
    load = load_raw(con, path, CONTACTS)
    assert load.encoding == "cp1252"
    assert any("Windows-1252" in w for w in load.warnings)
    assert rows(con, "team") == [("£5 Café",), ("O\u2019Brien",)]


def test_utf8_with_the_same_characters_stays_utf8(con, tmp_path):
    path = write(
        tmp_path, "contact_id,child_id,contact_datetime,team\nK1,C1,2012-04-02,£5 Café\n".encode()
    )
    assert load_raw(con, path, CONTACTS).encoding == "utf-8"
    assert rows(con, "team") == [("£5 Café",)]


def test_undefined_windows_1252_byte_marks_its_row_with_its_line(con, tmp_path):
    # 0x81 is neither UTF-8 nor Windows-1252: read as U+FFFD, the row kept to be quarantined
    # with its line (issue 19 item 10); the record over lines 4-5 (a quoted line end) is
    # marked at its first line; the other rows are sound
    path = write(
        tmp_path,
        b"contact_id,child_id,contact_datetime,team\nK1,C1,2012,\xe9quipe\nK2,C\x81,2012,\n"
        b'K3,C3,2012,"two\nlines \x8d"\nK4,C4,2012,\n',
    )
    load = load_raw(con, path, CONTACTS)
    assert load.encoding == "cp1252"
    assert any("2 byte(s) neither UTF-8 nor Windows-1252" in w for w in load.warnings)
    assert rows(con, "contact_id, _line, child_id, _row_error") == [
        ("K1", 2, "C1", None),
        ("K2", 3, "C\ufffd", "holds the byte 0x81, which is neither UTF-8 nor Windows-1252"),
        ("K3", 4, "C3", "holds the byte 0x8d, which is neither UTF-8 nor Windows-1252"),
        ("K4", 6, "C4", None),
    ]
    assert rows(con, "team")[0] == ("\u00e9quipe",)


def test_header_case_spacing_and_extra_column(con, tmp_path):
    path = write(
        tmp_path,
        b" Contact_ID ,CHILD_ID,Notes,contact_datetime  \nK1,C1,first note,2012-04-02\n",
    )
    load = load_raw(con, path, CONTACTS)
    assert load.columns == (*CONTACT_COLUMNS, "notes")
    described = [r[0] for r in con.execute("DESCRIBE raw.contacts").fetchall()]
    assert described == [*CONTACT_COLUMNS, "notes", "_source_file", "_line"]
    assert rows(con, "contact_id, child_id, contact_datetime, notes") == [
        ("K1", "C1", "2012-04-02", "first note")
    ]
    assert "header ' Contact_ID ' read as 'contact_id'" in load.warnings
    assert "header 'CHILD_ID' read as 'child_id'" in load.warnings
    assert "1 extra column(s) read and not used" in load.warnings


def test_missing_optional_column_is_all_null(con, tmp_path):
    path = write(tmp_path, b"contact_id,child_id,contact_datetime\nK1,C1,2012-04-02\n")
    load = load_raw(con, path, CONTACTS)
    assert rows(con, "source, outcome, team") == [(None, None, None)]
    assert "optional column 'team' is absent: loaded as NULL" in load.warnings


def test_missing_required_column_names_file_and_column(con, tmp_path):
    path = write(tmp_path, b"contact_id,contact_datetime\nK1,2012-04-02\n")
    with pytest.raises(ExtractError) as err:
        load_raw(con, path, CONTACTS)
    assert err.value.column == "child_id"
    assert err.value.file == str(path)
    assert "contacts.csv" in str(err.value)
    assert "'child_id'" in str(err.value)


def test_quoted_newlines_give_the_line_where_each_record_starts(con, tmp_path):
    path = write(
        tmp_path,
        b"contact_id,child_id,contact_datetime,team\n"  # line 1
        b'K1,C1,2012-04-02,"North\n'  # line 2, record continues
        b'and ""East"""\n'  # line 3
        b"K2,C2,2012-04-02,South\n"  # line 4
        b'K3,C3,2012-04-02,"a\r\n\r\nb"\r\n'  # line 5, with a blank line inside the quotes
        b"K4,C4,2012-04-02,West\n",  # line 8
    )
    load = load_raw(con, path, CONTACTS)
    assert load.rows == 4
    assert rows(con, "contact_id, team, _line") == [
        ("K1", 'North\nand "East"', 2),
        ("K2", "South", 4),
        ("K3", "a\r\n\r\nb", 5),
        ("K4", "West", 8),
    ]


def test_blank_lines_are_not_rows_but_count_as_lines(con, tmp_path):
    path = write(
        tmp_path,
        b"\ncontact_id,child_id,contact_datetime\n\nK1,C1,2012\n\r\nK2,C2,2012\n,,\n\n",
    )
    load = load_raw(con, path, CONTACTS)
    # line 1 blank, header line 2, blank 3, K1 line 4, blank 5, K2 line 6, ",," line 7 (a row
    # of empty fields is a row), blank line 8
    assert load.rows == 3
    assert rows(con) == [("K1", 4), ("K2", 6), (None, 7)]
    assert "3 blank line(s) skipped" in load.warnings


def test_line_numbers_on_a_random_file_with_quoted_newlines(con, tmp_path):
    rng = random.Random(7)
    records = [b"contact_id,child_id,contact_datetime,team"]
    keys = {}  # record index -> contact_id
    for i in range(1500):
        team = rng.choice(["North", '"two\nlines"', '"say ""hi""\r\nthere\n!"', '"a,b"', ""])
        keys[len(records)] = f"K{i}"
        records.append(f"K{i},C{i},2012-04-02,{team}".encode())
        if rng.random() < 0.05:
            records.append(b"")  # a blank line
    data = b"\n".join(records) + b"\n"
    # a record starts on 1 + the number of newlines before it, quoted ones included
    expected, offset = [], 0
    for n, record in enumerate(records):
        if n in keys:
            expected.append((keys[n], 1 + data.count(b"\n", 0, offset)))
        offset += len(record) + 1
    assert load_raw(con, write(tmp_path, data), CONTACTS).rows == 1500
    assert rows(con) == expected
    assert expected[-1][1] > 1500 + 1  # the quoted newlines did push lines down


def test_file_without_final_newline(con, tmp_path):
    path = write(tmp_path, b"contact_id,child_id,contact_datetime\nK1,C1,2012\nK2,C2,2012")
    assert load_raw(con, path, CONTACTS).rows == 2
    assert rows(con) == [("K1", 2), ("K2", 3)]


def test_header_only_file_loads_no_rows(con, tmp_path):
    path = write(tmp_path, b"contact_id,child_id,contact_datetime\n")
    assert load_raw(con, path, CONTACTS).rows == 0
    assert rows(con) == []


def test_reloading_replaces_the_table(con, tmp_path):
    path = write(tmp_path, b"contact_id,child_id,contact_datetime\nK1,C1,2012\nK2,C2,2012\n")
    load_raw(con, path, CONTACTS)
    path = write(tmp_path, b"contact_id,child_id,contact_datetime\nK9,C9,2012\n")
    load_raw(con, path, CONTACTS)
    assert rows(con) == [("K9", 2)]


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 1, "empty"),
        (b"\n\n", 1, "empty"),
        (b'contact_id,child_id,contact_datetime\nK1,C1,2012\nK2,"C2"x,2012\n', 3, ""),
        (b"contact_id,child_id,Child_ID,contact_datetime\nK1,C1,C1,2012\n", 1, "twice"),
    ],
    ids=["empty", "only blank lines", "stray quote", "duplicate header"],
)
def test_unreadable_csv_names_file_and_line(con, tmp_path, data, line, words):
    path = write(tmp_path, data)
    with pytest.raises(ExtractError) as err:
        load_raw(con, path, CONTACTS)
    assert err.value.file == str(path)
    assert err.value.line == line
    assert words in str(err.value)


def test_a_row_with_too_many_fields_is_kept_with_its_error_not_the_file_failed(con, tmp_path):
    path = write(tmp_path, b"contact_id,child_id,contact_datetime\nK1,C1,2012\nK2,C2,2012,extra\n")
    load = load_raw(con, path, CONTACTS)
    assert load.rows == 2
    assert rows(con, "contact_id, _row_error, _beyond_header, _line") == [
        ("K1", None, None, 2),
        # the reason never quotes the row; the fields beyond the header are kept beside it
        ("K2", "has 4 fields where the header has 3", "extra", 3),
    ]


def test_utf16_is_refused_with_advice(con, tmp_path):
    path = write(tmp_path, "contact_id,child_id,contact_datetime\nK1,C1,2012\n".encode("utf-16"))
    with pytest.raises(ExtractError, match="UTF-16"):
        load_raw(con, path, CONTACTS)


def test_source_file_is_the_path_as_given(con, tmp_path, monkeypatch):
    write(tmp_path, b"contact_id,child_id,contact_datetime\nK1,C1,2012\n")
    monkeypatch.chdir(tmp_path)
    load_raw(con, "./contacts.csv", CONTACTS)
    assert rows(con, "_source_file") == [("./contacts.csv",)]


def test_not_a_regular_file(con, tmp_path):
    with pytest.raises(ExtractError, match="does not exist"):
        load_raw(con, tmp_path / "contacts.csv", CONTACTS)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(ExtractError, match="not a regular file"):
        load_raw(con, tmp_path / "dir.csv", CONTACTS)
