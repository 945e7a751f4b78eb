//! Where outputs go: `-o` into folders that are not there or are folders
//! themselves, over existing files, `--out-dir`, and numbered backups with
//! `--in-place --backup`. Every refusal names the output and leaves nothing.

use std::path::Path;

use crate::{procpatch, Run};

const SAMPLE: &str = "testdata/archives/ProcessImport.zip";

fn sample_bytes() -> Vec<u8> {
    crate::fixture(SAMPLE)
}

fn apply_to(out: &str, tmp: &Path) -> Run {
    procpatch(&["apply", "-q", SAMPLE, "-o", out], tmp)
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_bad_output_path_is_refused_naming_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    std::fs::create_dir(p.join("adir")).unwrap();
    std::fs::write(p.join("afile"), "x").unwrap();
    let cases = [
        ("-o an existing folder", format!("{}/adir", p.display())),
        ("-o a folder, with a slash", format!("{}/adir/", p.display())),
        ("-o a new name with a slash", format!("{}/newdir/", p.display())),
        (
            "-o into a folder that does not exist",
            format!("{}/missing/out.zip", p.display()),
        ),
        ("-o under a file", format!("{}/afile/out.zip", p.display())),
    ];
    let mut out = String::new();
    for (what, target) in cases {
        let run = apply_to(&target, p);
        out.push_str(&format!("{what}: exit {}\n  {}\n", run.code, run.stderr.trim_end()));
        // The message names the output, not the input.
        assert!(!run.stderr.contains(SAMPLE), "{what}: {}", run.stderr);
    }
    insta::assert_snapshot!(out);
    assert_eq!(names(p), ["adir", "afile"]);
    assert_eq!(names(&p.join("adir")), Vec::<String>::new());
}

#[test]
fn a_read_only_folder_is_named_as_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let ro = tmp.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let out = ro.join("out.zip");
    // Root ignores permissions: a read-only bind of the folder where one can
    // be made, else the permission bits (which bind a non-root user).
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs"])
        .arg(&ro)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        let mut perms = std::fs::metadata(&ro).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&ro, perms).unwrap();
    }
    let run = apply_to(&out.display().to_string(), tmp.path());
    if mounted {
        let _ = std::process::Command::new("umount").arg(&ro).status();
    }
    assert_eq!(run.code, 5, "{}", run.stderr);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("procpatch: cannot write [TMP]/ro/out.zip: "),
        "the message names the output: {first}"
    );
    assert!(!out.exists());
}

#[test]
fn an_existing_output_file_is_replaced_and_the_report_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.zip");
    std::fs::write(&out, "an older output").unwrap();
    let run = procpatch(&["apply", SAMPLE, "-o", &out.display().to_string()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with("[TMP]/out.zip (replaced)"), "{last}");
    assert_ne!(std::fs::read(&out).unwrap(), b"an older output");
    // A new file is not "replaced".
    let fresh = tmp.path().join("fresh.zip");
    let run = procpatch(&["apply", SAMPLE, "-o", &fresh.display().to_string()], tmp.path());
    assert!(!run.stdout.contains("(replaced)"), "{}", run.stdout);
    // JSON says it too.
    let run = procpatch(
        &["apply", "--json", SAMPLE, "-o", &out.display().to_string()],
        tmp.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"][0]["output"]["replaced"], true);
}

#[test]
fn out_dir_creates_its_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("a/b/c");
    let run = procpatch(
        &["apply", "-q", SAMPLE, "--out-dir", &dest.display().to_string()],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dest.join("ProcessImport.zip").exists());
    // A file where the folder should be is refused before any work.
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let run = procpatch(&["apply", SAMPLE, "--out-dir", &file.display().to_string()], tmp.path());
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr, @"procpatch: [TMP]/file: --out-dir must name a folder, not a file");
}

#[test]
fn backups_are_numbered_keep_their_time_and_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("ProcessImport.zip");
    let original = sample_bytes();
    let old_time = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_500_000_000);
    let fresh_input = || {
        std::fs::write(&file, &original).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old_time)
            .unwrap();
    };
    let arg = file.display().to_string();
    let mut reports = String::new();
    for _ in 0..3 {
        fresh_input();
        let run = procpatch(&["apply", "--in-place", "--backup", &arg], tmp.path());
        assert_eq!(run.code, 0, "{}", run.stderr);
        let tail: Vec<&str> = run.stdout.lines().rev().take(2).collect();
        reports.push_str(&format!("{}\n{}\n", tail[1], tail[0]));
    }
    insta::assert_snapshot!(reports);
    assert_eq!(
        names(tmp.path()),
        [
            "ProcessImport.zip",
            "ProcessImport.zip.bak",
            "ProcessImport.zip.bak.1",
            "ProcessImport.zip.bak.2"
        ]
    );
    for b in [
        "ProcessImport.zip.bak",
        "ProcessImport.zip.bak.1",
        "ProcessImport.zip.bak.2",
    ] {
        let path = tmp.path().join(b);
        assert_eq!(std::fs::read(&path).unwrap(), original, "{b}");
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old_time, "{b}");
    }
    // The JSON report names the backup as well.
    fresh_input();
    let run = procpatch(&["apply", "--json", "--in-place", "--backup", &arg], tmp.path());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"][0]["output"]["backup"], "[TMP]/ProcessImport.zip.bak.3");
}

#[test]
fn backup_without_in_place_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.zip").display().to_string();
    let run = procpatch(&["apply", SAMPLE, "-o", &out, "--backup"], tmp.path());
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr, @"procpatch: --backup works with --in-place only: it keeps the original of a file replaced in place");
    assert_eq!(names(tmp.path()), Vec::<String>::new());
}

#[test]
fn two_inputs_for_one_output_are_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    for d in ["a", "b"] {
        std::fs::create_dir(tmp.path().join(d)).unwrap();
        std::fs::write(tmp.path().join(d).join("x.zip"), sample_bytes()).unwrap();
    }
    let path = |p: &str| tmp.path().join(p).display().to_string();
    // Two files of one name into one folder.
    let run = procpatch(
        &["apply", &path("a/x.zip"), &path("b/x.zip"), "--out-dir", &path("out")],
        tmp.path(),
    );
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr, @"procpatch: [TMP]/out/x.zip: two inputs would be written here: [TMP]/a/x.zip and [TMP]/b/x.zip");
    assert!(!tmp.path().join("out").exists());
    // One file given twice, in place.
    let run = procpatch(
        &["apply", "--in-place", "--backup", &path("a/x.zip"), &path("a/x.zip")],
        tmp.path(),
    );
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr, @"procpatch: [TMP]/a/x.zip: the file is given twice");
    assert_eq!(names(&tmp.path().join("a")), ["x.zip"]);
    // The same file spelt two ways.
    let run = procpatch(
        &["apply", "--in-place", &path("a/x.zip"), &path("b/../a/x.zip")],
        tmp.path(),
    );
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr, @"procpatch: [TMP]/b/../a/x.zip: the file is given twice");
    assert_eq!(names(&tmp.path().join("a")), ["x.zip"]);
    assert_eq!(std::fs::read(tmp.path().join("a/x.zip")).unwrap(), sample_bytes());
}

/// A batch larger than a commit thread's group (16) and not a multiple of
/// it, on one thread and on two: every output is put in place with the
/// bytes a single run writes, the folder's other files are skipped, the
/// report lists the files in the folder's order, and no temporary file is
/// left behind.
#[test]
fn a_batch_puts_every_output_in_place_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("exports");
    std::fs::create_dir(&src).unwrap();
    let names: Vec<String> = (0..37).map(|i| format!("export-{i:02}.zip")).collect();
    for n in &names {
        std::fs::write(src.join(n), sample_bytes()).unwrap();
    }
    std::fs::write(src.join("export-05.txt"), "not an archive").unwrap();
    let single = tmp.path().join("single.zip");
    assert_eq!(apply_to(&single.display().to_string(), tmp.path()).code, 0);
    let expected = std::fs::read(&single).unwrap();
    for jobs in ["1", "2"] {
        let dest = tmp.path().join(format!("out-{jobs}"));
        let run = procpatch(
            &[
                "apply",
                "--json",
                "-j",
                jobs,
                &src.display().to_string(),
                "--out-dir",
                &dest.display().to_string(),
            ],
            tmp.path(),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(self::names(&dest), names, "-j {jobs}");
        for n in &names {
            assert!(std::fs::read(dest.join(n)).unwrap() == expected, "-j {jobs}: {n}");
        }
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let reported: Vec<String> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                assert_eq!(f["output"]["written"], true);
                let p = f["output"]["path"].as_str().unwrap();
                Path::new(p).file_name().unwrap().to_string_lossy().into_owned()
            })
            .collect();
        assert_eq!(reported, names, "-j {jobs}");
    }
}
