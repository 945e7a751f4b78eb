//! What a run tells: process typos, absent processes, `check` verdicts,
//! grand totals, JSON in every case (errors and diffs included), closed
//! pipes, `-v`, and `inspect` with labels and encrypted entries.

use std::path::Path;

use crate::{procpatch, root};

const SAMPLE: &str = "testdata/archives/ProcessImport.zip";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The built-in recipe with one process name changed.
fn recipe_with(from: &str, to: &str) -> String {
    procpatch::BUILTIN_TOML.replace(&format!("name = \"{from}\""), &format!("name = \"{to}\""))
}

#[test]
fn a_process_typo_fails_apply_and_check_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let recipe = write(tmp.path(), "typo.toml", &recipe_with("Lock user", "Lock usr"));
    let out = tmp.path().join("out.zip");
    let o = out.display().to_string();
    let mut text = String::new();
    for args in [
        vec!["apply", SAMPLE, "--recipe", &recipe, "-o", &o],
        vec!["apply", "-q", SAMPLE, "--recipe", &recipe, "-o", &o],
        vec!["check", SAMPLE, "--recipe", &recipe],
    ] {
        let run = procpatch(&args, tmp.path());
        text.push_str(&format!(
            "{}: exit {}\n{}{}",
            args[..2].join(" "),
            run.code,
            run.stdout,
            run.stderr
        ));
        assert_eq!(run.code, 4);
        assert!(run.stdout.is_empty(), "no partial report: {}", run.stdout);
    }
    assert!(!out.exists());
    insta::assert_snapshot!(text);
}

#[test]
fn absent_processes_without_a_near_match_are_counted_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = "testdata/bpmn/vendor/UsersProcLock.bpmn20.xml";
    let run = procpatch(&["check", lock], tmp.path());
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
    // --require-all keeps its meaning, and its message its suggestion.
    let run = procpatch(
        &[
            "check",
            "--require-all",
            "testdata/bpmn/vendor/UsersProcDeactivate.bpmn20.xml",
        ],
        tmp.path(),
    );
    assert_eq!(run.code, 4);
    insta::assert_snapshot!(run.stderr, @r#"procpatch: testdata/bpmn/vendor/UsersProcDeactivate.bpmn20.xml: required processes not found: "Reactivate user" (id UsersProcReactivate), "Lock user""#);
    let xml = write(
        tmp.path(),
        "two.bpmn20.xml",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  \
         <process id=\"UsersProcLock\" name=\"Lock user\">\n    \
         <callActivity id=\"c1\" name=\"Lock related credentials\"/>\n  </process>\n  \
         <process id=\"UsersProcUnlock\" name=\"Unlock user\"/>\n</definitions>\n",
    );
    let recipe = write(
        tmp.path(),
        "r.toml",
        "[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Lock related credentials\"\n\
         set = { value = \"x\" }\n[[process]]\nname = \"Block user\"\n[[process.task]]\nname = \"t\"\n\
         set = { value = \"x\" }\n",
    );
    let run = procpatch(&["check", "--recipe", &recipe, &xml], tmp.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("  process \"Block user\", closest found: \"Unlock user\" (absent)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("; 1 of 2 processes not in this file\n"),
        "{}",
        run.stdout
    );
    let run = procpatch(&["check", "--require-all", "--recipe", &recipe, &xml], tmp.path());
    assert_eq!(run.code, 4);
    insta::assert_snapshot!(run.stderr, @r#"procpatch: [TMP]/two.bpmn20.xml: required process not found: "Block user"; did you mean "Unlock user"?"#);
}

#[test]
fn check_gives_a_verdict_and_a_total() {
    let tmp = tempfile::tempdir().unwrap();
    let patched = tmp.path().join("patched.zip");
    let run = procpatch(
        &["apply", "-q", SAMPLE, "-o", &patched.display().to_string()],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = procpatch(
        &["check", SAMPLE, &patched.display().to_string(), "testdata/bpmn/vendor"],
        tmp.path(),
    );
    assert_eq!(run.code, 1);
    let verdicts: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("  needs ") || l.starts_with("  nothing "))
        .collect();
    assert_eq!(
        verdicts,
        [
            "  needs 12 edits in 3 processes",
            "  nothing to change",
            "  needs 4 edits in 1 process",
            "  needs 4 edits in 1 process",
            "  needs 4 edits in 1 process"
        ]
    );
    insta::assert_snapshot!(run.stdout.lines().last().unwrap_or_default(), @"5 files: 4 need edits (24 values), 1 has nothing to change; 0 failed");
}

#[test]
fn check_reads_a_signed_archive_and_says_it_is_signed() {
    let tmp = tempfile::tempdir().unwrap();
    let run = procpatch(&["check", "testdata/hostile/zip-signed.zip"], tmp.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    // --strip-signature is no option of check.
    let run = procpatch(
        &["check", "--strip-signature", "testdata/hostile/zip-signed.zip"],
        tmp.path(),
    );
    assert_eq!(run.code, 2);
}

#[test]
fn apply_ends_with_a_grand_total_after_several_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("out").display().to_string();
    let run = procpatch(
        &[
            "apply",
            SAMPLE,
            "testdata/archives/ConfigurationExport.zip",
            "--out-dir",
            &dest,
        ],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout.lines().last().unwrap_or_default(), @"2 files: 24 changed, 0 inserted, 0 already set; 0 failed");
    // One file: no total.
    let run = procpatch(&["apply", SAMPLE, "--dry-run"], tmp.path());
    assert!(!run.stdout.contains(" files: "), "{}", run.stdout);
    // A failed file is counted.
    let bad = write(
        tmp.path(),
        "bad.bpmn20.xml",
        "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'>",
    );
    let run = procpatch(&["apply", SAMPLE, &bad, "--dry-run"], tmp.path());
    assert_eq!(run.code, 3);
    insta::assert_snapshot!(run.stdout.lines().last().unwrap_or_default(), @"2 files: 12 changed, 0 inserted, 0 already set; 1 failed");
}

/// `--json` prints one JSON document whatever happens.
#[test]
fn json_is_always_one_document() {
    let tmp = tempfile::tempdir().unwrap();
    let bad_recipe = write(tmp.path(), "bad.toml", "[[process]\n");
    let missing = tmp.path().join("nope.zip").display().to_string();
    let broken = write(
        tmp.path(),
        "broken.bpmn20.xml",
        "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'>",
    );
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("missing input", vec!["inspect", "--json", &missing]),
        ("bad recipe", vec!["check", "--json", "--recipe", &bad_recipe, SAMPLE]),
        ("bad argument", vec!["apply", "--json", "--frobnicate", SAMPLE]),
        ("no output", vec!["apply", "--json", SAMPLE]),
        ("one of two inputs missing", vec!["check", "--json", SAMPLE, &missing]),
        ("one of two files fails", vec!["check", "--json", SAMPLE, &broken]),
    ];
    let mut text = String::new();
    for (what, args) in cases {
        let run = procpatch(&args, tmp.path());
        let v: serde_json::Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{what}: {e}: {:?}", run.stdout));
        assert_eq!(v["errors"][0]["exit_code"], run.code, "{what}");
        text.push_str(&format!(
            "{what}: exit {}, {} files\n{}\n{}\n",
            run.code,
            v["files"].as_array().map_or(0, Vec::len),
            serde_json::to_string(&v["errors"]).unwrap(),
            serde_json::to_string(&v["totals"]).unwrap()
        ));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn json_with_diff_carries_the_diffs() {
    let tmp = tempfile::tempdir().unwrap();
    let run = procpatch(&["apply", "--json", "--diff", "--dry-run", SAMPLE], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diffs = v["files"][0]["diffs"].as_array().unwrap();
    let entries: Vec<&str> = diffs.iter().map(|d| d["entry"].as_str().unwrap()).collect();
    assert_eq!(
        entries,
        [
            "UsersProcDeactivate.bpmn20.xml",
            "UsersProcReactivate.bpmn20.xml",
            "UsersProcLock.bpmn20.xml"
        ]
    );
    insta::assert_snapshot!(diffs[2]["diff"].as_str().unwrap());
    // Without --diff, no diffs key.
    let run = procpatch(&["apply", "--json", "--dry-run", SAMPLE], tmp.path());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v["files"][0].get("diffs").is_none());
}

/// `procpatch … | head -1`: the reader goes away, procpatch ends quietly
/// (as ripgrep does) instead of reporting a broken pipe. The pipe's read end
/// is closed before procpatch starts, so its first write fails, every time.
#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["inspect", "--json", "testdata/bpmn"][..],
        &["inspect", "testdata/bpmn"],
        &["check", "testdata/bpmn"],
        &["apply", "--dry-run", "--diff", "testdata/bpmn"],
        &["man", "apply"],
        &["recipe", "show"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("procpatch"))
            .args(args)
            .current_dir(root())
            .stdout(writer)
            .output()
            .unwrap();
        // check exits 1 for the edits it found; nothing else may show.
        let want = if args[0] == "check" { 1 } else { 0 };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!((out.status.code(), stderr.as_ref()), (Some(want), ""), "{args:?}");
    }
}

#[test]
fn verbose_apply_lists_skipped_files() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("exports");
    std::fs::create_dir(&src).unwrap();
    crate::copy_fixture(SAMPLE, &src.join("ProcessImport.zip"));
    std::fs::write(src.join("notes.txt"), "not an archive").unwrap();
    let args = |v: bool| {
        let mut a = vec![
            "apply".to_string(),
            "-q".into(),
            src.display().to_string(),
            "--dry-run".into(),
        ];
        if v {
            a[1] = "-v".into();
        }
        a
    };
    let run = procpatch(&args(true).iter().map(String::as_str).collect::<Vec<_>>(), tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr, @"procpatch: skipped [TMP]/exports/notes.txt (not a zip or BPMN file)");
    let run = procpatch(&args(false).iter().map(String::as_str).collect::<Vec<_>>(), tmp.path());
    assert_eq!(run.stderr, "");
}

#[test]
fn inspect_lists_encrypted_entries_and_names_fields_by_label() {
    let tmp = tempfile::tempdir().unwrap();
    let run = procpatch(&["inspect", "testdata/hostile/zip-zipcrypto-entry.zip"], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    // Editing it is still refused: the entry cannot be read.
    let out = tmp.path().join("out.zip").display().to_string();
    let run = procpatch(
        &["apply", "testdata/hostile/zip-zipcrypto-entry.zip", "-o", &out],
        tmp.path(),
    );
    assert_eq!(run.code, 3);
    // A recipe's own labels name the fields.
    let recipe = write(
        tmp.path(),
        "labels.toml",
        "[labels]\n\"Pool\" = [\"value\"]\n[[process]]\nname = \"Lock user\"\n[[process.task]]\n\
         name = \"Lock related credentials\"\nset = { Pool = \"x\" }\n",
    );
    let run = procpatch(
        &[
            "inspect",
            "--recipe",
            &recipe,
            "testdata/bpmn/vendor/UsersProcLock.bpmn20.xml",
        ],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("        Pool [value] = \"\"\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("        sub-process [param1] = \"\"\n"),
        "{}",
        run.stdout
    );
}

/// `-j N` sets how many files are worked on at once; the results and their
/// order do not depend on it.
#[test]
fn jobs_set_the_threads_and_change_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let args = |j: &'static str| vec!["check", "-j", j, "testdata/bpmn", "testdata/archives"];
    let one = procpatch(&args("1"), tmp.path());
    let two = procpatch(&args("2"), tmp.path());
    assert_eq!((one.code, &one.stdout), (two.code, &two.stdout));
    assert!(one.stdout.contains(" files: "), "{}", one.stdout);
    let zero = procpatch(&["check", "-j", "0", "testdata/archives"], tmp.path());
    assert_eq!(zero.code, 2, "{}", zero.stderr);
}
