"""The calibration of the synthetic council: every rate and curve the simulation draws from.

Rates are per 10,000 children aged 0-17 per year, so a council of any size tells the same story.
The anchors are set so that a council of Kingston upon Thames's size (~37,000 children) comes out
near its published figures (reference/dfe: 1,948 referrals in 2012-13, 18% re-referrals, 9.7% NFA;
174 plans started and 163 open at 31 March 2013, 100 at 31 March 2014) and shows what the two Ofsted
letters describe: demand and plans doubling, an initial-assessment backlog in 2009, slower contact
decisions and waits for a social worker in 2012-13, an agency-heavy workforce in 2013.

A curve is a tuple of (ISO date, value) anchors; values between anchors are interpolated linearly
and held flat outside them.
"""

from __future__ import annotations

Curve = tuple[tuple[str, float], ...]

START = "2008-04-01"  # the first day of the extract's history
# The council is simulated from this day, so that on START it holds the cases it would have had
# open then (episodes, plans, allocations begun earlier); only those are written from before
# START, with their own earlier dates, as a system migrated in 2008 would hold them.
SIMULATED_FROM = "2006-04-01"
END = "2014-03-31"  # the extract date: anything later has not happened yet
SINGLE_FROM = "2013-04-01"  # Working Together 2013: single assessments replace initial + core

# Referrals per 10k per year: doubling into 2009-10, steady, then a fall in 2013-14 (DfE c1).
REFERRALS: Curve = (
    ("2008-04-01", 330),
    ("2009-09-01", 560),
    ("2010-01-01", 620),
    ("2011-01-01", 590),
    ("2012-04-01", 560),
    ("2013-03-31", 560),
    ("2013-04-15", 370),
    ("2014-03-31", 350),
)
# Plans started per 10k per year: plans open roughly double between 2010 and 2012 (DfE d3, d5).
PLAN_STARTS: Curve = (
    ("2008-04-01", 22),
    ("2009-10-01", 27),
    ("2010-04-01", 30),
    ("2011-04-01", 46),
    ("2012-01-01", 62),
    ("2012-10-01", 54),
    ("2013-04-01", 34),
    ("2014-03-31", 30),
)
# Multiplier on the median initial-assessment duration: the 2009 backlog and its recovery.
IA_PRESSURE: Curve = (
    ("2008-04-01", 1.0),
    ("2009-01-01", 1.3),
    ("2009-07-01", 1.9),
    ("2009-12-01", 2.3),
    ("2010-03-01", 1.9),
    ("2010-09-01", 1.1),
    ("2011-06-01", 0.9),
    ("2013-03-31", 1.0),
)
# Multiplier on the median single-assessment duration during the 2013 staff shortage.
SINGLE_PRESSURE: Curve = (("2013-04-01", 1.2), ("2013-10-01", 1.0), ("2014-03-31", 0.95))
# Share of contacts decided slowly ("information not passed on quickly", 2013 letter).
SLOW_DECISIONS: Curve = (
    ("2012-06-01", 0.0),
    ("2012-10-01", 0.8),
    ("2013-06-01", 0.8),
    ("2013-10-01", 0.1),
)
# Median working days from referral to the first (duty) social worker for a child in need who
# is not the subject of an S47 enquiry: a day or two, lengthening through 2012-13 (2013 letter:
# "children ... do not always get a social worker quickly enough"). S47 cases are seen the day.
REFERRAL_ALLOCATION_WAIT: Curve = (
    ("2012-04-01", 1.0),
    ("2012-10-01", 4.0),
    ("2013-03-01", 7.0),
    ("2013-07-01", 6.0),
    ("2013-12-01", 2.0),
)
# Median working days a child in need waits for a long-term social worker (2013 letter).
ALLOCATION_WAIT: Curve = (
    ("2012-06-01", 1.5),
    ("2012-12-01", 9.0),
    ("2013-06-01", 9.0),
    ("2013-12-01", 2.0),
)
# Probability that a new qualified worker is from an agency (the 2013 shortage).
AGENCY_SHARE: Curve = (
    ("2011-06-01", 0.12),
    ("2012-06-01", 0.40),
    ("2012-10-01", 0.85),
    ("2013-10-01", 0.85),
    ("2014-03-31", 0.50),
)
P_QUALIFIED_CIN = 0.99  # a child in need's long-term worker is a qualified social worker
P_HANDED_ON = 0.95  # a case whose worker leaves is handed on (else left with the leaver)
PERMANENT_TENURE_MEDIAN_DAYS = 2.5 * 365
AGENCY_TENURE_MEDIAN_DAYS = 240
PLAN_MEDIAN_DAYS = 290  # d5: few plans last two years
CIN_MEDIAN_DAYS = 230  # a child-in-need episode after assessment (b1: ~1,000 open at 31 March)
EARLY_HELP_ONLY_PER_10K = 80  # families known only to early help, a year (unlinked episodes)

# Contacts: how many become referrals, and how a child's contacts repeat.
P_REFERRAL = 0.5
CONTACT_OUTCOMES = {"REFERRAL": P_REFERRAL, "EARLY_HELP": 0.12, "INFO_ADVICE": 0.2, "NFA": 0.15, "OTHER": 0.03}  # fmt: skip
MEAN_CONTACTS_PER_CHILD = 1.7  # a child's contacts form a chain; repeats give re-referrals
REPEAT_GAP_MEDIAN_DAYS = 150
NON_WORKING_DAY_VOLUME = 0.2  # contacts on a weekend or bank holiday, relative to a weekday
OUT_OF_HOURS_ON_WORKING_DAYS = 0.04
DECISION_LAG_NORMAL = (0.6, 0.28, 0.06, 0.03, 0.02, 0.01)  # P(k working days), k = 0..5
DECISION_LAG_SLOW = (0.3, 0.25, 0.15, 0.1, 0.1, 0.1)

P_NFA_BEFORE_2013 = 0.10
P_NFA_FROM_2013 = 0.03
P_FURTHER_ACTION = 0.5  # after an initial or single assessment, when there is no S47
P_ICPC = 0.55  # an S47 enquiry goes to conference
P_PLAN = 0.85  # a conference results in a plan
P_DUPLICATE_REFERRAL = 0.012  # double keying

SOURCES = {
    "1A": 3, "1B": 2, "1C": 1, "1D": 3, "2A": 17, "2B": 2, "3A": 3, "3B": 3, "3C": 1, "3D": 2,
    "3E": 3, "3F": 3, "4": 3, "5A": 6, "5B": 3, "5C": 3, "5D": 2, "6": 28, "7": 3, "8": 5,
    "9": 2, "10": 2,
}  # fmt: skip
PRIMARY_NEEDS = {"N0": 3, "N1": 50, "N2": 5, "N3": 4, "N4": 10, "N5": 15, "N6": 3, "N7": 1, "N8": 3, "N9": 6}  # fmt: skip
ETHNICITIES = {
    "WBRI": 58, "WIRI": 1, "WIRT": 0.2, "WOTH": 9, "WROM": 0.3, "MWBC": 2.5, "MWBA": 1,
    "MWAS": 2, "MOTH": 2.5, "AIND": 3, "APKN": 2, "ABAN": 0.5, "AOTH": 5, "BCRB": 1, "BAFR": 2.5,
    "BOTH": 0.5, "CHNE": 1, "OOTH": 3, "REFU": 1, "NOBT": 3, "": 2,
}  # fmt: skip
RELIGIONS = {
    "": 35, "Christian": 30, "No religion": 18, "Muslim": 8, "Hindu": 3, "Sikh": 1,
    "Buddhist": 1, "Jewish": 0.5, "Other": 1,
}  # fmt: skip
CP_CATEGORIES = {"NEG": 45, "EMO": 35, "PHY": 10, "SAB": 5, "MUL": 5}
CLOSURE_AFTER_SERVICE = {"RC7": 60, "RC9": 20, "RC5": 8, "RC6": 4, "RC8": 5, "RC1": 0.5, "RC2": 0.5, "RC3": 1, "RC4": 1}  # fmt: skip
CLOSURE_AFTER_PLAN = {"RC7": 70, "RC9": 12, "RC5": 8, "RC3": 4, "RC4": 4, "RC1": 2}

TEAMS = ("Duty and Assessment", "Children in Need 1", "Children in Need 2", "Child Protection", "EDT")  # fmt: skip
DUTY, CIN1, CIN2, CP, EDT = range(5)
QUALIFIED_POSTS_PER_10K = (6.0, 4.0, 4.0, 5.0, 1.2)
SUPPORT_POSTS_PER_10K = (1.0, 1.5, 1.5, 0.0, 0.0)  # family support workers, unqualified

# ---------------------------------------------------------------- the 2013 letter (v5)
# What the 2013 letter asks about, drawn from a random stream of its own (simulate_2013), so
# that every figure above comes out as it did before these records existed.

# Share of strategy discussions the police take part in ("the council and police in Kingston
# are not working closely enough", 2013): most before 2011, fewer than half through 2012-13,
# recovering after the inspection.
STRATEGY_POLICE: Curve = (
    ("2008-04-01", 0.82),
    ("2011-04-01", 0.78),
    ("2012-04-01", 0.55),
    ("2012-10-01", 0.42),
    ("2013-06-01", 0.42),
    ("2014-03-31", 0.70),
)
# Conferences (ICPCs and reviews): the chance that a child of 4 or over has their views conveyed,
# and that they attend ("very few children attend", 2013). Children under 4 are PN0.
VIEWS_CONVEYED: Curve = (
    ("2008-04-01", 0.45),
    ("2012-04-01", 0.35),
    ("2013-06-01", 0.30),
    ("2014-03-31", 0.50),
)
ATTENDS_UNDER_12 = 0.06
ATTENDS_12_PLUS = 0.30
PARTICIPATION_NOT_RECORDED = 0.06
# Children missing from home or care: episodes a year per 10k children, a child's episodes
# repeating; return interviews offered and held within 72 hours ("the council need to make sure
# they do the right things when a child goes missing", 2013).
MISSING_PER_10K = 40
MEAN_MISSING_PER_CHILD = 1.8
MISSING_DAYS = {0: 30, 1: 35, 2: 15, 3: 8, 4: 5, 7: 5, 14: 2}  # days away: P (weights)
RHI_OFFERED: Curve = (
    ("2008-04-01", 0.62),
    ("2012-04-01", 0.55),
    ("2013-06-01", 0.50),
    ("2014-03-31", 0.82),
)
RHI_ACCEPTED = 0.75
RHI_WITHIN_72H: Curve = (
    ("2008-04-01", 0.55),
    ("2013-06-01", 0.40),
    ("2014-03-31", 0.70),
)
# Private fostering: a handful of notifications a year ("not enough children who are [privately
# fostered] are known to the council"), the first visit often later than the 7 working days of
# the Children (Private Arrangements for Fostering) Regulations 2005.
PF_PER_10K = 1.5
PF_VISIT_MEDIAN_WD = 8
# Early help: why an episode ended is mostly not recorded ("the council do not know whether early
# help ... is really making a difference"), better recorded after the inspection.
EH_REASON_NOT_RECORDED: Curve = (
    ("2008-04-01", 0.90),
    ("2013-06-01", 0.85),
    ("2014-03-31", 0.45),
)
EH_END_REASONS = {"OUTCOMES_MET": 55, "STEP_UP": 12, "DECLINED": 15, "MOVED": 8, "OTHER": 10}
# Child in need plans: median working days from the assessment to the plan, longer through
# 2012-13 ("when they do get a social worker there is not always a clear plan", 2013); a few
# children in need never get one.
CIN_PLAN_LAG: Curve = (
    ("2008-04-01", 5.0),
    ("2012-04-01", 6.0),
    ("2012-10-01", 12.0),
    ("2013-06-01", 12.0),
    ("2014-03-31", 6.0),
)
P_NO_CIN_PLAN = 0.05
