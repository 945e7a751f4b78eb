//! The crate as other Rust tools use it: recipes built in code are checked
//! where they are used, a plan applies only to its own document.

use procpatch::archive::{self, Options};
use procpatch::{Document, Error, ProcessRecipe, Recipe, TaskRecipe};

use crate::support;

const LOCK: &str = "testdata/bpmn/vendor/UsersProcLock.bpmn20.xml";

fn task(name: Option<&str>, set: &[(&str, &str)]) -> TaskRecipe {
    let mut t = match name {
        Some(n) => TaskRecipe::named(n),
        None => TaskRecipe::default(),
    };
    for (k, v) in set {
        t = t.setting(*k, *v);
    }
    t
}

fn recipe(process: Option<&str>, all: bool, tasks: Vec<TaskRecipe>) -> Recipe {
    let mut p = match process {
        Some(n) => ProcessRecipe::named(n),
        None => ProcessRecipe::default(),
    }
    .matching_all(all);
    for t in tasks {
        p = p.with_task(t);
    }
    Recipe::new().with_process(p)
}

/// Each invalid shape, and the message every entry point gives for it.
fn invalid_recipes() -> Vec<(&'static str, Recipe)> {
    let empty_label = recipe(
        Some("Lock user"),
        false,
        vec![task(Some("Lock related credentials"), &[("pool", "x")])],
    )
    .with_label("pool", &[]);
    let all_tasks = task(None, &[("value", "x")]).matching_all(true);
    vec![
        (
            "process and task unnamed, all = true",
            recipe(None, true, vec![all_tasks.clone()]),
        ),
        (
            "task unnamed, all = true",
            recipe(Some("Lock user"), false, vec![all_tasks]),
        ),
        ("a label with no field", empty_label),
        (
            "an empty set",
            recipe(
                Some("Lock user"),
                false,
                vec![task(Some("Lock related credentials"), &[])],
            ),
        ),
        (
            "an empty name",
            recipe(
                Some(""),
                false,
                vec![task(Some("Lock related credentials"), &[("value", "x")])],
            ),
        ),
        ("no process", Recipe::default()),
    ]
}

#[test]
fn recipes_built_in_code_are_checked_where_they_are_used() {
    let xml = support::read(support::root().join(LOCK));
    let zip = support::read(support::root().join("testdata/archives/ProcessImport.zip"));
    let doc = Document::parse(&xml).unwrap();
    let mut out = String::new();
    for (what, r) in invalid_recipes() {
        let plan = doc.plan(&r).map(|_| ()).unwrap_err();
        assert!(matches!(plan, Error::Recipe(_)), "{what}: {plan:?}");
        let patch = procpatch::patch(&xml, &r).map(|_| ()).unwrap_err();
        assert_eq!(patch, plan, "{what}");
        let file = archive::plan_file(&support::root().join(LOCK), &r, &Options::default())
            .map(|_| ())
            .unwrap_err();
        let bytes = archive::patch_archive(&zip, &r, &Options::default())
            .map(|_| ())
            .unwrap_err();
        // The recipe error is about the whole input, not an entry.
        assert_eq!(file.document_error(), Some(&plan), "{what}");
        assert_eq!(bytes.document_error(), Some(&plan), "{what}");
        assert_eq!((file.entry(), bytes.entry()), (None, None), "{what}");
        out.push_str(&format!("{what}: {plan}\n"));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn a_plan_applies_only_to_its_own_document() {
    let xml = support::read(support::root().join(LOCK));
    let doc = Document::parse(&xml).unwrap();
    let plan = doc.plan(&Recipe::builtin()).unwrap();
    assert!(plan.apply(&xml).is_ok());
    // Another document of the same length.
    let mut other = xml.clone();
    let at = other.len() / 2;
    other[at] = if other[at] == b' ' { b'\t' } else { b' ' };
    let err = plan.apply(&other).unwrap_err();
    assert!(matches!(err, Error::WrongDocument { .. }), "{err}");
    insta::assert_snapshot!(err.to_string(), @"the plan was made for another document (4198 bytes); these bytes (4198) are not it");
    assert!(matches!(plan.apply(&xml[1..]), Err(Error::WrongDocument { .. })));
}

/// Files and bytes in memory take one route: the same file planned from its
/// path and from its bytes gives the same report and the same output.
#[test]
fn bytes_in_memory_are_planned_and_inspected_as_their_file_is() {
    let tmp = tempfile::tempdir().unwrap();
    let options = Options::default();
    let recipe = Recipe::builtin();
    for rel in ["testdata/archives/ProcessImport.zip", LOCK] {
        let path = support::root().join(rel);
        let bytes = support::read(&path);
        // Planned and written from the file, patched in memory.
        let plan = archive::plan_file(&path, &recipe, &options).unwrap();
        let out = tmp.path().join("out");
        let written = plan.write(&out, &archive::WriteOptions::new()).unwrap();
        let (patched, report) = archive::patch_archive(&bytes, &recipe, &options).unwrap();
        assert_eq!(patched, std::fs::read(&out).unwrap(), "{rel}");
        assert_eq!(report.kind, written.kind, "{rel}");
        assert_eq!(report.entries, written.entries, "{rel}");
        assert_eq!(report.summary, written.summary, "{rel}");
        assert_eq!(
            report.output.as_ref().and_then(|o| o.sha256.clone()),
            written.output.unwrap().sha256,
            "{rel}"
        );
        // Inspected from the file and from memory.
        let file = archive::inspect_file(&path, &options).unwrap();
        let memory = archive::inspect_bytes(&bytes, &options).unwrap();
        let json = |i: &archive::Inspection| {
            let mut v = serde_json::to_value(i).unwrap();
            v["path"] = serde_json::Value::Null;
            v
        };
        assert_eq!(json(&memory), json(&file), "{rel}");
        assert_eq!(memory.path, "");
    }
}

/// A bare BPMN document in memory is patched as a file of it would be (it
/// was refused as "not a zip archive").
#[test]
fn patch_archive_takes_a_bare_bpmn_document() {
    let xml = support::read(support::root().join(LOCK));
    let (patched, report) = archive::patch_archive(&xml, &Recipe::builtin(), &Options::default()).unwrap();
    assert_eq!(report.kind, archive::FileKind::Xml);
    let (expected, _) = procpatch::patch(&xml, &Recipe::builtin()).unwrap();
    assert_eq!(patched, expected);
    assert_eq!(
        report.summary.changed + report.summary.inserted,
        4,
        "{:?}",
        report.summary
    );
    // Nothing more to do on the result: the same bytes come back.
    let (again, report) = archive::patch_archive(&patched, &Recipe::builtin(), &Options::default()).unwrap();
    assert_eq!(again, patched);
    assert!(report.output.is_none());
    // Bytes that are neither are still refused as neither.
    let e = archive::patch_archive(b"just text", &Recipe::builtin(), &Options::default()).unwrap_err();
    assert!(matches!(e, archive::ArchiveError::NotZip), "{e:?}");
}

/// What a file is, told from its bytes or its path, as the plan tells it.
#[test]
fn file_kinds_are_sniffed_by_content() {
    use archive::FileKind;
    let tmp = tempfile::tempdir().unwrap();
    let zip = support::read(support::root().join("testdata/archives/ProcessImport.zip"));
    let xml = support::read(support::root().join(LOCK));
    let utf16 = support::read(support::root().join("testdata/encodings/utf16le-bom.bpmn20.xml"));
    let sfx = support::read(support::root().join("testdata/zipodd/prefix-sfx-adjusted.zip"));
    let cases: Vec<(&str, Vec<u8>, Option<FileKind>)> = vec![
        ("zip", zip, Some(FileKind::Zip)),
        ("a zip behind a stub", sfx, Some(FileKind::Zip)),
        ("BPMN", xml.clone(), Some(FileKind::Xml)),
        ("UTF-16 BPMN", utf16.clone(), Some(FileKind::Xml)),
        // Cut inside a character: the first bytes still tell.
        (
            "UTF-16 BPMN, its first bytes",
            utf16[..301].to_vec(),
            Some(FileKind::Xml),
        ),
        ("text", b"not an archive".to_vec(), None),
        ("other XML", b"<html><body/></html>".to_vec(), None),
        ("empty", Vec::new(), None),
    ];
    for (what, bytes, kind) in cases {
        assert_eq!(FileKind::sniff(&bytes), kind, "{what}");
        let path = tmp.path().join("file");
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(archive::file_kind_of(&path).unwrap(), kind, "{what}");
    }
    // A BPMN document longer than what is sniffed is told by its start.
    let mut long = xml.clone();
    long.splice(xml.len() - 20..xml.len() - 20, b"<!-- padding -->".repeat(10_000));
    assert_eq!(FileKind::sniff(&long), Some(FileKind::Xml));
    let missing = tmp.path().join("nope");
    let e = archive::file_kind_of(&missing).unwrap_err();
    assert_eq!(e.path(), Some(missing.as_path()));
}

/// One check of whether an output is its input, shared with the CLI.
#[test]
fn same_file_resolves_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.zip");
    std::fs::write(&a, b"x").unwrap();
    std::fs::create_dir(tmp.path().join("d")).unwrap();
    let around = tmp.path().join("d").join("..").join("a.zip");
    assert!(archive::same_file(&a, &around));
    let b = tmp.path().join("b.zip");
    std::fs::write(&b, b"x").unwrap();
    assert!(!archive::same_file(&a, &b));
    assert!(!archive::same_file(&a, &tmp.path().join("missing.zip")));
    // A symbolic link is its target; a hard link is another name, which an
    // output may replace without touching the input.
    #[cfg(unix)]
    {
        let soft = tmp.path().join("soft.zip");
        std::os::unix::fs::symlink(&a, &soft).unwrap();
        assert!(archive::same_file(&a, &soft));
        let hard = tmp.path().join("hard.zip");
        std::fs::hard_link(&a, &hard).unwrap();
        assert!(!archive::same_file(&a, &hard));
    }
}

/// Everything in the folder but `keep`, by name.
fn others(dir: &std::path::Path, keep: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

/// The sample export planned, and written by `write` into `written.zip`
/// in a new folder: what staged outputs are compared with.
fn planned_and_written() -> (
    tempfile::TempDir,
    archive::FilePlan,
    std::path::PathBuf,
    archive::FileReport,
) {
    let tmp = tempfile::tempdir().unwrap();
    let input = support::root().join("testdata/archives/ProcessImport.zip");
    let plan = archive::plan_file(&input, &Recipe::builtin(), &Options::default()).unwrap();
    let written = tmp.path().join("written.zip");
    let by_write = plan.write(&written, &archive::WriteOptions::new()).unwrap();
    (tmp, plan, written, by_write)
}

/// A report as JSON, without its output's path (which names the target).
fn without_path(r: &archive::FileReport) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    v["output"]["path"] = serde_json::Value::Null;
    v
}

/// `write` in two halves: a staged output is verified but nowhere near its
/// target; its commit puts the same bytes in place with the report `write`
/// gives; dropped, it leaves nothing; a commit that cannot rename names the
/// target and leaves no temporary file.
#[test]
fn a_staged_output_is_put_in_place_only_by_its_commit() {
    use archive::WriteOptions;
    let (tmp, plan, written, by_write) = planned_and_written();

    let target = tmp.path().join("staged.zip");
    let staged = plan.stage(&target, &WriteOptions::new()).unwrap();
    assert!(!target.exists());
    let report = staged.report().clone();
    let committed = staged.commit().unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), std::fs::read(&written).unwrap());
    let json = without_path;
    assert_eq!(json(&committed), json(&by_write));
    assert_eq!(json(&report), json(&committed));
    assert_eq!(others(tmp.path(), &["written.zip", "staged.zip"]), Vec::<String>::new());

    // Dropped: no target, no temporary file.
    let dropped = tmp.path().join("dropped.zip");
    drop(plan.stage(&dropped, &WriteOptions::new()).unwrap());
    assert!(!dropped.exists());
    assert_eq!(others(tmp.path(), &["written.zip", "staged.zip"]), Vec::<String>::new());

    // A folder in the target's place by the time of the commit.
    let blocked = tmp.path().join("blocked.zip");
    let staged = plan.stage(&blocked, &WriteOptions::new()).unwrap();
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("inside"), "kept").unwrap();
    let err = staged.commit().unwrap_err();
    assert!(
        matches!(&err, archive::ArchiveError::Output { path, .. } if *path == blocked),
        "{err:?}"
    );
    assert_eq!(std::fs::read(blocked.join("inside")).unwrap(), b"kept");
    assert_eq!(
        others(tmp.path(), &["written.zip", "staged.zip", "blocked.zip"]),
        Vec::<String>::new()
    );
}

/// A group of staged outputs whose flushes are all started, then waited
/// for, before any is committed (as a batch's commit threads do): each
/// commit then puts the same bytes in place, with the same report, as one
/// that flushes for itself; flushing twice, or starting a flush after it,
/// changes nothing; one flushed and then dropped leaves nothing behind.
#[test]
fn staged_outputs_flushed_first_commit_as_the_others_do() {
    use archive::WriteOptions;
    let (tmp, plan, written, by_write) = planned_and_written();

    let targets: Vec<_> = (0..3).map(|i| tmp.path().join(format!("group-{i}.zip"))).collect();
    let mut group: Vec<_> = targets
        .iter()
        .map(|t| plan.stage(t, &WriteOptions::new()).unwrap())
        .collect();
    for staged in &group {
        staged.start_flush();
    }
    for staged in &mut group {
        staged.flush().unwrap();
        staged.flush().unwrap();
        staged.start_flush();
    }
    assert!(targets.iter().all(|t| !t.exists()));
    let json = without_path;
    for (staged, target) in group.into_iter().zip(&targets) {
        let report = staged.commit().unwrap();
        assert_eq!(std::fs::read(target).unwrap(), std::fs::read(&written).unwrap());
        assert_eq!(json(&report), json(&by_write));
    }

    let dropped = tmp.path().join("dropped.zip");
    let mut staged = plan.stage(&dropped, &WriteOptions::new()).unwrap();
    staged.flush().unwrap();
    drop(staged);
    assert!(!dropped.exists());
    let names: Vec<String> = targets
        .iter()
        .map(|t| t.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut keep: Vec<&str> = names.iter().map(String::as_str).collect();
    keep.push("written.zip");
    assert_eq!(others(tmp.path(), &keep), Vec::<String>::new());
}
