//! What signing changes in an archive being written.
//!
//! - A **signed** archive is signed again under the same signature file
//!   name: its manifest keeps every byte but the digests of edited entries,
//!   its signature file keeps its header, and only the sections of edited
//!   entries change; the block is new. Other signers' files are removed,
//!   since the edit broke their signatures.
//! - An **unsigned** archive gets a manifest (its own one's main section
//!   kept, if it had one), a signature file and a block, placed first as
//!   `jarsigner` places them.

use std::io::{Read, Seek};
use std::time::SystemTime;

use super::super::entries::Opened;
use super::super::error::ArchiveError;
use super::super::raw::RawArchive;
use super::super::Options;
use super::manifest::{DigestAlg, Manifest};
use super::sigfile::{self, EntryDigests};
use super::{block, meta_inf_file, MetaInf, Signer};

/// A new entry, written after entry `after` (by central-directory index), or
/// first when `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Added {
    /// Where it goes.
    pub after: Option<usize>,
    /// Its name.
    pub name: String,
    /// Its content.
    pub data: Vec<u8>,
}

/// What a signing writes: new content for existing entries, entries
/// removed, entries added, and what to tell.
#[derive(Debug, Clone, Default)]
pub(crate) struct Signing {
    pub replace: Vec<(usize, Vec<u8>)>,
    pub remove: Vec<usize>,
    pub add: Vec<Added>,
    pub report: SigningReport,
}

/// What signing did, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SigningReport {
    /// The signer: `CN=… (RSA 2048, SHA-256), valid until …`.
    pub signer: String,
    /// Whether the archive was unsigned and is signed fresh.
    pub fresh: bool,
    /// The signature files written.
    pub files: Vec<String>,
    /// The signer before, when another one signed the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_signer: Option<String>,
    /// Signature files of other signers removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// Entries the manifest did not list and now does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added_to_manifest: Vec<String>,
    /// What is allowed but worth saying (self-signed, no CA chain).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The signature-related state of an archive, by central-directory index.
struct Layout {
    names: Vec<String>,
    meta: Vec<Option<MetaInf>>,
}

impl Layout {
    fn of(raw: &RawArchive) -> Layout {
        Layout {
            names: raw.entries.iter().map(|e| e.display_name()).collect(),
            meta: raw.entries.iter().map(|e| meta_inf_file(&e.name)).collect(),
        }
    }

    fn find(&self, f: impl Fn(&MetaInf) -> bool) -> Vec<usize> {
        (0..self.meta.len())
            .filter(|&i| self.meta.get(i).and_then(Option::as_ref).is_some_and(&f))
            .collect()
    }

    fn name(&self, i: usize) -> String {
        self.names.get(i).cloned().unwrap_or_default()
    }

    /// Entries the manifest covers: not directories, not signing-related.
    fn signed_entries(&self) -> Vec<usize> {
        (0..self.names.len())
            .filter(|&i| !self.name(i).ends_with('/'))
            .filter(|&i| {
                !self
                    .meta
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_some_and(MetaInf::signing_related)
            })
            .collect()
    }
}

/// The signature file base name for `alias`, as `jarsigner` makes it: upper
/// case, letters, digits, `-` and `_` only, at most 8 characters.
fn base_name(alias: &str) -> String {
    let base: String = alias
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(8)
        .collect();
    if base.is_empty() {
        "SIGNER".into()
    } else {
        base
    }
}

/// The content digests of entries `which` (new content where edited, else
/// read from the archive).
fn digests<R: Read + Seek>(
    opened: &mut Opened<R>,
    layout: &Layout,
    which: &[usize],
    contents: &[(usize, Vec<u8>)],
    alg: DigestAlg,
    options: &Options,
) -> Result<Vec<EntryDigests>, ArchiveError> {
    let mut out = Vec::new();
    for &i in which {
        let d = match contents.iter().find(|(k, _)| *k == i) {
            Some((_, data)) => alg.digest(data),
            None => opened.digests(i, &[alg], options)?.pop().unwrap_or_default(),
        };
        out.push((
            layout.name(i),
            vec![(alg, <base64ct::Base64 as base64ct::Encoding>::encode_string(&d))],
        ));
    }
    Ok(out)
}

fn failed(what: &str, e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Unsupported {
        entry: None,
        what: format!("signing an archive whose {what} does not parse ({e})"),
    }
}

/// Plans the signing of the archive in `src` (layout `raw`), whose edited
/// entries get `contents`, by `signer` at `time`.
pub(crate) fn sign<R: Read + Seek>(
    src: R,
    raw: &RawArchive,
    contents: &[(usize, Vec<u8>)],
    signer: &Signer,
    options: &Options,
    time: SystemTime,
) -> Result<Signing, ArchiveError> {
    let layout = Layout::of(raw);
    let mut opened = Opened::open(src)?;
    let created_by = format!("procpatch {}", env!("CARGO_PKG_VERSION"));
    let manifest_at = layout.find(|m| *m == MetaInf::Manifest).first().copied();
    let sfs = layout.find(|m| matches!(m, MetaInf::SignatureFile(_)));
    let blocks = layout.find(|m| matches!(m, MetaInf::Block(..)));
    let mut signing = Signing::default();
    signing.report.signer = signer.describe();
    signing.report.warnings = signer.warnings().to_vec();
    let ext = signer.block_extension();
    // The signer kept: the first signature file with a block.
    let base_of = |i: usize| match layout.meta.get(i).and_then(Option::as_ref) {
        Some(MetaInf::SignatureFile(b) | MetaInf::Block(b, _)) => Some(b.clone()),
        _ => None,
    };
    let kept = sfs
        .iter()
        .copied()
        .find(|&sf| blocks.iter().any(|&b| base_of(b) == base_of(sf)));
    let entries = layout.signed_entries();
    let edited: Vec<(usize, Vec<u8>)> = contents.iter().filter(|(i, _)| entries.contains(i)).cloned().collect();
    match (kept, manifest_at) {
        (Some(sf_at), Some(mf_at)) => {
            let base = base_of(sf_at).unwrap_or_default();
            let old_mf = opened.read(mf_at, options)?;
            let old_sf = opened.read(sf_at, options)?;
            let parsed = Manifest::parse(&old_mf).map_err(|e| failed("manifest", e))?;
            let missing: Vec<usize> = entries
                .iter()
                .copied()
                .filter(|&i| parsed.entry(&layout.name(i)).is_none())
                .collect();
            let alg = parsed
                .entries()
                .flat_map(|s| s.digests("-Digest"))
                .map(|(a, _)| a)
                .next()
                .unwrap_or(DigestAlg::Sha256);
            let added = digests(&mut opened, &layout, &missing, contents, alg, options)?;
            signing.report.added_to_manifest = added.iter().map(|(n, _)| n.clone()).collect();
            let changed: Vec<(String, &[u8])> = edited
                .iter()
                .filter(|(i, _)| !missing.contains(i))
                .map(|(i, d)| (layout.name(*i), d.as_slice()))
                .collect();
            let changed: Vec<(&str, &[u8])> = changed.iter().map(|(n, d)| (n.as_str(), *d)).collect();
            let mf = sigfile::update_manifest(&old_mf, &changed, &added).map_err(|e| failed("manifest", e))?;
            let sf = sigfile::update_sf(&old_sf, &mf).map_err(|e| failed("signature file", e))?;
            let old_block = blocks.iter().copied().find(|&b| base_of(b) == Some(base.clone()));
            if let Some(b) = old_block {
                let bytes = opened.read(b, options)?;
                let previous = block::signer_subject(&bytes);
                if previous.as_deref() != Some(signer.certificate().subject.as_str()) {
                    signing.report.previous_signer = previous;
                }
            }
            let new_block = block::sign(&sf, &signer.key, &signer.chain, time).map_err(sign_failed)?;
            signing.replace.push((mf_at, mf));
            signing.replace.push((sf_at, sf));
            signing.report.files.push(layout.name(sf_at));
            match old_block.filter(|&b| {
                layout.meta.get(b).and_then(Option::as_ref) == Some(&MetaInf::Block(base.clone(), ext.into()))
            }) {
                Some(b) => {
                    signing.replace.push((b, new_block));
                    signing.report.files.push(layout.name(b));
                }
                None => {
                    signing.remove.extend(old_block);
                    let name = format!("META-INF/{base}.{ext}");
                    signing.report.files.push(name.clone());
                    signing.add.push(Added {
                        after: Some(sf_at),
                        name,
                        data: new_block,
                    });
                }
            }
            // Other signers' files: their signatures no longer hold.
            for i in sfs.iter().chain(&blocks).copied() {
                if base_of(i) != Some(base.clone()) {
                    signing.remove.push(i);
                    signing.report.removed.push(layout.name(i));
                }
            }
            for i in layout.find(|m| *m == MetaInf::Sig) {
                signing.remove.push(i);
                signing.report.removed.push(layout.name(i));
            }
        }
        _ => {
            signing.report.fresh = true;
            let all = digests(&mut opened, &layout, &entries, contents, DigestAlg::Sha256, options)?;
            let mf = match manifest_at {
                // An unsigned manifest keeps its main section.
                Some(m) => {
                    let old = opened.read(m, options)?;
                    let main = super::strip_manifest(&old);
                    sigfile::update_manifest(&main, &[], &all).map_err(|e| failed("manifest", e))?
                }
                None => sigfile::fresh_manifest(&created_by, &all),
            };
            let sf = sigfile::fresh_sf(&mf, DigestAlg::Sha256, &created_by).map_err(|e| failed("manifest", e))?;
            let new_block = block::sign(&sf, &signer.key, &signer.chain, time).map_err(sign_failed)?;
            let base = base_name(signer.alias());
            // Old signature files without a complete signature go.
            for i in layout.find(MetaInf::signing_related) {
                signing.remove.push(i);
                if Some(i) != manifest_at {
                    signing.report.removed.push(layout.name(i));
                }
            }
            for (name, data) in [
                ("META-INF/MANIFEST.MF".to_string(), mf),
                (format!("META-INF/{base}.SF"), sf),
                (format!("META-INF/{base}.{ext}"), new_block),
            ] {
                signing.report.files.push(name.clone());
                signing.add.push(Added {
                    after: None,
                    name,
                    data,
                });
            }
        }
    }
    Ok(signing)
}

fn sign_failed(e: String) -> ArchiveError {
    ArchiveError::Verify(format!("signing failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_are_jarsigner_s() {
        assert_eq!(base_name("im"), "IM");
        assert_eq!(base_name("config-signer.2026"), "CONFIG-S");
        assert_eq!(base_name("a b"), "A_B");
        assert_eq!(base_name(""), "SIGNER");
    }
}
