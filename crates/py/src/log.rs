//! Transparency-log verification from the pure specification code
//! (`accord-tlog`): signed checkpoints, inclusion and consistency proofs,
//! and tlog-proof bundles with witness policies. Nothing here opens a file
//! or a connection.

use crate::VerificationError;
use accord_tlog::bundle::TlogProof;
use accord_tlog::checkpoint::SignedCheckpoint;
use accord_tlog::cosignature::CosignatureVerifier;
use accord_tlog::hash::{Hash, leaf_hash};
use accord_tlog::note::{Ed25519Verifier, NoteVerifier as _};
use accord_tlog::proof::{verify_consistency as consistency, verify_inclusion as inclusion};
use accord_tlog::witness::WitnessPolicy;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The error and every cause under it, as the command line prints them.
fn fail(what: &str, error: impl std::error::Error) -> PyErr {
    let mut message = format!("{what}: {error}");
    let mut cause = error.source();
    while let Some(inner) = cause {
        message.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    VerificationError::new_err(message)
}

fn log_key(vkey: &str) -> PyResult<Ed25519Verifier> {
    Ed25519Verifier::from_vkey(vkey).map_err(|e| fail("vkey", e))
}

fn open(checkpoint: &str, key: &Ed25519Verifier, what: &str) -> PyResult<SignedCheckpoint> {
    SignedCheckpoint::open(checkpoint, key.name(), key).map_err(|e| fail(what, e))
}

fn hashes(proof: &[String]) -> PyResult<Vec<Hash>> {
    proof
        .iter()
        .enumerate()
        .map(|(i, h)| Hash::from_base64(h).map_err(|e| fail(&format!("proof[{i}]"), e)))
        .collect()
}

fn summary<'py>(py: Python<'py>, signed: &SignedCheckpoint) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("origin", &signed.checkpoint.origin)?;
    out.set_item("size", signed.checkpoint.size)?;
    out.set_item("root", signed.checkpoint.root.to_base64())?;
    Ok(out)
}

/// Verifies a signed checkpoint (C2SP tlog-checkpoint) with the log's
/// verifier key; returns its origin, size and root (base64).
#[pyfunction]
fn verify_checkpoint<'py>(
    py: Python<'py>,
    checkpoint: &str,
    vkey: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let key = log_key(vkey)?;
    summary(py, &open(checkpoint, &key, "checkpoint")?)
}

/// Verifies that `entry` (bytes) is at `index` in the tree of a signed
/// checkpoint, given the inclusion proof (base64 hashes, RFC 9162).
#[pyfunction]
fn verify_inclusion(
    entry: &[u8],
    index: u64,
    proof: Vec<String>,
    checkpoint: &str,
    vkey: &str,
) -> PyResult<()> {
    let key = log_key(vkey)?;
    let signed = open(checkpoint, &key, "checkpoint")?;
    let c = &signed.checkpoint;
    inclusion(
        index,
        c.size,
        &leaf_hash(entry),
        &hashes(&proof)?,
        c.root.as_bytes(),
    )
    .map_err(|e| fail("inclusion proof", e))
}

/// Verifies that the newer signed checkpoint's tree extends the older's,
/// given the consistency proof (base64 hashes, RFC 9162).
#[pyfunction]
fn verify_consistency(
    old_checkpoint: &str,
    new_checkpoint: &str,
    proof: Vec<String>,
    vkey: &str,
) -> PyResult<()> {
    let key = log_key(vkey)?;
    let old = open(old_checkpoint, &key, "old checkpoint")?;
    let new = open(new_checkpoint, &key, "new checkpoint")?;
    let (a, b) = (&old.checkpoint, &new.checkpoint);
    if a.size == b.size {
        return if a.root == b.root {
            Ok(())
        } else {
            Err(VerificationError::new_err(
                "consistency: two different trees of the same size",
            ))
        };
    }
    consistency(
        a.size,
        b.size,
        &hashes(&proof)?,
        a.root.as_bytes(),
        b.root.as_bytes(),
    )
    .map_err(|e| fail("consistency proof", e))
}

/// Verifies a tlog-proof bundle (c2sp.org/tlog-proof@v1) for `entry`
/// (bytes): the checkpoint's signature, `quorum` cosignatures from the
/// `witnesses` (cosigner verifier keys; default all of them) if any are
/// given, and the inclusion proof. Returns the checkpoint's summary.
#[pyfunction]
#[pyo3(signature = (bundle, entry, vkey, witnesses = Vec::new(), quorum = None))]
fn verify_bundle<'py>(
    py: Python<'py>,
    bundle: &str,
    entry: &[u8],
    vkey: &str,
    witnesses: Vec<String>,
    quorum: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let key = log_key(vkey)?;
    let policy = if witnesses.is_empty() {
        // A quorum of nobody's cosignatures would pass every bundle.
        if let Some(quorum) = quorum {
            return Err(VerificationError::new_err(format!(
                "quorum: {quorum} cosignatures asked for, but no witnesses given; pass their verifier keys as witnesses"
            )));
        }
        None
    } else {
        let keys = witnesses
            .iter()
            .map(|w| CosignatureVerifier::from_vkey(w).map_err(|e| fail("witnesses", e)))
            .collect::<PyResult<Vec<_>>>()?;
        let quorum = quorum.unwrap_or(keys.len());
        Some(WitnessPolicy::new(keys, quorum).map_err(|e| fail("witnesses", e))?)
    };
    let parsed = TlogProof::parse(bundle).map_err(|e| fail("bundle", e))?;
    let signed = parsed
        .verify(&leaf_hash(entry), key.name(), &key, policy.as_ref())
        .map_err(|e| fail("bundle", e))?;
    let out = summary(py, &signed)?;
    out.set_item("index", parsed.index)?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(verify_checkpoint, m)?)?;
    m.add_function(wrap_pyfunction!(verify_inclusion, m)?)?;
    m.add_function(wrap_pyfunction!(verify_consistency, m)?)?;
    m.add_function(wrap_pyfunction!(verify_bundle, m)?)?;
    Ok(())
}
