//! C2SP tlog-witness v1.0.0: the `add-checkpoint` wire protocol and k-of-n
//! witness policies — pure functions, usable by an offline verifier.
//!
//! Request body: `old <size>\n`, zero to 63 base64 consistency-proof lines,
//! an empty line, then the checkpoint note. Responses:
//!
//! | status | when | body |
//! |---|---|---|
//! | 200 | cosigned | cosignature lines (`— name base64…`) |
//! | 400 | malformed request, or old size > checkpoint size | error text |
//! | 403 | no signature verifies with the log's trusted keys | error text |
//! | 404 | unknown origin | error text |
//! | 409 | old size is not the witness's latest size, or same size with another root | `<latest size>\n`, `Content-Type: text/x.tlog.size` |
//! | 422 | the consistency proof does not verify | error text |
//!
//! A witness that implements the protocol, with its persistent state, and a
//! client that gathers cosignatures live in `accord-log`.

use crate::checkpoint::parse_size;
use crate::cosignature::CosignatureVerifier;
use crate::hash::Hash;
use crate::note::{MAX_NOTE_SIZE, Note, NoteSignature, NoteVerifier};
use std::fmt;

/// Most consistency-proof lines a request may carry (tlog-witness).
pub const MAX_REQUEST_PROOF_LINES: usize = 63;
/// Largest request body accepted.
pub const MAX_REQUEST_SIZE: usize = MAX_NOTE_SIZE + 4096;

/// A malformed `add-checkpoint` request body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed add-checkpoint request: {0}")]
pub struct RequestError(pub String);

/// An `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    /// Size of the checkpoint the client believes the witness has.
    pub old_size: u64,
    /// Consistency proof from `old_size` to the checkpoint.
    pub proof: Vec<Hash>,
    /// The checkpoint note.
    pub checkpoint: String,
}

impl AddCheckpointRequest {
    /// Parses a request body.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let bad = |m: &str| RequestError(m.to_string());
        if body.len() > MAX_REQUEST_SIZE {
            return Err(bad("body too large"));
        }
        let text = std::str::from_utf8(body).map_err(|_| bad("body is not UTF-8"))?;
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no empty line before the checkpoint"))?;
        let mut lines = head.split('\n');
        let old_size = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(parse_size)
            .ok_or_else(|| bad("the first line must be \"old <size>\""))?;
        let proof = lines
            .enumerate()
            .map(|(i, l)| {
                if i >= MAX_REQUEST_PROOF_LINES {
                    return Err(bad("more than 63 consistency proof lines"));
                }
                Hash::from_base64(l).map_err(|e| RequestError(format!("proof line {}: {e}", i + 1)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            old_size,
            proof,
            checkpoint: checkpoint.to_string(),
        })
    }
}

impl fmt::Display for AddCheckpointRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "old {}", self.old_size)?;
        for h in &self.proof {
            writeln!(f, "{}", h.to_base64())?;
        }
        writeln!(f)?;
        f.write_str(&self.checkpoint)
    }
}

/// A witness's answer to `add-checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WitnessResponse {
    /// 200: the cosignatures.
    Cosigned(Vec<NoteSignature>),
    /// 400: malformed request, or old size larger than the checkpoint's.
    BadRequest(String),
    /// 403: the checkpoint is not signed by a trusted log key.
    Forbidden(String),
    /// 404: the origin is not a known log.
    UnknownLog(String),
    /// 409: the witness's latest size for this log.
    Conflict(u64),
    /// 422: the consistency proof does not verify.
    BadProof(String),
    /// 500: the witness could not read or persist its state.
    Internal(String),
}

impl WitnessResponse {
    /// HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Self::Cosigned(_) => 200,
            Self::BadRequest(_) => 400,
            Self::Forbidden(_) => 403,
            Self::UnknownLog(_) => 404,
            Self::Conflict(_) => 409,
            Self::BadProof(_) => 422,
            Self::Internal(_) => 500,
        }
    }

    /// HTTP `Content-Type`.
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Conflict(_) => "text/x.tlog.size",
            _ => "text/plain; charset=utf-8",
        }
    }

    /// HTTP body.
    pub fn body(&self) -> String {
        match self {
            Self::Cosigned(sigs) => sigs.iter().map(NoteSignature::to_line).collect(),
            Self::Conflict(size) => format!("{size}\n"),
            Self::BadRequest(m)
            | Self::Forbidden(m)
            | Self::UnknownLog(m)
            | Self::BadProof(m)
            | Self::Internal(m) => {
                format!("{m}\n")
            }
        }
    }

    /// Reads a response from its status and body (client side).
    pub fn from_http(status: u16, body: &str) -> Result<Self, RequestError> {
        let message = || body.trim_end().to_string();
        Ok(match status {
            200 => Self::Cosigned(
                body.strip_suffix('\n')
                    .ok_or_else(|| RequestError("cosignature lines must end in a newline".into()))?
                    .split('\n')
                    .map(|l| NoteSignature::parse_line(l).map_err(|e| RequestError(e.to_string())))
                    .collect::<Result<_, _>>()?,
            ),
            400 => Self::BadRequest(message()),
            403 => Self::Forbidden(message()),
            404 => Self::UnknownLog(message()),
            409 => Self::Conflict(body.strip_suffix('\n').and_then(parse_size).ok_or_else(
                || RequestError("409 body must be a decimal size and a newline".into()),
            )?),
            422 => Self::BadProof(message()),
            other => Self::Internal(format!("HTTP {other}: {}", message())),
        })
    }
}

/// A policy violation: not enough valid cosignatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// k must be 1..=n.
    #[error("quorum {quorum} must be between 1 and the number of witnesses ({witnesses})")]
    BadQuorum {
        /// k.
        quorum: usize,
        /// n.
        witnesses: usize,
    },
    /// The same witness key twice.
    #[error("witness {0} is listed twice")]
    Duplicate(String),
    /// A known witness's cosignature fails to verify.
    #[error("invalid cosignature from witness {0}")]
    InvalidCosignature(String),
    /// Fewer than k valid cosignatures.
    #[error("{got} of the required {need} witness cosignatures{detail}")]
    NotEnough {
        /// Valid cosignatures.
        got: usize,
        /// k.
        need: usize,
        /// Why the others are missing.
        detail: String,
    },
}

/// k-of-n witness policy.
#[derive(Debug, Clone)]
pub struct WitnessPolicy {
    witnesses: Vec<CosignatureVerifier>,
    quorum: usize,
}

impl WitnessPolicy {
    /// Requires `quorum` of `witnesses`.
    pub fn new(witnesses: Vec<CosignatureVerifier>, quorum: usize) -> Result<Self, PolicyError> {
        if quorum == 0 || quorum > witnesses.len() {
            return Err(PolicyError::BadQuorum {
                quorum,
                witnesses: witnesses.len(),
            });
        }
        for (i, w) in witnesses.iter().enumerate() {
            if witnesses[..i]
                .iter()
                .any(|o| o.name() == w.name() && o.key_id() == w.key_id())
            {
                return Err(PolicyError::Duplicate(w.vkey()));
            }
        }
        Ok(Self { witnesses, quorum })
    }

    /// The witnesses.
    pub fn witnesses(&self) -> &[CosignatureVerifier] {
        &self.witnesses
    }

    /// Names of the witnesses whose cosignature on `note` verifies; fails
    /// unless there are at least k.
    pub fn check(&self, note: &Note) -> Result<Vec<String>, PolicyError> {
        let mut names = Vec::new();
        for w in &self.witnesses {
            let mine = note
                .signatures
                .iter()
                .filter(|s| s.name == w.name() && s.key_id == w.key_id());
            let mut ok = false;
            for sig in mine {
                if !w.verify(note.text.as_bytes(), &sig.signature) {
                    return Err(PolicyError::InvalidCosignature(w.name().to_string()));
                }
                ok = true;
            }
            if ok {
                names.push(w.name().to_string());
            }
        }
        if names.len() < self.quorum {
            return Err(PolicyError::NotEnough {
                got: names.len(),
                need: self.quorum,
                detail: String::new(),
            });
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;

    /// The request body example of tlog-witness.
    const SPEC_REQUEST: &str = "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\n\
example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\
— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";

    /// The response body example of tlog-witness.
    const SPEC_RESPONSE: &str = "— witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n\
— witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==\n\
— witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==\n";

    #[test]
    fn spec_request_round_trips() {
        let r = AddCheckpointRequest::parse(SPEC_REQUEST.as_bytes()).unwrap();
        assert_eq!((r.old_size, r.proof.len()), (20852014, 4));
        let note = Note::parse(&r.checkpoint).unwrap();
        assert_eq!(note.signatures.len(), 2);
        assert_eq!(Checkpoint::parse(&note.text).unwrap().size, 20852163);
        assert_eq!(r.to_string(), SPEC_REQUEST);
    }

    #[test]
    fn spec_response_parses() {
        let WitnessResponse::Cosigned(sigs) =
            WitnessResponse::from_http(200, SPEC_RESPONSE).unwrap()
        else {
            panic!("not a 200 response");
        };
        assert_eq!(sigs.len(), 3);
        assert_eq!(WitnessResponse::Cosigned(sigs).body(), SPEC_RESPONSE);
        assert_eq!(
            WitnessResponse::from_http(409, "123\n").unwrap(),
            WitnessResponse::Conflict(123)
        );
        assert!(WitnessResponse::from_http(409, "0123\n").is_err());
    }

    #[test]
    fn malformed_requests() {
        for bad in [
            "",
            "old 5\n",
            "old 05\n\nx",
            "new 5\n\nx",
            "old 5\nnot-base64\n\nx",
            "old -1\n\nx",
        ] {
            assert!(
                AddCheckpointRequest::parse(bad.as_bytes()).is_err(),
                "{bad:?}"
            );
        }
        let many = format!(
            "old 5\n{}\nx",
            "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n".repeat(64)
        );
        assert!(AddCheckpointRequest::parse(many.as_bytes()).is_err());
    }
}
