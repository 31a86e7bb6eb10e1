"""Calendars that keep their identity: SEQUENCE and LAST-MODIFIED from the ledger.

Each event's content is hashed; the ledger remembers the hash, SEQUENCE and
LAST-MODIFIED per UID. A changed hash raises SEQUENCE and stamps now; an
unchanged one keeps both, so re-exporting an unchanged plan gives the same
bytes. An event that left the plan leaves the ledger (and the calendar).
"""

from __future__ import annotations

import datetime as dt

from plansync.calendars import events as ical
from plansync.core.plan import Plan
from plansync.state.ledger import CALENDAR_BUSY_TARGET, CALENDAR_TARGET, Entry, Ledger

TARGET = CALENDAR_TARGET
BUSY_TARGET = CALENDAR_BUSY_TARGET


def calendar_bytes(
    plan: Plan,
    ledger: Ledger,
    now: dt.datetime,
    *,
    busy: bool = False,
    uid_domain: str = ical.DEFAULT_UID_DOMAIN,
) -> bytes:
    """Render the plan's calendar, moving the ledger's stamps only for changed events."""
    target = BUSY_TARGET if busy else TARGET
    contents = ical.event_contents(plan, busy=busy, uid_domain=uid_domain)
    stamp_now = now.astimezone(dt.UTC).replace(microsecond=0)
    stamps: dict[str, ical.Stamp] = {}
    with ledger.transaction():
        known = ledger.entries(target, plan.athlete)
        for content in contents:
            uid = content["uid"]
            digest = ical.content_hash(content)
            entry = known.get(uid)
            if entry is None or entry.content_hash != digest:
                sequence = 0 if entry is None else entry.sequence + 1
                modified = stamp_now if entry is None else max(stamp_now, entry.last_modified)
                entry = Entry(uid, digest, sequence, modified, dt.date.fromisoformat(content["date"]))
                ledger.put(target, plan.athlete, entry)
            stamps[uid] = ical.Stamp(entry.sequence, entry.last_modified)
        for uid in set(known) - set(stamps):
            ledger.remove(target, plan.athlete, uid)
    return ical.render(plan, contents, stamps, busy=busy)
