"""A check-in: how far a goal has come (percent) and how sure the person is of getting there."""

from __future__ import annotations

from goalgetter.domain.validation import ValidationError

CONFIDENCE_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}
MAX_CHECKIN_NOTE_LENGTH = 1_000


def parse_checkin(progress: object, confidence: object, note: object) -> dict:
    """{progress: 0-100, confidence, note} from form values, or a ValidationError."""
    text = str(progress if progress is not None else "").strip()
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= 100:
        raise ValidationError(
            "progress", "progress_invalid", "Progress is a whole number from 0 to 100."
        )
    if confidence not in CONFIDENCE_LABELS:
        raise ValidationError(
            "confidence", "confidence_invalid", "Choose on track, at risk or off track."
        )
    note_text = str(note or "").strip()
    if len(note_text) > MAX_CHECKIN_NOTE_LENGTH:
        raise ValidationError(
            "note",
            "note_long",
            f"Check-in notes can be at most {MAX_CHECKIN_NOTE_LENGTH:,} characters.",
        )
    return {"progress": int(text), "confidence": confidence, "note": note_text}
