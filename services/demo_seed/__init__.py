"""A deterministic demo school for the console demo, manual checks and tests.

`seed_demo` adds "Школа № 17": calendar, staff, four classes with students and guardians,
a timetable from 1 September to the end of the current quarter, homework, marks,
attendance, quarter marks and ready-made Telegram accounts (`DEMO_ACCOUNTS`); and a tiny
second school, "Лицей № 5", so tests can prove one school never sees another's data.

Every choice comes from `random.Random` seeded with a fixed string per area (so changing
one area does not reshuffle the others), and every timestamp is derived from `today`:
the same `today` always gives the same rows. Rows go in by bulk INSERT, in one pass per
table, through the caller's session; the caller commits.

The package is split by what it seeds: `school` (school, calendar, bells, work types, staff,
subjects), `people` (classes, students, guardians), `lessons` (timetable, lessons,
homework), `marks` (attendance, marks, period marks), `accounts` (Telegram accounts) and
`seed` (the two schools put together), over the tables in `data` and `syllabus`. Names with
a leading underscore are internal to the package.
"""

from services.demo_seed.accounts import DEMO_ACCOUNTS, DemoAccount
from services.demo_seed.seed import (
    DEMO_LYCEUM_EXTERNAL_ID,
    DEMO_SCHOOL_EXTERNAL_ID,
    SeedResult,
    demo_counts,
    seed_demo,
)

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_LYCEUM_EXTERNAL_ID",
    "DEMO_SCHOOL_EXTERNAL_ID",
    "DemoAccount",
    "SeedResult",
    "demo_counts",
    "seed_demo",
]
