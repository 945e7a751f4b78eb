//! Error messages, pinned by snapshots: what went wrong and where.

use procpatch::{patch, Document, Recipe};

fn err(xml: &str, recipe: &Recipe) -> String {
    match patch(xml.as_bytes(), recipe) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn vendor(process: &str, tasks: &[&str]) -> String {
    let mut xml = String::from(
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:activiti=\"http://activiti.org/bpmn\">\n",
    );
    xml.push_str(&format!("  <process id=\"p\" name=\"{process}\">\n"));
    for (i, t) in tasks.iter().enumerate() {
        xml.push_str(&format!("    <callActivity id=\"c{i}\" name=\"{t}\"/>\n"));
    }
    xml.push_str("  </process>\n</definitions>\n");
    xml
}

#[test]
fn task_not_found_names_the_closest_tasks() {
    let xml = vendor(
        "Lock user",
        &["Lock related credentials", "Load related credential", "Start"],
    );
    insta::assert_snapshot!(err(&xml, &Recipe::builtin()), @r#"task "Load related credentials" not found in process "Lock user" (id p); did you mean "Load related credential"?"#);
    let xml = vendor("Lock user", &["Lock related credentials", "Something else"]);
    insta::assert_snapshot!(err(&xml, &Recipe::builtin()), @r#"task "Load related credentials" not found in process "Lock user" (id p); did you mean "Lock related credentials"?"#);
}

#[test]
fn ambiguous_targets_list_each_candidate_with_its_position() {
    let xml = vendor(
        "Lock user",
        &[
            "Lock related credentials",
            "Load related credentials",
            "Lock related credentials",
        ],
    );
    insta::assert_snapshot!(err(&xml, &Recipe::builtin()), @r#"task "Lock related credentials" matches 2 tasks in process "Lock user" (id p): "Lock related credentials" (id c0) at 3:5, "Lock related credentials" (id c2) at 5:5; name it by id too, or set `all = true` to edit each"#);
    let xml = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n<process id=\"a\" name=\"Lock user\"/>\n<process id=\"b\" name=\"Lock user\"/>\n</definitions>";
    insta::assert_snapshot!(err(xml, &Recipe::builtin()), @r#"process "Lock user" matches 2 processes: "Lock user" (id a) at 2:1, "Lock user" (id b) at 3:1; name it by id too, or set `all = true` to edit each"#);
}

#[test]
fn all_true_edits_every_match() {
    let xml = vendor(
        "Lock user",
        &[
            "Lock related credentials",
            "Load related credentials",
            "Lock related credentials",
        ],
    );
    let mut recipe = Recipe::builtin();
    recipe.processes[2].tasks[0].all = true;
    let (_, report) = patch(xml.as_bytes(), &recipe).unwrap();
    assert_eq!(report.summary.inserted, 6);
}

#[test]
fn a_field_present_twice_is_ambiguous() {
    let xml = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:a=\"http://activiti.org/bpmn\">\n<process id=\"p\" name=\"Lock user\">\n<task id=\"t\" name=\"Lock related credentials\"><extensionElements>\n<a:field name=\"value\" expression=\"x\"/>\n<a:field name=\"value\" expression=\"y\"/>\n</extensionElements></task>\n<task id=\"l\" name=\"Load related credentials\"/>\n</process></definitions>";
    insta::assert_snapshot!(err(xml, &Recipe::builtin()), @r#"task "Lock related credentials" (id t) has field "value" 2 times: at 4:1, 5:1"#);
}

#[test]
fn nothing_found_suggests_process_names() {
    // Names that merely look alike are suggestions.
    let xml = vendor("Unlock user", &[]);
    insta::assert_snapshot!(err(&xml, &Recipe::builtin()), @r#"none of the recipe's processes was found; did you mean "Unlock user"?"#);
    let xml = vendor("Lock user", &["Lock related credentials", "Load related credentials"]);
    let mut recipe = Recipe::builtin();
    recipe.require_all = true;
    insta::assert_snapshot!(err(&xml, &recipe), @r#"required processes not found: "Deactivate user" (id UsersProcDeactivate), "Reactivate user" (id UsersProcReactivate)"#);
}

/// A process absent while one of nearly its name is there is a typo: an
/// error naming that process, never a quiet "absent".
#[test]
fn a_typo_in_a_process_name_is_an_error() {
    let lock = ["Lock related credentials", "Load related credentials"];
    let xml = vendor("Lock users", &lock);
    insta::assert_snapshot!(err(&xml, &Recipe::builtin()), @r#"process "Lock user" not found; did you mean "Lock users" (id p) at 2:3?"#);
    // Case and spacing count as typos too.
    let xml = vendor("lock  User", &lock);
    insta::assert_snapshot!(err(&xml, &Recipe::builtin()), @r#"process "Lock user" not found; did you mean "lock  User" (id p) at 2:3?"#);
    // A name that is another target's is no typo: Reactivate user is found,
    // so the absent Deactivate user is only absent.
    let xml = vendor(
        "Reactivate user",
        &["Reactivate related credentials", "Load related credentials"],
    )
    .replace("id=\"p\"", "id=\"UsersProcReactivate\"");
    let (_, report) = procpatch::patch(xml.as_bytes(), &Recipe::builtin()).unwrap();
    assert_eq!(report.summary.processes_absent, 2);
    assert!(report.processes.iter().all(|p| p.suggestions.is_empty()), "{report}");
    // With require_all the message keeps the suggestion.
    let xml = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  \
        <process id=\"UsersProcDeactivate\" name=\"Deactivate user\">\n    \
        <callActivity id=\"a\" name=\"Deactivate related credentials\"/>\n    \
        <callActivity id=\"b\" name=\"Load related credentials\"/>\n  </process>\n  \
        <process id=\"UsersProcUnlock\" name=\"Unlock user\"/>\n</definitions>\n";
    let mut recipe = Recipe::builtin();
    let (_, report) = procpatch::patch(xml.as_bytes(), &recipe).unwrap();
    insta::assert_snapshot!(report.summary.describe("document"), @"0 changed, 4 inserted, 0 already set; 2 of 3 processes not in this document");
    recipe.require_all = true;
    insta::assert_snapshot!(err(xml, &recipe), @r#"required processes not found: "Reactivate user" (id UsersProcReactivate), "Lock user"; did you mean "Unlock user"?"#);
}

#[test]
fn malformed_xml_is_reported_at_line_and_column() {
    let cases = [
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <process>\n  </proces>\n</definitions>",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <process id=\"a\" id=\"b\"/>\n</definitions>",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <process id=\"a/>\n</definitions>",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <x:process/>\n</definitions>",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <process>",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  a & b\n</definitions>",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"/>\n<second/>",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><!-- a -- b --></definitions>",
        "",
        "<html><body/></html>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<definitions>\u{FFFD}</definitions>\n".replace('\u{FFFD}', "\u{e9}").replace("<definitions>", "<definitions xmlns='x'>").as_str().to_owned().leak(),
    ];
    let mut out = String::new();
    for xml in cases {
        let e = Document::parse(xml.as_bytes()).unwrap_err();
        out.push_str(&format!("{e}\n"));
    }
    let latin1 = b"<?xml version=\"1.0\"?>\n<definitions>\n  \xE9\n</definitions>";
    out.push_str(&format!("{}\n", Document::parse(latin1).unwrap_err()));
    insta::assert_snapshot!(out);
}

#[test]
fn recipe_errors_say_where() {
    let cases = [
        "[[process]]\nname = \"x\"\n[[process.task]]\nname = \"t\"\nset = { \"data pol\" = \"v\" }\n",
        "[[process]]\nname = \"x\"\n[[process.task]]\nnam = \"t\"\n",
        "[[process]]\nname = \"x\"\n[[process.task]]\nname = \"t\"\nset = { \"@a b\" = \"v\" }\n",
        "[[process]]\nname = \"x\"\n",
        "[[process]]\n[[process.task]]\nname = \"t\"\nset = { a = \"v\" }\n",
        "[[process]\nname = \"x\"\n",
        "",
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|c| Recipe::from_toml(c).unwrap_err().to_string())
        .collect();
    insta::assert_snapshot!(out.join("\n---\n"));
}

#[test]
fn a_control_character_in_a_recipe_field_name_is_refused() {
    // XML 1.0 cannot carry U+0001 at all, and U+0080 (a C1 control) is no
    // name character: a field of either name would be written into a
    // document no reader takes. The name check is the one that reads
    // documents.
    for name in ["da\\u0001ta", "da\\u0080ta"] {
        let set =
            format!("[[process]]\nname = \"x\"\n[[process.task]]\nname = \"t\"\nset = {{ \"{name}\" = \"v\" }}\n");
        let e = Recipe::from_toml(&set).unwrap_err();
        assert!(e.to_string().contains("is neither a label nor a field name"), "{e}");
        let label = format!("[labels]\npool = [\"{name}\"]\n[[process]]\nname = \"x\"\n[[process.task]]\nname = \"t\"\nset = {{ pool = \"v\" }}\n");
        let e = Recipe::from_toml(&label).unwrap_err();
        assert!(e.to_string().contains("must list one or more field names"), "{e}");
    }
    // So is such a name in a document.
    let xml = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><pro\u{80}cess/></definitions>";
    assert!(Document::parse(xml.as_bytes()).is_err());
}

// Errors of files and archives: each says its context once, names the file
// it could not read, and keeps the document error reachable.

use std::error::Error as _;
use std::path::Path;

use procpatch::archive::{self, ArchiveError, ErrorKind, Options, WriteOptions};

use crate::support;

const MALFORMED: &str =
    "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <process id=\"a/>\n</definitions>";

/// A zip holding `files`, made in memory.
fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// Asserts that no level of `e`'s chain repeats the message of the level
/// below it (as `{0}` with `#[from]` would: a chain printer then shows it
/// twice), and that none names a command-line flag.
fn assert_each_level_once(what: &str, e: &(dyn std::error::Error + 'static)) {
    let levels = support::levels(e);
    for pair in levels.windows(2) {
        assert!(
            !pair[0].contains(&pair[1]),
            "{what}: \"{}\" repeats its source \"{}\"",
            pair[0],
            pair[1]
        );
    }
    assert!(
        levels.iter().all(|l| !l.is_empty()),
        "{what}: an empty level in {levels:?}"
    );
    assert_no_flag(what, &levels.join(": "));
}

/// Asserts that `text` names no command-line flag (`--something`).
fn assert_no_flag(what: &str, text: &str) {
    let flag = text
        .match_indices("--")
        .any(|(i, _)| text[i + 2..].starts_with(|c: char| c.is_ascii_lowercase()));
    assert!(!flag, "{what}: a library message names a flag: {text}");
}

/// The document error found by walking `e`'s chain, as a caller holding
/// only `&dyn Error` (anyhow, eyre) finds it.
fn find_document_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a procpatch::Error> {
    let mut next = Some(e);
    while let Some(level) = next {
        if let Some(found) = level.downcast_ref::<procpatch::Error>() {
            return Some(found);
        }
        next = level.source();
    }
    None
}

#[test]
fn a_file_that_cannot_be_read_is_named_in_its_error() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope.zip");
    let options = Options::default();
    let check = |what: &str, e: ArchiveError, path: &Path| {
        assert_eq!(e.kind(), ErrorKind::Io, "{what}: {e:?}");
        assert_eq!(e.path(), Some(path), "{what}: {e:?}");
        assert!(e.to_string().contains(&path.display().to_string()), "{what}: {e}");
        let io = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
        assert!(io.is_some(), "{what}: the I/O error is not the source: {e:?}");
        assert_each_level_once(what, &e);
    };
    let e = archive::plan_file(&missing, &Recipe::builtin(), &options).unwrap_err();
    check("plan_file", e, &missing);
    check(
        "inspect_file",
        archive::inspect_file(&missing, &options).unwrap_err(),
        &missing,
    );
    check(
        "verify_file",
        archive::verify_file(&missing, &options, None).unwrap_err(),
        &missing,
    );
    check("sha256_file", archive::sha256_file(&missing).unwrap_err(), &missing);
    let e = archive::for_each_document(&missing, &options, &mut |_, _| {}).unwrap_err();
    check("for_each_document", e, &missing);
    // A folder opens, and fails when it is read.
    let e = archive::plan_file(tmp.path(), &Recipe::builtin(), &options).unwrap_err();
    check("plan_file on a folder", e, tmp.path());
    // A large file, read from the disk step by step, keeps its name too.
    let e = archive::plan_file(&missing, &Recipe::builtin(), &options.clone().with_max_in_memory(0)).unwrap_err();
    check("plan_file, not held in memory", e, &missing);
}

#[test]
fn each_level_of_an_error_chain_says_something_new() {
    let tmp = tempfile::tempdir().unwrap();
    let options = Options::default();
    let recipe = Recipe::builtin();
    let mut errors: Vec<(&str, ArchiveError)> = Vec::new();
    errors.push((
        "missing file",
        archive::plan_file(&tmp.path().join("nope.zip"), &recipe, &options).unwrap_err(),
    ));
    let zip = zip_of(&[("bad.bpmn20.xml", MALFORMED.as_bytes())]);
    errors.push((
        "malformed entry",
        archive::patch_archive(&zip, &recipe, &options).unwrap_err(),
    ));
    let bare = tmp.path().join("bad.bpmn20.xml");
    std::fs::write(&bare, MALFORMED).unwrap();
    errors.push((
        "malformed file",
        archive::plan_file(&bare, &recipe, &options).unwrap_err(),
    ));
    // A recipe with no process (from_toml refuses one; a built one is
    // checked where it is used).
    let invalid = Recipe::default();
    errors.push((
        "invalid recipe",
        archive::plan_file(
            &support::fixture("testdata/archives/ProcessImport.zip"),
            &invalid,
            &options,
        )
        .unwrap_err(),
    ));
    let typo = Recipe::from_toml(
        "[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Lock related credential\"\nset = { value = \"x\" }\n",
    )
    .unwrap();
    errors.push((
        "task not found",
        archive::plan_file(
            &support::fixture("testdata/archives/ProcessImport.zip"),
            &typo,
            &options,
        )
        .unwrap_err(),
    ));
    let plan = archive::plan_file(
        &support::fixture("testdata/archives/ProcessImport.zip"),
        &recipe,
        &options,
    )
    .unwrap();
    errors.push((
        "output in a missing folder",
        plan.write(&tmp.path().join("no/such/folder/out.zip"), &WriteOptions::new())
            .unwrap_err(),
    ));
    errors.push(("same file", {
        let input = tmp.path().join("in.zip");
        support::copy(support::fixture("testdata/archives/ProcessImport.zip"), &input);
        let plan = archive::plan_file(&input, &recipe, &options).unwrap();
        plan.write(&input, &WriteOptions::new()).unwrap_err()
    }));
    errors.push((
        "damaged",
        archive::patch_archive(&zip[..zip.len() - 10], &recipe, &options).unwrap_err(),
    ));
    for (what, e) in &errors {
        assert_each_level_once(what, e);
    }
    let chains: Vec<String> = errors
        .iter()
        .map(|(what, e)| format!("{what} [{:?}]: {}", e.kind(), support::chain(e)))
        .collect();
    let tmp_text = tmp.path().display().to_string();
    let mut text = chains.join("\n").replace(&tmp_text, "[TMP]");
    // The temporary file's random name.
    if let Some(at) = text.find(".procpatch-") {
        text.replace_range(at + 11..at + 17, "XXXXXX");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn a_document_error_is_found_through_the_archive_error() {
    let options = Options::default();
    let recipe = Recipe::builtin();
    // In an entry of a zip.
    let zip = zip_of(&[("ok.txt", b"x"), ("dir/bad.bpmn20.xml", MALFORMED.as_bytes())]);
    let e = archive::patch_archive(&zip, &recipe, &options).unwrap_err();
    let found = find_document_error(&e).expect("no procpatch::Error in the chain");
    assert!(matches!(found, procpatch::Error::Xml { .. }), "{found:?}");
    assert_eq!(e.document_error(), Some(found));
    assert_eq!(e.entry(), Some("dir/bad.bpmn20.xml"));
    assert_eq!(e.kind(), ErrorKind::MalformedXml);
    assert_eq!(e.position().map(|p| p.to_string()).as_deref(), Some("2:3"));
    // A bare file.
    let tmp = tempfile::tempdir().unwrap();
    let bare = tmp.path().join("bad.bpmn20.xml");
    std::fs::write(&bare, MALFORMED).unwrap();
    let e = archive::plan_file(&bare, &recipe, &options).unwrap_err();
    let found = find_document_error(&e).expect("no procpatch::Error in the chain");
    assert!(matches!(found, procpatch::Error::Xml { .. }), "{found:?}");
    assert_eq!(e.document_error(), Some(found));
    assert_eq!(e.entry(), None);
    assert_eq!(e.kind(), ErrorKind::MalformedXml);
    // Through a boxed error, as `?` into `Box<dyn Error>` makes it.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
    assert!(find_document_error(boxed.as_ref()).is_some());
}

#[test]
fn failures_are_told_apart_by_kind() {
    // procpatch's own failures are internal, not a fault of the input.
    assert_eq!(ArchiveError::Internal("x".into()).kind(), ErrorKind::Internal);
    assert_eq!(ArchiveError::Verify("x".into()).kind(), ErrorKind::Verify);
    let internal: ArchiveError = procpatch::Error::Internal("overlapping edits".into()).into();
    assert_eq!(internal.kind(), ErrorKind::Internal);
    // A document in an encoding procpatch does not read.
    let xml = "<?xml version=\"1.0\" encoding=\"EBCDIC-unheard-of\"?>\n<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"/>";
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a.bpmn20.xml");
    std::fs::write(&path, xml).unwrap();
    let e = archive::plan_file(&path, &Recipe::builtin(), &Options::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    assert!(e.position().is_some(), "{e:?}");
}

#[test]
fn library_messages_name_no_command_line_flag() {
    // Every string in the library's code (comments aside).
    fn scan(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                scan(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let code = line.trim_start();
                    if code.starts_with("//") {
                        continue;
                    }
                    let flag = code
                        .match_indices("--")
                        .any(|(i, _)| code[i + 2..].starts_with(|c: char| c.is_ascii_lowercase()));
                    if flag {
                        found.push(format!("{}:{}: {code}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    scan(&support::root().join("lib/src"), &mut found);
    assert!(found.is_empty(), "flags named in the library:\n{}", found.join("\n"));
    // And a signed archive's report, printed without a trust store, says
    // so without naming one.
    let samples = crate::signing_support::samples();
    let signed = samples.signed();
    let report = archive::verify_file(&signed[0].path, &Options::default(), None).unwrap();
    assert!(
        report
            .signers
            .iter()
            .any(|s| s.chain == archive::ChainStatus::NotChecked),
        "{report}"
    );
    assert_no_flag("verify report", &report.to_string());
}
