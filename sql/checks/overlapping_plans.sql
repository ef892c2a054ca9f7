-- rule: overlapping_plans
-- severity: warning
-- for: cp_plans
-- requires: staging.cp_plans
-- A child protection plan that starts while an earlier plan of the same child is still open
-- (no end_date, or an end_date after this start). Plans are taken in start order (then line);
-- the later plan of each overlapping pair is the finding. A plan ending on the day the next
-- starts does not overlap. A window over each child's plans keeps this linear in the rows.
WITH ordered AS (
    SELECT
        _source_file,
        _line,
        plan_id,
        start_date,
        max(coalesce(end_date, DATE '9999-12-31')) OVER (
            PARTITION BY child_id ORDER BY start_date, _line
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS open_until
    FROM staging.{stem}
)

SELECT
    _source_file,
    _line,
    'the plan starts while an earlier plan of the child is open' AS detail
FROM ordered
WHERE open_until > start_date
