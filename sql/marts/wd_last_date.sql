-- requires: ref.calendar
-- marts.wd_last_date: the calendar collapsed to working-day index -> the last date carrying it,
-- so that "the last date still within N working days of a" is wd_last_date(wd_index(a) + N).

CREATE OR REPLACE TABLE marts.wd_last_date AS
SELECT wd_index, max(date) AS last_date
FROM ref.calendar
GROUP BY wd_index;

COMMENT ON TABLE marts.wd_last_date IS 'ref.calendar collapsed: for each working-day index, the last calendar date carrying it (the working day plus any weekend or holiday after it). The last date d with wd(a, d) <= N is the last_date of wd_index(a) + N.';
COMMENT ON COLUMN marts.wd_last_date.wd_index IS 'ref.calendar.wd_index.';
COMMENT ON COLUMN marts.wd_last_date.last_date IS 'The latest calendar date with this wd_index.';
