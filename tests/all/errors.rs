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
