//! `accord log`: create a transparency log, append to it, and produce and
//! verify checkpoints, proofs, tlog-proof bundles and witness cosignatures.
//!
//! `--db` is a SQLite file path or a `postgres://` URL. Proofs are text:
//! `index <i>` / `old <n>`, `size <n>`, then one base64 hash per line.

use accord_log::checkpoint::SignedCheckpoint;
use accord_log::cosignature::{CosignatureSigner, CosignatureVerifier, now};
use accord_log::hash::{Hash, leaf_hash};
use accord_log::note::{Note, NoteVerifier};
use accord_log::proof::{verify_consistency, verify_inclusion};
use accord_log::tile::TilePath;
use accord_log::{
    AnyStorage, Ed25519Signer, Ed25519Verifier, Log, LogConfig, LogReader, Storage, TlogProof,
    WitnessPolicy,
};
use anyhow::{Context, Result, bail, ensure};
use clap::{Args, Subcommand};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

/// Transparency-log commands.
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Create a log and its signing key (the key's name is the log's origin).
    Init(InitArgs),
    /// Generate a key pair: a log key, or a witness cosigning key with --cosigner.
    Keygen(KeygenArgs),
    /// Print the verifier (public) key of a secret key file made by init or keygen.
    VerifierKey(VerifierKeyArgs),
    /// Append entries: one per file, or from standard input (whole, or one per line with --lines).
    Append(AppendArgs),
    /// Print the latest signed checkpoint.
    Checkpoint(DbArgs),
    /// Print an inclusion proof for an entry.
    ProveInclusion(ProveInclusionArgs),
    /// Verify an inclusion proof against a signed checkpoint.
    VerifyInclusion(VerifyInclusionArgs),
    /// Print a consistency proof between two tree sizes.
    ProveConsistency(ProveConsistencyArgs),
    /// Verify a consistency proof between two signed checkpoints.
    VerifyConsistency(VerifyConsistencyArgs),
    /// Print a tlog-proof bundle (c2sp.org/tlog-proof@v1) for an entry.
    Bundle(BundleArgs),
    /// Verify a tlog-proof bundle offline.
    VerifyBundle(VerifyBundleArgs),
    /// Print a tile or entry bundle (tlog-tiles path, e.g. tile/0/x001/234.p/5).
    Tile(TileArgs),
    /// Witness check between two checkpoints: signatures and consistency; optionally cosign the newer one.
    Witness(WitnessArgs),
}

/// The log's database.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// SQLite file or postgres:// URL.
    #[arg(long)]
    db: String,
}

/// `accord log init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Log origin and key name, e.g. example.org/log (default: the name of the key in --key-file).
    #[arg(long)]
    origin: Option<String>,
    /// The log's secret signing key: used if the file exists (made by `keygen`), created otherwise.
    #[arg(long)]
    key_file: PathBuf,
}

/// `accord log verifier-key`.
#[derive(Debug, Args)]
pub struct VerifierKeyArgs {
    /// Secret key file (a log key, or a witness cosigning key).
    #[arg(long)]
    key_file: PathBuf,
}

/// `accord log keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Key name.
    #[arg(long)]
    name: String,
    /// Where to write the secret key (must not exist).
    #[arg(long)]
    key_file: PathBuf,
    /// A witness cosigning key (tlog-cosignature, type 0x04) instead of a log key.
    #[arg(long)]
    cosigner: bool,
}

/// `accord log append`.
#[derive(Debug, Args)]
pub struct AppendArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The log's secret key file.
    #[arg(long)]
    key_file: PathBuf,
    /// Each line of standard input is an entry; indexes are printed as each batch is stored.
    #[arg(long, conflicts_with = "files")]
    lines: bool,
    /// Files to append, one entry each (none: all of standard input is one entry).
    files: Vec<PathBuf>,
}

/// `accord log prove-inclusion`.
#[derive(Debug, Args)]
pub struct ProveInclusionArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Entry index.
    #[arg(long)]
    index: u64,
    /// Tree size (default: the latest checkpoint's).
    #[arg(long)]
    size: Option<u64>,
}

/// `accord log verify-inclusion`.
#[derive(Debug, Args)]
pub struct VerifyInclusionArgs {
    /// The log's verifier key (name+hexid+base64).
    #[arg(long)]
    vkey: String,
    /// Signed checkpoint file.
    #[arg(long)]
    checkpoint: PathBuf,
    /// Proof file from prove-inclusion.
    #[arg(long)]
    proof: PathBuf,
    #[command(flatten)]
    leaf: LeafArgs,
}

/// The entry being proved.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct LeafArgs {
    /// File holding the entry.
    #[arg(long)]
    entry: Option<PathBuf>,
    /// The entry's leaf hash, hex.
    #[arg(long)]
    leaf_hash: Option<String>,
}

/// `accord log prove-consistency`.
#[derive(Debug, Args)]
pub struct ProveConsistencyArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Older tree size.
    #[arg(long)]
    old: u64,
    /// Newer tree size (default: the latest checkpoint's).
    #[arg(long)]
    size: Option<u64>,
}

/// `accord log verify-consistency`.
#[derive(Debug, Args)]
pub struct VerifyConsistencyArgs {
    /// The log's verifier key.
    #[arg(long)]
    vkey: String,
    /// Older signed checkpoint file.
    #[arg(long)]
    old_checkpoint: PathBuf,
    /// Newer signed checkpoint file.
    #[arg(long)]
    new_checkpoint: PathBuf,
    /// Proof file from prove-consistency.
    #[arg(long)]
    proof: PathBuf,
}

/// `accord log bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Entry index.
    #[arg(long)]
    index: u64,
    /// Prove against this signed checkpoint instead of the latest one: any
    /// earlier size of the log, with the witness cosignatures it carries
    /// (for example the output of `accord log witness --cosign-key`).
    #[arg(long)]
    checkpoint: Option<PathBuf>,
}

/// `accord log verify-bundle`.
#[derive(Debug, Args)]
pub struct VerifyBundleArgs {
    /// The log's verifier key.
    #[arg(long)]
    vkey: String,
    /// tlog-proof file.
    #[arg(long)]
    bundle: PathBuf,
    #[command(flatten)]
    leaf: LeafArgs,
    /// A witness's cosigner verifier key (repeat for each).
    #[arg(long = "witness")]
    witnesses: Vec<String>,
    /// Cosignatures required from the --witness keys (default: all of them).
    #[arg(long)]
    quorum: Option<usize>,
}

/// `accord log tile`.
#[derive(Debug, Args)]
pub struct TileArgs {
    #[command(flatten)]
    db: DbArgs,
    /// tlog-tiles path.
    path: String,
    /// Write the raw bytes here instead of hex to standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `accord log witness`.
#[derive(Debug, Args)]
pub struct WitnessArgs {
    /// The log's verifier key.
    #[arg(long)]
    vkey: String,
    /// Checkpoint the witness has already verified (omit for the first one).
    #[arg(long, requires = "proof")]
    old_checkpoint: Option<PathBuf>,
    /// Checkpoint to check.
    #[arg(long)]
    new_checkpoint: PathBuf,
    /// Consistency proof file from prove-consistency.
    #[arg(long)]
    proof: Option<PathBuf>,
    /// Witness cosigning key file: print the new checkpoint with a cosignature added.
    #[arg(long)]
    cosign_key: Option<PathBuf>,
}

/// Runs an `accord log` command.
pub fn run(command: LogCommand) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(dispatch(command))
}

async fn dispatch(command: LogCommand) -> Result<()> {
    match command {
        LogCommand::Init(a) => init(a).await,
        LogCommand::Keygen(a) => keygen(a),
        LogCommand::VerifierKey(a) => verifier_key(&a),
        LogCommand::Append(a) => append(a).await,
        LogCommand::Checkpoint(a) => {
            print!("{}", reader(&a).await?.checkpoint().note);
            Ok(())
        }
        LogCommand::ProveInclusion(a) => {
            let log = reader(&a.db).await?;
            let size = a.size.unwrap_or_else(|| log.size());
            let proof = log.inclusion_proof(a.index, size).await?;
            print!("{}", format_proof("index", a.index, size, &proof));
            Ok(())
        }
        LogCommand::VerifyInclusion(a) => verify_inclusion_cmd(a),
        LogCommand::ProveConsistency(a) => {
            let log = reader(&a.db).await?;
            let size = a.size.unwrap_or_else(|| log.size());
            let proof = log.consistency_proof(a.old, size).await?;
            print!("{}", format_proof("old", a.old, size, &proof));
            Ok(())
        }
        LogCommand::VerifyConsistency(a) => verify_consistency_cmd(a),
        LogCommand::Bundle(a) => bundle(a).await,
        LogCommand::VerifyBundle(a) => verify_bundle_cmd(a),
        LogCommand::Tile(a) => {
            let path = TilePath::parse(&a.path)?;
            let data = reader(&a.db).await?.tile(&path).await?;
            match a.out {
                Some(out) => std::fs::write(&out, data)
                    .with_context(|| format!("writing {}", out.display()))?,
                None => println!(
                    "{}",
                    data.iter().map(|b| format!("{b:02x}")).collect::<String>()
                ),
            }
            Ok(())
        }
        LogCommand::Witness(a) => witness_cmd(a),
    }
}

/// An existing log database: a mistyped path is an error, not a new file.
async fn storage(db: &DbArgs) -> Result<AnyStorage> {
    AnyStorage::open_existing(&db.db)
        .await
        .context("opening the log database")
}

async fn reader(db: &DbArgs) -> Result<LogReader<AnyStorage>> {
    LogReader::open(storage(db).await?)
        .await
        .with_context(|| format!("opening the log in {}", db.db))
}

fn read_text(path: &Path, what: &str) -> Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading the {what} {}", path.display()))?;
    String::from_utf8(bytes)
        .with_context(|| format!("the {what} {} is not UTF-8 text", path.display()))
}

pub(crate) fn write_secret(path: &Path, secret: &str) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| {
            format!(
                "creating the key file {} (it must not exist)",
                path.display()
            )
        })?;
    writeln!(file, "{secret}").with_context(|| format!("writing {}", path.display()))
}

fn log_signer(path: &Path) -> Result<Ed25519Signer> {
    Ed25519Signer::from_skey(&read_text(path, "key file")?).with_context(|| {
        format!(
            "the key file {} does not hold a log signing key",
            path.display()
        )
    })
}

async fn init(a: InitArgs) -> Result<()> {
    let existing_key = a.key_file.exists();
    let signer = if existing_key {
        log_signer(&a.key_file)?
    } else {
        let origin = a
            .origin
            .as_deref()
            .context("--origin is needed to make a new key (or give an existing --key-file)")?;
        Ed25519Signer::generate(origin).context("invalid --origin")?
    };
    if let Some(origin) = &a.origin {
        ensure!(
            origin == signer.verifier().name(),
            "--origin {origin:?} differs from the name of the key in {} ({:?}): a log's origin is its key's name",
            a.key_file.display(),
            signer.verifier().name()
        );
    }
    let new_file = AnyStorage::is_sqlite(&a.db.db) && !Path::new(&a.db.db).exists();
    let created = async {
        let storage = AnyStorage::open(&a.db.db).await?;
        if !existing_key {
            write_secret(&a.key_file, &signer.skey())?;
        }
        let result = Log::create(&storage, &signer).await;
        storage.close().await;
        result.context("creating the log")
    }
    .await;
    if let Err(e) = created {
        // Leave nothing behind that looks like a log or a log's key.
        if !existing_key {
            let _ = std::fs::remove_file(&a.key_file);
        }
        if new_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", a.db.db));
            }
        }
        return Err(e);
    }
    println!("{}", signer.verifier().vkey());
    Ok(())
}

fn verifier_key(a: &VerifierKeyArgs) -> Result<()> {
    let text = read_text(&a.key_file, "key file")?;
    let vkey = match Ed25519Signer::from_skey(&text) {
        Ok(signer) => signer.verifier().vkey(),
        Err(_) => CosignatureSigner::from_skey(&text)
            .with_context(|| {
                format!(
                    "{} holds neither a log key nor a cosigning key",
                    a.key_file.display()
                )
            })?
            .verifier()
            .vkey(),
    };
    println!("{vkey}");
    Ok(())
}

async fn bundle(a: BundleArgs) -> Result<()> {
    let log = reader(&a.db).await?;
    let Some(path) = &a.checkpoint else {
        print!("{}", log.prove_entry(a.index, None).await?);
        return Ok(());
    };
    let signed = open_checkpoint(path, log.verifier())?;
    let c = &signed.checkpoint;
    let latest = log.checkpoint().checkpoint;
    ensure!(
        c.size <= latest.size,
        "{}: the checkpoint has size {}, beyond the log's {}",
        path.display(),
        c.size,
        latest.size
    );
    // Never print a bundle that does not verify: the checkpoint must be a prefix of this log.
    let consistency = log.consistency_proof(c.size, latest.size).await?;
    verify_consistency(
        c.size,
        latest.size,
        &consistency,
        c.root.as_bytes(),
        latest.root.as_bytes(),
    )
    .with_context(|| {
        format!(
            "{}: the checkpoint is not this log's at size {}",
            path.display(),
            c.size
        )
    })?;
    let proof = log.inclusion_proof(a.index, c.size).await?;
    print!(
        "{}",
        TlogProof {
            extra: None,
            index: a.index,
            proof,
            checkpoint: signed.note.to_string(),
        }
    );
    Ok(())
}

fn keygen(a: KeygenArgs) -> Result<()> {
    let (secret, public) = if a.cosigner {
        let s = CosignatureSigner::generate(&a.name).context("invalid --name")?;
        (s.skey(), s.verifier().vkey())
    } else {
        let s = Ed25519Signer::generate(&a.name).context("invalid --name")?;
        (s.skey(), s.verifier().vkey())
    };
    write_secret(&a.key_file, &secret)?;
    println!("{public}");
    Ok(())
}

async fn append(a: AppendArgs) -> Result<()> {
    let signer = log_signer(&a.key_file)?;
    let config = LogConfig::default();
    let log = Log::open(storage(&a.db).await?, signer, config)
        .await
        .with_context(|| format!("opening the log in {} for writing", a.db.db))?;
    let result = if a.lines {
        append_lines(&log, config.max_batch_entries).await
    } else if a.files.is_empty() {
        let mut data = Vec::new();
        std::io::stdin()
            .read_to_end(&mut data)
            .context("reading standard input")?;
        if data.is_empty() {
            log.close().await;
            bail!("standard input is empty: nothing was appended");
        }
        let index = log.append(data).await?;
        println!("{index}");
        Ok(())
    } else {
        let mut entries = Vec::new();
        for f in &a.files {
            entries.push(std::fs::read(f).with_context(|| format!("reading {}", f.display()))?);
        }
        let range = log.append_all(entries).await?;
        for (index, f) in range.zip(&a.files) {
            println!("{index} {}", f.display());
        }
        Ok(())
    };
    log.close().await;
    result
}

/// Streams standard input: lines read while a batch is being stored form
/// the next batch; each index is printed once its batch is durable. A blank
/// line is refused (it would be an empty entry, most likely by accident)
/// after the lines before it are stored.
async fn append_lines(log: &Log<AnyStorage>, max_batch: usize) -> Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>>>(max_batch);
    std::thread::spawn(move || {
        for (number, line) in (1u64..).zip(std::io::stdin().lock().split(b'\n')) {
            let line = line.context("reading standard input").and_then(|mut l| {
                // Lines end at LF; a CRLF line's CR is not part of the entry.
                if l.last() == Some(&b'\r') {
                    l.pop();
                }
                ensure!(
                    !l.is_empty(),
                    "line {number} of standard input is blank: with --lines every line is one \
                     entry, and an entry cannot be empty; the lines before it were appended, \
                     none after it"
                );
                Ok(l)
            });
            let failed = line.is_err();
            if tx.blocking_send(line).is_err() || failed {
                return;
            }
        }
    });
    let mut out = std::io::stdout().lock();
    let mut failure = None;
    while failure.is_none() {
        let Some(first) = rx.recv().await else { break };
        let mut batch = Vec::new();
        let mut next = first;
        loop {
            match next {
                Ok(line) => batch.push(line),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            if batch.len() == max_batch {
                break;
            }
            match rx.try_recv() {
                Ok(line) => next = line,
                Err(_) => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        let range = log.append_all(batch).await?;
        for index in range {
            writeln!(out, "{index}")?;
        }
        out.flush()?;
    }
    failure.map_or(Ok(()), Err)
}

fn format_proof(first: &str, value: u64, size: u64, proof: &[Hash]) -> String {
    let mut s = format!("{first} {value}\nsize {size}\n");
    for h in proof {
        s.push_str(&h.to_base64());
        s.push('\n');
    }
    s
}

/// Parses a proof file: `<first> <n>`, `size <n>`, hashes.
fn parse_proof(text: &str, first: &str, path: &Path) -> Result<(u64, u64, Vec<Hash>)> {
    let mut lines = text.lines();
    let mut number = |key: &str| -> Result<u64> {
        let line = lines.next().unwrap_or("");
        line.strip_prefix(key)
            .and_then(|r| r.strip_prefix(' '))
            .and_then(accord_log::checkpoint::parse_size)
            .with_context(|| {
                format!(
                    "{}: expected a line \"{key} <number>\", found {line:?}",
                    path.display()
                )
            })
    };
    let value = number(first)?;
    let size = number("size")?;
    let hashes = lines
        .enumerate()
        .map(|(i, l)| {
            Hash::from_base64(l)
                .with_context(|| format!("{}: proof hash {}", path.display(), i + 1))
        })
        .collect::<Result<Vec<_>>>()?;
    ensure!(
        hashes.len() <= accord_log::merkle::MAX_PROOF_LEN,
        "{}: proof longer than 64 hashes",
        path.display()
    );
    Ok((value, size, hashes))
}

fn log_verifier(vkey: &str) -> Result<Ed25519Verifier> {
    Ed25519Verifier::from_vkey(vkey).context("invalid --vkey")
}

fn open_checkpoint(path: &Path, verifier: &Ed25519Verifier) -> Result<SignedCheckpoint> {
    SignedCheckpoint::open(&read_text(path, "checkpoint")?, verifier.name(), verifier)
        .with_context(|| format!("checkpoint {}", path.display()))
}

fn leaf(args: &LeafArgs) -> Result<Hash> {
    match (&args.entry, &args.leaf_hash) {
        (Some(path), _) => Ok(leaf_hash(
            &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        )),
        (None, Some(hex)) => Hash::from_hex(hex).context("invalid --leaf-hash"),
        (None, None) => bail!("give --entry or --leaf-hash"),
    }
}

fn verify_inclusion_cmd(a: VerifyInclusionArgs) -> Result<()> {
    let verifier = log_verifier(&a.vkey)?;
    let signed = open_checkpoint(&a.checkpoint, &verifier)?;
    let (index, size, proof) = parse_proof(&read_text(&a.proof, "proof")?, "index", &a.proof)?;
    let c = &signed.checkpoint;
    ensure!(
        size == c.size,
        "the proof is for tree size {size}, the checkpoint has size {}",
        c.size
    );
    verify_inclusion(index, size, &leaf(&a.leaf)?, &proof, c.root.as_bytes())
        .context("inclusion proof")?;
    println!("ok: entry {index} is in {} at size {size}", c.origin);
    Ok(())
}

fn verify_consistency_cmd(a: VerifyConsistencyArgs) -> Result<()> {
    let verifier = log_verifier(&a.vkey)?;
    let old = open_checkpoint(&a.old_checkpoint, &verifier)?.checkpoint;
    let new = open_checkpoint(&a.new_checkpoint, &verifier)?.checkpoint;
    let (old_size, size, proof) = parse_proof(&read_text(&a.proof, "proof")?, "old", &a.proof)?;
    ensure!(
        old_size == old.size && size == new.size,
        "the proof is from size {old_size} to {size}, the checkpoints have sizes {} and {}",
        old.size,
        new.size
    );
    verify_consistency(
        old.size,
        new.size,
        &proof,
        old.root.as_bytes(),
        new.root.as_bytes(),
    )
    .context("consistency proof")?;
    println!(
        "ok: {} at size {} extends size {}",
        new.origin, new.size, old.size
    );
    Ok(())
}

fn verify_bundle_cmd(a: VerifyBundleArgs) -> Result<()> {
    let verifier = log_verifier(&a.vkey)?;
    let bundle = TlogProof::parse(&read_text(&a.bundle, "bundle")?)
        .with_context(|| format!("bundle {}", a.bundle.display()))?;
    let policy = if a.witnesses.is_empty() {
        ensure!(a.quorum.is_none(), "--quorum needs --witness keys");
        None
    } else {
        let keys = a
            .witnesses
            .iter()
            .map(|k| {
                CosignatureVerifier::from_vkey(k).with_context(|| format!("invalid --witness {k}"))
            })
            .collect::<Result<Vec<_>>>()?;
        let quorum = a.quorum.unwrap_or(keys.len());
        Some(WitnessPolicy::new(keys, quorum)?)
    };
    let signed = bundle.verify(&leaf(&a.leaf)?, verifier.name(), &verifier, policy.as_ref())?;
    println!(
        "ok: entry {} is in {} at size {}",
        bundle.index, signed.checkpoint.origin, signed.checkpoint.size
    );
    Ok(())
}

fn witness_cmd(a: WitnessArgs) -> Result<()> {
    let verifier = log_verifier(&a.vkey)?;
    let new = open_checkpoint(&a.new_checkpoint, &verifier)?;
    let n = &new.checkpoint;
    if let Some(old_path) = &a.old_checkpoint {
        let old = open_checkpoint(old_path, &verifier)?.checkpoint;
        let proof_path = a.proof.as_ref().context("--old-checkpoint needs --proof")?;
        let (old_size, size, proof) =
            parse_proof(&read_text(proof_path, "proof")?, "old", proof_path)?;
        ensure!(
            old_size == old.size && size == n.size,
            "the proof is from size {old_size} to {size}, the checkpoints have sizes {} and {}",
            old.size,
            n.size
        );
        ensure!(
            old.size <= n.size,
            "the new checkpoint (size {}) is older than the old one (size {})",
            n.size,
            old.size
        );
        if old.size > 0 {
            verify_consistency(
                old.size,
                n.size,
                &proof,
                old.root.as_bytes(),
                n.root.as_bytes(),
            )
            .context("the checkpoints are not consistent")?;
        }
    }
    match &a.cosign_key {
        Some(key) => {
            let signer = CosignatureSigner::from_skey(&read_text(key, "cosigner key file")?)
                .with_context(|| format!("{} does not hold a cosigning key", key.display()))?;
            let mut note: Note = new.note.clone();
            note.add_signatures([signer.cosign_at(note.text.as_bytes(), now())]);
            print!("{note}");
        }
        None => println!(
            "ok: {} size {} is signed by the log and consistent",
            n.origin, n.size
        ),
    }
    Ok(())
}
