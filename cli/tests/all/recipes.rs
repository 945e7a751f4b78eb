//! Recipes from files: engine attributes (`@activiti:async`) and new fields
//! in the form of their siblings, applied to a small BPMN file.

use std::path::Path;

use crate::procpatch;

const BPMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:act="http://activiti.org/bpmn" targetNamespace="x">
  <process id="UsersProcLock" name="Lock user">
    <serviceTask id="s1" name="Set user status" act:async='true' act:delegateExpression="${primeTask}">
      <extensionElements>
        <act:field name="value" expression="Users"></act:field>
        <act:field name="param1" expression="lock user"></act:field>
      </extensionElements>
    </serviceTask>
    <callActivity id="c1" name="Lock related credentials" calledElement="${processToCall}">
      <extensionElements>
        <act:field name="value" expression=""/>
        <act:field name="param1" expression=""/>
      </extensionElements>
    </callActivity>
  </process>
</definitions>
"#;

const RECIPE: &str = r#"[[process]]
name = "Lock user"

[[process.task]]
name = "Set user status"
set = { "@activiti:async" = "false", "param2" = "a < b & 'c'" }

[[process.task]]
name = "Lock related credentials"
set = { "@activiti:async" = "false", "@activiti:exclusive" = "true", "data pool" = "Batch order", "param2" = "hideProgressPopup" }
"#;

/// What the recipe makes of `BPMN`: `act:async` edited in its own quotes,
/// new attributes under the document's `act` prefix, new fields in the
/// form of their siblings (expression attribute, and end tag or not).
const EXPECTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:act="http://activiti.org/bpmn" targetNamespace="x">
  <process id="UsersProcLock" name="Lock user">
    <serviceTask id="s1" name="Set user status" act:async='false' act:delegateExpression="${primeTask}">
      <extensionElements>
        <act:field name="value" expression="Users"></act:field>
        <act:field name="param1" expression="lock user"></act:field>
        <act:field name="param2" expression="a &lt; b &amp; 'c'"></act:field>
      </extensionElements>
    </serviceTask>
    <callActivity id="c1" name="Lock related credentials" calledElement="${processToCall}" act:async="false" act:exclusive="true">
      <extensionElements>
        <act:field name="value" expression="Batch order"/>
        <act:field name="param1" expression=""/>
        <act:field name="param2" expression="hideProgressPopup"/>
      </extensionElements>
    </callActivity>
  </process>
</definitions>
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn engine_attributes_and_fields_in_their_siblings_form() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write(tmp.path(), "lock.bpmn20.xml", BPMN);
    let recipe = write(tmp.path(), "recipe.toml", RECIPE);
    let out = tmp.path().join("out.bpmn20.xml").display().to_string();

    let run = procpatch(&["apply", &input, "--recipe", &recipe, "-o", &out], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), EXPECTED);

    // Applied to its own output, the recipe changes nothing.
    let again = tmp.path().join("again.bpmn20.xml").display().to_string();
    let run = procpatch(&["apply", &out, "--recipe", &recipe, "-o", &again], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("engine_attributes_again", run.stdout);
    assert_eq!(std::fs::read(&again).unwrap(), EXPECTED.as_bytes());

    // `inspect` lists the engine attributes under the recipe's names.
    let run = procpatch(&["inspect", &out], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("engine_attributes_inspect", run.stdout);
}

#[test]
fn an_engine_namespace_is_declared_where_none_is_bound() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write(
        tmp.path(),
        "plain.bpmn",
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <process id=\"p\">\n    <serviceTask id=\"t\" name=\"T\"/>\n  </process>\n</definitions>\n",
    );
    let recipe = write(
        tmp.path(),
        "recipe.toml",
        "[[process]]\nid = \"p\"\n[[process.task]]\nname = \"T\"\nset = { \"@camunda:asyncBefore\" = \"true\" }\n",
    );
    let out = tmp.path().join("out.bpmn").display().to_string();
    let run = procpatch(&["apply", &input, "--recipe", &recipe, "-o", &out], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:camunda=\"http://camunda.org/schema/1.0/bpmn\">\n  <process id=\"p\">\n    <serviceTask id=\"t\" name=\"T\" camunda:asyncBefore=\"true\"/>\n  </process>\n</definitions>\n"
    );
}

#[test]
fn unknown_engine_prefixes_and_declarations_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write(tmp.path(), "lock.bpmn20.xml", BPMN);
    let mut out = String::new();
    for key in ["@activit:async", "@foo:bar", "@xmlns:act"] {
        let recipe = write(
            tmp.path(),
            "bad.toml",
            &format!("[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Set user status\"\nset = {{ \"{key}\" = \"x\" }}\n"),
        );
        let run = procpatch(&["check", &input, "--recipe", &recipe], tmp.path());
        out.push_str(&format!("{key}: exit {}\n{}", run.code, run.stderr));
    }
    insta::assert_snapshot!(out);
}
