//! `inspect_file_with` and `Listing`: a file listed as it is read gives what
//! its collected inspection gives.

use std::fmt::Write;
use std::path::PathBuf;

use procpatch::archive::{self, Found, Listing, Options};
use procpatch::Recipe;
use serde_json::Value;

use crate::support;

/// A bare document of `processes` processes, each with a task holding an
/// engine attribute and two fields (one in CDATA), indented as exports are.
fn large_document(processes: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<definitions \
         xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:activiti=\"http://activiti.org/bpmn\">\n",
    );
    for i in 0..processes {
        write!(
            s,
            "  <process id=\"p{i}\" name=\"Process {i}\">\n    <serviceTask id=\"t{i}\" name=\"Task {i}\" \
             activiti:async=\"true\">\n      <extensionElements>\n        <activiti:field name=\"value\" \
             expression=\"Users\"/>\n        <activiti:field name=\"param1\"><activiti:string><![CDATA[set \
             {i}]]></activiti:string></activiti:field>\n      </extensionElements>\n    </serviceTask>\n  \
             </process>\n"
        )
        .unwrap();
    }
    s.push_str("</definitions>\n");
    s
}

/// Every kind of input listed as it is read: the entries come in order,
/// each once and before its processes, and together they are the collected
/// inspection; the inspection returned keeps no processes; the text is the
/// collected one's. The large document is read an eighth of its processes
/// at a time (and, past 256 KiB, parsed in parts).
#[test]
fn a_file_listed_as_it_is_read_matches_its_collected_inspection() {
    let tmp = tempfile::tempdir().unwrap();
    let large = tmp.path().join("large.bpmn20.xml");
    std::fs::write(&large, large_document(3000)).unwrap();
    let inputs: Vec<PathBuf> = vec![
        support::fixture("testdata/archives/ProcessImport.zip"),
        support::fixture("testdata/archives/ConfigurationExport.zip"),
        support::fixture("testdata/bpmn/vendor/UsersProcLock.bpmn20.xml"),
        // Read ahead on a second thread, one document malformed.
        crate::large::many_entries(tmp.path(), "xml"),
        large.clone(),
    ];
    let labels = Recipe::builtin().labels();
    let options = Options::default();
    for input in &inputs {
        let name = input.display().to_string();
        let collected = archive::inspect_file(input, &options).unwrap();
        let mut listing = Listing::new(&labels);
        let mut entries: Vec<Value> = Vec::new();
        let mut batches = 0;
        let streamed = archive::inspect_file_with(input, &options, &mut |found| {
            listing.add(found);
            match found {
                Found::Entry(e) => {
                    assert!(e.processes.is_empty());
                    entries.push(serde_json::to_value(e).unwrap());
                }
                Found::Processes(processes) => {
                    batches += 1;
                    let entry = entries.last_mut().expect("processes come after their entry");
                    let list = entry
                        .as_object_mut()
                        .unwrap()
                        .entry("processes")
                        .or_insert(Value::Array(Vec::new()));
                    list.as_array_mut()
                        .unwrap()
                        .extend(processes.iter().map(|p| serde_json::to_value(p).unwrap()));
                }
                _ => unreachable!(),
            }
        })
        .unwrap();
        let whole = serde_json::to_value(&collected).unwrap();
        assert_eq!(Value::Array(entries), whole["entries"], "{name}");
        assert!(streamed.entries.iter().all(|e| e.processes.is_empty()), "{name}");
        let mut without = collected.clone();
        without.entries.iter_mut().for_each(|e| e.processes.clear());
        assert_eq!(
            serde_json::to_value(&streamed).unwrap(),
            serde_json::to_value(&without).unwrap(),
            "{name}"
        );
        let (mut text, mut expected) = (String::new(), String::new());
        listing.write(&mut text, &streamed).unwrap();
        collected.write_text(&mut expected, &labels).unwrap();
        assert_eq!(text, expected, "{name}");
        let processes: usize = collected.entries.iter().map(|e| e.processes.len()).sum();
        assert_eq!(listing.processes(), processes, "{name}");
        if *input == large {
            assert_eq!((processes, batches), (3000, 8));
        }
    }
}

/// A file that cannot be read fails as it does collected, and nothing is
/// handed over.
#[test]
fn a_file_that_cannot_be_listed_fails_as_when_collected() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.zip");
    std::fs::write(&bad, b"PK\x03\x04 not a zip archive").unwrap();
    let options = Options::default();
    let collected = archive::inspect_file(&bad, &options).unwrap_err();
    let mut handed = 0;
    let streamed = archive::inspect_file_with(&bad, &options, &mut |_| handed += 1).unwrap_err();
    assert_eq!(streamed.to_string(), collected.to_string());
    assert_eq!(handed, 0);
}
