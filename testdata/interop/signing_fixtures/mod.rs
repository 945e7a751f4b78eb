//! Signing fixtures, made at test time by the real Java tools: keys and
//! keystores (`keytool`), signed sample exports (`jarsigner`), tampered
//! copies and what `jarsigner -verify` says about each, plus readers that
//! tests of signed output need (`JarCheck.java`, raw local records, manifest
//! comparison). No key is committed: everything is made once per test binary
//! in a directory under `CARGO_TARGET_TMPDIR`.
//!
//! Both test crates include this file (`#[path]`), so it only uses what both
//! have: the standard library, `zip`, `similar` and `p12-keystore`. Every fixture is shared by all the tests of a binary:
//! a test that wants to change one copies it first.
#![allow(dead_code)]

mod archives;
mod jarsigner;
mod keys;
mod samples;

pub use archives::*;
pub use jarsigner::*;
pub use keys::*;
pub use samples::*;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The password of every keystore made here (store and key).
pub const PASSWORD: &str = "changeit";

/// JVM options that halve the start-up of a short-lived tool.
const QUICK_JVM: [&str; 2] = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/// The workspace root.
pub fn workspace() -> PathBuf {
    let krate = Path::new(env!("CARGO_MANIFEST_DIR"));
    krate.parent().unwrap_or(krate).to_path_buf()
}

/// A file of `testdata/interop/`.
pub fn interop(name: &str) -> PathBuf {
    workspace().join("testdata/interop").join(name)
}

/// This test binary's fixture directory: `signing/<crate>-<pid>` under the
/// target's temporary directory. Directories left by runs more than an hour
/// old are removed on the way.
pub fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("signing");
        if let Ok(old) = std::fs::read_dir(&parent) {
            let hour = std::time::Duration::from_secs(3600);
            for e in old.flatten() {
                let stale = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
                if stale {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = parent.join(format!("{}-{}", env!("CARGO_CRATE_NAME"), std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        dir
    })
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Standard output and standard error, in that order.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs a command to its end; a command that cannot start fails the test
/// with its name.
pub fn run(cmd: &mut Command) -> Ran {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "{:?}: {e} (the signing tests need a JDK 17+ and python3 on the PATH)",
            cmd.get_program()
        )
    });
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a command that must succeed; fails the test with its output if not.
pub fn run_ok(cmd: &mut Command) -> Ran {
    let ran = run(cmd);
    assert!(ran.code == 0, "{cmd:?} exited {}:\n{}", ran.code, ran.text());
    ran
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_else(|| panic!("non-UTF-8 path {}", p.display()))
}
