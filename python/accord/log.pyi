from typing import Any, Dict, List, Optional

def verify_checkpoint(checkpoint: str, vkey: str) -> Dict[str, Any]:
    """Verifies a signed checkpoint; returns ``origin``, ``size``, ``root`` (base64)."""

def verify_inclusion(entry: bytes, index: int, proof: List[str], checkpoint: str, vkey: str) -> None:
    """Raises VerificationError unless ``entry`` is at ``index`` in the checkpoint's tree."""

def verify_consistency(old_checkpoint: str, new_checkpoint: str, proof: List[str], vkey: str) -> None:
    """Raises VerificationError unless the newer checkpoint's tree extends the older's."""

def verify_bundle(
    bundle: str,
    entry: bytes,
    vkey: str,
    witnesses: List[str] = ...,
    quorum: Optional[int] = None,
) -> Dict[str, Any]:
    """Verifies a tlog-proof bundle for ``entry``, with an optional k-of-n witness policy."""
