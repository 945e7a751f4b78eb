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
            <activiti:field name="value" expression="Batch order"/>
            <activiti:field name="param1" expression="set credential status"/>
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
    insta::assert_snapshot!(edit(xml, &[("value", "v")]), @r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"><process id="p"><task id="t" name="T"><extensionElements><x:field xmlns:x="http://activiti.org/bpmn" name="param2" stringValue="a"/><activiti:field name="value" stringValue="v"/></extensionElements></task></process></definitions>"#);
}

/// A task "T" whose `extensionElements` holds `fields`, one per line.
fn with_fields(fields: &[&str]) -> String {
    let mut xml =
        format!("{HEAD}\n  <process id=\"p\">\n    <serviceTask id=\"s\" name=\"T\">\n      <extensionElements>\n");
    for f in fields {
        xml.push_str(&format!("        {f}\n"));
    }
    xml.push_str("      </extensionElements>\n    </serviceTask>\n  </process>\n</definitions>\n");
    xml
}

/// The lines of `out` that `xml` does not have.
fn new_lines(xml: &str, out: &str) -> String {
    let old: Vec<&str> = xml.lines().collect();
    out.lines().filter(|l| !old.contains(l)).collect::<Vec<_>>().join("\n")
}

/// The form the report gives a new field `name` on task "T".
fn inserted_form(xml: &str, name: &str) -> procpatch::Form {
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let task = &doc.processes()[0].tasks[0];
    let change = doc.editor().set(task, name, "v").unwrap();
    assert_eq!(change.status, Status::Inserted);
    change.form.unwrap()
}

#[test]
fn a_new_field_copies_the_expression_attribute_form_of_its_siblings() {
    let xml = with_fields(&[
        "<activiti:field name=\"param1\" expression=\"a\"/>",
        "<activiti:field name=\"param2\" expression=\"b\"/>",
    ]);
    let out = edit(&xml, &[("value", "it's <a> \"${x}\" & \t\n")]);
    insta::assert_snapshot!(new_lines(&xml, &out), @r#"        <activiti:field name="value" expression="it's &lt;a> &quot;${x}&quot; &amp; &#9;&#10;"/>"#);
    assert_eq!(inserted_form(&xml, "value"), procpatch::Form::ExpressionAttribute);
}

#[test]
fn a_new_field_copies_quotes_and_end_tags_when_its_siblings_agree() {
    // The vendor's export: explicit end tags.
    let xml = with_fields(&[
        "<activiti:field name='param1' expression='a'></activiti:field>",
        "<activiti:field name='param2' expression='b'>\n        </activiti:field>",
    ]);
    let out = edit(&xml, &[("value", "it's")]);
    insta::assert_snapshot!(new_lines(&xml, &out), @"        <activiti:field name='value' expression='it&apos;s'></activiti:field>");
    // Siblings that differ in quotes or tags: `"` and an empty-element tag.
    let xml = with_fields(&[
        "<activiti:field name='param1' expression='a'></activiti:field>",
        "<activiti:field name=\"param2\" expression=\"b\"/>",
    ]);
    let out = edit(&xml, &[("value", "it's")]);
    insta::assert_snapshot!(new_lines(&xml, &out), @r#"        <activiti:field name="value" expression="it's"/>"#);
}

#[test]
fn a_new_field_copies_the_string_value_attribute_form() {
    let xml = with_fields(&["<activiti:field name=\"param1\" stringValue=\"a\"/>"]);
    let out = edit(&xml, &[("value", "${not evaluated}")]);
    insta::assert_snapshot!(new_lines(&xml, &out), @r#"        <activiti:field name="value" stringValue="${not evaluated}"/>"#);
    assert_eq!(inserted_form(&xml, "value"), procpatch::Form::StringValueAttribute);
}

#[test]
fn a_new_field_copies_string_text_without_cdata() {
    let xml = with_fields(&[
        "<activiti:field name=\"param1\"><activiti:string>a</activiti:string></activiti:field>",
        "<activiti:field name=\"param2\"><activiti:string>b &amp; c</activiti:string></activiti:field>",
    ]);
    let out = edit(&xml, &[("value", "a]]>b <c> & 'd'\r")]);
    insta::assert_snapshot!(new_lines(&xml, &out), @r#"        <activiti:field name="value"><activiti:string>a]]&gt;b &lt;c&gt; &amp; 'd'&#13;</activiti:string></activiti:field>"#);
    assert_eq!(inserted_form(&xml, "value"), procpatch::Form::String { cdata: false });
}

#[test]
fn siblings_in_different_forms_leave_the_cdata_default() {
    for fields in [
        &[
            "<activiti:field name=\"param1\" expression=\"a\"/>",
            "<activiti:field name=\"param2\" stringValue=\"b\"/>",
        ][..],
        &[
            "<activiti:field name=\"param1\" expression=\"a\"/>",
            "<activiti:field name=\"param2\"><activiti:string>b</activiti:string></activiti:field>",
        ][..],
        &[
            "<activiti:field name=\"param1\"><activiti:string>a</activiti:string></activiti:field>",
            "<activiti:field name=\"param2\"><activiti:string><![CDATA[b]]></activiti:string></activiti:field>",
        ][..],
        // Forms that are not copied: an `expression` child, no value.
        &["<activiti:field name=\"param1\"><activiti:expression>a</activiti:expression></activiti:field>"][..],
        &["<activiti:field name=\"param1\"/>"][..],
        &["<activiti:field name=\"param1\"><activiti:string><![CDATA[a]]></activiti:string></activiti:field>"][..],
    ] {
        let xml = with_fields(fields);
        let out = edit(&xml, &[("value", "v")]);
        assert_eq!(
            new_lines(&xml, &out),
            "        <activiti:field name=\"value\"><activiti:string><![CDATA[v]]></activiti:string></activiti:field>",
            "{fields:?}"
        );
        assert_eq!(inserted_form(&xml, "value"), procpatch::Form::String { cdata: true });
    }
}
