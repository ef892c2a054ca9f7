-- requires: staging.private_fostering, marts.period_days, ref.calendar, marts.periods
--
-- Private fostering notifications and the first visit (docs/metrics.md v5: pf_notifications,
-- pf_initial_visit_7wd_pct). Why: the 2013 letter found "not enough children who are
-- [privately fostered] are known to the council"; the Children (Private Arrangements for
-- Fostering) Regulations 2005 ask for a visit within 7 working days of the notification.
-- As at: a notification after as_at has not happened; a visit after it is blank.
-- pf_initial_visit_7wd_pct: notifications in the period; numerator those visited with
-- wd(notification_date, initial_visit_date) <= 7; a notification not yet visited whose window
-- is still running (wd(notification_date, as_at) < 7) is left out. Breakdown: the team.

CREATE OR REPLACE TABLE marts.metrics_private_fostering AS
WITH
arrangements AS (
    SELECT
        f.notification_date,
        CASE WHEN f.initial_visit_date <= getvariable('as_at') THEN f.initial_visit_date END
            AS visit_date,
        marts.team_label(f.team) AS team
    FROM staging.private_fostering AS f
    WHERE f.notification_date <= getvariable('as_at')
),

timed AS (
    SELECT
        a.*,
        cv.wd_index - cn.wd_index AS visit_wd,
        ca.wd_index - cn.wd_index AS waited_wd
    FROM arrangements AS a
    LEFT JOIN ref.calendar AS cn ON cn.date = a.notification_date
    LEFT JOIN ref.calendar AS cv ON cv.date = a.visit_date
    LEFT JOIN ref.calendar AS ca ON ca.date = getvariable('as_at')
),

notified AS (
    SELECT p.period_type, p.period_label, t.*
    FROM timed AS t
    JOIN marts.period_days AS p ON p.date = t.notification_date
),

cases AS (
    SELECT
        'pf_notifications' AS metric_id, period_type, period_label,
        marts.by_team(team) AS under, 1 AS n, NULL AS d, NULL AS x
    FROM notified
    UNION ALL
    SELECT
        'pf_initial_visit_7wd_pct', period_type, period_label, marts.by_team(team),
        coalesce(visit_wd <= 7, false)::INT, 1, NULL
    FROM notified
    WHERE visit_date IS NOT NULL OR NOT coalesce(waited_wd < 7, false)
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM arrangements
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'pf_notifications', 'kind': 'count'},
    {'metric_id': 'pf_initial_visit_7wd_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_private_fostering IS 'pf_notifications and pf_initial_visit_7wd_pct for marts.metric_values, by period and team (only when private_fostering.csv is present).';
