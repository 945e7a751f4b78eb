//! JAR signatures end to end (issue 8): `procpatch verify` against
//! `jarsigner -verify`, and `apply --sign-with` checked by `jarsigner
//! -verify -strict`, Java's `JarFile`/`JarInputStream` (`JarCheck.java`)
//! and the raw bytes. Keys, signed samples and the verify cases are made at
//! test time (`testdata/interop/signing_fixtures/`).
//!
//! The command line these tests are written against:
//!
//! - `procpatch verify PATH... [--trust FILE] [--json]`: exit 0 signed and
//!   valid, 1 unsigned or broken, 3 unreadable.
//! - `procpatch apply ARCHIVE -o OUT --sign-with KEYSTORE.p12
//!   [--key-alias ALIAS] [--keystore-pass-file FILE]`, the password also
//!   from `PROCPATCH_KEYSTORE_PASS`: edits, then signs again. A signed input
//!   keeps its signature file names; an unsigned one gets
//!   `META-INF/MANIFEST.MF`, a `.SF` and a block, first in the archive.
//!   Refusals exit 3 and write nothing.

use std::path::Path;

use assert_cmd::Command;

use crate::{root, Run};

#[path = "../../../testdata/interop/signing_fixtures/mod.rs"]
mod fixtures;
use fixtures::*;

const MANIFEST: &str = "META-INF/MANIFEST.MF";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs procpatch in the workspace root with `env` set (and no keystore
/// password unless given); temporary paths show as `[TMP]`, the key
/// directory as `[KEYS]`, dates as `[DATE]`.
fn procpatch_env(args: &[&str], env: &[(&str, &str)], tmp: &Path) -> Run {
    let mut cmd = Command::cargo_bin("procpatch").unwrap();
    cmd.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env_remove("PROCPATCH_KEYSTORE_PASS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    let tmp = tmp.display().to_string();
    let clean = |b: &[u8]| redact(&String::from_utf8_lossy(b).replace(&tmp, "[TMP]"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    }
}

/// `procpatch apply INPUT -o OUT --sign-with KEY [--key-alias ALIAS]`, the
/// password in `PROCPATCH_KEYSTORE_PASS`.
fn sign(input: &Path, out: &Path, key: &Key, tmp: &Path) -> Run {
    procpatch_env(
        &[
            "apply",
            s(input),
            "-o",
            s(out),
            "--sign-with",
            s(&key.path),
            "--key-alias",
            key.alias,
        ],
        &[("PROCPATCH_KEYSTORE_PASS", PASSWORD)],
        tmp,
    )
}

/// Whether an entry is one of the signature's own files.
fn signature_file(name: &str) -> bool {
    let Some(n) = name.strip_prefix("META-INF/") else {
        return false;
    };
    let n = n.to_ascii_uppercase();
    !n.contains('/')
        && (n == "MANIFEST.MF"
            || n.starts_with("SIG-")
            || [".SF", ".RSA", ".DSA", ".EC"].iter().any(|e| n.ends_with(e)))
}

/// Compares a signed output with its input: untouched entries keep their
/// local records byte for byte, the entries outside the signature are the
/// same in number and order; returns the names of the edited entries.
fn check_entries(input: &Path, output: &Path) -> Vec<String> {
    let (a, b) = (local_records(input), local_records(output));
    let content = |(name, _): &(String, Vec<u8>)| !signature_file(name);
    let (a, b): (Vec<_>, Vec<_>) = (
        a.into_iter().filter(content).collect(),
        b.into_iter().filter(content).collect(),
    );
    let names = |r: &[(String, Vec<u8>)]| r.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&a),
        names(&b),
        "{}: entries outside the signature",
        output.display()
    );
    let mut edited = Vec::new();
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if name.ends_with('/') || entry(input, name) == entry(output, name) {
            assert!(
                x == y,
                "{}: {name} is unchanged but its local record is not",
                output.display()
            );
        } else {
            edited.push(name.clone());
        }
    }
    assert!(!edited.is_empty(), "{}: nothing was edited", output.display());
    edited
}

/// Signed exports signed again: jarsigner and Java accept them, untouched
/// entries are the same bytes, only the edited entries' digests changed in
/// the manifest, the signature files keep their names.
#[test]
fn signed_exports_are_signed_again_and_verify() {
    let (keys, samples) = (keys(), samples());
    let tmp = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for sample in samples.signed() {
        let out = tmp.path().join(format!("{}-signed.zip", sample.name));
        let run = sign(&sample.path, &out, &keys.rsa, tmp.path());
        assert_eq!(run.code, 0, "{}: {}{}", sample.name, run.stdout, run.stderr);
        // The report says who signs, and who signed before when that differs.
        let signature: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.starts_with("  signature:") || l.starts_with("  signer changed"))
            .collect();
        insta::assert_snapshot!(format!("signed-again-{}", sample.name), signature.join("\n"));

        let j = jarsigner_verify(&out, Some(&keys.trust));
        assert_eq!(
            (j.code, j.summary()),
            (0, "jar verified."),
            "{}: {:?}",
            sample.name,
            j.lines
        );
        assert!(j.intact(), "{}: {:?}", sample.name, j.lines);

        let edited = check_entries(&sample.path, &out);
        let edited: Vec<&str> = edited.iter().map(String::as_str).collect();
        check_only_digests_differ(&entry(&sample.path, MANIFEST), &entry(&out, MANIFEST), &edited)
            .unwrap_or_else(|e| panic!("{}: MANIFEST.MF: {e}", sample.name));

        // The signature files keep their names (CONFIG.SF stays CONFIG.SF)
        // and their place. Java does not check a block's extension against
        // the key; the block keeps its stem, and its extension may follow
        // the new key (the EC sample's EC.EC, signed again by an RSA key).
        let names = entry_names(&out);
        assert_eq!(names[0], MANIFEST, "{}", sample.name);
        assert_eq!(names[1], sample.sf(), "{}", sample.name);
        let stem = format!("META-INF/{}.", sample.sigfile);
        let ext = names[2]
            .strip_prefix(&stem)
            .unwrap_or_else(|| panic!("{}: block {}", sample.name, names[2]));
        assert!(
            ["RSA", "EC", "DSA"].contains(&ext),
            "{}: block {}",
            sample.name,
            names[2]
        );
        assert_eq!(
            names.iter().filter(|n| signature_file(n)).count(),
            3,
            "{}: one signature: {names:?}",
            sample.name
        );

        let run = procpatch_env(&["verify", s(&out)], &[], tmp.path());
        assert_eq!(run.code, 0, "{}: verify: {}{}", sample.name, run.stdout, run.stderr);
        outputs.push(out);
    }
    let paths: Vec<&Path> = outputs.iter().map(|p| p.as_path()).collect();
    for stream in [false, true] {
        let ran = jar_check(&paths, stream);
        assert_eq!(ran.code, 0, "JarCheck (stream: {stream}):\n{}", ran.text());
    }

    // A copy tampered with after signing again no longer verifies.
    let out = &outputs[0];
    let tampered = tmp.path().join("tampered.zip");
    tamper(out, &tampered, &["change", "export.properties"]);
    let run = procpatch_env(&["verify", s(&tampered)], &[], tmp.path());
    assert_eq!(run.code, 1, "verify of a tampered copy: {}{}", run.stdout, run.stderr);
}

/// An unsigned export gets a signature: the manifest first, then the .SF
/// and the block; every signer kind (RSA, EC P-256, EC P-384) works.
#[test]
fn unsigned_exports_are_signed() {
    let (keys, samples) = (keys(), samples());
    let tmp = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for key in [&keys.rsa, &keys.ec, &keys.ec384] {
        let out = tmp.path().join(format!("unsigned-{}.zip", key.alias));
        let run = sign(&samples.unsigned, &out, key, tmp.path());
        assert_eq!(run.code, 0, "{}: {}{}", key.alias, run.stdout, run.stderr);

        let j = jarsigner_verify(&out, Some(&keys.trust));
        assert_eq!(
            (j.code, j.summary()),
            (0, "jar verified."),
            "{}: {:?}",
            key.alias,
            j.lines
        );
        assert!(j.intact(), "{}: {:?}", key.alias, j.lines);

        let mut edited = check_entries(&samples.unsigned, &out);
        edited.sort();
        assert_eq!(
            edited,
            [
                "UsersProcDeactivate.bpmn20.xml",
                "UsersProcLock.bpmn20.xml",
                "UsersProcReactivate.bpmn20.xml"
            ],
            "{}",
            key.alias
        );
        let names = entry_names(&out);
        assert_eq!(names[0], MANIFEST, "{}: {names:?}", key.alias);
        let sf = names[1]
            .strip_suffix(".SF")
            .unwrap_or_else(|| panic!("{}: {names:?}", key.alias));
        assert!(sf.starts_with("META-INF/"), "{}: {names:?}", key.alias);
        let ext = names[2]
            .strip_prefix(&format!("{sf}."))
            .unwrap_or_else(|| panic!("{}: {names:?}", key.alias));
        assert!(["RSA", "EC"].contains(&ext), "{}: {names:?}", key.alias);
        // Every entry outside the signature has its digest in the manifest.
        let manifest = manifest_attributes(&entry(&out, MANIFEST));
        for name in names.iter().filter(|n| !signature_file(n) && !n.ends_with('/')) {
            assert!(
                manifest
                    .iter()
                    .any(|a| a.section.as_deref() == Some(name) && a.name.ends_with("-Digest")),
                "{}: no digest for {name}",
                key.alias
            );
        }
        let run = procpatch_env(&["verify", s(&out)], &[], tmp.path());
        assert_eq!(run.code, 0, "{}: verify: {}{}", key.alias, run.stdout, run.stderr);
        outputs.push(out);
    }
    let paths: Vec<&Path> = outputs.iter().map(|p| p.as_path()).collect();
    for stream in [false, true] {
        // JarInputStream finds the manifest only when it comes first.
        let ran = jar_check(&paths, stream);
        assert_eq!(ran.code, 0, "JarCheck (stream: {stream}):\n{}", ran.text());
    }
}

/// The password may come from a file instead of the environment.
#[test]
fn the_keystore_password_can_come_from_a_file() {
    let keys = keys();
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, format!("{PASSWORD}\n")).unwrap();
    let out = tmp.path().join("out.zip");
    let run = procpatch_env(
        &[
            "apply",
            "testdata/archives/ProcessImport.zip",
            "-o",
            s(&out),
            "--sign-with",
            s(&keys.rsa.path),
            "--keystore-pass-file",
            s(&pass),
        ],
        &[],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let j = jarsigner_verify(&out, Some(&keys.trust));
    assert_eq!((j.code, j.summary()), (0, "jar verified."), "{:?}", j.lines);
}

/// `procpatch verify` says what jarsigner says on the nine cases: 0 where
/// jarsigner verifies the archive intact, 1 otherwise; with `--trust`, 0
/// only where `jarsigner -verify -strict` with the truststore passes too.
#[test]
fn verify_agrees_with_jarsigner() {
    let keys = keys();
    let tmp = tempfile::tempdir().unwrap();
    let mut report = String::new();
    for c in cases() {
        let expected = i32::from(!c.jarsigner.intact());
        let run = procpatch_env(&["verify", s(&c.path)], &[], tmp.path());
        assert_eq!(
            run.code,
            expected,
            "{}: procpatch verify disagrees with jarsigner:\n{}{}{}",
            c.name,
            run.stdout,
            run.stderr,
            cases_table(std::slice::from_ref(c))
        );
        let dir = s(c.path.parent().unwrap()).to_string();
        // A truncated block's byte counts vary by a byte with the key.
        let run_stdout: String = run
            .stdout
            .lines()
            .map(|l| match l.find("DER message is incomplete") {
                Some(at) => format!("{}DER message is incomplete: [COUNTS]\n", &l[..at]),
                None => format!("{l}\n"),
            })
            .collect();
        report.push_str(&format!(
            "{}: exit {}\n{}{}\n",
            c.name,
            run.code,
            run_stdout.replace(&dir, "[CASES]"),
            run.stderr.replace(&dir, "[CASES]")
        ));

        let trusted = i32::from(!(c.strict.code == 0 && c.strict.intact()));
        let run = procpatch_env(&["verify", "--trust", s(&keys.trust), s(&c.path)], &[], tmp.path());
        assert_eq!(
            run.code,
            trusted,
            "{}: procpatch verify --trust disagrees with jarsigner -strict:\n{}{}{}",
            c.name,
            run.stdout,
            run.stderr,
            cases_table(std::slice::from_ref(c))
        );

        let run = procpatch_env(&["verify", "--json", s(&c.path)], &[], tmp.path());
        assert_eq!(run.code, expected, "{}: --json", c.name);
        let _: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{}: --json is not JSON ({e}):\n{}", c.name, run.stdout));
    }
    insta::assert_snapshot!("verify-cases", report);

    // Several files: 1 as soon as one is not valid.
    let mut all = vec!["verify"];
    all.extend(cases().iter().map(|c| s(&c.path)));
    let run = procpatch_env(&all, &[], tmp.path());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);

    // Unreadable: 3.
    let junk = tmp.path().join("export.dat");
    std::fs::write(&junk, [0x8a, 0x13, 0x77, 0x01].repeat(64)).unwrap();
    let run = procpatch_env(&["verify", s(&junk)], &[], tmp.path());
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
}

/// Every refusal exits 3, writes nothing, and says why.
#[test]
fn signing_refusals_exit_3_and_write_nothing() {
    let keys = keys();
    let tmp = tempfile::tempdir().unwrap();
    let two_keys = s(&keys.two_keys);
    let mut cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "wrong-password",
            vec![s(&keys.rsa.path), "--key-alias", "rsa"],
            "not the password",
        ),
        ("alias-not-found", vec![two_keys, "--key-alias", "third"], PASSWORD),
        ("two-keys-no-alias", vec![two_keys], PASSWORD),
    ];
    for (name, key) in keys.refused() {
        cases.push((name, vec![s(&key.path), "--key-alias", key.alias], PASSWORD));
    }
    for (name, key_args, password) in cases {
        let out = tmp.path().join(format!("{name}.zip"));
        let mut args = vec![
            "apply",
            "testdata/archives/ProcessImport.zip",
            "-o",
            s(&out),
            "--sign-with",
        ];
        args.extend(key_args);
        let run = procpatch_env(&args, &[("PROCPATCH_KEYSTORE_PASS", password)], tmp.path());
        assert_eq!(run.code, 3, "{name}: {}{}", run.stdout, run.stderr);
        assert!(!out.exists(), "{name}: an output was written");
        if name == "alias-not-found" {
            assert!(
                run.stderr.contains("first") && run.stderr.contains("second"),
                "{name}: the aliases are listed: {}",
                run.stderr
            );
        }
        insta::assert_snapshot!(format!("sign-refusal-{name}"), run.stderr);
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "files left behind");
}

/// A self-signed signer, or a keystore without the CA's certificate, signs
/// with a warning in the report.
#[test]
fn a_self_signed_or_chainless_signer_signs_with_a_warning() {
    let keys = keys();
    let tmp = tempfile::tempdir().unwrap();
    for (key, warning) in [(&keys.selfsigned, "self-signed"), (&keys.nochain, "chain")] {
        let out = tmp.path().join(format!("{}.zip", key.alias));
        let run = sign(Path::new("testdata/archives/ProcessImport.zip"), &out, key, tmp.path());
        assert_eq!(run.code, 0, "{}: {}{}", key.alias, run.stdout, run.stderr);
        let text = format!("{}{}", run.stdout, run.stderr);
        let lower = text.to_lowercase();
        assert!(
            lower.contains("warning") && lower.contains(warning),
            "{}: a warning about the {warning}: {text}",
            key.alias
        );
        // The signature lines (the output's digest differs with each signing).
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("signature:") || l.contains("warning:"))
            .collect();
        insta::assert_snapshot!(format!("sign-warning-{}", key.alias), lines.join("\n"));
        // Signed and intact; whether it is trusted is another matter.
        let j = jarsigner_verify(&out, None);
        assert!(j.intact(), "{}: {:?}", key.alias, j.lines);
        let run = procpatch_env(&["verify", s(&out)], &[], tmp.path());
        assert_eq!(run.code, 0, "{}: {}{}", key.alias, run.stdout, run.stderr);
    }
    // A self-signed signer is not trusted by the truststore.
    let j = jarsigner_verify(&tmp.path().join("selfsigned.zip"), Some(&keys.trust));
    assert_ne!(j.code, 0, "{:?}", j.lines);
}
