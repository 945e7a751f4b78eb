//! Tests of the `procpatch` command: reports, errors and exit codes, pinned
//! by snapshots. Paths are relative to the workspace root; temporary paths
//! show as `[TMP]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod faults;
mod hostile;
mod html;
mod manual;
mod outputs;
mod recipes;
mod reports;
mod signing;
mod zipodd;

/// The workspace root.
pub fn root() -> PathBuf {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR"));
    cli.parent().unwrap_or(cli).to_path_buf()
}

/// Copies the fixture `rel` (relative to the workspace root) to `to`,
/// naming the fixture if it cannot.
pub fn copy_fixture(rel: &str, to: &Path) {
    let from = root().join(rel);
    std::fs::copy(&from, to).unwrap_or_else(|e| panic!("fixture {}: {e}", from.display()));
}

/// The bytes of the fixture `rel`, naming it if it cannot be read.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = root().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs procpatch in the workspace root, with temporary paths redacted.
pub fn procpatch(args: &[&str], tmp: &Path) -> Run {
    let out = Command::cargo_bin("procpatch")
        .unwrap()
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        // Help wraps at the terminal's width, else at COLUMNS, else at 100.
        .env_remove("COLUMNS")
        .args(args)
        .output()
        .unwrap();
    let tmp = tmp.display().to_string();
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&tmp, "[TMP]");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    }
}

fn t(p: &Path, name: &str) -> String {
    p.join(name).display().to_string()
}

#[test]
fn apply_the_builtin_recipe_to_the_sample_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let out = t(tmp.path(), "ProcessImport-patched.zip");
    let run = procpatch(
        &["apply", "testdata/archives/ProcessImport.zip", "-o", &out],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    assert!(Path::new(&out).exists());
    // The server's reader (Java), Info-ZIP and Python accept the output.
    let java = std::process::Command::new("java")
        .arg(root().join("testdata/interop/ZipCheck.java"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(java.status.success(), "{}", String::from_utf8_lossy(&java.stdout));
    assert!(std::process::Command::new("unzip")
        .arg("-tq")
        .arg(&out)
        .status()
        .unwrap()
        .success());

    // check: the output needs nothing more; the input still does.
    let run = procpatch(&["check", &out], tmp.path());
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("check-patched", run.stdout);
    let run = procpatch(&["check", "-q", "testdata/archives/ProcessImport.zip"], tmp.path());
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
}

#[test]
fn json_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = t(tmp.path(), "out.zip");
    let run = procpatch(
        &[
            "apply",
            "--json",
            "testdata/archives/ConfigurationExport.zip",
            "-o",
            &out,
        ],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"][0]["summary"]["changed"], 12);
    assert_eq!(v["files"][0]["output"]["written"], true);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn dry_run_with_diff_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = t(tmp.path(), "out.xml");
    let run = procpatch(
        &[
            "apply",
            "testdata/bpmn/flowable-bpmn2-crlf/UsersProcLock.bpmn20.xml",
            "-o",
            &out,
            "--dry-run",
            "--diff",
        ],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!Path::new(&out).exists());
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn out_dir_mirrors_the_input_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("exports");
    std::fs::create_dir_all(src.join("test-system")).unwrap();
    std::fs::copy(
        root().join("testdata/archives/ProcessImport.zip"),
        src.join("test-system/ProcessImport.zip"),
    )
    .unwrap();
    std::fs::copy(
        root().join("testdata/archives/ConfigurationExport.zip"),
        src.join("Configuration.zip"),
    )
    .unwrap();
    std::fs::write(src.join("notes.txt"), "not an archive").unwrap();
    // A UTF-16 BPMN file is found by content too.
    std::fs::copy(
        root().join("testdata/encodings/utf16le-bom.bpmn20.xml"),
        src.join("test-system/lock.xml"),
    )
    .unwrap();
    let dest = tmp.path().join("patched");
    let run = procpatch(
        &[
            "apply",
            "-q",
            &src.display().to_string(),
            "--out-dir",
            &dest.display().to_string(),
        ],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dest.join("test-system/ProcessImport.zip").exists());
    assert!(dest.join("Configuration.zip").exists());
    assert!(dest.join("test-system/lock.xml").exists());
    assert!(!dest.join("notes.txt").exists());
    let run = procpatch(&["check", &dest.display().to_string()], tmp.path());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn in_place_with_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("ProcessImport.zip");
    copy_fixture("testdata/archives/ProcessImport.zip", &file);
    let run = procpatch(
        &["apply", "-q", "--in-place", "--backup", &file.display().to_string()],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read(tmp.path().join("ProcessImport.zip.bak")).unwrap(),
        fixture("testdata/archives/ProcessImport.zip")
    );
    assert_eq!(procpatch(&["check", &file.display().to_string()], tmp.path()).code, 0);
}

#[test]
fn inspect_lists_what_was_found() {
    let tmp = tempfile::tempdir().unwrap();
    let run = procpatch(&["inspect", "testdata/archives/ConfigurationExport.zip"], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    let run = procpatch(
        &[
            "inspect",
            "--json",
            "testdata/bpmn/mixed-forms/UsersProcLock.bpmn20.xml",
        ],
        tmp.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"][0]["entries"][0]["processes"][0]["name"], "Lock user");
}

/// Every failure: its message and its exit code.
#[test]
fn errors_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    std::fs::write(p.join("export.dat"), [0x8a, 0x13, 0x77, 0x01].repeat(64)).unwrap();
    std::fs::write(p.join("typo.toml"), "[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Lock related credential\"\nset = { \"data pool\" = \"Batch order\" }\n").unwrap();
    std::fs::write(
        p.join("bad.toml"),
        "[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"x\"\nset = { \"data pol\" = \"Batch order\" }\n",
    )
    .unwrap();
    std::fs::write(p.join("file"), "").unwrap();
    let sample = "testdata/archives/ProcessImport.zip";
    let corpus_like = "testdata/bpmn/vendor/UsersProcLock.bpmn20.xml";
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("no output given", vec!["apply".into(), sample.into()]),
        (
            "output is the input",
            vec!["apply".into(), sample.into(), "-o".into(), sample.into()],
        ),
        ("unknown flag", vec!["apply".into(), "--frobnicate".into()]),
        (
            "not a zip",
            vec!["apply".into(), t(p, "export.dat"), "-o".into(), t(p, "out.zip")],
        ),
        (
            "bad recipe",
            vec!["check".into(), "--recipe".into(), t(p, "bad.toml"), sample.into()],
        ),
        (
            "task not found",
            vec!["check".into(), "--recipe".into(), t(p, "typo.toml"), sample.into()],
        ),
        (
            "required process missing",
            vec!["check".into(), "--require-all".into(), corpus_like.into()],
        ),
        ("missing input", vec!["inspect".into(), t(p, "nope.zip")]),
        (
            "output under a file",
            vec!["apply".into(), sample.into(), "-o".into(), t(p, "file/out.zip")],
        ),
    ];
    let mut out = String::new();
    for (what, args) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = procpatch(&args, p);
        let first = run.stderr.lines().next().unwrap_or_default().to_string();
        out.push_str(&format!("{what}: exit {}\n  {first}\n", run.code));
    }
    insta::assert_snapshot!(out);
    assert!(!p.join("out.zip").exists());
}

#[test]
fn recipe_show_prints_the_builtin_recipe() {
    let tmp = tempfile::tempdir().unwrap();
    let run = procpatch(&["recipe", "show"], tmp.path());
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, procpatch::BUILTIN_TOML);
    assert!(procpatch::Recipe::from_toml(&run.stdout).is_ok());
}

#[test]
fn help_completions_and_man_page() {
    let tmp = tempfile::tempdir().unwrap();
    let run = procpatch(&["--help"], tmp.path());
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
    let run = procpatch(&["completions", "bash"], tmp.path());
    assert!(run.code == 0 && run.stdout.contains("procpatch") && run.stdout.contains("apply"));
    let run = procpatch(&["man"], tmp.path());
    assert!(run.code == 0 && run.stdout.contains(".TH procpatch"), "{}", run.stdout);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let args = ["check", "testdata/archives/ProcessImport.zip"];
    assert!(!procpatch(&args, tmp.path()).stdout.contains('\u{1b}'));
    let mut with = args.to_vec();
    with.extend(["--color", "always"]);
    assert!(procpatch(&with, tmp.path()).stdout.contains('\u{1b}'));
}

/// A folder's files are sorted as the library tells files apart: a zip
/// behind a self-extractor stub is found (it does not start with `PK`).
#[test]
fn a_folder_s_files_are_told_apart_as_the_library_tells_them() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("exports");
    std::fs::create_dir_all(&src).unwrap();
    copy_fixture("testdata/zipodd/prefix-sfx-adjusted.zip", &src.join("export.exe"));
    std::fs::write(src.join("notes.txt"), "not an archive").unwrap();
    let run = procpatch(&["inspect", "-v", &src.display().to_string()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("export.exe"), "{}", run.stdout);
    assert_eq!(
        run.stderr.trim(),
        "procpatch: skipped [TMP]/exports/notes.txt (not a zip or BPMN file)"
    );
}
