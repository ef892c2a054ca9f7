-- requires: marts.fact_s47_enquiries, staging.s47_enquiries, staging.cp_reviews, marts.periods
-- requires: marts.fact_cp_plans, marts.period_days
-- requires columns: staging.s47_enquiries.icpc_participation, staging.cp_reviews.participation
--
-- The child's participation in child protection conferences (docs/metrics.md v5:
-- cp_conference_views_pct, cp_conference_attended_pct). Why: the 2013 letter found children's
-- views "often not heard at important meetings" and that "very few children attend".
-- A conference is an ICPC (s47_enquiries.icpc_date in the period, transfer-ins included: the
-- child's participation matters wherever the conference was called from) coded by
-- icpc_participation, or a review conference (cp_reviews.review_date in the period) coded by
-- participation. Denominator: those conferences less the ones coded PN0 (the child is under 4);
-- a blank code stays in and counts as neither conveyed nor attended. Views conveyed: PN1, PN2,
-- PN3, PN5, PN6; attended: PN1-PN4. ICPCs dated after as_at are blank (fact_s47_enquiries), and
-- a review after as_at falls in no period. Written only when both participation columns hold
-- a value somewhere (an older extract has neither: absent, not zero).
-- Breakdown: the enquiry's team for an ICPC, the plan's team for a review ((none) for a review
-- whose plan is not in cp_plans.csv).

CREATE OR REPLACE TABLE marts.metrics_conferences AS
WITH
conferences AS (
    SELECT e.icpc_date AS conference_date, e.team, upper(trim(s.icpc_participation)) AS code
    FROM marts.fact_s47_enquiries AS e
    JOIN staging.s47_enquiries AS s USING (s47_id)
    WHERE e.icpc_date IS NOT NULL
    UNION ALL
    SELECT r.review_date, coalesce(p.team, '(none)'), upper(trim(r.participation))
    FROM staging.cp_reviews AS r
    LEFT JOIN marts.fact_cp_plans AS p USING (plan_id)
),

counted AS (
    SELECT p.period_type, p.period_label, c.team, c.code
    FROM conferences AS c
    JOIN marts.period_days AS p ON p.date = c.conference_date
    WHERE c.code IS DISTINCT FROM 'PN0'
),

cases AS (
    SELECT
        'cp_conference_views_pct' AS metric_id, period_type, period_label,
        marts.by_team(team) AS under,
        coalesce(code IN ('PN1', 'PN2', 'PN3', 'PN5', 'PN6'), false)::INT AS n, 1 AS d, NULL AS x
    FROM counted
    UNION ALL
    SELECT
        'cp_conference_attended_pct', period_type, period_label, marts.by_team(team),
        coalesce(code IN ('PN1', 'PN2', 'PN3', 'PN4'), false)::INT, 1, NULL
    FROM counted
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM conferences
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'cp_conference_views_pct', 'kind': 'pct'},
    {'metric_id': 'cp_conference_attended_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_conferences IS 'cp_conference_views_pct and cp_conference_attended_pct for marts.metric_values: ICPCs and review conferences held in the period, less PN0, by period and team (only when both participation columns are recorded).';
