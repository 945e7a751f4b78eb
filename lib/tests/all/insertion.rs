//! Inserting what is missing: fields, `extensionElements`, attributes and
//! namespace declarations, in the layout of the surrounding document.

use procpatch::{Document, Status};

use crate::support;

/// Sets `sets` on task "T" and returns the output, after checking that it
/// parses, reads back, and needs nothing on a second run.
fn edit(xml: &str, sets: &[(&str, &str)]) -> String {
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let task = doc.processes()[0]
        .tasks
        .iter()
        .find(|t| t.selector.name.as_deref() == Some("T"))
        .unwrap();
    let mut editor = doc.editor();
    for (k, v) in sets {
        editor.set(task, k, v).unwrap();
    }
    let splices = editor.finish().unwrap();
    let out = procpatch::apply(xml.as_bytes(), &splices).unwrap();
    support::assert_only_spans_changed(xml.as_bytes(), &out, &splices);

    let again = Document::parse(&out).unwrap();
    let task = again.processes()[0]
        .tasks
        .iter()
        .find(|t| t.selector.name.as_deref() == Some("T"))
        .unwrap();
    let mut editor = again.editor();
    for (k, v) in sets {
        assert_eq!(editor.set(task, k, v).unwrap().status, Status::AlreadySet, "{k}");
    }
    assert!(editor.finish().unwrap().is_empty());
    String::from_utf8(out).unwrap()
}

const HEAD: &str =
    r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">"#;

#[test]
fn a_missing_field_goes_after_the_last_field() {
    let xml = format!(
        "{HEAD}\n  <process id=\"p\">\n    <callActivity id=\"c\" name=\"T\">\n      <extensionElements>\n        <activiti:field name=\"param2\" expression=\"x\"/>\n        <activiti:in source=\"a\" target=\"b\"/>\n      </extensionElements>\n    </callActivity>\n  </process>\n</definitions>\n"
    );
    insta::assert_snapshot!(edit(&xml, &[("data pool", "Batch order"), ("sub-process", "set credential status")]), @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">
      <process id="p">
        <callActivity id="c" name="T">
          <extensionElements>
            <activiti:field name="param2" expression="x"/>
            <activiti:field name="value"><activiti:string><![CDATA[Batch order]]></activiti:string></activiti:field>
            <activiti:field name="param1"><activiti:string><![CDATA[set credential status]]></activiti:string></activiti:field>
            <activiti:in source="a" target="b"/>
          </extensionElements>
        </callActivity>
      </process>
    </definitions>
    "#);
}

#[test]
fn without_fields_the_new_one_goes_first_in_extension_elements() {
    let xml = format!(
        "{HEAD}\n  <process id=\"p\">\n    <callActivity id=\"c\" name=\"T\">\n      <extensionElements>\n        <activiti:in source=\"a\" target=\"b\"/>\n      </extensionElements>\n    </callActivity>\n  </process>\n</definitions>\n"
    );
    insta::assert_snapshot!(edit(&xml, &[("value", "v")]), @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">
      <process id="p">
        <callActivity id="c" name="T">
          <extensionElements>
            <activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>
            <activiti:in source="a" target="b"/>
          </extensionElements>
        </callActivity>
      </process>
    </definitions>
    "#);
}

#[test]
fn empty_extension_elements_are_filled() {
    let xml = format!(
        "{HEAD}\n  <process id=\"p\">\n    <serviceTask id=\"s\" name=\"T\">\n      <extensionElements/>\n    </serviceTask>\n    <serviceTask id=\"s2\" name=\"U\">\n      <extensionElements>\n      </extensionElements>\n    </serviceTask>\n  </process>\n</definitions>\n"
    );
    let out = edit(&xml, &[("value", "v")]);
    insta::assert_snapshot!(out, @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">
      <process id="p">
        <serviceTask id="s" name="T">
          <extensionElements>
            <activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>
          </extensionElements>
        </serviceTask>
        <serviceTask id="s2" name="U">
          <extensionElements>
          </extensionElements>
        </serviceTask>
      </process>
    </definitions>
    "#);
    let renamed = xml
        .replace("name=\"T\"", "name=\"X\"")
        .replace("name=\"U\"", "name=\"T\"");
    insta::assert_snapshot!(edit(&renamed, &[("value", "v")]), @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">
      <process id="p">
        <serviceTask id="s" name="X">
          <extensionElements/>
        </serviceTask>
        <serviceTask id="s2" name="T">
          <extensionElements>
            <activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>
          </extensionElements>
        </serviceTask>
      </process>
    </definitions>
    "#);
}

#[test]
fn a_missing_extension_elements_is_created_after_documentation() {
    let xml = format!(
        "{HEAD}\n  <process id=\"p\">\n    <userTask id=\"u\" name=\"T\">\n      <documentation>Doc</documentation>\n      <potentialOwner/>\n    </userTask>\n  </process>\n</definitions>\n"
    );
    insta::assert_snapshot!(edit(&xml, &[("value", "v")]), @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">
      <process id="p">
        <userTask id="u" name="T">
          <documentation>Doc</documentation>
          <extensionElements>
            <activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>
          </extensionElements>
          <potentialOwner/>
        </userTask>
      </process>
    </definitions>
    "#);
}

#[test]
fn an_empty_task_gets_content() {
    let xml = format!("{HEAD}\n  <process id=\"p\">\n    <serviceTask id=\"s\" name=\"T\" />\n    <task id=\"t\" name=\"X\"></task>\n  </process>\n</definitions>\n");
    insta::assert_snapshot!(edit(&xml, &[("value", "v"), ("@calledElement", "c")]), @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">
      <process id="p">
        <serviceTask id="s" name="T" calledElement="c" >
          <extensionElements>
            <activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>
          </extensionElements>
        </serviceTask>
        <task id="t" name="X"></task>
      </process>
    </definitions>
    "#);
    let xml = xml
        .replace("name=\"X\"", "name=\"T\"")
        .replace("name=\"T\" />", "name=\"S\" />");
    insta::assert_snapshot!(edit(&xml, &[("value", "v")]), @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">
      <process id="p">
        <serviceTask id="s" name="S" />
        <task id="t" name="T">
          <extensionElements>
            <activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>
          </extensionElements>
        </task>
      </process>
    </definitions>
    "#);
}

#[test]
fn a_document_without_engine_namespace_gets_one_declared() {
    let xml = "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"\n    targetNamespace=\"x\">\n  <bpmn:process id=\"p\">\n    <bpmn:task id=\"t\" name=\"T\"/>\n  </bpmn:process>\n</bpmn:definitions>\n";
    insta::assert_snapshot!(edit(xml, &[("value", "v")]), @r#"
    <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
        targetNamespace="x"
        xmlns:activiti="http://activiti.org/bpmn">
      <bpmn:process id="p">
        <bpmn:task id="t" name="T">
          <bpmn:extensionElements>
            <activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>
          </bpmn:extensionElements>
        </bpmn:task>
      </bpmn:process>
    </bpmn:definitions>
    "#);
}

#[test]
fn a_taken_prefix_is_not_reused_and_flowable_is_found_by_uri() {
    // `activiti` is bound to something else; the engine gets `activiti2`.
    let xml = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"p\"><task id=\"t\" name=\"T\"><extensionElements xmlns:activiti=\"urn:other\"/></task></process></definitions>";
    insta::assert_snapshot!(edit(xml, &[("value", "v")]), @r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti2="http://activiti.org/bpmn"><process id="p"><task id="t" name="T"><extensionElements xmlns:activiti="urn:other"><activiti2:field name="value"><activiti2:string><![CDATA[v]]></activiti2:string></activiti2:field></extensionElements></task></process></definitions>"#);
    let xml = "<d:definitions xmlns:d=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:fl=\"http://flowable.org/bpmn\"><d:process id=\"p\"><d:task id=\"t\" name=\"T\"/></d:process></d:definitions>";
    insta::assert_snapshot!(edit(xml, &[("value", "v")]), @r#"<d:definitions xmlns:d="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:fl="http://flowable.org/bpmn"><d:process id="p"><d:task id="t" name="T"><d:extensionElements><fl:field name="value"><fl:string><![CDATA[v]]></fl:string></fl:field></d:extensionElements></d:task></d:process></d:definitions>"#);
}

#[test]
fn tab_indentation_is_copied() {
    let xml = format!("{HEAD}\n\t<process id=\"p\">\n\t\t<callActivity id=\"c\" name=\"T\">\n\t\t\t<documentation>d</documentation>\n\t\t</callActivity>\n\t</process>\n</definitions>");
    let out = edit(&xml, &[("value", "v")]);
    assert_eq!(
        out,
        format!("{HEAD}\n\t<process id=\"p\">\n\t\t<callActivity id=\"c\" name=\"T\">\n\t\t\t<documentation>d</documentation>\n\t\t\t<extensionElements>\n\t\t\t\t<activiti:field name=\"value\"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>\n\t\t\t</extensionElements>\n\t\t</callActivity>\n\t</process>\n</definitions>")
    );
}

#[test]
fn crlf_line_endings_are_copied() {
    let xml = format!("{HEAD}\r\n  <process id=\"p\">\r\n    <callActivity id=\"c\" name=\"T\"/>\r\n  </process>\r\n</definitions>\r\n");
    let out = edit(&xml, &[("value", "v"), ("param1", "w")]);
    assert_eq!(
        out,
        format!("{HEAD}\r\n  <process id=\"p\">\r\n    <callActivity id=\"c\" name=\"T\">\r\n      <extensionElements>\r\n        <activiti:field name=\"value\"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>\r\n        <activiti:field name=\"param1\"><activiti:string><![CDATA[w]]></activiti:string></activiti:field>\r\n      </extensionElements>\r\n    </callActivity>\r\n  </process>\r\n</definitions>\r\n")
    );
    // No lone LF was written.
    assert!(!out.replace("\r\n", "").contains('\n'));
}

#[test]
fn a_field_without_value_gets_a_string_child() {
    let xml = format!("{HEAD}<process id=\"p\"><task id=\"t\" name=\"T\"><extensionElements><activiti:field name=\"value\"/><activiti:field name=\"param1\"></activiti:field></extensionElements></task></process></definitions>");
    insta::assert_snapshot!(edit(&xml, &[("value", "a"), ("param1", "b")]), @r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"><process id="p"><task id="t" name="T"><extensionElements><activiti:field name="value"><activiti:string><![CDATA[a]]></activiti:string></activiti:field><activiti:field name="param1"><activiti:string><![CDATA[b]]></activiti:string></activiti:field></extensionElements></task></process></definitions>"#);
}

#[test]
fn attributes_follow_the_layout_of_the_last_one() {
    let xml = format!("{HEAD}\n  <process id=\"p\">\n    <callActivity id='c'\n                  name='T'>\n    </callActivity>\n  </process>\n</definitions>\n");
    insta::assert_snapshot!(edit(&xml, &[("@calledElement", "it's ${x}")]), @r#"
    <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">
      <process id="p">
        <callActivity id='c'
                      name='T'
                      calledElement='it&apos;s ${x}'>
        </callActivity>
      </process>
    </definitions>
    "#);
}

#[test]
fn a_prefix_declared_only_on_a_sibling_field_is_not_reused() {
    let xml = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"p\"><task id=\"t\" name=\"T\"><extensionElements><x:field xmlns:x=\"http://activiti.org/bpmn\" name=\"param2\" stringValue=\"a\"/></extensionElements></task></process></definitions>";
    // `x` is bound only on the existing field, so the new field cannot use it.
    insta::assert_snapshot!(edit(xml, &[("value", "v")]), @r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"><process id="p"><task id="t" name="T"><extensionElements><x:field xmlns:x="http://activiti.org/bpmn" name="param2" stringValue="a"/><activiti:field name="value"><activiti:string><![CDATA[v]]></activiti:string></activiti:field></extensionElements></task></process></definitions>"#);
}
