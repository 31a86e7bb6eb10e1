"""The iCalendar writer: escaping and folding, checked against icalendar's parser."""

from __future__ import annotations

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from plansync.calendars import writer as icswriter

PIECES = st.sampled_from(["\\", ";", ",", "\n", "\r\n", ":", "é", "🏃‍♀️", "🦶", "—", " ", "\\n"])
TEXT = st.lists(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30) | PIECES, max_size=40
).map("".join)


@given(TEXT)
def test_any_text_comes_back_exactly(text: str) -> None:
    body = icswriter.lines(["BEGIN:VEVENT", "UID:x", f"SUMMARY:{icswriter.escape_text(text)}", "END:VEVENT"])
    for line in body.split(b"\r\n"):
        assert len(line) <= icswriter.LIMIT
        line.decode("utf-8")  # never split inside a UTF-8 sequence
    event = icalendar.Event.from_ical(body)
    assert str(event["SUMMARY"]) == text.replace("\r\n", "\n").replace("\r", "\n")


def test_a_fold_never_separates_a_backslash_from_what_it_escapes() -> None:
    for pad in range(0, 80):
        line = "DESCRIPTION:" + "x" * pad + icswriter.escape_text("\n\n;;,,\\\\" * 10)
        for part in icswriter.fold(line).split(b"\r\n "):
            stripped = part.rstrip(b"\r\n")
            trailing = len(stripped) - len(stripped.rstrip(b"\\"))
            assert trailing % 2 == 0, part


def test_durations() -> None:
    import datetime as dt

    assert icswriter.duration(dt.timedelta(hours=6)) == "PT6H"
    assert icswriter.duration(dt.timedelta(minutes=-45)) == "-PT45M"
    assert icswriter.duration(dt.timedelta(days=1)) == "P1D"
    assert icswriter.duration(dt.timedelta(0)) == "PT0S"
