//! The hostile corpus (`testdata/hostile/`, made by
//! `testdata/generate_hostile.py`): for each case, the exact message and
//! exit code are pinned by a snapshot; a refused input leaves no output file;
//! and the input is never changed.

use std::path::Path;

use crate::{procpatch, root};

#[test]
fn every_hostile_case_is_refused_precisely_or_handled() {
    let dir = root().join("testdata/hostile");
    let tsv = dir.join("cases.tsv");
    let cases = std::fs::read_to_string(&tsv).unwrap_or_else(|e| panic!("fixture {}: {e}", tsv.display()));
    let mut table = String::new();
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let [name, file, args, what] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("bad line in cases.tsv: {line}")
        };
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join(file);
        std::fs::copy(dir.join(file), &input).unwrap_or_else(|e| panic!("fixture {}: {e}", dir.join(file).display()));
        let before = std::fs::read(&input).unwrap();
        let output = tmp.path().join(format!("out-{file}"));
        let args: Vec<String> = args
            .split(' ')
            .map(|a| {
                a.replace("{in}", &input.display().to_string())
                    .replace("{out}", &output.display().to_string())
                    .replace("{dir}", &dir.display().to_string())
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = procpatch(&args, tmp.path());
        let dir_s = dir.display().to_string();
        let message = run.stderr.replace(&dir_s, "[HOSTILE]");
        assert_eq!(std::fs::read(&input).unwrap(), before, "{name}: the input changed");
        if run.code == 0 {
            // Handled: an output that needs nothing more.
            assert!(output.exists(), "{name}: exit 0 without output");
            let again = procpatch(&["check", "-q", &output.display().to_string()], tmp.path());
            assert_eq!(again.code, 0, "{name}: output not idempotent: {}", again.stderr);
        } else {
            assert!(!output.exists(), "{name}: refused, yet an output exists");
            assert!(
                leftovers(tmp.path(), &[file]).is_empty(),
                "{name}: left {:?}",
                leftovers(tmp.path(), &[file])
            );
        }
        let summary = run
            .stdout
            .lines()
            .find(|l| l.contains(" changed, "))
            .unwrap_or_default()
            .trim()
            .to_string();
        insta::assert_snapshot!(
            format!("hostile-{name}"),
            format!("{what}\nexit {}\n{message}{summary}", run.code)
        );
        table.push_str(&format!(
            "{name}\t{}\t{}\n",
            run.code,
            message.lines().next().unwrap_or(&summary)
        ));
        count += 1;
    }
    assert!(count >= 60, "only {count} hostile cases");
    insta::assert_snapshot!("hostile-table", table);
}

/// Files in `dir` other than `keep`.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn hostile_corpus_matches_its_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(root().join("testdata/generate_hostile.py"))
        .arg(tmp.path())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs the hostile generator");
    assert!(status.success());
    let dir = root().join("testdata/hostile");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture directory {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let fresh = std::fs::read(tmp.path().join("hostile").join(name)).unwrap_or_default();
        let path = dir.join(name);
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
        assert!(
            fresh == committed,
            "testdata/hostile/{name} differs from testdata/generate_hostile.py's output; regenerate it"
        );
    }
    assert_eq!(
        std::fs::read_dir(tmp.path().join("hostile")).unwrap().count(),
        names.len()
    );
}
