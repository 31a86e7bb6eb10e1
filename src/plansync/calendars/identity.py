"""Calendars that keep their identity: SEQUENCE and LAST-MODIFIED from the ledger.

Each event's content is hashed; the ledger remembers the hash, SEQUENCE and
LAST-MODIFIED per UID. A changed hash raises SEQUENCE and stamps now; an
unchanged one keeps both, so re-exporting an unchanged plan gives the same
bytes. An event that left the plan leaves the ledger (and the calendar).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from plansync.calendars import events as ical
from plansync.core.plan import Plan
from plansync.core.records import PlanRecord
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
    previous: bytes | None = None,
) -> bytes:
    """Render the plan's calendar, moving the ledger's stamps only for changed events.

    ``previous`` is the file as it was last written (``export -o``, a feed in ``--out``):
    when the ledger knows nothing of this calendar (a fresh checkout, a lost ``.plansync/``)
    each event's SEQUENCE and LAST-MODIFIED are read back from it, so an unchanged plan
    rebuilds to the same bytes and a changed event still moves forward."""
    target = BUSY_TARGET if busy else TARGET
    contents = ical.event_contents(plan, busy=busy, uid_domain=uid_domain)
    stamp_now = now.astimezone(dt.UTC).replace(microsecond=0)
    stamps: dict[str, ical.Stamp] = {}
    with ledger.transaction():
        if plan.made_on is not None:  # the athlete has this plan now
            ledger.remember_plan(PlanRecord.of(plan, plan.made_on))
        known = ledger.entries(target, plan.athlete)
        if not known and previous:
            known = _read_back(previous, contents)
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


_BLOCK = re.compile(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.S)
_FIELD = re.compile(r"^(UID|SEQUENCE|LAST-MODIFIED):(.*)$", re.M)


def _read_back(previous: bytes, contents: list[dict[str, Any]]) -> dict[str, Entry]:
    """Entries for the events of a previously written calendar: an event whose bytes the
    current content reproduces under its old stamps is unchanged (its hash is the current
    one); any other keeps its old stamps with no hash, so it moves forward."""
    by_uid = {c["uid"]: c for c in contents}
    out: dict[str, Entry] = {}
    for block in _BLOCK.findall(previous):
        fields = dict(_FIELD.findall(block.replace(b"\r\n ", b"").decode("utf-8", "replace")))
        uid = fields.get("UID", "").strip()
        try:
            sequence = int(fields["SEQUENCE"])
            modified = dt.datetime.strptime(fields["LAST-MODIFIED"].strip(), "%Y%m%dT%H%M%SZ").replace(
                tzinfo=dt.UTC
            )
        except (KeyError, ValueError):
            continue
        content = by_uid.get(uid)
        if content is None:
            continue
        same = ical.event_bytes(content, ical.Stamp(sequence, modified)) == block
        digest = ical.content_hash(content) if same else ""
        out[uid] = Entry(uid, digest, sequence, modified, dt.date.fromisoformat(content["date"]))
    return out
