//! Writing results: JSON or text to standard output, and report folders that
//! appear only once complete.

use accord_sim::stats::Estimate;
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A number in a comma-separated list option, spaces around it allowed
/// (`--thresholds "0, 1"`).
pub fn list_number(text: &str) -> Result<f64, std::num::ParseFloatError> {
    text.trim().parse()
}

/// Prints `value` as pretty JSON.
pub fn print_json(value: &impl Serialize) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("serialising the result")?
    );
    Ok(())
}

/// File that marks a folder as Accord's own output, so a later run may replace it.
const MARKER: &str = ".accord-output";

/// A folder being written under a temporary name; [`StagedDir::commit`]
/// renames it into place, so an interrupted run never leaves a folder that
/// looks complete. Only an empty folder or an earlier Accord output folder is
/// ever replaced: anything else at the target is refused before work starts.
pub struct StagedDir {
    staging: PathBuf,
    target: PathBuf,
}

impl StagedDir {
    /// Starts writing the folder `target`.
    pub fn create(target: &Path) -> Result<Self> {
        check_replaceable(target)?;
        let name = target
            .file_name()
            .with_context(|| format!("{} is not a folder name", target.display()))?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        remove_abandoned_staging(parent, &name.to_string_lossy());
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
        std::fs::write(staging.join(MARKER), "written by accord; safe to replace\n")
            .with_context(|| format!("writing {}", staging.join(MARKER).display()))?;
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
        check_replaceable(&self.target)?;
        if self.target.exists() {
            std::fs::remove_dir_all(&self.target)
                .with_context(|| format!("replacing the previous {}", self.target.display()))?;
        }
        std::fs::rename(&self.staging, &self.target)
            .with_context(|| format!("moving results into {}", self.target.display()))?;
        Ok(self.target.clone())
    }
}

/// Removes the staging folders of `name` that killed runs left behind
/// (a process killed outright runs no `Drop`): those holding the marker
/// whose process is gone. Where `/proc` cannot tell, nothing is removed.
fn remove_abandoned_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.partial-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists();
        if gone && entry.path().join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Fails unless `target` is absent, an empty folder, or an earlier output folder.
fn check_replaceable(target: &Path) -> Result<()> {
    if !target.exists() {
        return Ok(());
    }
    let is_ours = target.join(MARKER).is_file();
    let is_empty = target.is_dir()
        && std::fs::read_dir(target)
            .with_context(|| format!("reading {}", target.display()))?
            .next()
            .is_none();
    anyhow::ensure!(
        is_ours || is_empty,
        "{} already exists and is not an Accord output folder; \
         choose another --out or remove it yourself",
        target.display()
    );
    Ok(())
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        // Only an uncommitted (failed or interrupted) run still has its staging folder.
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// An estimate as `mean [low, high]` with `digits` decimals: "–" without a
/// mean, and no interval where one replicate gives none.
pub fn estimate_text(e: &Estimate, digits: usize) -> String {
    estimate_with(e, |x| format!("{x:.digits$}"))
}

/// [`estimate_text`] with each figure formatted by [`number`].
pub fn estimate_number(e: &Estimate) -> String {
    estimate_with(e, number)
}

fn estimate_with(e: &Estimate, figure: impl Fn(f64) -> String) -> String {
    if e.mean.is_nan() {
        "–".into()
    } else if e.low.is_nan() {
        format!("{} (one run: no interval)", figure(e.mean))
    } else {
        format!("{} [{}, {}]", figure(e.mean), figure(e.low), figure(e.high))
    }
}

/// An estimate as three CSV cells, `mean,low,high`, an undefined one empty
/// (as the Parquet beside it reads: null).
pub fn estimate_cells(e: &Estimate) -> String {
    let cell = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            x.to_string()
        }
    };
    format!("{},{},{}", cell(e.mean), cell(e.low), cell(e.high))
}

/// A number as a user would write it: plain in the everyday range,
/// scientific outside it (f64's `Display` writes 1e-300 as 300 digits).
pub fn setting(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-5..1e16).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Formats a number for tables: fixed for ordinary magnitudes, scientific
/// for tiny and huge ones (a fixed 1e300 is three hundred digits).
pub fn number(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e12).contains(&x.abs()) {
        format!("{x:.4e}")
    } else {
        format!("{x:.6}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("accord-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn estimates_without_an_interval_say_so() {
        let one = Estimate::mean_of(&[0.5]);
        assert_eq!(estimate_text(&one, 3), "0.500 (one run: no interval)");
        assert_eq!(estimate_cells(&one), "0.5,,");
        let two = Estimate::mean_of(&[0.25, 0.75]);
        assert!(
            estimate_text(&two, 2).starts_with("0.50 ["),
            "{}",
            estimate_text(&two, 2)
        );
        assert_eq!(estimate_text(&Estimate::mean_of(&[]), 3), "–");
        assert_eq!(estimate_number(&one), "0.500000 (one run: no interval)");
    }

    #[test]
    fn settings_print_as_written() {
        assert_eq!(setting(0.01), "0.01");
        assert_eq!(setting(100.0), "100");
        assert_eq!(setting(1e-300), "1e-300");
        assert_eq!(setting(-2.5e20), "-2.5e20");
    }

    #[test]
    fn numbers_are_fixed_in_the_everyday_range_and_scientific_outside_it() {
        assert_eq!(number(0.0), "0.000000");
        assert_eq!(number(0.25), "0.250000");
        assert_eq!(number(-123456.5), "-123456.500000");
        assert_eq!(number(2e-5), "2.0000e-5");
        assert_eq!(number(-3e300), "-3.0000e300");
        assert_eq!(number(f64::INFINITY), "inf");
    }

    #[test]
    fn a_killed_run_s_staging_folder_is_removed_by_the_next_run() {
        let root = scratch("abandoned");
        let out = root.join("results");
        // pid_max is at most 2^22 on Linux: no process has this id.
        let abandoned = root.join(".results.partial-4294967");
        std::fs::create_dir(&abandoned).unwrap();
        std::fs::write(abandoned.join(MARKER), "").unwrap();
        let foreign = root.join(".results.partial-4294968");
        std::fs::create_dir(&foreign).unwrap();
        let own = root.join(format!(".results.partial-{}", std::process::id()));
        let staged = StagedDir::create(&out).unwrap();
        assert!(!abandoned.exists(), "the killed run's folder is gone");
        assert!(foreign.exists(), "a folder without the marker is not ours");
        assert!(own.exists(), "this run stages its own folder");
        staged.commit().unwrap();
    }

    #[test]
    fn replaces_its_own_output_but_never_a_foreign_folder() {
        let root = scratch("replace");
        let out = root.join("results");
        let first = StagedDir::create(&out).unwrap();
        first.write("a.txt", "1").unwrap();
        first.commit().unwrap();
        let second = StagedDir::create(&out).unwrap();
        second.write("b.txt", "2").unwrap();
        second.commit().unwrap();
        assert!(!out.join("a.txt").exists() && out.join("b.txt").exists());

        let foreign = root.join("documents");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("important.txt"), "keep").unwrap();
        let error = StagedDir::create(&foreign).err().unwrap().to_string();
        assert!(error.contains("not an Accord output folder"), "{error}");
        assert_eq!(
            std::fs::read_to_string(foreign.join("important.txt")).unwrap(),
            "keep"
        );

        let empty = root.join("empty");
        std::fs::create_dir(&empty).unwrap();
        StagedDir::create(&empty).unwrap().commit().unwrap();
        std::fs::remove_dir_all(&root).unwrap();
    }
}
