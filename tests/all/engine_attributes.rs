//! `@engine:name` keys: attributes in an engine's namespace, found by URI
//! whatever prefix the document uses, edited in place or inserted (with a
//! namespace declaration when none is in scope).

use procpatch::{Document, Engine, Recipe, Status};

use crate::support;

/// A recipe that sets `sets` on task "T" of process "p".
fn recipe(sets: &[(&str, &str)]) -> Recipe {
    let set: Vec<String> = sets
        .iter()
        .map(|(k, v)| format!("{} = {}", toml_string(k), toml_string(v)))
        .collect();
    Recipe::from_toml(&format!(
        "[[process]]\nid = \"p\"\n[[process.task]]\nname = \"T\"\nset = {{ {} }}\n",
        set.join(", ")
    ))
    .unwrap()
}

/// A TOML basic string holding `v`.
fn toml_string(v: &str) -> String {
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Plans `sets` on task "T" and returns the output and the report, after
/// checking that only the splices changed, and that a second run finds
/// everything already set and gives identical bytes.
fn apply(xml: &str, sets: &[(&str, &str)]) -> (String, String) {
    let recipe = recipe(sets);
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let plan = doc.plan(&recipe).unwrap();
    let out = plan.apply(xml.as_bytes()).unwrap();
    support::assert_only_spans_changed(xml.as_bytes(), &out, &plan.splices);

    let again = Document::parse(&out).unwrap().plan(&recipe).unwrap();
    for (_, _, c) in again.report.changes() {
        assert_eq!(c.status, Status::AlreadySet, "{}", c.key);
    }
    assert!(again.splices.is_empty());
    assert_eq!(again.apply(&out).unwrap(), out);
    (String::from_utf8(out).unwrap(), plan.report.to_string())
}

const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

#[test]
fn a_prefix_is_found_by_uri_and_the_value_edited_in_its_quotes() {
    let xml = format!(
        "<definitions xmlns=\"{BPMN}\" xmlns:act=\"http://activiti.org/bpmn\">\n  <process id=\"p\">\n    <serviceTask id=\"s\" name=\"T\" act:async='true' act:delegateExpression=\"${{a}}\"/>\n  </process>\n</definitions>\n"
    );
    let (out, report) = apply(
        &xml,
        &[
            ("@activiti:async", "it's \"false\""),
            ("@activiti:delegateExpression", "${b}"),
        ],
    );
    insta::assert_snapshot!(out, @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:act="http://activiti.org/bpmn">
      <process id="p">
        <serviceTask id="s" name="T" act:async='it&apos;s "false"' act:delegateExpression="${b}"/>
      </process>
    </definitions>
    "#);
    // The report names the attribute as the recipe does, not as the
    // document writes it.
    insta::assert_snapshot!(report, @r#"
    process id p at 2:3
      task "T" (id s) at 3:5
        @activiti:async [@activiti:async]: "true" → "it's \"false\"" (changed)
        @activiti:delegateExpression [@activiti:delegateExpression]: "${a}" → "${b}" (changed)
    2 changed, 0 inserted, 0 already set
    "#);
}

#[test]
fn a_missing_attribute_uses_the_prefix_bound_in_scope() {
    // `act` is bound on the process, not the root; `activiti` is bound on
    // the root to something else and must not be used.
    let xml = format!(
        "<definitions xmlns=\"{BPMN}\" xmlns:activiti=\"urn:not-the-engine\">\n  <process id=\"p\" xmlns:act=\"http://activiti.org/bpmn\">\n    <serviceTask id=\"s\"\n                 name=\"T\"\n                 activiti:async=\"x\">\n    </serviceTask>\n  </process>\n</definitions>\n"
    );
    let (out, report) = apply(&xml, &[("@activiti:async", "false")]);
    insta::assert_snapshot!(out, @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="urn:not-the-engine">
      <process id="p" xmlns:act="http://activiti.org/bpmn">
        <serviceTask id="s"
                     name="T"
                     activiti:async="x"
                     act:async="false">
        </serviceTask>
      </process>
    </definitions>
    "#);
    insta::assert_snapshot!(report, @r#"
    process id p at 2:3
      task "T" (id s) at 3:5
        @activiti:async [@activiti:async]: (none) → "false" (inserted)
    0 changed, 1 inserted, 0 already set
    "#);
}

#[test]
fn without_a_binding_the_engine_prefix_is_declared_on_the_root() {
    let xml = format!(
        "<bpmn:definitions xmlns:bpmn=\"{BPMN}\"\n                  targetNamespace=\"x\">\n  <bpmn:process id=\"p\">\n    <bpmn:serviceTask id=\"s\" name=\"T\"/>\n  </bpmn:process>\n</bpmn:definitions>\n"
    );
    let (out, _) = apply(&xml, &[("@activiti:async", "false")]);
    insta::assert_snapshot!(out, @r#"
    <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                      targetNamespace="x"
                      xmlns:activiti="http://activiti.org/bpmn">
      <bpmn:process id="p">
        <bpmn:serviceTask id="s" name="T" activiti:async="false"/>
      </bpmn:process>
    </bpmn:definitions>
    "#);
}

#[test]
fn a_taken_conventional_prefix_gets_a_number() {
    let xml = format!(
        "<definitions xmlns=\"{BPMN}\" xmlns:camunda=\"urn:other\"><process id=\"p\"><task id=\"t\" name=\"T\"/></process></definitions>"
    );
    let (out, _) = apply(&xml, &[("@camunda:asyncBefore", "true")]);
    insta::assert_snapshot!(out, @r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="urn:other" xmlns:camunda2="http://camunda.org/schema/1.0/bpmn"><process id="p"><task id="t" name="T" camunda2:asyncBefore="true"/></process></definitions>"#);
}

#[test]
fn flowable_and_camunda_attributes_with_and_without_a_binding() {
    // Flowable is bound as `fl`; Camunda is not bound at all and is declared
    // on the root.
    let xml = format!(
        "<definitions xmlns=\"{BPMN}\" xmlns:fl=\"http://flowable.org/bpmn\">\n  <process id=\"p\">\n    <serviceTask id=\"s\" name=\"T\" fl:delegateExpression=\"${{old}}\">\n      <extensionElements>\n        <fl:field name=\"param2\" expression=\"x\"/>\n      </extensionElements>\n    </serviceTask>\n  </process>\n</definitions>\n"
    );
    let (out, report) = apply(
        &xml,
        &[
            ("@flowable:delegateExpression", "${x}"),
            ("@flowable:async", "true"),
            ("@camunda:asyncBefore", "true"),
            ("@camunda:asyncAfter", "false"),
            ("param1", "p&q"),
        ],
    );
    insta::assert_snapshot!(out, @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:fl="http://flowable.org/bpmn" xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
      <process id="p">
        <serviceTask id="s" name="T" fl:delegateExpression="${x}" fl:async="true" camunda:asyncBefore="true" camunda:asyncAfter="false">
          <extensionElements>
            <fl:field name="param2" expression="x"/>
            <fl:field name="param1" expression="p&amp;q"/>
          </extensionElements>
        </serviceTask>
      </process>
    </definitions>
    "#);
    insta::assert_snapshot!(report, @r#"
    process id p at 2:3
      task "T" (id s) at 3:5
        @flowable:delegateExpression [@flowable:delegateExpression]: "${old}" → "${x}" (changed)
        @flowable:async [@flowable:async]: (none) → "true" (inserted)
        @camunda:asyncBefore [@camunda:asyncBefore]: (none) → "true" (inserted)
        @camunda:asyncAfter [@camunda:asyncAfter]: (none) → "false" (inserted)
        param1 [param1]: (none) → "p&q" (inserted)
    1 changed, 4 inserted, 0 already set
    "#);
}

#[test]
fn a_new_field_and_a_new_attribute_share_one_declaration() {
    let xml =
        format!("<definitions xmlns=\"{BPMN}\"><process id=\"p\"><task id=\"t\" name=\"T\"/></process></definitions>");
    let (out, _) = apply(&xml, &[("@activiti:async", "false"), ("value", "v")]);
    insta::assert_snapshot!(out, @r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"><process id="p"><task id="t" name="T" activiti:async="false"><extensionElements><activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field></extensionElements></task></process></definitions>"#);
}

#[test]
fn unprefixed_keys_mean_attributes_with_no_namespace() {
    // `@async` is not `activiti:async`, and `@activiti:async` is not an
    // `async` in another namespace.
    let xml = format!(
        "<definitions xmlns=\"{BPMN}\" xmlns:activiti=\"http://activiti.org/bpmn\" xmlns:o=\"urn:other\"><process id=\"p\"><task id=\"t\" name=\"T\" activiti:async=\"a\" o:exclusive=\"b\"/></process></definitions>"
    );
    let (out, report) = apply(
        &xml,
        &[
            ("@async", "plain"),
            ("@activiti:exclusive", "engine"),
            ("@activiti:async", "a"),
        ],
    );
    insta::assert_snapshot!(out, @r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn" xmlns:o="urn:other"><process id="p"><task id="t" name="T" activiti:async="a" o:exclusive="b" async="plain" activiti:exclusive="engine"/></process></definitions>"#);
    insta::assert_snapshot!(report, @r#"
    process id p at 1:128
      task "T" (id t) at 1:144
        @async [@async]: (none) → "plain" (inserted)
        @activiti:exclusive [@activiti:exclusive]: (none) → "engine" (inserted)
        @activiti:async [@activiti:async]: "a" → "a" (already set)
    0 changed, 2 inserted, 1 already set
    "#);
}

#[test]
fn engine_attributes_are_listed_with_the_task() {
    let xml = format!(
        "<definitions xmlns=\"{BPMN}\" xmlns:act=\"http://activiti.org/bpmn\" xmlns:o=\"urn:other\"><process id=\"p\"><task id=\"t\" name=\"T\" act:async=\"true\" o:x=\"y\" z=\"1\"/></process></definitions>"
    );
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let task = &doc.processes()[0].tasks[0];
    let attrs: Vec<(&str, Option<Engine>, &str)> = task
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.engine, a.value.as_str()))
        .collect();
    assert_eq!(
        attrs,
        [
            ("id", None, "t"),
            ("name", None, "T"),
            ("activiti:async", Some(Engine::Activiti), "true"),
            ("z", None, "1"),
        ]
    );
    insta::assert_snapshot!(serde_json::to_string(&task.attributes[2]).unwrap(), @r#"{"name":"activiti:async","engine":"activiti","value":"true","position":{"line":1,"column":172}}"#);
}

#[test]
fn one_attribute_under_two_prefixes_is_malformed() {
    let xml = format!(
        "<definitions xmlns=\"{BPMN}\" xmlns:a=\"http://activiti.org/bpmn\" xmlns:b=\"http://activiti.org/bpmn\">\n<process id=\"p\"><task id=\"t\" name=\"T\" a:async=\"true\" b:async=\"false\"/></process></definitions>"
    );
    let err = Document::parse(xml.as_bytes()).unwrap_err();
    insta::assert_snapshot!(err, @r#"malformed XML at 2:54: attribute given twice: "b:async" is "a:async" (at 2:39), both prefixes being bound to http://activiti.org/bpmn"#);
}

#[test]
fn bad_attribute_keys_are_recipe_errors() {
    let keys = [
        "@foo:bar",
        "@activit:async",
        "@Camunda:asyncBefore",
        "@xmlns:activiti",
        "@xmlns",
        "@activiti:",
        "@:async",
        "@activiti:a:b",
        "@activiti:a b",
    ];
    let out: Vec<String> = keys
        .iter()
        .map(|k| {
            let toml = format!(
                "[[process]]\nid = \"p\"\n[[process.task]]\nname = \"T\"\nset = {{ {} = \"v\" }}\n",
                toml_string(k)
            );
            Recipe::from_toml(&toml).unwrap_err().to_string()
        })
        .collect();
    insta::assert_snapshot!(out.join("\n"), @r#"
    process 1 (id p), task 1 ("T"): "@foo:bar": "foo" is not an engine prefix; known: "activiti", "flowable", "camunda" (each names its engine's namespace, whatever prefix the document binds to it)
    process 1 (id p), task 1 ("T"): "@activit:async": "activit" is not an engine prefix; did you mean "@activiti:async"?
    process 1 (id p), task 1 ("T"): "@Camunda:asyncBefore": "Camunda" is not an engine prefix; did you mean "@camunda:asyncBefore"?
    process 1 (id p), task 1 ("T"): "@xmlns:activiti": namespace declarations cannot be set; `@engine:name` names the engine's namespace whatever prefix the document binds, and procpatch declares one when it must
    process 1 (id p), task 1 ("T"): "@xmlns": namespace declarations cannot be set; `@engine:name` names the engine's namespace whatever prefix the document binds, and procpatch declares one when it must
    process 1 (id p), task 1 ("T"): "@activiti:": `@` must be followed by an attribute name, with no prefix (`@calledElement`) or with an engine prefix (`@activiti:async`)
    process 1 (id p), task 1 ("T"): "@:async": `@` must be followed by an attribute name, with no prefix (`@calledElement`) or with an engine prefix (`@activiti:async`)
    process 1 (id p), task 1 ("T"): "@activiti:a:b": `@` must be followed by an attribute name, with no prefix (`@calledElement`) or with an engine prefix (`@activiti:async`)
    process 1 (id p), task 1 ("T"): "@activiti:a b": `@` must be followed by an attribute name, with no prefix (`@calledElement`) or with an engine prefix (`@activiti:async`)
    "#);
}
