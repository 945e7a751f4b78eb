//! Archives written by real zip writers: untouched entries identical at the
//! header level, edited entries keeping their metadata, outputs readable by
//! Java, Info-ZIP and Python — checked by reading the raw headers with an
//! independent tool, not with the code under test.

use std::path::{Path, PathBuf};
use std::process::Command;

use procpatch::archive::{self, ArchiveError, Options, WriteOptions};
use procpatch::Recipe;
use serde_json::Value;

use crate::interop::{self, assert_readable_everywhere, headers};
use crate::support;

/// The vendor fixtures plus files that must pass through untouched.
fn stage(dir: &Path) -> PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("docs")).unwrap();
    for f in ["UsersProcDeactivate", "UsersProcReactivate", "UsersProcLock"] {
        let name = format!("{f}.bpmn20.xml");
        support::copy(
            support::root().join("testdata/bpmn/vendor").join(&name),
            src.join(&name),
        );
    }
    std::fs::write(
        src.join("docs/notes.txt"),
        "Exported for the Shared credentials start-up.\n".repeat(20),
    )
    .unwrap();
    std::fs::write(src.join("export.properties"), "format=1\n").unwrap();
    src
}

fn sh(dir: &Path, cmd: &str, args: &[&str]) {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const PY_WRITER: &str = r#"
import os, sys, zipfile
src, out, method = sys.argv[1], sys.argv[2], sys.argv[3]
kind = zipfile.ZIP_STORED if method == "stored" else zipfile.ZIP_DEFLATED
with zipfile.ZipFile(out, "w", compression=kind) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, src))
    z.comment = b"written by python zipfile"
"#;

/// Archives of the staged files, one per writer available.
fn writers(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let src = stage(dir);
    let mut out = Vec::new();
    sh(&src, "zip", &["-q", "-r", "../infozip.zip", "."]);
    out.push(("info-zip", dir.join("infozip.zip")));
    sh(&src, "zip", &["-q", "-r", "-9", "../infozip-max.zip", "."]);
    out.push(("info-zip -9", dir.join("infozip-max.zip")));
    sh(&src, "zip", &["-q", "-r", "-fz", "../infozip-zip64.zip", "."]);
    out.push(("info-zip zip64", dir.join("infozip-zip64.zip")));
    for m in ["stored", "deflated"] {
        let p = dir.join(format!("python-{m}.zip"));
        sh(
            dir,
            "python3",
            &["-c", PY_WRITER, src.to_str().unwrap(), p.to_str().unwrap(), m],
        );
        out.push((
            if m == "stored" {
                "python stored"
            } else {
                "python deflated"
            },
            p,
        ));
    }
    sh(&src, "jar", &["cf", "../java.jar", "."]);
    out.push(("java jar", dir.join("java.jar")));
    if interop::have("7z") {
        sh(&src, "7z", &["a", "-tzip", "-bd", "../7z.zip", "."]);
        out.push(("7z", dir.join("7z.zip")));
    }
    out
}

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        for k in keys {
            o.remove(*k);
        }
    }
    v
}

/// Compares the raw headers of `input` and `output`; returns the names of
/// the entries that were edited.
fn assert_fidelity(writer: &str, input: &Path, output: &Path) -> Vec<String> {
    let (a, b) = (headers(input), headers(output));
    assert_eq!(a["comment"], b["comment"], "{writer}: archive comment");
    assert_eq!(a["zip64"], b["zip64"], "{writer}: zip64 end records");
    let (ea, eb) = (a["entries"].as_array().unwrap(), b["entries"].as_array().unwrap());
    assert_eq!(ea.len(), eb.len(), "{writer}: entry count");
    let mut edited = Vec::new();
    for (x, y) in ea.iter().zip(eb) {
        let name = String::from_utf8(hex(x["name"].as_str().unwrap())).unwrap();
        assert_eq!(x["name"], y["name"], "{writer}: order of entries");
        if x["record_sha256"] == y["record_sha256"] {
            // Untouched: the local record is the same bytes; the central
            // record differs at most in its offset (in the zip64 field, if
            // that is where the record keeps it).
            assert_eq!(
                without(x, &["offset", "extra"]),
                without(y, &["offset", "extra"]),
                "{writer}: {name}"
            );
            continue;
        }
        edited.push(name.clone());
        for k in [
            "made_by",
            "needed",
            "method",
            "mtime",
            "mdate",
            "extra_masked",
            "comment",
            "disk",
            "internal_attr",
            "external_attr",
        ] {
            assert_eq!(x[k], y[k], "{writer}: {name}: central {k}");
        }
        let stored_with_descriptor = x["method"] == 0 && x["flags"].as_u64().unwrap() & 8 != 0;
        if !stored_with_descriptor {
            assert_eq!(x["flags"], y["flags"], "{writer}: {name}: flags");
            assert_eq!(
                x["descriptor"].as_str().unwrap().is_empty(),
                y["descriptor"].as_str().unwrap().is_empty(),
                "{writer}: {name}: data descriptor kept"
            );
        }
        for k in ["needed", "method", "mtime", "mdate", "name", "extra_masked"] {
            assert_eq!(x["local"][k], y["local"][k], "{writer}: {name}: local {k}");
        }
    }
    edited
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn archives_from_real_writers_keep_every_untouched_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let recipe = Recipe::builtin();
    for (writer, input) in writers(tmp.path()) {
        let before = std::fs::read(&input).unwrap();
        let plan = archive::plan_file(&input, &recipe, &Options::default()).unwrap();
        assert_eq!(plan.report().summary.changed, 12, "{writer}");
        let output = tmp
            .path()
            .join(format!("out-{}", input.file_name().unwrap().to_string_lossy()));
        let report = plan.write(&output, &WriteOptions::default()).unwrap();
        assert!(report.output.unwrap().written);
        assert_eq!(std::fs::read(&input).unwrap(), before, "{writer}: the input changed");

        let mut edited = assert_fidelity(writer, &input, &output);
        edited.sort();
        assert_eq!(
            edited,
            [
                "UsersProcDeactivate.bpmn20.xml",
                "UsersProcLock.bpmn20.xml",
                "UsersProcReactivate.bpmn20.xml"
            ],
            "{writer}"
        );
        assert_readable_everywhere(&output);

        // The output needs nothing more, and a copy of it is byte-identical.
        let again = archive::plan_file(&output, &recipe, &Options::default()).unwrap();
        assert!(!again.needs_edit(), "{writer}");
        let copy = tmp.path().join("copy.zip");
        again.write(&copy, &WriteOptions::default()).unwrap();
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            std::fs::read(&output).unwrap(),
            "{writer}"
        );
    }
}

#[test]
fn the_sample_archive_patches_and_nested_archives_are_edited_inside() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["ProcessImport.zip", "ConfigurationExport.zip"] {
        let input = support::fixture(&format!("testdata/archives/{name}"));
        let output = tmp.path().join(name);
        let plan = archive::plan_file(&input, &Recipe::builtin(), &Options::default()).unwrap();
        assert_eq!(plan.report().summary.changed, 12, "{name}");
        plan.write(&output, &WriteOptions::default()).unwrap();
        assert_readable_everywhere(&output);
        assert_fidelity(name, &input, &output);
        let again = archive::plan_file(&output, &Recipe::builtin(), &Options::default()).unwrap();
        assert!(!again.needs_edit());
    }
}

#[test]
fn in_memory_patching_matches_file_patching() {
    let input = support::fixture("testdata/archives/ProcessImport.zip");
    let bytes = support::read(&input);
    let (out, report) = archive::patch_archive(&bytes, &Recipe::builtin(), &Options::default()).unwrap();
    assert_eq!(report.summary.changed, 12);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("out.zip");
    archive::plan_file(&input, &Recipe::builtin(), &Options::default())
        .unwrap()
        .write(&file, &WriteOptions::default())
        .unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), out);
    // A batch leaves the folder's sync to its end: the same bytes.
    let folder = tmp.path().join("batch");
    std::fs::create_dir(&folder).unwrap();
    let deferred = folder.join("out.zip");
    archive::plan_file(&input, &Recipe::builtin(), &Options::default())
        .unwrap()
        .write(&deferred, &WriteOptions::new().deferring_folder_sync())
        .unwrap();
    archive::sync_folder(&folder).unwrap();
    assert_eq!(std::fs::read(&deferred).unwrap(), out);
    assert!(archive::sync_folder(&tmp.path().join("no such folder")).is_err());
}

#[test]
fn in_place_replaces_atomically_and_keeps_a_backup_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ProcessImport.zip");
    support::copy(support::root().join("testdata/archives/ProcessImport.zip"), &path);
    let original = std::fs::read(&path).unwrap();
    let plan = archive::plan_file(&path, &Recipe::builtin(), &Options::default()).unwrap();
    assert!(matches!(
        plan.write(&path, &WriteOptions::default()),
        Err(ArchiveError::SameFile)
    ));
    // Also through a link to it.
    #[cfg(unix)]
    {
        let link = tmp.path().join("link.zip");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(matches!(
            plan.write(&link, &WriteOptions::default()),
            Err(ArchiveError::SameFile)
        ));
        std::fs::remove_file(&link).unwrap();
    }
    let backup = tmp.path().join("ProcessImport.zip.bak");
    // An old backup in the way is kept; the new one takes the next number.
    std::fs::write(&backup, "an earlier backup").unwrap();
    let old_time = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old_time)
        .unwrap();
    let in_place = WriteOptions::new().in_place(true);
    let report = plan.write(&path, &in_place).unwrap();
    let output = report.output.unwrap();
    let numbered = tmp.path().join("ProcessImport.zip.bak.1");
    assert_eq!(output.backup.as_deref(), Some(numbered.to_str().unwrap()));
    assert!(output.written && output.replaced);
    assert_eq!(std::fs::read(&backup).unwrap(), b"an earlier backup");
    assert_eq!(std::fs::read(&numbered).unwrap(), original);
    assert_eq!(std::fs::metadata(&numbered).unwrap().modified().unwrap(), old_time);
    assert_ne!(std::fs::read(&path).unwrap(), original);
    // Nothing left behind but the files named.
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["ProcessImport.zip", "ProcessImport.zip.bak", "ProcessImport.zip.bak.1"]
    );
    // Nothing to change: nothing written, no backup.
    let again = archive::plan_file(&path, &Recipe::builtin(), &Options::default()).unwrap();
    let report = again.write(&path, &in_place).unwrap();
    assert_eq!(report.output.unwrap().backup, None);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 3);
}

#[test]
fn a_failed_plan_leaves_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let recipe = Recipe::from_toml("[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Lock related credential\"\nset = { value = \"x\" }\n").unwrap();
    let input = support::fixture("testdata/archives/ProcessImport.zip");
    let err = archive::plan_file(&input, &recipe, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), archive::ErrorKind::Target);
    insta::assert_snapshot!(support::chain(&err), @r#"entry "UsersProcLock.bpmn20.xml": task "Lock related credential" not found in process "Lock user" (id UsersProcLock); did you mean "Lock related credentials"?"#);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

fn keytool_jar(dir: &Path) -> PathBuf {
    let src = stage(dir);
    sh(&src, "jar", &["cf", "../signed.jar", "."]);
    sh(
        dir,
        "keytool",
        &[
            "-genkeypair",
            "-keystore",
            "ks.p12",
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit",
            "-keypass",
            "changeit",
            "-alias",
            "im",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=procpatch test",
            "-validity",
            "2",
        ],
    );
    sh(
        dir,
        "jarsigner",
        &["-keystore", "ks.p12", "-storepass", "changeit", "signed.jar", "im"],
    );
    dir.join("signed.jar")
}

#[test]
fn signed_archives_are_refused_unless_the_signature_is_stripped() {
    let tmp = tempfile::tempdir().unwrap();
    let jar = keytool_jar(tmp.path());
    // Reading needs no signature: the plan reports it, writing refuses.
    let plan = archive::plan_file(&jar, &Recipe::builtin(), &Options::default()).unwrap();
    let signature = plan.report().signature.clone().unwrap();
    assert_eq!(signature.files, ["META-INF/IM.SF", "META-INF/IM.RSA"]);
    assert!(signature.removed.is_empty());
    let refused = tmp.path().join("refused.jar");
    let err = plan.write(&refused, &WriteOptions::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::Signed { .. }), "{err}");
    assert!(!refused.exists());
    assert!(matches!(plan.writable(), Err(ArchiveError::Signed { .. })));
    insta::assert_snapshot!(err.to_string(), @"the archive is signed (META-INF/IM.SF, META-INF/IM.RSA); editing it would break the signature and Identity Manager would refuse it");

    let options = Options::default().stripping_signature(true);
    let plan = archive::plan_file(&jar, &Recipe::builtin(), &options).unwrap();
    let out = tmp.path().join("stripped.jar");
    let report = plan.write(&out, &WriteOptions::default()).unwrap();
    assert_eq!(report.signature.unwrap().removed, ["META-INF/IM.SF", "META-INF/IM.RSA"]);
    assert_readable_everywhere(&out);
    let verify = Command::new("jarsigner").arg("-verify").arg(&out).output().unwrap();
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(text.contains("jar is unsigned"), "jarsigner -verify: {text}");
    // The manifest keeps its main section only.
    let mut z = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut z.by_name("META-INF/MANIFEST.MF").unwrap(), &mut manifest).unwrap();
    assert!(
        manifest.starts_with("Manifest-Version: 1.0") && !manifest.contains("Name:"),
        "{manifest}"
    );
}

fn refusal(bytes: &[u8], options: &Options) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("input.zip");
    std::fs::write(&path, bytes).unwrap();
    let err = archive::plan_file(&path, &Recipe::builtin(), options).unwrap_err();
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the input changed");
    format!("[{:?}] {err}", err.kind())
}

#[test]
fn bad_archives_are_refused_clearly() {
    let sample = support::read(support::root().join("testdata/archives/ProcessImport.zip"));
    let mut out = Vec::new();
    // Not a zip: what an encrypted Identity Manager export looks like.
    out.push(refusal(
        &[0x8a, 0x13, 0x77, 0x01, 0xfe, 0x00, 0x42, 0x99].repeat(40),
        &Options::default(),
    ));
    // Duplicate names (Python's zipfile writes them with a warning).
    let tmp = tempfile::tempdir().unwrap();
    let dup = tmp.path().join("dup.zip");
    sh(tmp.path(), "python3", &["-W", "ignore", "-c", "import zipfile\nwith zipfile.ZipFile('dup.zip','w') as z:\n  z.writestr('a.xml','<a/>')\n  z.writestr('a.xml','<b/>')"]);
    out.push(refusal(&std::fs::read(&dup).unwrap(), &Options::default()));
    // An encrypted entry (ZipCrypto, from Info-ZIP).
    std::fs::write(tmp.path().join("x.txt"), "secret").unwrap();
    sh(tmp.path(), "zip", &["-q", "-P", "pw", "enc.zip", "x.txt"]);
    out.push(refusal(
        &std::fs::read(tmp.path().join("enc.zip")).unwrap(),
        &Options::default(),
    ));
    // The local header disagrees with the central directory on the method.
    let mut bad = sample.clone();
    bad[8] = 0;
    out.push(refusal(&bad, &Options::default()));
    // An entry larger than the limit, counted while reading.
    out.push(refusal(&sample, &Options::default().with_max_entry_size(1000)));
    // Truncated.
    out.push(refusal(&sample[..sample.len() / 2], &Options::default()));
    insta::assert_snapshot!(out.join("\n"));
}

/// A damaged archive's fault comes with its byte offset as a number
/// (`ArchiveError::offset`), the one its message gives.
#[test]
fn a_damaged_archive_says_where_as_a_number() {
    let sample = support::read(support::root().join("testdata/archives/ProcessImport.zip"));
    let refuse = |bytes: &[u8]| archive::patch_archive(bytes, &Recipe::builtin(), &Options::default()).unwrap_err();
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([sample[at], sample[at + 1]]));
    // The first entry's data: after its local header, name and extra field.
    let data_start = 30 + u16_at(26) + u16_at(28);
    let mut corrupt = sample.clone();
    corrupt[data_start + 5] ^= 0x55;
    let mut no_header = sample.clone();
    no_header[..4].copy_from_slice(b"XXXX");
    // The sample has an archive comment: three bytes less, and the end
    // record's comment runs past the end of the file.
    let short_comment = &sample[..sample.len() - 3];
    let end_record = sample.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap() as u64;
    for (bytes, offset) in [
        (&corrupt[..], data_start as u64),
        (&no_header, 0),
        (short_comment, end_record),
    ] {
        let err = refuse(bytes);
        assert_eq!(err.kind(), archive::ErrorKind::Damaged, "{err}");
        assert_eq!(err.offset(), Some(offset), "{err}");
        assert!(err.to_string().contains(&format!("byte {offset}")), "{err}");
    }
    // Not every fault has one place: an archive cut in half has no end
    // record at all.
    assert_eq!(refuse(&sample[..sample.len() / 2]).offset(), None);
}

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
