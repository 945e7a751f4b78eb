//! The built-in recipe on every fixture variant: the twelve values of
//! `docs/BRIEF.md` (The job), each in its original form, and a byte diff that is exactly
//! the value spans (pinned by snapshots).

use procpatch::{patch, Document, Form, Recipe, Status};

use crate::support;

/// The table of `docs/BRIEF.md`: process, task, data pool, sub-process.
const TABLE: &[(&str, &str, &str, &str)] = &[
    (
        "Deactivate user",
        "Deactivate related credentials",
        "Batch order",
        "set credential status",
    ),
    (
        "Deactivate user",
        "Load related credentials",
        "Credentials",
        "load credential(s)",
    ),
    (
        "Reactivate user",
        "Reactivate related credentials",
        "Batch order",
        "set credential status",
    ),
    (
        "Reactivate user",
        "Load related credentials",
        "Credentials",
        "load credential(s)",
    ),
    (
        "Lock user",
        "Lock related credentials",
        "Batch order",
        "set credential status",
    ),
    (
        "Lock user",
        "Load related credentials",
        "Credentials",
        "load credential(s)",
    ),
];

/// A variant's name and its files (name, bytes).
type Variant = (String, Vec<(String, Vec<u8>)>);

fn variants() -> Vec<Variant> {
    let mut out: Vec<Variant> = Vec::new();
    for (variant, name, bytes) in support::fixtures() {
        match out.last_mut() {
            Some((v, files)) if *v == variant => files.push((name, bytes)),
            _ => out.push((variant, vec![(name, bytes)])),
        }
    }
    out
}

/// The form of every field of every task, to compare before and after.
fn forms(bytes: &[u8]) -> Vec<(String, String, Form)> {
    let doc = Document::parse(bytes).unwrap();
    doc.processes()
        .iter()
        .flat_map(|p| &p.tasks)
        .flat_map(|t| {
            t.fields
                .iter()
                .map(move |f| (t.selector.name.clone().unwrap_or_default(), f.name.clone(), f.form))
        })
        .collect()
}

#[test]
fn builtin_recipe_sets_the_twelve_values_on_every_variant() {
    let recipe = Recipe::builtin();
    for (variant, files) in variants() {
        let mut seen = 0;
        let mut diffs = String::new();
        for (name, input) in &files {
            let (output, report) = patch(input, &recipe).unwrap();
            seen += report.summary.changed + report.summary.inserted + report.summary.already_set;
            diffs.push_str(&support::diff(name, input, &output));

            // The twelve values read back from the output.
            let doc = Document::parse(&output).unwrap();
            let process = &doc.processes()[0];
            let pname = process.selector.name.as_deref().unwrap();
            for (p, task, pool, sub) in TABLE.iter().filter(|row| row.0 == pname) {
                assert_eq!(
                    support::field_value(&output, p, task, "value").as_deref(),
                    Some(*pool),
                    "{variant}/{name} {task}"
                );
                assert_eq!(
                    support::field_value(&output, p, task, "param1").as_deref(),
                    Some(*sub),
                    "{variant}/{name} {task}"
                );
            }

            // Fields that existed keep their form; new ones are CDATA strings.
            let after = forms(&output);
            for before in forms(input) {
                assert!(after.contains(&before), "{variant}/{name}: {before:?} lost its form");
            }
            for (task, field, form) in &after {
                if !forms(input).iter().any(|(t, f, _)| t == task && f == field) {
                    assert_eq!(*form, Form::String { cdata: true }, "{variant}/{name}");
                }
            }

            // Idempotent: the output needs nothing more.
            let (again, report2) = patch(&output, &recipe).unwrap();
            assert_eq!(again, output, "{variant}/{name}: second run changed bytes");
            assert!(report2
                .changes()
                .all(|(_, _, c)| matches!(c.status, Status::AlreadySet | Status::Absent)));
            // Deterministic.
            assert_eq!(patch(input, &recipe).unwrap().0, output);
        }
        assert_eq!(seen, 12, "{variant}: expected the 12 values of docs/BRIEF.md");
        insta::assert_snapshot!(format!("fixture-diff-{variant}"), diffs);
    }
}

#[test]
fn plan_splices_are_exactly_the_value_spans() {
    let recipe = Recipe::builtin();
    for (variant, files) in variants() {
        for (name, input) in files {
            let doc = Document::parse(&input).unwrap();
            let plan = doc.plan(&recipe).unwrap();
            let output = plan.apply(&input).unwrap();
            support::assert_only_spans_changed(&input, &output, &plan.splices);
            // Each replaced range lies inside the old value: no markup
            // outside a value's quotes or CDATA section is rewritten.
            for s in plan.splices.iter().filter(|s| !s.range.is_empty()) {
                let old = &input[s.range.clone()];
                assert!(
                    !old.contains(&b'<') && !old.contains(&b'"') && !old.contains(&b'\''),
                    "{variant}/{name}: {old:?}"
                );
            }
        }
    }
}

#[test]
fn report_snapshot() {
    let input = support::read(support::root().join("testdata/bpmn/mixed-forms/UsersProcDeactivate.bpmn20.xml"));
    let (_, report) = patch(&input, &Recipe::builtin()).unwrap();
    insta::assert_snapshot!(report.to_string());
    insta::assert_json_snapshot!(report);
}

#[test]
fn fixtures_match_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(support::root().join("testdata/generate.py"))
        .arg(tmp.path())
        .status()
        .expect("python3 runs the fixture generator");
    assert!(status.success());
    for (variant, name, bytes) in support::fixtures() {
        let fresh = support::read(tmp.path().join("bpmn").join(&variant).join(&name));
        assert!(
            fresh == bytes,
            "testdata/bpmn/{variant}/{name} differs from the generator's output"
        );
    }
}
