//! Writing results: JSON or text to standard output, and report folders that
//! appear only once complete.

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Prints `value` as pretty JSON.
pub fn print_json(value: &impl Serialize) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("serialising the result")?
    );
    Ok(())
}

/// A folder being written under a temporary name; [`StagedDir::commit`]
/// renames it into place, so an interrupted run never leaves a folder that
/// looks complete.
pub struct StagedDir {
    staging: PathBuf,
    target: PathBuf,
}

impl StagedDir {
    /// Starts writing the folder `target`.
    pub fn create(target: &Path) -> Result<Self> {
        let name = target
            .file_name()
            .with_context(|| format!("{} is not a folder name", target.display()))?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let staging = parent.join(format!(
            ".{}.partial-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("removing {}", staging.display()))?;
        }
        std::fs::create_dir(&staging).with_context(|| format!("creating {}", staging.display()))?;
        Ok(Self {
            staging,
            target: target.to_path_buf(),
        })
    }

    /// Path of `file` inside the folder being written.
    pub fn path(&self, file: &str) -> PathBuf {
        self.staging.join(file)
    }

    /// Writes `contents` to `file`.
    pub fn write(&self, file: &str, contents: impl AsRef<[u8]>) -> Result<()> {
        let path = self.path(file);
        std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))
    }

    /// Moves the finished folder into place, replacing an older one.
    pub fn commit(self) -> Result<PathBuf> {
        if self.target.exists() {
            std::fs::remove_dir_all(&self.target)
                .with_context(|| format!("replacing the previous {}", self.target.display()))?;
        }
        std::fs::rename(&self.staging, &self.target)
            .with_context(|| format!("moving results into {}", self.target.display()))?;
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        // Only an uncommitted (failed or interrupted) run still has its staging folder.
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// Formats a probability-like number for tables: fixed for ordinary
/// magnitudes, scientific for tiny ones.
pub fn number(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-4 {
        format!("{x:.4e}")
    } else {
        format!("{x:.6}")
    }
}
