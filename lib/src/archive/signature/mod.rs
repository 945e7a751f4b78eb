//! Signed archives in signed-JAR format: `META-INF/MANIFEST.MF` with
//! per-entry digests, `META-INF/*.SF` and a signature block (`*.RSA`,
//! `*.DSA`, `*.EC`): detecting, stripping, verifying and signing again.
//!
//! - [`manifest`]: the manifest format, parsed with byte ranges and edited
//!   in place;
//! - [`sigfile`]: writing or updating the manifest and a signature file;
//! - [`block`]: the CMS signature block (`cms` crate types);
//! - [`crypto`]: RSA and ECDSA keys and signatures (RustCrypto);
//! - [`signer`]: the signing key from a PKCS#12 keystore, checked;
//! - [`sign`](mod@sign): what a signing changes in an archive;
//! - [`verify`](mod@verify): checking a signed archive as `jarsigner -verify` does.

mod block;
mod crypto;
mod manifest;
mod sigfile;
mod sign;
mod signer;
mod verify;

pub use crypto::KeyKind;
pub use manifest::DigestAlg;
pub(crate) use manifest::Hasher;
pub use sign::SigningReport;
pub(crate) use sign::{sign, Added};
pub use signer::{CertInfo, Signer, SignerError};
pub(crate) use verify::verify;
pub use verify::{ChainStatus, EntryCheck, EntryStatus, SignerCheck, TrustStore, VerifyReport, VerifyStatus};

use super::raw::RawArchive;

/// What signs an archive: the signature files, by central-directory index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    /// `*.SF`, signature blocks and `SIG-*` files under `META-INF/`.
    pub files: Vec<usize>,
    /// `META-INF/MANIFEST.MF`.
    pub manifest: Option<usize>,
}

/// What a file directly under `META-INF/` is to a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MetaInf {
    /// `MANIFEST.MF`.
    Manifest,
    /// `BASE.SF`, by its base name (upper case).
    SignatureFile(String),
    /// `BASE.RSA`, `.DSA` or `.EC`: base name and extension (upper case).
    Block(String, String),
    /// `SIG-*`.
    Sig,
    /// Any other file: signed like every entry.
    Other,
}

impl MetaInf {
    /// Whether the JAR format leaves it out of the manifest.
    pub fn signing_related(&self) -> bool {
        !matches!(self, MetaInf::Other)
    }
}

/// What the entry named `name` is, if it is directly under `META-INF/`
/// (ASCII case ignored, as Java does).
pub(crate) fn meta_inf_file(name: &[u8]) -> Option<MetaInf> {
    let name = std::str::from_utf8(name).ok()?;
    let rest = name
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("META-INF/"))
        .and(name.get(9..))?;
    if rest.contains('/') || rest.is_empty() {
        return None;
    }
    let upper = rest.to_ascii_uppercase();
    Some(if upper == "MANIFEST.MF" {
        MetaInf::Manifest
    } else if let Some(base) = upper.strip_suffix(".SF") {
        MetaInf::SignatureFile(base.to_string())
    } else if let Some((base, ext)) = upper.rsplit_once('.').filter(|(_, e)| ["RSA", "DSA", "EC"].contains(e)) {
        MetaInf::Block(base.to_string(), ext.to_string())
    } else if upper.starts_with("SIG-") {
        MetaInf::Sig
    } else {
        MetaInf::Other
    })
}

/// The signature of `raw`, if it is signed (a `.SF` file and a signature
/// block).
pub(crate) fn detect(raw: &RawArchive) -> Option<Signature> {
    let mut files = Vec::new();
    let (mut sf, mut block) = (false, false);
    let mut manifest = None;
    for (i, e) in raw.entries.iter().enumerate() {
        match meta_inf_file(&e.name) {
            Some(MetaInf::Manifest) => manifest = Some(i),
            Some(MetaInf::SignatureFile(_)) => {
                sf = true;
                files.push(i);
            }
            Some(MetaInf::Block(..)) => {
                block = true;
                files.push(i);
            }
            Some(MetaInf::Sig) => files.push(i),
            _ => {}
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
