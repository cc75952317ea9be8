"""Protocol files and event streams.

:func:`validate` and :func:`load` check a protocol file as the ``accord``
command does (every error names the file, line and field) and return it as
a dict; :func:`replay` runs an event stream (JSON Lines) through the
protocol's state machine — the one the simulator and the registry run.
"""

import json
import os
from typing import Any, Dict, Union

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


__all__ = ["load", "replay", "validate"]
