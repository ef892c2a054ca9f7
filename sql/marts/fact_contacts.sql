-- requires: staging.contacts, ref.calendar
-- marts.fact_contacts: one row per contact received on or before as_at, taken as it stood on
-- as_at (a decision dated after as_at is blank, and so is its outcome), with the working days
-- to decision. The contact metrics (metrics_contacts.sql) and analysts both read it.

CREATE OR REPLACE TABLE marts.fact_contacts AS
WITH

contacts AS (
    SELECT * FROM staging.contacts
),

calendar AS (
    SELECT date, wd_index FROM ref.calendar
),

-- As at: a contact received after as_at has not happened; a decision after it has not either.
as_at_contacts AS (
    SELECT
        contact_id,
        child_id,
        contact_datetime,
        CAST(contact_datetime AS DATE) AS contact_date,
        CASE WHEN CAST(decision_datetime AS DATE) <= getvariable('as_at') THEN decision_datetime END
            AS decision_datetime,
        CASE WHEN CAST(decision_datetime AS DATE) <= getvariable('as_at') THEN upper(trim(outcome)) END
            AS outcome,
        CASE WHEN marts.is_y(out_of_hours) THEN 'Y' ELSE 'N' END AS out_of_hours,
        team
    FROM contacts
    WHERE CAST(contact_datetime AS DATE) <= getvariable('as_at')
),

with_dates AS (
    SELECT
        *,
        CAST(decision_datetime AS DATE) AS decision_date
    FROM as_at_contacts
),

-- Working days by joining the calendar on each date (set-based; wd(a, b) = index(b) - index(a)).
with_wd AS (
    SELECT
        c.*,
        dc.wd_index - cc.wd_index AS decision_wd,
        ca.wd_index - cc.wd_index AS wd_to_as_at
    FROM with_dates AS c
    LEFT JOIN calendar AS cc ON cc.date = c.contact_date
    LEFT JOIN calendar AS dc ON dc.date = c.decision_date
    LEFT JOIN (SELECT wd_index FROM calendar WHERE date = getvariable('as_at')) AS ca ON true
)

SELECT
    contact_id,
    child_id,
    contact_datetime,
    contact_date,
    decision_datetime,
    decision_date,
    outcome,
    out_of_hours,
    team,
    marts.team_label(team) AS team_label,
    decision_datetime IS NOT NULL AS decided,
    decision_wd,
    -- A decision recorded before the contact was received is a data error (validation reports
    -- it); the timeliness measure leaves it out of numerator and denominator alike.
    coalesce(decision_datetime < contact_datetime, false) AS decision_before_contact,
    -- Undecided but still inside its one working day: too early to call late.
    decision_datetime IS NULL AND wd_to_as_at < 1 AS decision_window_running,
    decision_datetime IS NOT NULL AND decision_wd <= 1 AND NOT (decision_datetime < contact_datetime)
        AS decided_within_1wd,
    NOT coalesce(decision_datetime < contact_datetime, false)
        AND NOT (decision_datetime IS NULL AND wd_to_as_at < 1) AS in_decision_1wd_denominator,
    decision_datetime IS NOT NULL AND outcome = 'REFERRAL' AS became_referral
FROM with_wd
ORDER BY contact_date, contact_id;

COMMENT ON TABLE marts.fact_contacts IS 'One row per contact received on or before as_at, as it stood on as_at: a decision dated after as_at is blank, and so is its outcome.';
COMMENT ON COLUMN marts.fact_contacts.contact_id IS 'staging.contacts.contact_id.';
COMMENT ON COLUMN marts.fact_contacts.child_id IS 'The child the contact is about.';
COMMENT ON COLUMN marts.fact_contacts.contact_datetime IS 'When the contact was received.';
COMMENT ON COLUMN marts.fact_contacts.contact_date IS 'The date of contact_datetime: the contact belongs to the period containing it.';
COMMENT ON COLUMN marts.fact_contacts.decision_datetime IS 'When a manager decided; blank if undecided or decided after as_at.';
COMMENT ON COLUMN marts.fact_contacts.decision_date IS 'The date of decision_datetime.';
COMMENT ON COLUMN marts.fact_contacts.outcome IS 'REFERRAL, EARLY_HELP, INFO_ADVICE, NFA or OTHER (trimmed, upper case); blank while undecided at as_at.';
COMMENT ON COLUMN marts.fact_contacts.out_of_hours IS 'Y if received by the emergency duty team (out_of_hours = Y), else N (blank counts as N).';
COMMENT ON COLUMN marts.fact_contacts.team IS 'The team as recorded (may be blank).';
COMMENT ON COLUMN marts.fact_contacts.team_label IS 'The team as reported in breakdowns: blank is (none).';
COMMENT ON COLUMN marts.fact_contacts.decided IS 'True if decided on or before as_at.';
COMMENT ON COLUMN marts.fact_contacts.decision_wd IS 'wd(contact date, decision date): working days d with contact date < d <= decision date; 0 for a same-day decision. NULL if undecided.';
COMMENT ON COLUMN marts.fact_contacts.decision_before_contact IS 'True if decision_datetime is before contact_datetime (a data error): left out of contact_decision_1wd_pct.';
COMMENT ON COLUMN marts.fact_contacts.decision_window_running IS 'True if undecided and wd(contact date, as_at) < 1: its one working day is not over, so it is left out of the contact_decision_1wd_pct denominator.';
COMMENT ON COLUMN marts.fact_contacts.decided_within_1wd IS 'contact_decision_1wd_pct numerator: decided with decision_wd <= 1 (and not a data error).';
COMMENT ON COLUMN marts.fact_contacts.in_decision_1wd_denominator IS 'contact_decision_1wd_pct denominator: neither a data error nor an undecided contact whose window is still running.';
COMMENT ON COLUMN marts.fact_contacts.became_referral IS 'contact_to_referral_pct numerator: decided with outcome REFERRAL.';
