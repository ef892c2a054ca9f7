-- requires: marts.periods
-- marts.period_days: each date of the reporting range with the periods containing it, so that an
-- event finds its period by an equality join on its date (scales: no range join per event).

CREATE OR REPLACE TABLE marts.period_days AS
SELECT CAST(d.day AS DATE) AS date, p.period_type, p.period_label
FROM marts.periods AS p
CROSS JOIN LATERAL (
    SELECT unnest(generate_series(p.period_start, p.period_end, INTERVAL 1 DAY)) AS day
) AS d
ORDER BY date, period_type;

COMMENT ON TABLE marts.period_days IS 'One row per date from the first period start to as_at and period type: the month and the financial year containing it. Join an event date to it to find its periods.';
COMMENT ON COLUMN marts.period_days.date IS 'A date on or before as_at.';
COMMENT ON COLUMN marts.period_days.period_type IS 'month or financial_year.';
COMMENT ON COLUMN marts.period_days.period_label IS 'The label of the period of that type containing the date (marts.periods.period_label).';
