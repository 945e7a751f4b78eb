//! Documents in every encoding Identity Manager and BPMN tools write, edited
//! byte-exactly in their own encoding: only the value spans change, and a
//! character the encoding cannot hold becomes a character reference (in
//! CDATA: the section is closed around the reference and reopened).

use procpatch::{Charset, Document, Recipe, Status};

use crate::support;

fn files() -> Vec<(String, Vec<u8>)> {
    let dir = support::root().join("testdata/encodings");
    let out: Vec<(String, Vec<u8>)> = support::read_dir(&dir)
        .into_iter()
        .map(|p| (support::file_name(&p), support::read(&p)))
        .collect();
    assert_eq!(out.len(), 6, "expected six encodings in {}", dir.display());
    out
}

#[test]
fn every_encoding_is_detected_and_round_trips() {
    let mut seen = Vec::new();
    for (name, bytes) in files() {
        let doc = Document::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        seen.push(format!("{name}: {}", doc.charset().name()));
        assert_eq!(
            procpatch::apply(&bytes, &doc.editor().finish().unwrap()).unwrap(),
            bytes
        );
    }
    insta::assert_snapshot!(seen.join("\n"), @r"
    iso-8859-1.bpmn20.xml: ISO-8859-1
    us-ascii.bpmn20.xml: US-ASCII
    utf16be-bom.bpmn20.xml: UTF-16BE
    utf16le-bom.bpmn20.xml: UTF-16LE
    utf8-bom.bpmn20.xml: UTF-8
    windows-1252.bpmn20.xml: windows-1252
    ");
}

#[test]
fn the_builtin_recipe_edits_each_encoding_in_place() {
    for (name, bytes) in files() {
        let doc = Document::parse(&bytes).unwrap();
        let plan = doc.plan(&Recipe::builtin()).unwrap();
        assert_eq!(plan.report.summary.changed + plan.report.summary.inserted, 4, "{name}");
        let out = plan.apply(&bytes).unwrap();
        support::assert_only_spans_changed(&bytes, &out, &plan.splices);
        let again = Document::parse(&out).unwrap();
        assert_eq!(again.charset(), doc.charset(), "{name}");
        assert_eq!(out[..4], bytes[..4], "{name}: the BOM or declaration changed");
        let t = &again.processes()[0].tasks[0];
        assert_eq!(t.fields[0].value.as_deref(), Some("Batch order"), "{name}");
    }
}

/// A value with characters every encoding can hold, some can, and none of
/// the single-byte ones can.
const VALUE: &str = "Größe – € 🔒 <&>";

#[test]
fn characters_an_encoding_cannot_hold_become_references() {
    let mut shown = Vec::new();
    for (name, bytes) in files() {
        let doc = Document::parse(&bytes).unwrap();
        let lock = &doc.processes()[0].tasks[0];
        let load = &doc.processes()[0].tasks[1];
        let mut editor = doc.editor();
        for (task, key) in [
            (lock, "value"),
            (lock, "param1"),
            (load, "value"),
            (lock, "@calledElement"),
        ] {
            assert_eq!(
                editor.set(task, key, VALUE).unwrap().status,
                Status::Changed,
                "{name} {key}"
            );
        }
        let splices = editor.finish().unwrap();
        let out = procpatch::apply(&bytes, &splices).unwrap();
        support::assert_only_spans_changed(&bytes, &out, &splices);
        let again = Document::parse(&out).unwrap();
        let (l, d) = (&again.processes()[0].tasks[0], &again.processes()[0].tasks[1]);
        assert_eq!(l.fields[0].value.as_deref(), Some(VALUE), "{name}: CDATA");
        assert_eq!(l.fields[1].value.as_deref(), Some(VALUE), "{name}: expression=");
        assert_eq!(d.fields[0].value.as_deref(), Some(VALUE), "{name}: text");
        assert_eq!(
            l.attributes.iter().find(|a| a.name == "calledElement").unwrap().value,
            VALUE
        );
        // Show how the CDATA value was written, decoded for reading.
        if matches!(doc.charset(), Charset::Latin1 | Charset::Ascii | Charset::Other(_)) {
            let text = again.text();
            let start = text.find("<activiti:string><![CDATA[").unwrap();
            let end = text[start..].find("</activiti:string>").unwrap();
            shown.push(format!("{name}: {}", &text[start..start + end]));
        }
    }
    insta::assert_snapshot!(shown.join("\n"), @r"
    iso-8859-1.bpmn20.xml: <activiti:string><![CDATA[Größe ]]>&#8211;<![CDATA[ ]]>&#8364;<![CDATA[ ]]>&#128274;<![CDATA[ <&>]]>
    us-ascii.bpmn20.xml: <activiti:string><![CDATA[Gr]]>&#246;&#223;<![CDATA[e ]]>&#8211;<![CDATA[ ]]>&#8364;<![CDATA[ ]]>&#128274;<![CDATA[ <&>]]>
    windows-1252.bpmn20.xml: <activiti:string><![CDATA[Größe – € ]]>&#128274;<![CDATA[ <&>]]>
    ");
}

#[test]
fn the_latin1_corpus_file_keeps_its_bytes() {
    let bytes = support::read(support::corpus_dir().join("activiti-bpmn-converter__encoding.bpmn"));
    let doc = Document::parse(&bytes).unwrap();
    assert_eq!(doc.charset(), Charset::Latin1);
    let task = doc.processes().iter().flat_map(|p| &p.tasks).next().unwrap();
    let mut editor = doc.editor();
    editor.set(task, "@name", "Prüfung €").unwrap();
    let splices = editor.finish().unwrap();
    let out = procpatch::apply(&bytes, &splices).unwrap();
    support::assert_only_spans_changed(&bytes, &out, &splices);
    // ü is the single byte 0xFC; € has no Latin-1 byte and is a reference.
    assert!(
        out.windows(9).any(|w| w == b"\xFCfung &#8"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    let again = Document::parse(&out).unwrap();
    let t = again.processes().iter().flat_map(|p| &p.tasks).next().unwrap();
    assert_eq!(t.selector.name.as_deref(), Some("Prüfung €"));
}
