-- requires: staging.private_fostering, ref.calendar
--
-- marts.fact_private_fostering: one row per private fostering arrangement notified on or before
-- as_at, as it stood on as_at (a visit or end dated after it is blank), with the first visit's
-- working days: behind pf_notifications and pf_initial_visit_7wd_pct (docs/metrics.md v5).

CREATE OR REPLACE TABLE marts.fact_private_fostering AS
WITH
arrangements AS (
    SELECT
        arrangement_id, child_id, notification_date,
        CASE WHEN initial_visit_date <= getvariable('as_at') THEN initial_visit_date END
            AS visit_date,
        CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS end_date,
        marts.team_label(team) AS team
    FROM staging.private_fostering
    WHERE notification_date <= getvariable('as_at')
)

SELECT
    a.*,
    cv.wd_index - cn.wd_index AS visit_wd,
    coalesce(cv.wd_index - cn.wd_index <= 7, false) AS visited_within_7wd,
    (a.visit_date IS NULL AND coalesce(ca.wd_index - cn.wd_index < 7, false))
        AS visit_window_running
FROM arrangements AS a
LEFT JOIN ref.calendar AS cn ON cn.date = a.notification_date
LEFT JOIN ref.calendar AS cv ON cv.date = a.visit_date
LEFT JOIN ref.calendar AS ca ON ca.date = getvariable('as_at')
ORDER BY a.notification_date, a.arrangement_id;

COMMENT ON TABLE marts.fact_private_fostering IS 'One row per private fostering arrangement notified on or before as_at, as at as_at. Behind pf_notifications and pf_initial_visit_7wd_pct.';
COMMENT ON COLUMN marts.fact_private_fostering.arrangement_id IS 'private_fostering.arrangement_id.';
COMMENT ON COLUMN marts.fact_private_fostering.child_id IS 'The child.';
COMMENT ON COLUMN marts.fact_private_fostering.notification_date IS 'The council was told of the arrangement (the measures count by it).';
COMMENT ON COLUMN marts.fact_private_fostering.visit_date IS 'The first visit, if made on or before as_at.';
COMMENT ON COLUMN marts.fact_private_fostering.end_date IS 'The arrangement ended, if on or before as_at.';
COMMENT ON COLUMN marts.fact_private_fostering.team IS 'The team ((none) when blank): the team breakdown.';
COMMENT ON COLUMN marts.fact_private_fostering.visit_wd IS 'wd(notification_date, visit_date); NULL without a visit.';
COMMENT ON COLUMN marts.fact_private_fostering.visited_within_7wd IS 'visit_wd <= 7.';
COMMENT ON COLUMN marts.fact_private_fostering.visit_window_running IS 'Not yet visited and wd(notification_date, as_at) < 7: left out of pf_initial_visit_7wd_pct.';
