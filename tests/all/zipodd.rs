//! The odd-zip corpus of issue 10 (`testdata/zipodd/`, made by
//! `testdata/generate_zipodd.py`) and its reader table (`readers.tsv`,
//! written by `testdata/interop/readers.py`): the corpus is exactly what the
//! generator writes, and the table has a row for every case. What procpatch
//! should do with each case is `testdata/zipodd/DECISIONS.md`, which has a
//! row for each; `cli/tests/all/zipodd.rs` holds procpatch to it.

use std::collections::BTreeSet;

use crate::support;

/// Files in `testdata/zipodd/` that the generator does not write.
const NOT_GENERATED: [&str; 2] = ["readers.tsv", "DECISIONS.md"];

/// The data lines of a tab-separated table (no `#` lines), split.
fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .collect()
}

/// The archive files that `cases.tsv` lists, checked for its shape.
fn case_files() -> BTreeSet<String> {
    let cases = String::from_utf8(support::read(support::root().join("testdata/zipodd/cases.tsv"))).unwrap();
    let mut files = BTreeSet::new();
    for row in rows(&cases) {
        let [name, file, what] = row[..] else {
            panic!("cases.tsv: not name, file, what: {row:?}")
        };
        assert_eq!(file, format!("{name}.zip"), "cases.tsv: {name}");
        assert!(!what.is_empty(), "cases.tsv: {name} says nothing");
        assert!(files.insert(file.to_string()), "cases.tsv: {file} twice");
    }
    files
}

#[test]
fn zipodd_corpus_matches_its_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(support::root().join("testdata/generate_zipodd.py"))
        .arg(tmp.path())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs the zipodd generator");
    assert!(status.success(), "testdata/generate_zipodd.py failed");
    let fresh_dir = tmp.path().join("zipodd");
    let names = |dir: &std::path::Path| -> BTreeSet<String> {
        support::read_dir(dir).iter().map(|p| support::file_name(p)).collect()
    };
    let committed: BTreeSet<String> = names(&support::root().join("testdata/zipodd"))
        .into_iter()
        .filter(|n| !NOT_GENERATED.contains(&n.as_str()))
        .collect();
    let fresh = names(&fresh_dir);
    assert_eq!(
        committed, fresh,
        "testdata/zipodd/ holds other files than testdata/generate_zipodd.py writes; regenerate it"
    );
    for name in &committed {
        let path = support::root().join("testdata/zipodd").join(name);
        assert!(
            support::read(fresh_dir.join(name)) == support::read(&path),
            "testdata/zipodd/{name} differs from testdata/generate_zipodd.py's output; regenerate it"
        );
    }
    assert!(
        committed.len() > 50,
        "only {} files in testdata/zipodd",
        committed.len()
    );
}

#[test]
fn the_reader_table_covers_every_case() {
    let files = case_files();
    let text = String::from_utf8(support::read(support::root().join("testdata/zipodd/readers.tsv"))).unwrap();
    for tool in ["# unzip: ", "# python: ", "# java: "] {
        assert!(
            text.lines().any(|l| l.starts_with(tool)),
            "readers.tsv does not record the version of {tool}"
        );
    }
    let mut outer = BTreeSet::new();
    let mut nested = BTreeSet::new();
    for row in rows(&text) {
        let [file, verdicts @ ..] = &row[..] else {
            panic!("readers.tsv: empty row")
        };
        assert_eq!(
            verdicts.len(),
            4,
            "readers.tsv: {file}: not unzip, python, java-zipfile, java-zipinputstream"
        );
        for v in verdicts {
            assert!(
                *v == "ok" || v.starts_with("ok (") || v.starts_with("refuse: "),
                "readers.tsv: {file}: verdict {v:?} is not ok, ok (note) or refuse: reason"
            );
        }
        match file.split_once("!/") {
            Some((outer_file, _)) => nested.insert(outer_file.to_string()),
            None => outer.insert(file.to_string()),
        };
    }
    assert_eq!(
        outer, files,
        "readers.tsv and cases.tsv list other archives; rerun python3 testdata/interop/readers.py"
    );
    for file in files.iter().filter(|f| f.starts_with("nested-")) {
        assert!(
            nested.contains(file),
            "readers.tsv has no row for the archive nested in {file}"
        );
    }
}

#[test]
fn the_decisions_cover_every_case() {
    let text = String::from_utf8(support::read(support::root().join("testdata/zipodd/DECISIONS.md"))).unwrap();
    for file in case_files() {
        let name = file.trim_end_matches(".zip");
        let rows = text.lines().filter(|l| l.starts_with(&format!("| `{name}` |"))).count();
        assert_eq!(rows, 1, "DECISIONS.md has {rows} rows for {name}, not one");
    }
}

/// The end record's 16-bit count of `zip`, and where the end record is.
fn eocd_count(zip: &[u8]) -> (u16, usize) {
    let at = zip.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    (u16::from_le_bytes([zip[at + 10], zip[at + 11]]), at)
}

#[test]
fn a_wrapped_entry_count_is_read_and_written_wrapped() {
    // 70,000 entries and no zip64 records: the 16-bit count says 4,464.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("wrapped.zip");
    let status = std::process::Command::new("python3")
        .arg(support::root().join("testdata/generate_zipodd.py"))
        .arg("--wrapped-count")
        .arg(&path)
        .status()
        .expect("python3 runs the zipodd generator");
    assert!(status.success());
    let input = support::read(&path);
    assert_eq!(eocd_count(&input).0, 4464);
    let options = procpatch::archive::Options::default();
    let (output, report) = procpatch::archive::patch_archive(&input, &procpatch::Recipe::builtin(), &options).unwrap();
    assert_eq!(report.summary.changed, 4);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.message.starts_with("70000 entries, counted modulo 65,536")),
        "{:?}",
        report.notes
    );
    // Written back wrapped, with no zip64 records added; every reader reads
    // all 70,000 entries.
    let (count, at) = eocd_count(&output);
    assert_eq!(count, 4464);
    assert!(
        !output[..at].windows(4).any(|w| w == b"PK\x06\x06"),
        "a zip64 end record was added"
    );
    let out_path = tmp.path().join("out.zip");
    std::fs::write(&out_path, &output).unwrap();
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.infolist()))"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(python.status.success(), "{}", String::from_utf8_lossy(&python.stderr));
    assert_eq!(String::from_utf8_lossy(&python.stdout).trim(), "70000");
    let unzip = std::process::Command::new("unzip")
        .arg("-tqq")
        .arg(&out_path)
        .status()
        .unwrap();
    assert!(unzip.success(), "unzip -t refuses the output");
    // The output needs nothing more.
    let (again, report) = procpatch::archive::patch_archive(&output, &procpatch::Recipe::builtin(), &options).unwrap();
    assert!(!report.needs_edit());
    assert_eq!(again, output);
}

#[test]
fn a_zip64_locator_that_leads_nowhere_is_ignored_when_nothing_needs_it() {
    // An empty archive after 190 other bytes, the last 20 of them a zip64
    // locator whose record is nowhere: Java, Python and unzip read it (the
    // zip crate's test file invalid_cde_number_of_files_allocation_smaller_offset.zip
    // is such an archive), so procpatch does too.
    let mut zip = vec![b'v'; 170];
    zip.extend_from_slice(b"PK\x06\x07");
    zip.extend_from_slice(&[0; 16]);
    zip.extend_from_slice(b"PK\x05\x06");
    zip.extend_from_slice(&[0; 18]);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("empty.zip");
    std::fs::write(&path, &zip).unwrap();
    let inspection = procpatch::archive::inspect_file(&path, &procpatch::archive::Options::default()).unwrap();
    assert!(inspection.entries.is_empty());
    assert_eq!(
        inspection.notes.first().map(|n| n.message.as_str()),
        Some("190 bytes before the archive (a self-extractor stub?), kept; offsets count from the start of the archive, 190 bytes in")
    );
    // The same locator before an end record that defers its offset to
    // zip64 records: they are needed and missing, so it is refused.
    let at = zip.len() - 22 + 16;
    zip[at..at + 4].copy_from_slice(&[0xFF; 4]);
    std::fs::write(&path, &zip).unwrap();
    let err = procpatch::archive::inspect_file(&path, &procpatch::archive::Options::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "damaged zip archive: the zip64 locator at byte 170 points to byte 0, where there is no zip64 end record"
    );
}

#[test]
fn an_edited_entry_keeps_its_local_name_and_flags() {
    // The local name in CP437 without the UTF-8 flag, the central one in
    // UTF-8 with it: the same text, read; the edit keeps the local header's
    // name bytes and flags, and changes only its CRC-32 and sizes.
    let input = support::read(support::root().join("testdata/zipodd/cp437-local-utf8-central-bpmn.zip"));
    let options = procpatch::archive::Options::default();
    let (output, report) = procpatch::archive::patch_archive(&input, &procpatch::Recipe::builtin(), &options).unwrap();
    assert_eq!(report.summary.changed, 4);
    let name = "UsersProcLock-Änderung.bpmn20.xml";
    assert_eq!(report.entries[0].entry, name);
    let local = |zip: &[u8]| -> (u16, Vec<u8>) {
        let n = usize::from(u16::from_le_bytes([zip[26], zip[27]]));
        (u16::from_le_bytes([zip[6], zip[7]]), zip[30..30 + n].to_vec())
    };
    assert_eq!(local(&output), local(&input));
    assert_eq!(local(&output), (0, b"UsersProcLock-\x8enderung.bpmn20.xml".to_vec()));
    assert!(report.notes.iter().any(|n| n
        .message
        .contains("ZipInputStream stops at entry \"UsersProcLock-Änderung.bpmn20.xml\"")));
}

#[test]
fn nothing_found_beside_an_unreadable_nested_archive_names_its_fault() {
    // The nested archive of nested-bad-crc alone in an export: nothing else
    // can hold the recipe's processes, so its fault is the refusal.
    let outer = support::read(support::root().join("testdata/zipodd/nested-bad-crc.zip"));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(outer)).unwrap();
    let mut inner = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name("processes/ProcessImport.zip").unwrap(), &mut inner).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("processes/ProcessImport.zip", stored).unwrap();
    std::io::Write::write_all(&mut w, &inner).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let options = procpatch::archive::Options::default();
    let err = procpatch::archive::patch_archive(&bytes, &procpatch::Recipe::builtin(), &options).unwrap_err();
    assert_eq!(err.kind(), procpatch::archive::ErrorKind::BadInput);
    assert_eq!(
        err.to_string(),
        "none of the recipe's processes was found; the nested archive \"processes/ProcessImport.zip\", which may hold them, cannot be read: entry \"notes.txt\": damaged zip archive: its CRC-32 does not match its data (640 bytes at byte 2603): the entry is corrupt"
    );
}
