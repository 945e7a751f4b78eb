//! The properties the fuzz targets check, shared with the regression tests
//! (`tests/all/fuzz_regressions.rs`), which run every saved crasher.
#![allow(dead_code)]

/// Keys the XML editor target sets.
pub const KEYS: &[&str] = &[
    "data pool",
    "sub-process",
    "param2",
    "@calledElement",
    "@name",
    "newField",
    "value",
    // Appended, so that saved inputs keep their keys where they can.
    "@activiti:async",
    "@flowable:delegateExpression",
    "@camunda:asyncBefore",
];

/// The XML editor on arbitrary bytes with an arbitrary edit: it must never
/// panic, its output must differ from the input only inside the splices,
/// the output must parse, and setting the value again must change nothing.
///
/// Input layout: byte 0 picks the key, byte 1 the value length `n`, the next
/// `n` bytes are the value (read as lossy UTF-8), the rest is the document.
pub fn xml_edit(data: &[u8]) {
    let [k, n, rest @ ..] = data else { return };
    let n = usize::from(*n).min(rest.len());
    let (value, doc) = rest.split_at(n);
    let value = String::from_utf8_lossy(value);
    let key = KEYS[usize::from(*k) % KEYS.len()];
    let Ok(document) = procpatch::Document::parse(doc) else {
        return;
    };
    let Some(task) = document.processes().iter().flat_map(|p| &p.tasks).next() else {
        return;
    };
    let mut editor = document.editor();
    if editor.set(task, key, &value).is_err() {
        return;
    }
    let Ok(splices) = editor.finish() else { return };
    let out = procpatch::apply(doc, &splices).expect("planned splices apply");
    let mut sorted = splices.clone();
    sorted.sort_by_key(|s| (s.range.start, s.range.end));
    let (mut i, mut o) = (0, 0);
    for s in &sorted {
        let keep = s.range.start - i;
        assert_eq!(
            doc[i..s.range.start],
            out[o..o + keep],
            "bytes outside the splices changed"
        );
        o += keep + s.bytes.len();
        i = s.range.end;
    }
    assert_eq!(doc[i..], out[o..], "bytes after the last splice changed");
    let again = procpatch::Document::parse(&out).expect("the edited document parses");
    let t = again
        .processes()
        .iter()
        .flat_map(|p| &p.tasks)
        .next()
        .expect("the task is still there");
    let mut editor = again.editor();
    let change = editor.set(t, key, &value).expect("the key resolves again");
    assert_eq!(change.status, procpatch::Status::AlreadySet, "{key} = {value:?}");
}

/// The archive reader and writer on arbitrary bytes: an error, or an output
/// that `patch_archive` has verified, that re-reads, and that needs nothing
/// more.
pub fn archive(data: &[u8]) {
    let options = procpatch::archive::Options::default().with_max_entry_size(1 << 20);
    let recipe = procpatch::Recipe::builtin();
    if let Ok((out, report)) = procpatch::archive::patch_archive(data, &recipe, &options) {
        if !report.needs_edit() {
            assert_eq!(out, data, "no edit, yet the bytes changed");
        }
        let (again, report2) = procpatch::archive::patch_archive(&out, &recipe, &options).expect("the output re-reads");
        assert!(!report2.needs_edit(), "the output still needs an edit");
        assert_eq!(again, out);
    }
}

/// A document read in parts side by side, as a large one is: the tree, or
/// the error, must be those of one reading.
///
/// Input layout: byte 0 picks the number of parts (2 to 5), the rest is the
/// document (skipped unless UTF-8).
pub fn xml_split(data: &[u8]) {
    let [p, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let parts = 2 + usize::from(*p % 4);
    assert!(
        procpatch::__fuzz::parts_agree(text, parts),
        "{parts} parts read another tree than one reading"
    );
}
