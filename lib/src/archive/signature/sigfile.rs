//! Writing `META-INF/MANIFEST.MF` and a signature file (`*.SF`) for a
//! signing: anew for an unsigned archive, or by editing the old ones so
//! that only the digests of what changed differ.

use super::manifest::{write_attr, DigestAlg, Edits, Manifest, ManifestError};

/// An entry's name and content digests (base64), one per algorithm.
pub(crate) type EntryDigests = (String, Vec<(DigestAlg, String)>);

/// A manifest for an archive that has none: `Manifest-Version` and
/// `Created-By`, then a section per entry.
pub(crate) fn fresh_manifest(created_by: &str, entries: &[EntryDigests]) -> Vec<u8> {
    let nl = "\r\n";
    let mut s = String::new();
    write_attr(&mut s, "Manifest-Version", "1.0", nl);
    write_attr(&mut s, "Created-By", created_by, nl);
    s.push_str(nl);
    s.push_str(&sections(entries, nl));
    s.into_bytes()
}

/// Per-entry sections: `Name:` and one `X-Digest:` per algorithm.
fn sections(entries: &[EntryDigests], nl: &str) -> String {
    let mut s = String::new();
    for (name, digests) in entries {
        write_attr(&mut s, "Name", name, nl);
        for (alg, value) in digests {
            write_attr(&mut s, &format!("{}-Digest", alg.name()), value, nl);
        }
        s.push_str(nl);
    }
    s
}

/// The manifest `old` with new digests for `changed` entries (every
/// algorithm its section already uses), and sections added at the end for
/// `added` entries. Every other byte is kept.
pub(crate) fn update_manifest(
    old: &[u8],
    changed: &[(&str, &[u8])],
    added: &[EntryDigests],
) -> Result<Vec<u8>, ManifestError> {
    let m = Manifest::parse(old)?;
    let mut edits = Edits::default();
    for (name, content) in changed {
        let Some(section) = m.entry(name) else {
            return Err(format!("the manifest has no section for \"{name}\""));
        };
        for (alg, attr) in section.digests("-Digest") {
            edits.set(attr, alg.digest_b64(content));
        }
    }
    edits.append(&sections(added, m.newline));
    Ok(edits.apply(old, m.newline))
}

/// A signature file for `manifest`: its whole digest and its main section's
/// digest in the header, and the digest of each entry section.
pub(crate) fn fresh_sf(manifest: &[u8], alg: DigestAlg, created_by: &str) -> Result<Vec<u8>, ManifestError> {
    let m = Manifest::parse(manifest)?;
    let nl = m.newline;
    let mut s = String::new();
    write_attr(&mut s, "Signature-Version", "1.0", nl);
    write_attr(&mut s, "Created-By", created_by, nl);
    write_attr(
        &mut s,
        &format!("{}-Digest-Manifest", alg.name()),
        &alg.digest_b64(manifest),
        nl,
    );
    if let Some(main) = m.main() {
        write_attr(
            &mut s,
            &format!("{}-Digest-Manifest-Main-Attributes", alg.name()),
            &alg.digest_b64(manifest.get(main.range.clone()).unwrap_or_default()),
            nl,
        );
    }
    s.push_str(nl);
    for section in m.entries() {
        let Some(name) = section.name() else { continue };
        write_attr(&mut s, "Name", name, nl);
        write_attr(
            &mut s,
            &format!("{}-Digest", alg.name()),
            &alg.digest_b64(manifest.get(section.range.clone()).unwrap_or_default()),
            nl,
        );
        s.push_str(nl);
    }
    Ok(s.into_bytes())
}

/// The signature file `old` brought up to date with `manifest`: the
/// header's manifest digests recomputed, the sections of entries whose
/// manifest section changed given their new digests, sections added for
/// manifest sections it lacks. Header attributes that still hold, and every
/// other byte, are kept.
pub(crate) fn update_sf(old: &[u8], manifest: &[u8]) -> Result<Vec<u8>, ManifestError> {
    let sf = Manifest::parse(old)?;
    let m = Manifest::parse(manifest)?;
    let mut edits = Edits::default();
    let main = sf.main().ok_or("the signature file is empty")?;
    let mut default_alg = DigestAlg::Sha256;
    for (alg, attr) in main.digests("-Digest-Manifest") {
        edits.set(attr, alg.digest_b64(manifest));
        default_alg = alg;
    }
    let main_bytes = m.main().and_then(|s| manifest.get(s.range.clone())).unwrap_or_default();
    for (alg, attr) in main.digests("-Digest-Manifest-Main-Attributes") {
        edits.set(attr, alg.digest_b64(main_bytes));
    }
    let mut added = String::new();
    for section in m.entries() {
        let Some(name) = section.name() else { continue };
        let bytes = manifest.get(section.range.clone()).unwrap_or_default();
        match sf.entry(name) {
            Some(s) => {
                for (alg, attr) in s.digests("-Digest") {
                    edits.set(attr, alg.digest_b64(bytes));
                }
            }
            None => {
                write_attr(&mut added, "Name", name, sf.newline);
                write_attr(
                    &mut added,
                    &format!("{}-Digest", default_alg.name()),
                    &default_alg.digest_b64(bytes),
                    sf.newline,
                );
                added.push_str(sf.newline);
            }
        }
    }
    edits.append(&added);
    Ok(edits.apply(old, sf.newline))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digests(content: &[u8]) -> Vec<(DigestAlg, String)> {
        vec![(DigestAlg::Sha256, DigestAlg::Sha256.digest_b64(content))]
    }

    #[test]
    fn a_fresh_manifest_and_sf_agree() {
        let m = fresh_manifest(
            "procpatch 0.1.0",
            &[("a.xml".into(), digests(b"a")), ("b.txt".into(), digests(b"b"))],
        );
        let text = String::from_utf8(m.clone()).unwrap();
        assert!(text.starts_with("Manifest-Version: 1.0\r\nCreated-By: procpatch 0.1.0\r\n\r\nName: a.xml\r\n"));
        let sf = fresh_sf(&m, DigestAlg::Sha256, "procpatch 0.1.0").unwrap();
        let parsed = Manifest::parse(&sf).unwrap();
        let whole = parsed.main().unwrap().get("SHA-256-Digest-Manifest").unwrap();
        assert_eq!(whole, DigestAlg::Sha256.digest_b64(&m));
        assert_eq!(parsed.entries().count(), 2);
    }

    #[test]
    fn updates_change_only_digests() {
        let m = fresh_manifest("x", &[("a.xml".into(), digests(b"a")), ("b.txt".into(), digests(b"b"))]);
        let sf = fresh_sf(&m, DigestAlg::Sha256, "x").unwrap();
        let m2 = update_manifest(&m, &[("a.xml", b"new a")], &[]).unwrap();
        assert_eq!(m2.len(), m.len());
        assert!(String::from_utf8(m2.clone())
            .unwrap()
            .contains(&DigestAlg::Sha256.digest_b64(b"new a")));
        let sf2 = update_sf(&sf, &m2).unwrap();
        assert_eq!(sf2.len(), sf.len());
        // The SF now agrees with a fresh one for the new manifest (same
        // Created-By), byte for byte.
        assert_eq!(sf2, fresh_sf(&m2, DigestAlg::Sha256, "x").unwrap());
        // An entry without a section gets one, in the manifest and the SF.
        let m3 = update_manifest(&m2, &[], &[("c.txt".into(), digests(b"c"))]).unwrap();
        assert!(m3.starts_with(&m2));
        let sf3 = update_sf(&sf2, &m3).unwrap();
        assert_eq!(sf3, fresh_sf(&m3, DigestAlg::Sha256, "x").unwrap());
    }
}
