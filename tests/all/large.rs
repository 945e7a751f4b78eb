//! Large and long inputs and outputs: entries of any compression ratio
//! copied, entries past the check limit copied unread, outputs checked
//! from their files, inputs read from the disk or read ahead on a second
//! thread with the results of one reading held in memory, long documents
//! written from their input files, an edited entry's old deflate blocks
//! kept around its edits, and long listings in document order.

use std::path::{Path, PathBuf};

use procpatch::archive::{self, ArchiveError, Options, WriteOptions};
use procpatch::Recipe;

use crate::archive::{assert_fidelity, sh, PY_WRITER};
use crate::interop::assert_readable_everywhere;
use crate::support;

/// The sample export with an untouched `data/zeros.bin` of 16 MiB of zeros
/// appended by Python's zipfile (deflate makes it about 1000:1, five times
/// the bomb ratio); with `corrupt`, one byte of its data flipped.
fn with_zeros(dir: &Path, corrupt: bool) -> PathBuf {
    let out = dir.join(if corrupt { "zeros-bad.zip" } else { "zeros.zip" });
    support::copy(support::fixture("testdata/archives/ProcessImport.zip"), &out);
    let script = r#"
import sys, zipfile
path, corrupt = sys.argv[1], sys.argv[2] == "1"
with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("data/zeros.bin", bytes(16 << 20))
if corrupt:
    with zipfile.ZipFile(path) as z:
        i = z.getinfo("data/zeros.bin")
    data = bytearray(open(path, "rb").read())
    start = i.header_offset + 30 + len(i.filename.encode()) + len(i.extra)
    data[start + i.compress_size // 2] ^= 0x55
    open(path, "wb").write(data)
"#;
    let name = out.file_name().unwrap().to_str().unwrap();
    sh(dir, "python3", &["-c", script, name, if corrupt { "1" } else { "0" }]);
    out
}

#[test]
fn an_untouched_entry_is_checked_and_copied_whatever_its_compression_ratio() {
    let tmp = tempfile::tempdir().unwrap();
    let input = with_zeros(tmp.path(), false);
    let plan = archive::plan_file(&input, &Recipe::builtin(), &Options::default()).unwrap();
    assert_eq!(plan.report().summary.changed, 12);
    assert!(plan.report().notes.is_empty(), "{:?}", plan.report().notes);
    let output = tmp.path().join("out.zip");
    plan.write(&output, &WriteOptions::default()).unwrap();
    let edited = assert_fidelity("zeros", &input, &output);
    assert!(!edited.iter().any(|e| e.contains("zeros")), "{edited:?}");
    // The check still reads it to its end: a corrupt one is refused, by
    // its fault, not its ratio.
    let bad = with_zeros(tmp.path(), true);
    let err = archive::plan_file(&bad, &Recipe::builtin(), &Options::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::Damaged { .. }), "{err}");
    assert!(err.to_string().contains("data/zeros.bin"), "{err}");
}

/// An export whose output is large enough to be read back from its file
/// a buffer at a time, not into memory (an untouched random blob of
/// 1.5 MiB, stored): verified, and the hash reported is the file's.
#[test]
fn a_large_output_is_checked_from_its_file() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("blob.zip");
    support::copy(support::fixture("testdata/archives/ProcessImport.zip"), &input);
    let script = r#"
import random, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "a") as z:
    z.writestr("data/blob.bin", random.Random(9).randbytes(3 << 19), zipfile.ZIP_STORED)
    z.writestr("data/after.txt", "after the blob\n" * 100, zipfile.ZIP_DEFLATED)
"#;
    sh(tmp.path(), "python3", &["-c", script, "blob.zip"]);
    let plan = archive::plan_file(&input, &Recipe::builtin(), &Options::default()).unwrap();
    assert_eq!(plan.report().summary.changed, 12);
    let output = tmp.path().join("out.zip");
    let report = plan.write(&output, &WriteOptions::default()).unwrap();
    assert!(std::fs::metadata(&output).unwrap().len() > 3 << 19);
    assert_eq!(
        report.output.unwrap().sha256.unwrap(),
        archive::sha256_file(&output).unwrap()
    );
    let edited = assert_fidelity("blob", &input, &output);
    assert!(
        !edited.iter().any(|e| e.contains("blob") || e.contains("after")),
        "{edited:?}"
    );
}

#[test]
fn an_entry_past_the_check_limit_is_copied_unread_and_the_report_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let options = Options::default().with_max_check_size(1 << 20);
    let mut notes = Vec::new();
    for corrupt in [false, true] {
        let input = with_zeros(tmp.path(), corrupt);
        let plan = archive::plan_file(&input, &Recipe::builtin(), &options).unwrap();
        let output = tmp.path().join("out.zip");
        let report = plan.write(&output, &WriteOptions::default()).unwrap();
        assert_fidelity("zeros", &input, &output);
        assert_eq!(report.summary.changed, 12);
        notes.extend(report.notes.iter().map(|n| format!("{:?} {n}", n.kind)));
    }
    insta::assert_snapshot!(notes.join("\n"), @r#"
    Unchecked note: entry "data/zeros.bin" is copied without being read: its header declares 16777216 bytes, more than the check limit of 1048576 bytes, so its CRC-32 is not checked
    Unchecked note: entry "data/zeros.bin" is copied without being read: its header declares 16777216 bytes, more than the check limit of 1048576 bytes, so its CRC-32 is not checked
    "#);
}

#[test]
fn a_file_too_large_to_hold_is_read_from_disk_with_the_same_result() {
    let tmp = tempfile::tempdir().unwrap();
    let zeros = with_zeros(tmp.path(), false);
    let sample = support::fixture("testdata/archives/ConfigurationExport.zip");
    let bare = support::fixture("testdata/bpmn/vendor/UsersProcLock.bpmn20.xml");
    for input in [zeros.as_path(), sample.as_path(), bare.as_path()] {
        let mut outputs = Vec::new();
        for limit in [u64::MAX, 0] {
            let options = Options::default().with_max_in_memory(limit);
            let plan = archive::plan_file(input, &Recipe::builtin(), &options).unwrap();
            let output = tmp.path().join(format!("out-{limit}"));
            let report = plan.write(&output, &WriteOptions::default()).unwrap();
            assert_eq!(report.sha256, archive::sha256_file(input).unwrap());
            let written = report.output.unwrap().sha256.unwrap();
            assert_eq!(written, archive::sha256_file(&output).unwrap());
            let inspection = archive::inspect_file(input, &options).unwrap();
            outputs.push((std::fs::read(&output).unwrap(), written, inspection.entries.len()));
        }
        assert!(outputs[0] == outputs[1], "{}", input.display());
    }
}

/// An export of 120 entries (enough to be read ahead on a second thread):
/// the three vendor processes among notes and filler documents, entry 70
/// `fault` ("crc": its CRC-32 wrong; "xml": a malformed document; "" none).
pub(crate) fn many_entries(dir: &Path, fault: &str) -> PathBuf {
    let out = dir.join(format!("many-{fault}.zip"));
    let script = r#"
import sys, zipfile, binascii
out, fault, vendor = sys.argv[1], sys.argv[2], sys.argv[3:]
filler = '<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p%d" name="Filler %d"/></definitions>\n'
with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
    for i in range(120):
        if i in (10, 50, 100):
            z.write(vendor[(i // 50)], "processes/%s" % vendor[(i // 50)].rsplit("/", 1)[-1])
        elif i == 70 and fault == "xml":
            z.writestr("processes/broken.bpmn20.xml", filler.replace("/>", ">") % (i, i))
        elif i % 3 == 0:
            z.writestr("processes/filler-%03d.bpmn20.xml" % i, filler % (i, i))
        else:
            z.writestr("notes/%03d.txt" % i, ("note %d\n" % i) * (i * 40))
if fault == "crc":
    with zipfile.ZipFile(out) as z:
        info = z.infolist()[70]
    data = bytearray(open(out, "rb").read())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x55
    open(out, "wb").write(data)
"#;
    let vendor: Vec<String> = ["UsersProcLock", "UsersProcDeactivate", "UsersProcReactivate"]
        .iter()
        .map(|f| {
            support::root()
                .join(format!("testdata/bpmn/vendor/{f}.bpmn20.xml"))
                .display()
                .to_string()
        })
        .collect();
    let mut args = vec!["-c", script, out.to_str().unwrap(), fault];
    args.extend(vendor.iter().map(String::as_str));
    sh(dir, "python3", &args);
    out
}

/// An export held in memory and one read from its file are each read
/// ahead on a second thread (a walk with and without a reader ahead is
/// compared in `archive::scan`'s own tests): same plan, output, faults.
#[test]
fn an_export_read_ahead_from_memory_or_from_its_file_gives_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for fault in ["", "crc", "xml"] {
        let input = many_entries(tmp.path(), fault);
        let mut results = Vec::new();
        for limit in [u64::MAX, 0] {
            let options = Options::default().with_max_in_memory(limit);
            let got = match archive::plan_file(&input, &Recipe::builtin(), &options) {
                Ok(plan) => {
                    let out = tmp.path().join(format!("out-{fault}-{limit}.zip"));
                    let report = plan.write(&out, &WriteOptions::default()).unwrap();
                    let entries: Vec<&str> = report.entries.iter().map(|e| e.entry.as_str()).collect();
                    format!(
                        "{} changed in {entries:?}; {}",
                        report.summary.changed,
                        report.output.unwrap().sha256.unwrap()
                    )
                }
                Err(e) => format!("error: {e}"),
            };
            let inspected = archive::inspect_file(&input, &options).map(|i| i.entries.len());
            results.push(format!("{got}; inspect: {inspected:?}"));
        }
        assert_eq!(results[0], results[1], "fault {fault:?}");
        seen.push(results[0].replace(tmp.path().to_str().unwrap(), "[TMP]"));
    }
    assert!(seen[0].starts_with("12 changed in"), "{}", seen[0]);
    assert!(
        seen[1].contains("entry \"notes/070.txt\"") && seen[1].contains("CRC-32"),
        "{}",
        seen[1]
    );
    assert!(seen[2].contains("processes/broken.bpmn20.xml"), "{}", seen[2]);
}

/// A bare BPMN document of the sample export, with `kib` KiB of comment
/// after its root: long stretches of unchanged bytes, which are copied from
/// the input file rather than written from memory.
fn long_document(kib: usize) -> Vec<u8> {
    let zip = support::read(support::fixture("testdata/archives/ProcessImport.zip"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut doc = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("UsersProcLock.bpmn20.xml").unwrap(), &mut doc).unwrap();
    doc.extend_from_slice(b"\n<!-- ");
    doc.extend((0..kib * 1024).map(|i| b"abcdefgh"[i % 8]));
    doc.extend_from_slice(b" -->\n");
    doc
}

/// Written from the input file, hashed as it is written (on a second
/// thread from 256 KiB), and read back into one buffer to be checked; the
/// hash reported is the file's.
#[test]
fn a_long_document_is_written_from_its_input_file_and_checked() {
    for kib in [100, 300, 13 * 1024] {
        long_document_written(kib);
    }
}

fn long_document_written(kib: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("lock.bpmn20.xml");
    let doc = long_document(kib);
    std::fs::write(&input, &doc).unwrap();
    let plan = archive::plan_file(&input, &Recipe::builtin(), &Options::default()).unwrap();
    let output = tmp.path().join("out.bpmn20.xml");
    let report = plan.write(&output, &WriteOptions::default()).unwrap();
    let (expected, _) = procpatch::patch(&doc, &Recipe::builtin()).unwrap();
    assert_ne!(expected, doc);
    assert!(std::fs::read(&output).unwrap() == expected);
    assert_eq!(
        report.output.unwrap().sha256.unwrap(),
        archive::sha256_file(&output).unwrap()
    );
    assert_eq!(report.sha256, archive::sha256_file(&input).unwrap());

    // The input changed after it was read (same length): the copy does not
    // hold what was planned, so nothing is written.
    let plan = archive::plan_file(&input, &Recipe::builtin(), &Options::default()).unwrap();
    let mut changed = doc.clone();
    let n = changed.len();
    changed[n - 100] = b'Z';
    std::fs::write(&input, &changed).unwrap();
    let output = tmp.path().join("out2.bpmn20.xml");
    let err = plan.write(&output, &WriteOptions::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::Verify(_)), "{err}");
    assert!(!output.exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".procpatch-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Words of no pattern a compressor could shorten much, for comments: its
/// blocks then hold tens of KiB each, as they do in a real export.
fn words(kib: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    let mut out = Vec::with_capacity(kib * 1024);
    while out.len() < kib * 1024 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let len = 2 + (x >> 60) as usize;
        out.extend((0..len).map(|k| b'a' + ((x >> (8 + 3 * k)) % 26) as u8));
        out.push(if (x >> 5).is_multiple_of(9) { b'\n' } else { b' ' });
    }
    out
}

/// The raw (compressed) data of an entry.
fn raw_data(zip: &Path, name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(support::read(zip))).unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name_raw(name.as_bytes()).unwrap(), &mut raw).unwrap();
    raw
}

/// An edited document's entry keeps its old deflate stream before the
/// first edit and from a window after the last, bit for bit, joined to the
/// stretch deflated again (by empty blocks where the joins fall within a
/// byte): Java (`ZipInputStream` finds a data descriptor right after the
/// stream), Info-ZIP and Python read it, and it holds the edited document.
#[test]
fn an_edited_document_keeps_its_old_streams_blocks_around_the_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let lock = long_document(0);
    let decl_end = lock.windows(2).position(|w| w == b"?>").unwrap() + 2;
    let mut doc = lock[..decl_end].to_vec();
    doc.extend_from_slice(b"\n<!-- ");
    doc.extend(words(700, 1));
    doc.extend_from_slice(b" -->");
    doc.extend_from_slice(&lock[decl_end..]);
    doc.extend_from_slice(b"\n<!-- ");
    doc.extend(words(700, 2));
    doc.extend_from_slice(b" -->\n");
    let (expected, _) = procpatch::patch(&doc, &Recipe::builtin()).unwrap();
    assert_ne!(expected, doc);

    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let name = "UsersProcLock.bpmn20.xml";
    std::fs::write(src.join(name), &doc).unwrap();
    let mut inputs = vec![("java jar", tmp.path().join("java.jar"))];
    sh(&src, "jar", &["cf", "../java.jar", "."]);
    sh(&src, "zip", &["-q", "-r", "../infozip.zip", "."]);
    inputs.push(("info-zip", tmp.path().join("infozip.zip")));
    let py = tmp.path().join("python.zip");
    sh(
        tmp.path(),
        "python3",
        &["-c", PY_WRITER, src.to_str().unwrap(), py.to_str().unwrap(), "deflated"],
    );
    inputs.push(("python", py));
    for (writer, input) in inputs {
        let plan = archive::plan_file(&input, &Recipe::builtin(), &Options::default()).unwrap();
        let output = tmp
            .path()
            .join(format!("out-{}", input.file_name().unwrap().to_string_lossy()));
        plan.write(&output, &WriteOptions::default()).unwrap();
        assert_readable_everywhere(&output);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(support::read(&output))).unwrap();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut content).unwrap();
        assert!(content == expected, "{writer}: the content");

        let (old, new) = (raw_data(&input, name), raw_data(&output, name));
        let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let tail = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        // Each comment is nearly half the stream.
        assert!(
            head > old.len() / 3 && tail > old.len() / 3,
            "{writer}: {head} and {tail} bytes of {} kept",
            old.len()
        );
    }
}

#[test]
fn a_long_listing_keeps_the_processes_in_document_order() {
    let mut xml = String::from(
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:activiti=\"http://activiti.org/bpmn\">\n",
    );
    for i in 0..1500 {
        xml += &format!(
            "  <process id=\"p{i}\"><serviceTask id=\"t{i}\" name=\"T{i}\"><extensionElements>\
             <activiti:field name=\"value\" expression=\"v{i}\"/></extensionElements></serviceTask></process>\n"
        );
    }
    xml += "</definitions>\n";
    let inspection = archive::inspect_bytes(xml.as_bytes(), &Options::default()).unwrap();
    let text = inspection.to_string();
    let processes: Vec<&str> = text.lines().filter(|l| l.starts_with("    process ")).collect();
    assert_eq!(processes.len(), 1500);
    for (i, line) in processes.iter().enumerate() {
        assert!(line.ends_with(&format!(" p{i} at {}:3", i + 2)), "{line} at {i}");
    }
    // Each process's task and field follow it.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains(" p777 at ")).unwrap();
    assert!(lines[at + 1].contains("(id t777)"), "{}", lines[at + 1]);
    assert!(lines[at + 2].contains("\"v777\""), "{}", lines[at + 2]);
}
