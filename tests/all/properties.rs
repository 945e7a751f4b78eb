//! Property tests: for random values, set → read gives the value back in
//! every form and encoding, the document stays well-formed, only value
//! spans change, and applying twice equals applying once.

use proptest::prelude::*;

use procpatch::{Document, Form, Status};

use crate::support;

const TEMPLATE: &str = r#"<?xml version="1.0" encoding="ENC"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:a="http://activiti.org/bpmn">
  <process id="p" name="P">
    <serviceTask id="t" name="T" plain='x' a:exclusive='x'>
      <extensionElements>
        <a:field name="cdata"><a:string><![CDATA[old]]></a:string></a:field>
        <a:field name="text"><a:string>old</a:string></a:field>
        <a:field name="exprchild"><a:expression>old</a:expression></a:field>
        <a:field name="dq" expression="old"/>
        <a:field name="sq" stringValue='old'/>
        <a:field name="novalue"/>
      </extensionElements>
    </serviceTask>
    <userTask id="u" name="U"/>
    <serviceTask id="v" name="V" a:async="x">
      <extensionElements>
        <a:field name="e1" expression='a'></a:field>
        <a:field name="e2" expression='b'></a:field>
      </extensionElements>
    </serviceTask>
    <serviceTask id="w" name="W">
      <extensionElements>
        <a:field name="s1"><a:string>a</a:string></a:field>
      </extensionElements>
    </serviceTask>
  </process>
</definitions>
"#;

/// Every key form: field forms, plain and engine attributes, and insertions
/// (a field in the form of its siblings, an attribute under the prefix in
/// scope or a newly declared one).
const KEYS: &[&str] = &[
    "cdata",
    "text",
    "exprchild",
    "dq",
    "sq",
    "novalue",
    "@plain",
    "@activiti:exclusive",
    "@added",
    "@activiti:async",
    "@flowable:async",
    "@camunda:asyncBefore",
    "newField",
];

/// The tasks: "T" with fields in every form and attributes, "U" with
/// nothing, "V" with an engine attribute and fields in the expression
/// attribute form, "W" with fields in `string` text.
const TASKS: &[&str] = &["T", "U", "V", "W"];

/// The keys set on `task`: all on "T", elsewhere those that insert (or, for
/// `@activiti:async` on "V", edit in place).
fn keys(task: &str) -> impl Iterator<Item = &'static str> + '_ {
    KEYS.iter().copied().filter(move |k| {
        task == "T"
            || matches!(
                *k,
                "@added" | "@activiti:async" | "@flowable:async" | "@camunda:asyncBefore" | "newField"
            )
    })
}

#[derive(Debug, Clone, Copy)]
enum Enc {
    Utf8,
    Latin1,
    Utf16Le,
}

fn document(enc: Enc) -> Vec<u8> {
    match enc {
        Enc::Utf8 => TEMPLATE.replace("ENC", "UTF-8").into_bytes(),
        Enc::Latin1 => TEMPLATE.replace("ENC", "ISO-8859-1").into_bytes(),
        Enc::Utf16Le => {
            let mut out = vec![0xFF, 0xFE];
            out.extend(
                TEMPLATE
                    .replace("ENC", "UTF-16")
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            );
            out
        }
    }
}

/// Reads `key` of task `name` back.
fn read(doc: &Document<'_>, task: &str, key: &str) -> Option<String> {
    let t = doc.processes()[0]
        .tasks
        .iter()
        .find(|t| t.selector.name.as_deref() == Some(task))?;
    match key.strip_prefix('@') {
        Some(attr) => t.attributes.iter().find(|a| a.name == attr).map(|a| a.value.clone()),
        None => t.fields.iter().find(|f| f.name == key)?.value.clone(),
    }
}

fn xml_char() -> impl Strategy<Value = char> {
    any::<char>().prop_filter(
        "XML 1.0 Char",
        |&c| matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF),
    )
}

/// Values made of the pieces that need care, and random characters.
fn value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("]]>".to_string()),
        Just("]]".to_string()),
        Just("&".to_string()),
        Just("&amp;".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("é".to_string()),
        Just("€".to_string()),
        Just("😀".to_string()),
        "[a-zA-Z0-9 ]{1,6}",
        xml_char().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn set_all(bytes: &[u8], value: &str, task: &str) -> (Vec<u8>, Vec<Status>) {
    let doc = Document::parse(bytes).unwrap();
    let t = doc.processes()[0]
        .tasks
        .iter()
        .find(|t| t.selector.name.as_deref() == Some(task))
        .unwrap();
    let mut editor = doc.editor();
    let statuses = keys(task).map(|k| editor.set(t, k, value).unwrap().status).collect();
    let splices = editor.finish().unwrap();
    let out = procpatch::apply(bytes, &splices).unwrap();
    support::assert_only_spans_changed(bytes, &out, &splices);
    (out, statuses)
}

fn check(enc: Enc, value: &str) -> Result<(), TestCaseError> {
    let input = document(enc);
    for task in TASKS {
        let (once, _) = set_all(&input, value, task);
        let doc = Document::parse(&once).map_err(|e| TestCaseError::fail(format!("{enc:?}: {e}")))?;
        for key in keys(task) {
            let got = read(&doc, task, key);
            prop_assert_eq!(got.as_deref(), Some(value), "{:?} {} {}", enc, task, key);
        }
        // The new field took the form of its siblings (an empty string
        // element reads as the CDATA form).
        let form = doc.processes()[0]
            .tasks
            .iter()
            .find(|t| t.selector.name.as_deref() == Some(task))
            .and_then(|t| t.fields.iter().find(|f| f.name == "newField"))
            .map(|f| f.form);
        let expected = match *task {
            "V" => Form::ExpressionAttribute,
            "W" if !value.is_empty() => Form::String { cdata: false },
            _ => Form::String { cdata: true },
        };
        prop_assert_eq!(form, Some(expected), "{:?} {}", enc, task);
        let (twice, statuses) = set_all(&once, value, task);
        prop_assert!(statuses.iter().all(|s| *s == Status::AlreadySet), "{:?}", statuses);
        prop_assert_eq!(&twice, &once);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn set_then_read_round_trips_utf8(v in value()) { check(Enc::Utf8, &v)?; }

    #[test]
    fn set_then_read_round_trips_latin1(v in value()) { check(Enc::Latin1, &v)?; }

    #[test]
    fn set_then_read_round_trips_utf16(v in value()) { check(Enc::Utf16Le, &v)?; }
}

#[test]
fn characters_xml_cannot_carry_are_refused() {
    let input = document(Enc::Utf8);
    let doc = Document::parse(&input).unwrap();
    let t = &doc.processes()[0].tasks[0];
    let err = doc.editor().set(t, "dq", "a\u{1}b").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the value for dq holds the character U+0001, which XML 1.0 cannot carry"
    );
}
