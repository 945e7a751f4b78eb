//! Open and save with no edit: identical bytes, for the whole corpus and
//! every fixture. Files that are not well-formed give an error, not a panic.

use procpatch::{Document, Error};

use crate::support;

/// Parses and writes back with an editor that sets nothing.
#[allow(clippy::result_large_err)]
fn round_trip(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let doc = Document::parse(bytes)?;
    let splices = doc.editor().finish()?;
    assert!(splices.is_empty());
    procpatch::apply(bytes, &splices)
}

#[test]
fn corpus_round_trips_byte_for_byte() {
    let mut parsed = 0;
    let mut refused = Vec::new();
    for (name, bytes) in support::corpus() {
        match round_trip(&bytes) {
            Ok(out) => {
                assert_eq!(out, bytes, "{name} changed on a round trip");
                parsed += 1;
            }
            Err(e) => refused.push(format!("{name}: {e}")),
        }
    }
    // The two files the corpus marks as not well-formed, and nothing else.
    insta::assert_snapshot!(refused.join("\n"), @r"
    activiti-bpmn-converter__empty.bpmn: the document is empty: it has no root element
    activiti-spring__spring__test__autodeployment__errorHandling__parsing-error.bpmn20.xml: malformed XML at 1:1: text outside the root element
    ");
    assert_eq!(parsed, 61);
}

#[test]
fn fixtures_round_trip_byte_for_byte() {
    for (variant, name, bytes) in support::fixtures() {
        assert_eq!(round_trip(&bytes).unwrap(), bytes, "{variant}/{name}");
    }
}

#[test]
fn plan_with_nothing_to_do_is_the_identity() {
    // A recipe whose processes are all absent plans no splice.
    for (name, bytes) in support::corpus() {
        let Ok(doc) = Document::parse(&bytes) else {
            continue;
        };
        let plan = doc.plan(&procpatch::Recipe::builtin()).unwrap();
        assert!(plan.splices.is_empty(), "{name}");
        assert_eq!(plan.apply(&bytes).unwrap(), bytes);
    }
}
