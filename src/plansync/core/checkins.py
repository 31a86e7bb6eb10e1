"""The athlete's foot check-ins, and what the pain-monitoring model makes of them.

A check-in is pain 0–10, where it hurts, when (the morning, during or after a
run), any red flag, a note. :func:`episodes` reads the check-ins in order with
the pain-monitoring model (Silbernagel et al. 2007, Achilles tendinopathy;
used widely for overuse pain in running rehabilitation, not tested on foot
pain specifically; coaching reference, "Listening to the athlete") and the
red flags of the coaching brief, one table (:data:`PAIN_RULES`):

====================  ==========================================================
pain 0–2              train as planned
pain 3–5              acceptable if it settles by the next morning: easy runs
                      kept, the next hard session easy, the next run 20 %
                      shorter, foot strength gentle
pain 6+, not settled  the next runs become cross-training until a check-in at
by the next morning,  2 or less; then a graded return (two weeks: 60 %, then
or the same site at   80 %, easy only)
4+ two days running
a red flag            no running, the plan paused and the coach told, until the
                      coach clears it (``--cleared``); then the graded return
====================  ==========================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

SITES = ("heel", "arch", "forefoot", "toes", "ankle", "achilles", "shin", "knee", "other")
WHEN = ("morning", "during", "after")
RED_FLAGS = ("sharp", "swelling", "numbness", "night-pain", "cannot-bear-weight")
NOTE_MAX = 500  # characters of a check-in's note

SAFE_MAX = 2  # pain at or below this: train as planned
ACCEPTABLE_MAX = 5  # up to this: acceptable if it settles by the next morning
SAME_SITE = 4  # the same site at this pain or more on two days running: reduce
SHORTEN = 0.8  # the next run after an acceptable-pain check-in
RETURN = ((7, 0.6), (7, 0.8))  # the graded return: (days, share of each run), easy only
SOURCE = "Silbernagel et al. 2007 (pain-monitoring model)"

PAIN_RULES: tuple[tuple[str, str, str], ...] = (
    ("pain 0–2", "train as planned", SOURCE),
    (
        "pain 3–5",
        "easy runs kept; the next hard session easy; the next run 20 % shorter; foot strength gentle",
        SOURCE,
    ),
    (
        "pain 6+, not settled by the next morning, or the same site at 4+ two days running",
        "the next runs become cross-training until a check-in at 2 or less; then a graded return "
        "(a week at 60 %, a week at 80 %, easy only)",
        SOURCE,
    ),
    (
        "a red flag (sharp, swelling, numbness, night pain, cannot bear weight)",
        "no running: the plan paused, the coach told; running resumes when the coach clears it, "
        "with the graded return",
        "the coaching brief's red flags: see a professional, do not train through",
    ),
)


@dataclass(frozen=True)
class Checkin:
    """One check-in, or the coach's clearance after a red flag (``cleared``)."""

    date: dt.date
    pain: int = 0
    where: str | None = None
    when: str | None = None
    red_flags: tuple[str, ...] = ()
    note: str = ""
    cleared: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.date.isoformat(), "pain": self.pain}
        if self.cleared:
            out["cleared"] = True
        for key in ("where", "when"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.red_flags:
            out["red_flags"] = list(self.red_flags)
        if self.note:
            out["note"] = self.note
        return out

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Checkin:
        return Checkin(
            date=dt.date.fromisoformat(str(data["date"])),
            pain=int(data.get("pain", 0)),
            where=data.get("where"),
            when=data.get("when"),
            red_flags=tuple(data.get("red_flags") or ()),
            note=str(data.get("note") or ""),
            cleared=bool(data.get("cleared", False)),
        )

    def says(self) -> str:
        """``heel pain 6 on 3 Dec``, or ``red flag numbness (heel) on 3 Dec``."""
        day = f"{self.date.day} {self.date:%b}"
        if self.red_flags:
            site = f" ({self.where})" if self.where else ""
            return f"red flag {', '.join(self.red_flags)}{site} on {day}"
        site = f"{self.where} pain" if self.where else "pain"
        return f"{site} {self.pain} on {day}"


# intervals.icu's wellness soreness (1 low, 2 average, 3 high, 4 extreme) as pain 0–10: low is
# safe, average acceptable, high and extreme over the model's 5.
SORENESS_PAIN = {1: 1, 2: 3, 3: 6, 4: 8}


def from_soreness(day: dt.date, soreness: int, comment: str) -> Checkin:
    """A check-in from an intervals.icu wellness record (:data:`SORENESS_PAIN`)."""
    note = " ".join(comment.split())[:NOTE_MAX]
    return Checkin(
        day,
        SORENESS_PAIN[soreness],
        note=f"intervals.icu soreness {soreness}/4" + (f": {note}" if note else ""),
    )


def problem(checkin: Checkin, today: dt.date) -> str | None:
    """What is wrong with a check-in, for a clear message; None when it is sound."""
    if not 0 <= checkin.pain <= 10:
        return f"pain is 0 to 10, got {checkin.pain}"
    if checkin.where is not None and checkin.where not in SITES:
        return f"where is one of {', '.join(SITES)}; got {checkin.where!r}"
    if checkin.when is not None and checkin.when not in WHEN:
        return f"when is one of {', '.join(WHEN)}; got {checkin.when!r}"
    bad = [f for f in checkin.red_flags if f not in RED_FLAGS]
    if bad:
        return f"a red flag is one of {', '.join(RED_FLAGS)}; got {bad[0]!r}"
    if len(checkin.note) > NOTE_MAX:
        return f"the note is at most {NOTE_MAX} characters"
    if any(ord(ch) < 32 and ch not in "\t" for ch in checkin.note):
        return "the note holds a control character"
    if checkin.date > today:
        return f"the date {checkin.date} is after today ({today})"
    return None


Kind = Literal["caution", "stop", "pause", "return"]
_WHEN_ORDER = {"morning": 0, None: 1, "during": 2, "after": 3}


@dataclass(frozen=True)
class Episode:
    """A stretch of the plan a check-in changes: from ``first`` to ``last`` (None: open)."""

    kind: Kind
    first: dt.date
    last: dt.date | None
    why: str

    def covers(self, day: dt.date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "first": self.first.isoformat(),
            "last": self.last.isoformat() if self.last else None,
            "why": self.why,
        }


@dataclass
class _Reader:
    """The model's state while the check-ins are read in order."""

    out: list[Episode] = field(default_factory=list)
    state: Kind | None = None  # "stop" or "pause" while one is open
    since: dt.date | None = None
    why: str = ""
    previous: Checkin | None = None

    def close(self, last: dt.date) -> None:
        assert self.state is not None and self.since is not None
        if last >= self.since:
            self.out.append(Episode(self.state, self.since, last, self.why))
        self.state = None

    def open(self, kind: Kind, since: dt.date, why: str) -> None:
        self.state, self.since, self.why = kind, since, why

    def graded_return(self, after: dt.date, why: str) -> None:
        first = after + dt.timedelta(days=1)
        self.out.append(
            Episode("return", first, first + dt.timedelta(days=sum(d for d, _ in RETURN) - 1), why)
        )


def ordered(checkins: Iterable[Checkin]) -> list[Checkin]:
    """In the order they happened: by day, then morning, unspecified, during, after (stable)."""
    return sorted(checkins, key=lambda c: (c.date, _WHEN_ORDER.get(c.when, 1)))


def episodes(checkins: Iterable[Checkin]) -> list[Episode]:
    """The stretches of the plan the check-ins change, by :data:`PAIN_RULES`."""
    r = _Reader()
    for c in ordered(checkins):
        _read(r, c)
        if not c.cleared:
            r.previous = c
    if r.state is not None and r.since is not None:
        r.out.append(Episode(r.state, r.since, None, r.why))
    return r.out


def _read(r: _Reader, c: Checkin) -> None:
    """One check-in through the model."""
    start = c.date if c.when == "morning" else c.date + dt.timedelta(days=1)
    if c.cleared:
        if r.state == "pause":
            r.close(c.date)
            r.graded_return(c.date, f"cleared by the coach on {c.date.day} {c.date:%b}")
        return
    if r.state == "pause":
        return  # only the coach ends a pause
    if c.red_flags:
        if r.state == "stop":
            r.close(c.date - dt.timedelta(days=1))
        r.open("pause", c.date, c.says())
        return
    if r.state == "stop":
        if c.pain <= SAFE_MAX:
            r.close(c.date)
            r.graded_return(c.date, f"back after {c.says()}")
        return
    if c.pain > ACCEPTABLE_MAX or _not_settled(r.previous, c) or _same_site(r.previous, c):
        r.open("stop", start, c.says())
    elif c.pain > SAFE_MAX:
        r.out.append(Episode("caution", start, None, c.says()))


def _not_settled(previous: Checkin | None, c: Checkin) -> bool:
    """Acceptable pain yesterday that is still there this morning."""
    return (
        previous is not None
        and SAFE_MAX < previous.pain <= ACCEPTABLE_MAX
        and c.when == "morning"
        and c.pain > SAFE_MAX
        and (c.date - previous.date).days == 1
    )


def _same_site(previous: Checkin | None, c: Checkin) -> bool:
    """The same site at 4 or more on two days running."""
    return (
        previous is not None
        and c.where is not None
        and previous.where == c.where
        and min(previous.pain, c.pain) >= SAME_SITE
        and (c.date - previous.date).days == 1
    )


def paused(checkins: Iterable[Checkin]) -> Checkin | None:
    """The red-flag check-in the plan is paused on, until the coach clears it."""
    flagged: Checkin | None = None
    for c in ordered(checkins):
        if c.cleared:
            flagged = None
        elif c.red_flags and flagged is None:
            flagged = c
    return flagged
