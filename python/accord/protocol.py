"""Protocol files and event streams.

:func:`validate` and :func:`load` check a protocol file as the ``accord``
command does (every error names the file, line and field) and return it as
a dict; :func:`replay` runs an event stream (JSON Lines) through the
protocol's state machine — the one the simulator and the registry run.
"""

import json
import os
from typing import Any, Dict, Optional, Sequence, Union

from ._accord import protocol as _native


def validate(text: str, source: str = "<protocol>") -> Dict[str, Any]:
    """Parses and validates a protocol file's text; raises ProtocolError."""
    return json.loads(_native.validate(text, source))


def load(path: Union[str, os.PathLike]) -> Dict[str, Any]:
    """Reads and validates a protocol file; errors name the file."""
    with open(path, encoding="utf-8") as file:
        return validate(file.read(), os.fspath(path))


def replay(protocol: str, events: str, source: str = "<events>") -> Dict[str, Any]:
    """Replays JSON Lines ``events`` through ``protocol`` (its text).

    Returns ``applied``, ``already_applied``, ``rejected``, ``rejections``
    (line and reason, the first 1000), ``period``, ``state_hash`` and
    ``state`` (the final state as a dict).
    """
    result = _native.replay(protocol, events, source)
    result["state"] = json.loads(result["state"])
    return result


def _date(value: Any) -> str:
    """A date as the ``YYYY-MM-DD`` text the detectors read: strings pass
    through; ``datetime``, pandas ``Timestamp`` and numpy ``datetime64``
    values lose their time of day."""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    text = str(value)
    return text[:10] if len(text) > 10 and text[4] == "-" and text[10] == "T" else text


def _missing(value: Any) -> bool:
    """Whether a cell is missing: None, NaN, pandas' ``NA`` or ``NaT``."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pandas' NA refuses a truth value
        return True


def detect(
    values: Sequence[float],
    dates: Sequence[Any],
    groups: Optional[Sequence[str]] = None,
    **options: Any,
) -> Dict[str, Any]:
    """Early-warning detectors over dated reports — e.g. three pandas
    columns (``df["Training compute (FLOP)"]``, ``df["Publication date"]``,
    ``df["Organization"]``); rows with a missing value are skipped, as
    ``accord protocol detect`` skips them. Returns ``bunching`` (per
    threshold: reports in range, the estimate and whether it is
    significant) and ``jumps`` (largest growth first). ``options``:
    ``thresholds``, ``bin_width``, ``fit_range``, ``order``, ``replicates``,
    ``jump_window_years``, ``max_growth`` (the command's defaults)."""
    values = [None if _missing(v) else float(v) for v in values]
    dates = [_date(d) for d in dates]
    groups = [""] * len(values) if groups is None else ["" if _missing(g) else str(g) for g in groups]
    if not len(values) == len(dates) == len(groups):
        raise ValueError(
            f"values, dates and groups must have the same length, got {len(values)}, {len(dates)} and {len(groups)}"
        )
    return json.loads(_native.detect_reports(values, dates, groups, **options))


__all__ = ["detect", "load", "replay", "validate"]
