//! The odd zips of issue 10 (`testdata/zipodd/`): procpatch does with each
//! what `testdata/zipodd/DECISIONS.md` decides, and follows the issue's
//! rules against what the outside readers say of it (`readers.tsv`):
//!
//! - each case is read and edited (N values changed), refused (exit 3, the
//!   fault and its byte offset in the message), or, for a nested archive
//!   that cannot be read, edited outside it with the nested archive copied
//!   as it is and a warning naming its path and fault (`DECISIONS` below);
//! - what Java's `ZipFile` reads, procpatch reads (rule 1); what unzip,
//!   Python and Java all refuse, procpatch refuses (rule 2); a Java reader
//!   that fails on an accepted input is named in a warning, and only then;
//! - `inspect`, `check` and `apply` agree on every case (rule 7);
//! - every output keeps the bytes before the first entry and after the end
//!   record, and the convention its offsets follow (rule 5), needs nothing
//!   more, and is read by every reader that read the input, nested
//!   archives included (`interop/readers.py`, one run for all outputs);
//! - the message, exit codes, notes and summary of each case are pinned by
//!   a snapshot (`cli__zipodd__zipodd-<case>.snap`, and a table).

use std::collections::BTreeMap;

use crate::{procpatch, root};

/// What procpatch does with a case.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// Read and edited: this many values changed.
    Edit(u32),
    /// Refused (exit 3): the message holds this fault.
    Refuse(&'static str),
    /// The nested archive is copied as it is, with a warning holding this
    /// fault; the outer archive edited (4 values).
    Unread(&'static str),
}

use Outcome::{Edit, Refuse, Unread};

/// The "should" column of DECISIONS.md, case by case.
const DECISIONS: &[(&str, Outcome)] = &[
    ("control-plain", Edit(4)),
    ("control-zip64", Edit(4)),
    ("control-zip64-infozip", Edit(4)),
    ("control-python-force-zip64", Edit(4)),
    ("trailing-nul-padding", Edit(4)),
    ("trailing-text", Edit(4)),
    ("trailing-after-comment", Edit(4)),
    (
        "trailing-comment-past-end",
        Refuse("the end record at byte 2073 gives a 40-byte comment but only 31 bytes follow it"),
    ),
    ("trailing-after-zip64", Edit(4)),
    ("prefix-sfx-adjusted", Edit(4)),
    ("prefix-sfx-unadjusted", Edit(4)),
    ("prefix-sfx-zip64-adjusted", Edit(4)),
    ("prefix-sfx-zip64-unadjusted", Edit(4)),
    ("prefix-split-marker", Edit(4)),
    ("prefix-split-marker-unadjusted", Edit(4)),
    ("locator-sig-in-name", Edit(4)),
    ("locator-sig-in-name-one-disk", Edit(4)),
    ("locator-sig-in-name-printable", Edit(4)),
    ("zip64-disks-ffff", Edit(4)),
    ("zip64-counts-ffff", Edit(4)),
    ("zip64-all-ffff", Edit(4)),
    (
        "zip64-csize-huge",
        Refuse("entry \"notes.txt\": damaged zip archive: its compressed size 18446744073709551600 (zip64 field at byte 2145 of the central record at byte 2078) runs past the end of the file (2251 bytes)"),
    ),
    (
        "zip64-usize-huge",
        Refuse("entry \"notes.txt\": damaged zip archive: it is stored, but its uncompressed size 18446744073709551600 (zip64 field at byte 2137"),
    ),
    (
        "zip64-offset-huge",
        Refuse("entry \"notes.txt\": damaged zip archive: the local header at byte 18446744073709551600 (zip64 field at byte 2153 of the central record at byte 2078)"),
    ),
    (
        "inflate-more-bpmn",
        Refuse("entry \"UsersProcLock.bpmn20.xml\": damaged zip archive: its data (1217 bytes at byte 54) inflates to more than the 4198 bytes its headers declare"),
    ),
    (
        "inflate-more-notes",
        Refuse("entry \"notes.txt\": damaged zip archive: its data (43 bytes at byte 1308) inflates to more than the 640 bytes its headers declare"),
    ),
    (
        "inflate-more-notes-crc-declared",
        Refuse("entry \"notes.txt\": damaged zip archive: its data (43 bytes at byte 1308) inflates to more than the 640 bytes its headers declare"),
    ),
    (
        "gap-before-end-record",
        Refuse("the central directory (125 bytes at byte 1948) ends at byte 2073, 1 byte before the end record at byte 2074"),
    ),
    ("cp437-local-utf8-central", Edit(4)),
    ("cp437-local-utf8-central-bpmn", Edit(4)),
    ("nested-trailing-nul-padding", Edit(12)),
    ("nested-trailing-text", Edit(12)),
    ("nested-trailing-after-comment", Edit(12)),
    (
        "nested-trailing-comment-past-end",
        Unread("the end record at byte 3450 gives a 40-byte comment but only 31 bytes follow it"),
    ),
    ("nested-trailing-after-zip64", Edit(12)),
    ("nested-prefix-sfx-adjusted", Edit(12)),
    ("nested-prefix-sfx-unadjusted", Edit(12)),
    ("nested-prefix-sfx-zip64-adjusted", Edit(12)),
    ("nested-prefix-sfx-zip64-unadjusted", Edit(12)),
    ("nested-prefix-split-marker", Edit(12)),
    ("nested-prefix-split-marker-unadjusted", Edit(12)),
    ("nested-locator-sig-in-name", Edit(12)),
    ("nested-locator-sig-in-name-one-disk", Edit(12)),
    ("nested-locator-sig-in-name-printable", Edit(12)),
    ("nested-zip64-disks-ffff", Edit(12)),
    ("nested-zip64-counts-ffff", Edit(12)),
    ("nested-zip64-all-ffff", Edit(12)),
    (
        "nested-zip64-csize-huge",
        Unread("entry \"notes.txt\": damaged zip archive: its compressed size 18446744073709551600 (zip64 field at byte 3562 of the central record at byte 3495) runs past the end of the file (3668 bytes)"),
    ),
    (
        "nested-zip64-usize-huge",
        Unread("entry \"notes.txt\": damaged zip archive: it is stored, but its uncompressed size 18446744073709551600 (zip64 field at byte 3554"),
    ),
    (
        "nested-zip64-offset-huge",
        Unread("entry \"notes.txt\": damaged zip archive: the local header at byte 18446744073709551600 (zip64 field at byte 3570"),
    ),
    (
        "nested-inflate-more-bpmn",
        Unread("entry \"UsersProcDeactivate.bpmn20.xml\": damaged zip archive: its data (1224 bytes at byte 60) inflates to more than the 4246 bytes its headers declare"),
    ),
    (
        "nested-inflate-more-notes",
        Unread("entry \"notes.txt\": damaged zip archive: its data (43 bytes at byte 2603) inflates to more than the 640 bytes its headers declare"),
    ),
    (
        "nested-inflate-more-notes-crc-declared",
        Unread("entry \"notes.txt\": damaged zip archive: its data (43 bytes at byte 2603) inflates to more than the 640 bytes its headers declare"),
    ),
    (
        "nested-gap-before-end-record",
        Unread("the central directory (207 bytes at byte 3243) ends at byte 3450, 1 byte before the end record at byte 3451"),
    ),
    ("nested-cp437-local-utf8-central", Edit(12)),
    ("nested-cp437-local-utf8-central-bpmn", Edit(12)),
    ("nested-plain", Edit(12)),
    (
        "nested-truncated",
        Unread("no end-of-central-directory record: the file (1736 bytes) is cut short"),
    ),
    (
        "nested-bad-crc",
        Unread("entry \"notes.txt\": damaged zip archive: its CRC-32 does not match its data (640 bytes at byte 2603)"),
    ),
    (
        "nested-garbage",
        Unread("no end-of-central-directory record: the file (2004 bytes) is cut short"),
    ),
    ("nested-70000-entries", Edit(8)),
];

/// The nested archive of every `nested-` case.
const NESTED: &str = "processes/ProcessImport.zip";

/// `readers.tsv` (or `readers.py --print` output): label → the verdicts of
/// unzip, Python, Java ZipFile, Java ZipInputStream.
fn reader_rows(text: &str) -> BTreeMap<String, [String; 4]> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "reader row: {l}");
            (f[0].to_string(), [1, 2, 3, 4].map(|i| f[i].to_string()))
        })
        .collect()
}

/// Whether a verdict is a read in the sense of rule 1: `ok`, or unzip's
/// `ok (warning…)`; Java ZipFile's `ok (…)` notes bytes that do not match
/// what the central directory declares, which is no read (DECISIONS.md).
fn reads(reader: usize, verdict: &str) -> bool {
    verdict == "ok" || (reader != 2 && verdict.starts_with("ok"))
}

/// Where the end records say the central directory ends, minus where it
/// does: the bytes before the archive that its offsets do not count.
fn shift_of(b: &[u8]) -> u64 {
    let rfind = |sig: &[u8]| b.windows(4).rposition(|w| w == sig).unwrap();
    let u32_at = |at: usize| u64::from(u32::from_le_bytes(b[at..at + 4].try_into().unwrap()));
    let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
    let e = rfind(b"PK\x05\x06");
    let (off, size) = (u32_at(e + 16), u32_at(e + 12));
    let (anchor, off, size) = if off == u64::from(u32::MAX) {
        let z = rfind(b"PK\x06\x06");
        (z as u64, u64_at(z + 48), u64_at(z + 40))
    } else {
        (e as u64, off, size)
    };
    anchor - off - size
}

/// The bytes after the last end record and its comment.
fn trailing_of(b: &[u8]) -> &[u8] {
    let e = b.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let comment = usize::from(u16::from_le_bytes([b[e + 20], b[e + 21]]));
    &b[(e + 22 + comment).min(b.len())..]
}

#[test]
fn every_odd_zip_is_read_refused_or_copied_as_decided() {
    let dir = root().join("testdata/zipodd");
    let cases = std::fs::read_to_string(dir.join("cases.tsv")).unwrap();
    let table = reader_rows(&std::fs::read_to_string(dir.join("readers.tsv")).unwrap());
    let decided: BTreeMap<&str, Outcome> = DECISIONS.iter().copied().collect();
    let tmp = tempfile::tempdir().unwrap();
    let outs = tmp.path().join("out");
    std::fs::create_dir(&outs).unwrap();
    let mut summary = String::new();
    let mut written = Vec::new();
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let [name, file, what] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("cases.tsv: {line}")
        };
        let outcome = *decided
            .get(name)
            .unwrap_or_else(|| panic!("{name}: no decision in this test"));
        let input = dir.join(file);
        let input_s = input.display().to_string();
        let output = outs.join(file);
        let output_s = output.display().to_string();
        let apply = procpatch(&["apply", &input_s, "-o", &output_s], tmp.path());
        let inspect = procpatch(&["inspect", &input_s], tmp.path());
        let check = procpatch(&["check", &input_s], tmp.path());
        let dir_s = dir.display().to_string();
        let clean = |s: &str| s.replace(&dir_s, "[ZIPODD]");
        let (message, stdout) = (clean(&apply.stderr), clean(&apply.stdout));

        // Rule 7: one reader for every command.
        assert_eq!(
            (inspect.code == 0, clean(&inspect.stderr)),
            (apply.code == 0, message.clone()),
            "{name}: inspect and apply read it differently"
        );
        assert_eq!(
            (check.code <= 1, clean(&check.stderr)),
            (apply.code == 0, message.clone()),
            "{name}: check and apply read it differently"
        );

        // The decision.
        let changed = |n: u32| stdout.contains(&format!("  {n} changed, "));
        let nested_warning = format!("warning: {NESTED}: cannot be read, copied as it is: ");
        match outcome {
            Edit(n) => {
                assert_eq!(apply.code, 0, "{name}: {message}");
                assert!(changed(n), "{name}: not {n} changed:\n{stdout}");
                assert!(!stdout.contains(&nested_warning), "{name}:\n{stdout}");
            }
            Refuse(fault) => {
                assert_eq!(apply.code, 3, "{name}: {stdout}");
                assert!(message.contains(fault), "{name}: {message:?} does not name {fault:?}");
                assert!(!output.exists(), "{name}: refused, yet an output exists");
            }
            Unread(fault) => {
                assert_eq!(apply.code, 0, "{name}: {message}");
                assert!(changed(4), "{name}: not 4 changed:\n{stdout}");
                let line = stdout.lines().find(|l| l.contains(&nested_warning));
                assert!(
                    line.is_some_and(|l| l.contains(fault) && l.contains("may be in it")),
                    "{name}: no warning naming {fault:?}:\n{stdout}"
                );
                let inspected = clean(&inspect.stdout);
                assert!(
                    inspected.contains(&nested_warning) && inspected.contains(fault),
                    "{name}: inspect:\n{inspected}"
                );
            }
        }

        // Rules 1 and 2, and the Java warnings, against the reader table.
        let (label, warn_prefix, unread) = match name.starts_with("nested-") {
            true => (
                format!("{file}!/{NESTED}"),
                format!("warning: {NESTED}: Java's"),
                matches!(outcome, Unread(_)),
            ),
            false => (file.to_string(), "warning: Java's".to_string(), apply.code != 0),
        };
        let verdicts = table
            .get(&label)
            .unwrap_or_else(|| panic!("readers.tsv has no row {label}"));
        if reads(2, &verdicts[2]) {
            assert!(
                !unread,
                "{name}: Java's ZipFile reads it (rule 1), procpatch does not: {message}{stdout}"
            );
        }
        if (0..3).all(|r| !reads(r, &verdicts[r])) {
            assert!(
                unread,
                "{name}: unzip, Python and ZipFile refuse it (rule 2), procpatch reads it"
            );
        }
        if !unread {
            for (r, java) in [(2, "ZipFile"), (3, "ZipInputStream")] {
                let warned = stdout.contains(&format!("{warn_prefix} {java} "));
                let refuses = !verdicts[r].starts_with("ok");
                assert_eq!(
                    warned, refuses,
                    "{name}: Java's {java} says {:?}; the report:\n{stdout}",
                    verdicts[r]
                );
            }
        }

        // Rule 5: the layout kept; nothing more to do.
        if apply.code == 0 {
            let (a, b) = (std::fs::read(&input).unwrap(), std::fs::read(&output).unwrap());
            let first = a.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
            assert_eq!(
                a[..first],
                b[..first],
                "{name}: the bytes before the first entry changed"
            );
            assert_eq!(
                trailing_of(&a),
                trailing_of(&b),
                "{name}: the bytes after the end record changed"
            );
            assert_eq!(shift_of(&a), shift_of(&b), "{name}: the offsets count from elsewhere");
            let again = procpatch(&["check", "-q", &output_s], tmp.path());
            assert_eq!(
                again.code, 0,
                "{name}: the output still needs an edit: {}",
                again.stderr
            );
            written.push((name, file, label));
        }

        let notes: Vec<&str> = stdout
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("note: ") || l.starts_with("warning: ") || l.contains(" changed, "))
            .collect();
        insta::assert_snapshot!(
            format!("zipodd-{name}"),
            format!(
                "{what}\napply {}, inspect {}, check {}\n{message}{}",
                apply.code,
                inspect.code,
                check.code,
                notes.join("\n")
            )
        );
        summary.push_str(&format!(
            "{name}\t{}\t{}\n",
            apply.code,
            message
                .lines()
                .next()
                .map(str::to_string)
                .or_else(|| notes.last().map(|s| s.to_string()))
                .unwrap_or_default()
        ));
        count += 1;
    }
    assert_eq!(count, DECISIONS.len(), "cases.tsv and this test list other cases");
    insta::assert_snapshot!("zipodd-table", summary);

    // Every reader that read an input reads its output (nested rows too).
    let files: Vec<&str> = written.iter().map(|(_, f, _)| *f).collect();
    let run = std::process::Command::new("python3")
        .arg(root().join("testdata/interop/readers.py"))
        .arg("--print")
        .args(&files)
        .current_dir(&outs)
        .output()
        .expect("python3 runs testdata/interop/readers.py");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let after = reader_rows(&String::from_utf8(run.stdout).unwrap());
    for (name, file, _) in &written {
        for label in [file.to_string(), format!("{file}!/{NESTED}")] {
            let (Some(before), Some(now)) = (table.get(&label), after.get(&label)) else {
                assert!(!table.contains_key(&label), "{name}: no row for {label} after the edit");
                continue;
            };
            for (r, reader) in ["unzip", "python", "java-zipfile", "java-zipinputstream"]
                .iter()
                .enumerate()
            {
                if before[r].starts_with("ok") {
                    assert!(
                        now[r].starts_with("ok"),
                        "{name}: {reader} read {label}, and refuses the output: {}",
                        now[r]
                    );
                }
            }
        }
    }
    assert!(written.len() > 40, "only {} outputs", written.len());
}
