"""Read a FIT workout file back with Garmin's FIT SDK and print its steps as a watch shows them.

Run: .venv/bin/python scripts/fit_show.py jane-week5/2027-02-23-q1.fit
(garmin-fit-sdk comes with the test extras: pip install -e '.[test]')
"""

from __future__ import annotations

import sys
from pathlib import Path

from garmin_fit_sdk import Decoder, Stream


def _pace(speed: float) -> str:
    seconds = round(1000 / speed)
    return f"{seconds // 60}:{seconds % 60:02d}/km"


def show(path: Path) -> None:
    data = bytearray(path.read_bytes())
    ok = Decoder(Stream.from_byte_array(data)).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(data)).read(convert_datetimes_to_dates=False)
    (head,) = messages["workout_mesgs"]
    print(
        f"{head.get('wkt_name')} · {head['sport']} · {head['num_valid_steps']} steps · CRC {'ok' if ok else 'BAD'}"
    )
    for step in messages["workout_step_mesgs"]:
        i = step["message_index"]
        if step["duration_type"] == "repeat_until_steps_cmplt":
            print(f"{i:>3}  repeat from step {step['duration_step']}, {step['repeat_steps']} times")
            continue
        if step["duration_type"] == "time":
            amount = f"{int(step['duration_time']) // 60}:{int(step['duration_time']) % 60:02d}"
        elif step["duration_type"] == "distance":
            amount = f"{step['duration_distance'] / 1000:.2f} km"
        else:
            amount = "until lap"
        target = step.get("target_type", "open")
        if target == "speed":
            target = (
                f"pace {_pace(step['custom_target_speed_high'])}–{_pace(step['custom_target_speed_low'])}"
            )
        elif target == "heart_rate":
            target = f"HR {step['custom_target_heart_rate_low'] - 100}–{step['custom_target_heart_rate_high'] - 100} bpm"
        notes = f"  ({step['notes']})" if step.get("notes") else ""
        print(
            f"{i:>3}  {step.get('intensity', ''):<9} {step.get('wkt_step_name', ''):<16} {amount:>9}  {target}{notes}"
        )
    if errors:
        print("decoder errors:", errors)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        show(Path(name))
