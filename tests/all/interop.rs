//! Outside readers of zip files: Java's `ZipFile` and `ZipInputStream` (the
//! server is a Java application), Info-ZIP `unzip -t`, Python's `zipfile`,
//! and an independent raw header dump (`testdata/interop/zipheaders.py`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support;

/// The compiled Java checker (compiled once per test run).
fn java_checker() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("procpatch-javacheck-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("javac")
            .arg("-d")
            .arg(&dir)
            .arg(support::root().join("testdata/interop/ZipCheck.java"))
            .status()
            .expect("javac (a JDK) is needed for the interop tests");
        assert!(status.success(), "javac failed");
        dir
    })
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Asserts that every outside reader accepts the archive at `path`.
pub fn assert_readable_everywhere(path: &Path) {
    let (ok, text) = run(Command::new("java")
        .arg("-cp")
        .arg(java_checker())
        .arg("ZipCheck")
        .arg(path));
    assert!(ok, "Java ZipFile/ZipInputStream: {text}");
    let (ok, text) = run(Command::new("unzip").arg("-tq").arg(path));
    assert!(ok, "unzip -t: {text}");
    let (ok, text) = run(Command::new("python3").arg("-c").arg(
        "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nbad = z.testzip()\nsys.exit(f'bad entry {bad}' if bad else 0)",
    ).arg(path));
    assert!(ok, "python zipfile.testzip: {text}");
}

/// The raw headers of a zip, read by the independent Python dumper.
pub fn headers(path: &Path) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(support::root().join("testdata/interop/zipheaders.py"))
        .arg(path)
        .output()
        .expect("python3 runs zipheaders.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Whether a command is on the PATH.
pub fn have(cmd: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .is_ok_and(|o| o.status.success())
}
