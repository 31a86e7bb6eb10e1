"""The foot-strength exercises templates can prescribe, with how to do each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    name: str
    cue: str  # how to do it, in one line
    per_foot: bool


EXERCISES: dict[str, Exercise] = {
    "towel_scrunches": Exercise(
        "Towel scrunches", "seated, pull a towel towards you with your toes, heel down", True
    ),
    "short_foot": Exercise(
        "Short-foot hold",
        "lift the arch by drawing the ball of the foot towards the heel, toes relaxed",
        True,
    ),
    "calf_raise_straight": Exercise(
        "Calf raises, straight knee", "3 s up, 3 s down, full range, knee straight", True
    ),
    "calf_raise_bent": Exercise("Calf raises, bent knee", "3 s up, 3 s down, knee bent about 30°", True),
    "single_leg_balance": Exercise(
        "Single-leg balance", "barefoot, tall posture, foot tripod pressed down", True
    ),
    "barefoot_grass": Exercise(
        "Barefoot walking on grass", "easy walking on soft, clean grass; stop at any sharp pain", False
    ),
    "toe_band_stretch": Exercise(
        "Resistance-band toe stretch", "band around the toes, spread them against it", True
    ),
    "arch_ball_roll": Exercise("Arch roll", "roll a tennis ball under the arch, moderate pressure", True),
}
