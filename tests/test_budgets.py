"""Every target gets the whole workout: names made for each target's budget (never cut
mid-word), the right step name for every kind, templates checked against a watch's step
limit, the athlete's training time on TrainingPeaks, all-day reminders on the day itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from plansync.adapters.trainingpeaks.payload import payload
from plansync.core.budgets import BUDGETS, FIT, fit_words, short_title
from plansync.core.checkins import Checkin
from plansync.core.listening import listen
from plansync.inputs.compiling import compile_file
from plansync.watch.fit import workout_bytes

from .conftest import EXAMPLE, ROOT, Cli
from .test_fit import decode

WORDS = st.lists(st.text(alphabet="abcdefghij·,", min_size=1, max_size=12), min_size=1, max_size=8)


@given(WORDS, st.integers(4, 40))
def test_a_name_is_never_cut_mid_word(words: list[str], limit: int) -> None:
    assume(all(any(c.isalpha() for c in w) for w in words))  # a word, not a lone separator
    text = " ".join(words)
    short = fit_words(text, limit)
    assert len(short) <= limit
    if short != text and len(text.split()[0]) <= limit:
        kept, whole = short.split(), text.split()
        assert kept[:-1] == whole[: len(kept) - 1]  # whole words, in order, from the start
        last = whole[len(kept) - 1]
        assert last.startswith(kept[-1]) and not last[len(kept[-1]) :].strip(" ,;:·-–—(+&")  # less separators


def test_titles_are_made_for_the_budget() -> None:
    assert short_title("Race day · Half marathon · 21.1 km", FIT.name_limit) == "HM race · 21.1 km"
    assert short_title("Long run, fast finish · 18.5 km", FIT.name_limit) == "Long run, fast finish · 18.5 km"
    assert (
        short_title("Easy run + strides with hill sprints · 5.5 km", FIT.name_limit)
        == "Easy run + strides · 5.5 km"
    )


def test_fit_files_name_the_race_the_cross_training_and_the_exercises_whole() -> None:
    plan = compile_file(EXAMPLE)
    race = next(w for w in plan.workouts if w.kind == "race")
    (head,) = decode(workout_bytes(plan, race))["workout_mesgs"]
    assert head["wkt_name"] == "HM race · 21.1 km" and head["wkt_description"] == race.title
    strength = next(w for w in plan.workouts if w.kind == "foot_strength")
    for step in decode(workout_bytes(plan, strength))["workout_step_mesgs"]:
        name, notes = step["wkt_step_name"], step["notes"]
        base = name.rsplit(" ", 1)[0] if name[-1].isdigit() else name  # "Calf raises 2": the second
        assert len(name) <= 16 and not name.endswith("…") and base in strength.description
        assert notes.startswith(base) or ":" not in notes  # a shortened name: the whole one in the notes
    sore = listen(plan, [Checkin(plan.start_date, 6, "heel", "after")])  # runs become cross-training
    cross = next(w for w in sore.workouts if w.kind == "cross")
    (step,) = decode(workout_bytes(sore, cross))["workout_step_mesgs"]
    assert step["wkt_step_name"] == "Cross-training"


def test_validate_targets_refuses_a_session_a_watch_cannot_hold(tmp_path: Path, cli: Cli) -> None:
    source = ROOT / "plan_templates" / "half-marathon-beginner.yaml"
    data = yaml.safe_load(source.read_text())
    name = next(iter(data["sessions"]))
    data["sessions"][name]["steps"] = [{"warmup": "1min", "zone": "easy"} for _ in range(60)]
    folder = tmp_path / "templates"
    folder.mkdir()
    target = folder / "half-marathon-beginner.yaml"
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    code, out = cli(["validate", str(folder), "--targets", "fit,trainingpeaks", "--format", "json"], tmp_path)
    findings = json.loads(out)["findings"]
    over = [f for f in findings if "fit takes at most 50" in f["message"]]
    assert code == 1 and over and over[0]["line"] > 0 and f"sessions.{name}.steps" in over[0]["key"]
    code, out = cli(["validate", str(folder), "--targets", "garmin"], tmp_path)
    assert code == 2 and "known: " + ", ".join(BUDGETS) in out


def test_trainingpeaks_gets_the_training_time_and_all_day_reminders_ring_that_day(
    tmp_path: Path, cli: Cli
) -> None:
    timed = tmp_path / "timed.yaml"
    timed.write_text(
        EXAMPLE.read_text().replace("  long_run_day: sun\n", '  long_run_day: sun\n  time: "06:30"\n')
    )
    plan = compile_file(timed)
    run = next(w for w in plan.workouts if w.kind == "easy")
    assert payload(run, plan, "1")["StartTimePlanned"] == f"{run.date}T06:30:00"
    untimed = compile_file(EXAMPLE)
    assert "StartTimePlanned" not in payload(
        next(w for w in untimed.workouts if w.kind == "easy"), untimed, "1"
    )
    reminded = tmp_path / "reminded.yaml"
    reminded.write_text(EXAMPLE.read_text() + "calendar: {reminder_minutes: 30}\n")
    code, out = cli(["export", "ics", str(reminded), "-o", "cal.ics"], tmp_path)
    assert code == 0, out
    text = (tmp_path / "cal.ics").read_text()
    triggers = re.findall(r"TRIGGER:(\S+)", text)  # every entry of this athlete is all-day
    assert triggers and set(triggers) == {"PT7H"}  # all-day: 07:00 on the day, never the evening before


def test_a_step_label_with_a_control_character_is_refused(tmp_path: Path, cli: Cli) -> None:
    source = ROOT / "plan_templates" / "half-marathon-beginner.yaml"
    data = yaml.safe_load(source.read_text())
    name = next(iter(data["sessions"]))
    data["sessions"][name]["steps"][0]["label"] = "Warm\x1b[31m up"
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "half-marathon-beginner.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    code, out = cli(["validate", str(folder)], tmp_path)
    assert code == 1 and "control character" in out and "half-marathon-beginner.yaml:" in out


def test_trainingpeaks_structures_keep_one_kind_of_unit_and_the_report_says_so() -> None:
    """The reference knows a structure as RPE-based or not: a pace athlete's strides go by the
    pace beside their effort, hill efforts are open, and each keeps its RPE in its name."""
    from plansync.core.budgets import TRAININGPEAKS, fidelity

    plan = compile_file(EXAMPLE)
    seen = set()
    for workout in plan.workouts:
        body = payload(workout, plan, "1")
        if body["Structure"] is None or workout.kind not in ("strides", "hills"):
            continue
        flat = [s for item in json.loads(body["Structure"]) for s in item.get("Steps", [item])]
        units = {s["IntensityTarget"]["Unit"] for s in flat if "IntensityTarget" in s}
        assert units == {"PercentOfThresholdSpeed"}
        efforts = [s for s in flat if "RPE" in s.get("Name", "")]
        assert efforts and all(s["Name"].endswith("RPE 8-9") for s in efforts)
        seen.add(workout.kind)
        if workout.kind == "hills":
            assert all("IntensityTarget" not in s for s in efforts)  # no flat-ground pace uphill
    assert seen == {"strides", "hills"}
    (line,) = [x for x in fidelity(TRAININGPEAKS, plan) if "mix effort" in x]
    assert line.startswith("trainingpeaks: ") and "open steps" in line


def test_validate_targets_reports_what_each_target_cannot_hold(tmp_path: Path, cli: Cli) -> None:
    code, out = cli(["validate", str(ROOT / "plan_templates"), "--targets", "trainingpeaks,fit"], tmp_path)
    assert code == 0, out
    assert "half-marathon-beginner: what the targets cannot hold" in out
    assert "  fidelity: fit: workout names longer than 32 characters are shortened at word boundaries" in out
    assert "fidelity: trainingpeaks: workouts mix effort (RPE) steps with pace steps" in out
    code, out = cli(
        ["validate", str(ROOT / "plan_templates"), "--targets", "trainingpeaks", "--format", "json"], tmp_path
    )
    lost = json.loads(out)["fidelity"]
    assert {x["target"] for x in lost} == {"trainingpeaks"}
    assert any(
        x["template"] == "half-marathon-beginner" and x["message"].startswith("workouts mix effort")
        for x in lost
    )
    code, out = cli(["validate", str(ROOT / "plan_templates")], tmp_path)
    assert "fidelity" not in out  # only when asked for targets
