//! Signed archives in signed-JAR format: `META-INF/MANIFEST.MF` with
//! per-entry digests, `META-INF/*.SF` and a signature block
//! (`*.RSA`, `*.DSA`, `*.EC`).

use super::raw::RawArchive;

/// What signs an archive: the signature files, by central-directory index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    /// `*.SF`, signature blocks and `SIG-*` files under `META-INF/`.
    pub files: Vec<usize>,
    /// `META-INF/MANIFEST.MF`.
    pub manifest: Option<usize>,
}

fn meta_inf_file(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let rest = name
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("META-INF/"))
        .and(name.get(9..))?;
    (!rest.contains('/') && !rest.is_empty()).then(|| rest.to_ascii_uppercase())
}

/// The signature of `raw`, if it is signed (a `.SF` file and a signature
/// block).
pub(crate) fn detect(raw: &RawArchive) -> Option<Signature> {
    let mut files = Vec::new();
    let (mut sf, mut block) = (false, false);
    let mut manifest = None;
    for (i, e) in raw.entries.iter().enumerate() {
        let Some(file) = meta_inf_file(&e.name) else {
            continue;
        };
        if file == "MANIFEST.MF" {
            manifest = Some(i);
        } else if file.ends_with(".SF") {
            sf = true;
            files.push(i);
        } else if [".RSA", ".DSA", ".EC"].iter().any(|x| file.ends_with(x)) {
            block = true;
            files.push(i);
        } else if file.starts_with("SIG-") {
            files.push(i);
        }
    }
    (sf && block).then_some(Signature { files, manifest })
}

/// The manifest without its per-entry sections: the main section only, up
/// to and including the blank line that ends it, byte for byte.
pub(crate) fn strip_manifest(manifest: &[u8]) -> Vec<u8> {
    let mut at = 0;
    while at < manifest.len() {
        let rest = manifest.get(at..).unwrap_or_default();
        let line_len = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        let eol = match rest.get(line_len..) {
            Some([b'\r', b'\n', ..]) => 2,
            Some([_, ..]) => 1,
            _ => 0,
        };
        if line_len == 0 {
            // The blank line that ends the main section.
            return manifest.get(..at + eol).unwrap_or(manifest).to_vec();
        }
        at += line_len + eol;
    }
    manifest.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_keeps_its_main_section() {
        let m = b"Manifest-Version: 1.0\r\nCreated-By: 17 (x)\r\n\r\nName: a.xml\r\nSHA-256-Digest: abc=\r\n\r\n";
        assert_eq!(
            strip_manifest(m),
            b"Manifest-Version: 1.0\r\nCreated-By: 17 (x)\r\n\r\n"
        );
        assert_eq!(strip_manifest(b"Manifest-Version: 1.0\n"), b"Manifest-Version: 1.0\n");
    }
}
