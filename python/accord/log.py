"""Transparency-log verification (RFC 6962/9162, C2SP signed-note,
tlog-checkpoint, tlog-cosignature, tlog-proof), offline: nothing here opens
a file or a connection. Keys are C2SP verifier-key strings
(``name+hexid+base64``); proofs are lists of base64 hashes."""

from ._accord import log as _native

verify_bundle = _native.verify_bundle
verify_checkpoint = _native.verify_checkpoint
verify_consistency = _native.verify_consistency
verify_inclusion = _native.verify_inclusion

__all__ = ["verify_bundle", "verify_checkpoint", "verify_consistency", "verify_inclusion"]
