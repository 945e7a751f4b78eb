//! Signing fixtures for issue 8 (JAR signatures): keys made with `keytool`,
//! samples signed with `jarsigner`, the `verify` agreement cases, and the
//! readers that tests of signed output use. The code lives in
//! `testdata/interop/signing_fixtures/`, shared with the CLI tests; the
//! tests here check the fixtures themselves against the real Java tools and
//! pin what those tools say today.

use std::path::Path;

use procpatch::archive::{self, Options, WriteOptions};
use procpatch::Recipe;

#[path = "../../testdata/interop/signing_fixtures/mod.rs"]
mod fixtures;
pub use fixtures::*;

/// Every keystore opens with keytool and with `p12-keystore` and holds the
/// entries it should; the two written by `p12-keystore` too.
#[test]
fn keystores_open_in_keytool_and_p12_keystore() {
    let k = keys();
    let stores: Vec<(&str, &Path)> = vec![
        ("ca", &k.ca.path),
        ("trust", &k.trust),
        ("rsa", &k.rsa.path),
        ("ec", &k.ec.path),
        ("ec384", &k.ec384.path),
        ("expired", &k.expired.path),
        ("future", &k.future.path),
        ("selfsigned", &k.selfsigned.path),
        ("small", &k.small.path),
        ("nodigsig", &k.nodigsig.path),
        ("nochain", &k.nochain.path),
        ("two-keys", &k.two_keys),
        ("mismatch", &k.mismatch.path),
    ];
    // keytool -list, all in one JVM.
    let commands: Vec<Vec<String>> = stores
        .iter()
        .map(|(_, p)| {
            ["-list", "-keystore", p.to_str().unwrap(), "-storepass", PASSWORD]
                .map(String::from)
                .to_vec()
        })
        .collect();
    let ran = keytool_batch(&k.dir, &commands);
    assert_eq!(ran.code, 0, "{}", ran.text());
    let listed: Vec<&str> = ran
        .stdout
        .lines()
        .filter(|l| l.contains("Entry,"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "ca",
            "ca",
            "rsa",
            "ec",
            "ec384",
            "expired",
            "future",
            "selfsigned",
            "small",
            "nodigsig",
            "nochain",
            "first",
            "second",
            "mismatch"
        ],
        "{}",
        ran.stdout
    );

    // What p12-keystore sees: entries, chains (subjects), trust anchors.
    let mut table = String::new();
    for (name, path) in &stores {
        for (alias, entry) in read_keystore(path).entries() {
            let what = match entry {
                p12_keystore::KeyStoreEntry::PrivateKeyChain(chain) => {
                    let subjects: Vec<&str> = chain.certs().iter().map(|c| c.subject()).collect();
                    format!("key, chain [{}]", subjects.join(" | "))
                }
                p12_keystore::KeyStoreEntry::Certificate(c) => format!("certificate {}", c.subject()),
                p12_keystore::KeyStoreEntry::Secret(_) => "secret".to_string(),
            };
            table.push_str(&format!("{name}.p12  {alias}: {what}\n"));
        }
    }
    insta::assert_snapshot!(table);
}

/// The nine `verify` cases and what jarsigner says about each today.
#[test]
fn jarsigner_agreement_cases() {
    let cases = cases();
    assert_eq!(cases.len(), 9);
    for c in cases {
        assert_eq!(
            c.jarsigner.intact(),
            c.valid,
            "{}: jarsigner -verify disagrees with the expectation:\n{}",
            c.name,
            cases_table(std::slice::from_ref(c))
        );
    }
    insta::assert_snapshot!(cases_table(cases));
}

/// Each signed sample verifies with `jarsigner -verify -strict` against the
/// truststore, and Java reads it as signed (JarFile and JarInputStream);
/// unsigned and tampered archives do not pass JarCheck.
#[test]
fn signed_samples_verify_and_jar_check_tells_signed_from_not() {
    let (keys, samples) = (keys(), samples());
    let verdicts = parallel(&samples.signed(), |s| jarsigner_verify(&s.path, Some(&keys.trust)));
    for (s, j) in samples.signed().into_iter().zip(verdicts) {
        assert_eq!((j.code, j.summary()), (0, "jar verified."), "{}: {:?}", s.name, j.lines);
        assert!(j.intact(), "{}: {:?}", s.name, j.lines);
        let names = entry_names(&s.path);
        assert_eq!(
            names[..3],
            ["META-INF/MANIFEST.MF".to_string(), s.sf(), s.block()],
            "{}",
            s.name
        );
    }
    let signed: Vec<&Path> = samples.signed().iter().map(|s| s.path.as_path()).collect();
    for stream in [false, true] {
        let ran = jar_check(&signed, stream);
        assert_eq!(ran.code, 0, "JarCheck (stream: {stream}):\n{}", ran.text());
        assert!(!ran.stdout.contains("UNSIGNED"), "{}", ran.stdout);
    }

    let case = |name: &str| cases().iter().find(|c| c.name == name).unwrap().path.as_path();
    let bad = [
        samples.unsigned.as_path(),
        case("entry-changed"),
        case("entry-added"),
        case("sf-edited"),
    ];
    for stream in [false, true] {
        let ran = jar_check(&bad, stream);
        assert_eq!(ran.code, 1, "JarCheck (stream: {stream}):\n{}", ran.text());
        for path in bad {
            assert!(
                ran.stdout.contains(&format!("FAIL {} (", path.display())),
                "{}: {}",
                path.display(),
                ran.stdout
            );
        }
    }
    // JarInputStream needs the manifest first: an unsigned export has none.
    let ran = jar_check(&[&samples.unsigned], true);
    assert!(ran.stdout.contains("found no manifest"), "{}", ran.stdout);
}

/// Where jarsigner puts things, pinned: entry order, the attributes of the
/// manifest and of the .SF in order, line breaks, what a signed export
/// loses (the archive comment).
#[test]
fn jarsigner_signature_layout() {
    let samples = samples();
    let mut out = String::new();
    for s in samples.signed() {
        out.push_str(&format!(
            "{} ({} from {}, {} / {}):\n  entries: {}\n",
            s.name,
            s.alias,
            s.source,
            s.digest,
            s.sigalg,
            entry_names(&s.path).join(", ")
        ));
        for file in ["META-INF/MANIFEST.MF".to_string(), s.sf()] {
            let bytes = entry(&s.path, &file);
            let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
            let lf = bytes.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(crlf, lf, "{}: {file}: every line ends in CRLF", s.name);
            let attrs = manifest_attributes(&bytes);
            let main: Vec<&str> = attrs
                .iter()
                .filter(|a| a.section.is_none())
                .map(|a| a.name.as_str())
                .collect();
            let mut sections: Vec<String> = Vec::new();
            for a in attrs.iter().filter(|a| a.section.is_some()) {
                if a.name == "Name" {
                    sections.push(a.value.clone());
                } else if let Some(last) = sections.last_mut() {
                    last.push_str(&format!(" [{}]", a.name));
                }
            }
            let wrapped = bytes.split(|&b| b == b'\n').filter(|l| l.starts_with(b" ")).count();
            out.push_str(&format!(
                "  {file}: CRLF, {} bytes, {wrapped} continuation lines\n    main: {}\n    sections: {}\n",
                bytes.len(),
                main.join(", "),
                sections.join(", ")
            ));
        }
        let comment = zip::ZipArchive::new(std::fs::File::open(&s.path).unwrap())
            .unwrap()
            .comment()
            .to_vec();
        out.push_str(&format!("  archive comment: {:?}\n", String::from_utf8_lossy(&comment)));
    }
    insta::assert_snapshot!(out);
}

/// `local_records` cuts a zip into its local records exactly, and sees
/// that stripping a signature with procpatch leaves untouched entries'
/// records as they were; the manifest helpers find exactly the edited
/// digests.
#[test]
fn record_and_manifest_helpers() {
    let samples = samples();
    let input = &samples.sha256.path;
    let bytes = std::fs::read(input).unwrap();
    let records = local_records(input);
    let total: usize = records.iter().map(|(_, r)| r.len()).sum();
    assert!(records.iter().all(|(_, r)| r.starts_with(b"PK\x03\x04")));
    assert_eq!(
        bytes[total..total + 4],
        *b"PK\x01\x02",
        "the records end where the central directory starts"
    );
    let joined: Vec<u8> = records.iter().flat_map(|(_, r)| r.iter().copied()).collect();
    assert_eq!(joined, bytes[..total]);

    // procpatch (as it is) strips the signature and edits the three BPMN
    // files: export.properties keeps its record byte for byte.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("stripped.zip");
    let options = Options::default().stripping_signature(true);
    archive::plan_file(input, &Recipe::builtin(), &options)
        .unwrap()
        .write(&out, &WriteOptions::default())
        .unwrap();
    let after = local_records(&out);
    let record = |rs: &[(String, Vec<u8>)], name: &str| rs.iter().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(
        record(&records, "export.properties"),
        record(&after, "export.properties")
    );
    assert_ne!(
        record(&records, "UsersProcLock.bpmn20.xml"),
        record(&after, "UsersProcLock.bpmn20.xml")
    );

    // Manifests: a digest rewritten in place is found, anything else is not.
    let manifest = entry(input, "META-INF/MANIFEST.MF");
    let attrs = manifest_attributes(&manifest);
    let lock = attrs
        .iter()
        .find(|a| a.section.as_deref() == Some("UsersProcLock.bpmn20.xml") && a.name == "SHA-256-Digest")
        .unwrap();
    let mut edited = manifest.clone();
    edited[lock.span.start] = if edited[lock.span.start] == b'A' { b'B' } else { b'A' };
    edited[lock.span.end - 1] = b'x';
    assert_eq!(
        differing_ranges(&manifest, &edited),
        [
            (
                lock.span.start..lock.span.start + 1,
                lock.span.start..lock.span.start + 1
            ),
            (lock.span.end - 1..lock.span.end, lock.span.end - 1..lock.span.end)
        ]
    );
    assert_eq!(
        manifest_changes(&manifest, &edited),
        ["UsersProcLock.bpmn20.xml: SHA-256-Digest"]
    );
    assert_eq!(
        check_only_digests_differ(&manifest, &edited, &["UsersProcLock.bpmn20.xml"]),
        Ok(())
    );
    assert!(check_only_digests_differ(&manifest, &edited, &["export.properties"]).is_err());
    assert!(check_only_digests_differ(&manifest, &manifest, &["UsersProcLock.bpmn20.xml"]).is_err());
    let mut created = manifest.clone();
    let at = manifest.windows(9).position(|w| w == b"Created-B").unwrap();
    created[at + 12] ^= 1;
    assert!(check_only_digests_differ(&manifest, &created, &["UsersProcLock.bpmn20.xml"]).is_err());
    // A long name wraps at 72 bytes; its continuation belongs to the name.
    let wrapped = b"Manifest-Version: 1.0\r\n\r\nName: processes/a-very-long-folder-name/and-a-long-file-name/Process\r\n Import.zip\r\nSHA-256-Digest: abc=\r\n\r\n";
    let attrs = manifest_attributes(wrapped);
    assert_eq!(
        attrs[2].section.as_deref(),
        Some("processes/a-very-long-folder-name/and-a-long-file-name/ProcessImport.zip")
    );
    assert_eq!(&wrapped[attrs[2].span.clone()], b"abc=");
    assert_eq!(redact_dates("on 2036-11-24, not 2036-11"), "on [DATE], not 2036-11");
}
