-- requires: marts.fact_s47_enquiries, staging.s47_enquiries, staging.cp_reviews
-- requires: marts.fact_cp_plans
-- requires columns: staging.s47_enquiries.icpc_participation, staging.cp_reviews.participation
--
-- marts.fact_conferences: one row per child protection conference held on or before as_at, an
-- ICPC (s47_enquiries.icpc_date, transfer-ins included) or a review conference
-- (cp_reviews.review_date), with the child's participation code and what it says: behind
-- cp_conference_views_pct and cp_conference_attended_pct (docs/metrics.md v5). Made only when
-- both participation columns hold a value somewhere (an older extract has neither).

CREATE OR REPLACE TABLE marts.fact_conferences AS
WITH
conferences AS (
    SELECT
        'ICPC' AS conference, e.s47_id AS source_id, e.child_id, e.icpc_date AS conference_date,
        e.team, upper(trim(s.icpc_participation)) AS participation
    FROM marts.fact_s47_enquiries AS e
    JOIN staging.s47_enquiries AS s USING (s47_id)
    WHERE e.icpc_date IS NOT NULL
    UNION ALL
    SELECT
        'review', r.plan_id, p.child_id, r.review_date, coalesce(p.team, '(none)'),
        upper(trim(r.participation))
    FROM staging.cp_reviews AS r
    LEFT JOIN marts.fact_cp_plans AS p USING (plan_id)
    WHERE r.review_date <= getvariable('as_at')
)

SELECT
    *,
    participation IS DISTINCT FROM 'PN0' AS counted,
    coalesce(participation IN ('PN1', 'PN2', 'PN3', 'PN5', 'PN6'), false) AS views_conveyed,
    coalesce(participation IN ('PN1', 'PN2', 'PN3', 'PN4'), false) AS attended
FROM conferences
ORDER BY conference_date, conference, source_id;

COMMENT ON TABLE marts.fact_conferences IS 'One row per child protection conference held on or before as_at: each ICPC (transfer-ins included) and each review conference, with the child''s participation. Behind cp_conference_views_pct and cp_conference_attended_pct.';
COMMENT ON COLUMN marts.fact_conferences.conference IS 'ICPC or review.';
COMMENT ON COLUMN marts.fact_conferences.source_id IS 'The s47_id of an ICPC, the plan_id of a review conference.';
COMMENT ON COLUMN marts.fact_conferences.child_id IS 'The child (NULL for a review whose plan is not in cp_plans.csv).';
COMMENT ON COLUMN marts.fact_conferences.conference_date IS 'icpc_date or review_date.';
COMMENT ON COLUMN marts.fact_conferences.team IS 'The enquiry''s team (ICPC) or the plan''s ((none) when blank or the plan is unknown): the team breakdown.';
COMMENT ON COLUMN marts.fact_conferences.participation IS 'The PN code as recorded (trimmed, upper case); NULL when not recorded.';
COMMENT ON COLUMN marts.fact_conferences.counted IS 'In the denominators: every conference but PN0 (the child is under 4); a blank code counts.';
COMMENT ON COLUMN marts.fact_conferences.views_conveyed IS 'PN1, PN2, PN3, PN5 or PN6: the child''s views were conveyed (blank: not).';
COMMENT ON COLUMN marts.fact_conferences.attended IS 'PN1-PN4: the child attended (blank: not).';
