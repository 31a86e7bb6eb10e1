"""The last step of the pipeline: each entry's time of day and reminder.

Each entry carries its own time and reminder, so calendars need no profile. A
time the clocks skip or repeat that day (a daylight-saving change) moves to the
next minute that happens exactly once, with a warning: every calendar then
agrees on it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from plansync.core.plan import TIMED_KINDS, PlanWarning, Workout
from plansync.core.profile import Profile
from plansync.core.vocab import WEEKDAYS


def set_timing(workouts: list[Workout], profile: Profile, warnings: list[PlanWarning]) -> None:
    """The athlete's training time on each timed entry, and the reminder on every non-rest one."""
    reminder = profile.calendar.reminder_minutes
    zone = ZoneInfo(profile.timezone)
    for w in workouts:
        if w.kind in TIMED_KINDS:
            at = profile.availability.time_on(WEEKDAYS[w.date.weekday()])
            if at is not None:
                real = real_local_time(w.date, at, zone)
                if real != at:
                    warnings.append(_time_moved(w, at, real))
                at = real
            w.start_time = at
        if reminder is not None and w.kind != "rest":
            w.reminder_minutes = reminder


def _time_moved(w: Workout, at: dt.time, real: dt.time) -> PlanWarning:
    return PlanWarning(
        "time-moved",
        f"Week {w.week}: {w.title} on {w.date.isoformat()} starts at {real:%H:%M}, not "
        f"{at:%H:%M}: the clocks change that night and {at:%H:%M} does not happen once.",
        {"date": w.date.isoformat(), "from": f"{at:%H:%M}", "to": f"{real:%H:%M}"},
    )


def real_local_time(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.time:
    """``at`` on ``day`` if that local time happens exactly once there, else the next minute that does."""
    local = dt.datetime.combine(day, at)
    for _ in range(24 * 60):
        first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
        exists = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == local
        once = first.utcoffset() == second.utcoffset()
        if exists and once:
            return local.time()
        local += dt.timedelta(minutes=1)
    return at  # pragma: no cover - no zone skips a whole day
