"""The words an image model gets for a shot: its size, angle, lens and movement, what
happens in it, where, and how each character in it looks (from the character bible,
so a character is described the same way in every shot)."""

from __future__ import annotations

from collections.abc import Mapping

from shotline.model.shots import Framing, Shot, ShotSize

SIZES = {
    ShotSize.EWS: "extreme wide shot", ShotSize.WS: "wide shot", ShotSize.FS: "full shot",
    ShotSize.MWS: "medium wide shot", ShotSize.MS: "medium shot",
    ShotSize.MCU: "medium close-up", ShotSize.CU: "close-up",
    ShotSize.ECU: "extreme close-up", ShotSize.INSERT: "insert shot",
}
FRAMINGS = {
    Framing.SINGLE: "", Framing.TWO_SHOT: "two-shot", Framing.GROUP: "group shot",
    Framing.OTS: "over-the-shoulder", Framing.POV: "point of view",
}
NEGATIVE = ("text, captions, watermark, logo, frame border, split screen, extra limbs, "
            "deformed hands, distorted faces")
MAX_PROMPT = 2000  # characters; providers limit prompts, and long ones dilute


def shot_prompt(shot: Shot, heading: str, looks: Mapping[str, str], style: str = "") -> str:
    """One paragraph, most important first: framing and camera, action, place, people."""
    framing = FRAMINGS.get(shot.framing, "")
    who = ", ".join(s.title() for s in shot.subjects)
    camera = f"{SIZES.get(shot.size, shot.size.value)}"
    if framing:
        camera += f", {framing}"
    if who:
        camera += f" of {who}"
    camera += f", {shot.angle.value} angle, {shot.lens_mm:g}mm lens"
    if shot.movement.value != "static":
        camera += f", {shot.movement.value} camera"
    parts = [camera + "."]
    if shot.description:
        parts.append(shot.description.rstrip(".") + ".")
    if heading:
        parts.append(f"Setting: {heading.strip()}.")
    for name in shot.subjects:
        look = looks.get(name.upper(), "").strip()
        if look:
            parts.append(f"{name.title()}: {look.rstrip('.')}.")
    parts.append(style or "Cinematic film still, natural light, consistent character design.")
    text = " ".join(parts)
    return text if len(text) <= MAX_PROMPT else text[:MAX_PROMPT - 1].rsplit(" ", 1)[0] + "…"
