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

pub(crate) fn sh(dir: &Path, cmd: &str, args: &[&str]) {
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

pub(crate) const PY_WRITER: &str = r#"
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
pub(crate) fn assert_fidelity(writer: &str, input: &Path, output: &Path) -> Vec<String> {
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
