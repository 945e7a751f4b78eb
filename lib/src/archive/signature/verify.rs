//! Verifying a signed JAR as `jarsigner -verify -strict` does, without a
//! JVM: each signature block over its signature file, the signature file
//! over the manifest, the manifest over every entry.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{Read, Seek};
use std::time::SystemTime;

use der::{Decode, Encode};
use x509_cert::Certificate;

use super::super::entries::Opened;
use super::super::error::ArchiveError;
use super::super::Options;
use super::block;
use super::manifest::{DigestAlg, Manifest};
use super::signer::CertInfo;
use super::{meta_inf_file, MetaInf};

/// How a signed archive stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum VerifyStatus {
    /// Signed, and every signature, digest and entry holds.
    Valid,
    /// No signature file and block.
    Unsigned,
    /// Signed, but something does not hold (the report says what).
    Broken,
}

/// What became of one entry since signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EntryStatus {
    /// Signed, and its content is what was signed.
    Signed,
    /// Its content no longer matches its digest.
    Changed,
    /// No valid signature covers it (added after signing).
    NotCovered,
    /// The manifest lists it, the archive does not hold it.
    Missing,
}

/// An entry and its status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct EntryCheck {
    /// The entry path.
    pub entry: String,
    /// What became of it.
    pub status: EntryStatus,
    /// Why, for entries that are not signed and intact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Whether the signer's chain leads to a trusted certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChainStatus {
    /// No trust store was given.
    NotChecked,
    /// It leads to a certificate of the trust store.
    Trusted,
    /// It does not; why.
    Untrusted(String),
}

/// One signer: its signature file, block and certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SignerCheck {
    /// The signature file (`META-INF/X.SF`).
    pub signature_file: String,
    /// The signature block (`META-INF/X.RSA`), if present.
    pub block: Option<String>,
    /// The signer's certificate, when the block could be read.
    pub certificate: Option<CertInfo>,
    /// When it was signed, if the block says (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<String>,
    /// The digest algorithms of the signature file and the manifest.
    pub digests: Vec<DigestAlg>,
    /// Whether the certificate is valid now ("valid", "expired", "not yet valid").
    pub validity: String,
    /// Whether its chain leads to a trusted certificate.
    pub chain: ChainStatus,
    /// What does not hold for this signer.
    pub problems: Vec<String>,
}

/// The verification of one archive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct VerifyReport {
    /// The archive's path (empty for bytes).
    pub path: String,
    /// The verdict.
    pub status: VerifyStatus,
    /// Each signer.
    pub signers: Vec<SignerCheck>,
    /// Each entry subject to signing, and each one the manifest lists
    /// without the archive holding it.
    pub entries: Vec<EntryCheck>,
    /// What does not hold for the archive as a whole.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// How many entries have `status`.
    pub fn count(&self, status: EntryStatus) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }
}

/// Certificates trusted as roots of signers' chains.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    certs: Vec<Certificate>,
}

impl TrustStore {
    /// PEM certificates (`-----BEGIN CERTIFICATE-----`), or a PKCS#12
    /// truststore opened with `password`.
    ///
    /// # Errors
    ///
    /// A message when neither reads.
    pub fn from_bytes(bytes: &[u8], password: &str) -> Result<TrustStore, String> {
        if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            let certs = Certificate::load_pem_chain(bytes).map_err(|e| format!("PEM certificates: {e}"))?;
            return Ok(TrustStore { certs });
        }
        use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
        let store = KeyStore::from_pkcs12(bytes, password, Pkcs12ImportPolicy::Relaxed).map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) => "the truststore password is wrong".to_string(),
            other => format!("neither PEM certificates nor a PKCS#12 truststore ({other})"),
        })?;
        let mut certs = Vec::new();
        for (_, entry) in store.entries() {
            let ders: Vec<&[u8]> = match entry {
                KeyStoreEntry::Certificate(c) => vec![c.as_der()],
                KeyStoreEntry::PrivateKeyChain(k) => k.certs().iter().map(|c| c.as_der()).collect(),
                _ => Vec::new(),
            };
            for der in ders {
                certs.push(Certificate::from_der(der).map_err(|e| e.to_string())?);
            }
        }
        Ok(TrustStore { certs })
    }

    /// How many certificates it holds.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Whether `signer`'s chain (through `carried` certificates) ends in a
    /// certificate of this store, every link's signature checked.
    fn check(&self, signer: &Certificate, carried: &[Certificate]) -> ChainStatus {
        let der = |c: &Certificate| c.to_der().unwrap_or_default();
        let trusted: Vec<Vec<u8>> = self.certs.iter().map(der).collect();
        let mut current = signer.clone();
        for _ in 0..16 {
            if trusted.contains(&der(&current)) {
                return ChainStatus::Trusted;
            }
            let issuer_name = current.tbs_certificate().issuer().clone();
            let next = self
                .certs
                .iter()
                .chain(carried)
                .filter(|c| c.tbs_certificate().subject() == &issuer_name)
                .find(|c| {
                    let spki = c
                        .tbs_certificate()
                        .subject_public_key_info()
                        .to_der()
                        .unwrap_or_default();
                    super::crypto::verify_certificate(&current, &spki).is_ok()
                });
            match next {
                Some(n) if der(n) == der(&current) => {
                    return ChainStatus::Untrusted(format!("{issuer_name} is self-signed and not in the trust store"))
                }
                Some(n) => current = n.clone(),
                None => {
                    return ChainStatus::Untrusted(format!(
                        "no certificate in the trust store or the block issued {}",
                        current.tbs_certificate().subject()
                    ))
                }
            }
        }
        ChainStatus::Untrusted("the chain is longer than 16 certificates".into())
    }
}

fn read_all<R: Read + Seek>(opened: &mut Opened<R>, i: usize, options: &Options) -> Result<Vec<u8>, ArchiveError> {
    opened.read(i, options)
}

/// Verifies the signatures of the archive in `r`, now, against `trust`
/// when given.
pub(crate) fn verify<R: Read + Seek>(
    r: R,
    path: &str,
    options: &Options,
    trust: Option<&TrustStore>,
) -> Result<VerifyReport, ArchiveError> {
    let mut opened = Opened::open(r)?;
    let names: Vec<String> = opened.raw.entries.iter().map(|e| e.display_name()).collect();
    let meta: Vec<(usize, MetaInf)> = opened
        .raw
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| meta_inf_file(&e.name).map(|m| (i, m)))
        .collect();
    let manifest_at = meta.iter().find(|(_, m)| *m == MetaInf::Manifest).map(|(i, _)| *i);
    let sfs: Vec<(usize, String)> = meta
        .iter()
        .filter_map(|(i, m)| match m {
            MetaInf::SignatureFile(base) => Some((*i, base.clone())),
            _ => None,
        })
        .collect();
    let mut report = VerifyReport {
        path: path.to_string(),
        status: VerifyStatus::Unsigned,
        signers: Vec::new(),
        entries: Vec::new(),
        problems: Vec::new(),
    };
    let Some(manifest_at) = manifest_at.filter(|_| !sfs.is_empty()) else {
        if manifest_at.is_none() && !sfs.is_empty() {
            report.status = VerifyStatus::Broken;
            report
                .problems
                .push("signature files without META-INF/MANIFEST.MF".into());
        }
        return Ok(report);
    };
    let manifest_bytes = read_all(&mut opened, manifest_at, options)?;
    let manifest = match Manifest::parse(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            report.status = VerifyStatus::Broken;
            report
                .problems
                .push(format!("META-INF/MANIFEST.MF does not parse: {e}"));
            return Ok(report);
        }
    };
    // The manifest sections each valid signer vouches for.
    let mut vouched: BTreeSet<String> = BTreeSet::new();
    for (sf_at, base) in &sfs {
        let sf_name = names.get(*sf_at).cloned().unwrap_or_default();
        let block_at = meta
            .iter()
            .find(|(_, m)| matches!(m, MetaInf::Block(b, _) if b == base))
            .map(|(i, _)| *i);
        let mut check = SignerCheck {
            signature_file: sf_name,
            block: block_at.and_then(|i| names.get(i).cloned()),
            certificate: None,
            signing_time: None,
            digests: Vec::new(),
            validity: String::new(),
            chain: ChainStatus::NotChecked,
            problems: Vec::new(),
        };
        let sf_bytes = read_all(&mut opened, *sf_at, options)?;
        match block_at {
            None => check
                .problems
                .push("no signature block (.RSA, .EC or .DSA) for this signature file".into()),
            Some(b) => {
                let block_bytes = read_all(&mut opened, b, options)?;
                match block::check(&block_bytes, &sf_bytes) {
                    Ok(c) => {
                        let info = certificate(&mut check, &c.signer);
                        if let Some(trust) = trust {
                            check.chain = trust.check(&c.signer, &c.certificates);
                            if let ChainStatus::Untrusted(why) = &check.chain {
                                check
                                    .problems
                                    .push(format!("the certificate chain is not trusted: {why}"));
                            }
                        }
                        check.signing_time = c
                            .signing_time
                            .and_then(|t| der::DateTime::from_system_time(t).ok())
                            .map(|t| t.to_string());
                        check.certificate = Some(info);
                        if let Some(d) = c.digest {
                            check.digests.push(d);
                        }
                    }
                    Err(boxed) => {
                        let (e, cert) = *boxed;
                        check.problems.push(e);
                        if let Some(c) = cert {
                            let info = certificate(&mut check, &c);
                            check.certificate = Some(info);
                        }
                    }
                }
            }
        }
        vouch(&mut check, &mut vouched, &sf_bytes, &manifest_bytes, &manifest);
        check.digests.sort();
        check.digests.dedup();
        report.signers.push(check);
    }
    let signer_ok = report.signers.iter().all(|s| s.problems.is_empty());
    if !signer_ok {
        vouched.clear();
    }
    // Every entry subject to signing.
    let mut seen = BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        if name.ends_with('/') || meta.iter().any(|(j, m)| *j == i && m.signing_related()) {
            continue;
        }
        seen.insert(name.clone());
        let entry = |status, detail: Option<String>| EntryCheck {
            entry: name.clone(),
            status,
            detail,
        };
        let Some(section) = manifest.entry(name) else {
            report.entries.push(entry(
                EntryStatus::NotCovered,
                Some("not in the manifest: added after signing".into()),
            ));
            continue;
        };
        let digests = section.digests("-Digest");
        if digests.is_empty() {
            report.entries.push(entry(
                EntryStatus::NotCovered,
                Some("its manifest section has no digest".into()),
            ));
            continue;
        }
        let algs: Vec<DigestAlg> = digests.iter().map(|(a, _)| *a).collect();
        let got = opened.digests(i, &algs, options)?;
        let changed = digests
            .iter()
            .zip(&got)
            .find(|((_, attr), d)| <base64ct::Base64 as base64ct::Encoding>::encode_string(d) != attr.value);
        if let Some(((alg, _), _)) = changed {
            report.entries.push(entry(
                EntryStatus::Changed,
                Some(format!("its {alg} digest differs from the manifest's")),
            ));
        } else if !vouched.contains(name) {
            report.entries.push(entry(
                EntryStatus::NotCovered,
                Some(if signer_ok {
                    "in the manifest but in no signature file: added after signing".into()
                } else {
                    "no valid signature covers it".into()
                }),
            ));
        } else {
            report.entries.push(entry(EntryStatus::Signed, None));
        }
        for s in &mut report.signers {
            for a in &algs {
                if !s.digests.contains(a) {
                    s.digests.push(*a);
                }
            }
            s.digests.sort();
        }
    }
    for section in manifest.entries() {
        if let Some(name) = section.name() {
            if !seen.contains(name) && !names.iter().any(|n| n == name) && !name.ends_with('/') {
                report.entries.push(EntryCheck {
                    entry: name.to_string(),
                    status: EntryStatus::Missing,
                    detail: Some("listed in the manifest, not in the archive: removed after signing".into()),
                });
            }
        }
    }
    let all_signed = report.entries.iter().all(|e| e.status == EntryStatus::Signed);
    report.status = if signer_ok && all_signed && report.problems.is_empty() {
        VerifyStatus::Valid
    } else {
        VerifyStatus::Broken
    };
    Ok(report)
}

/// What `check` shows of the signer's certificate, and whether it is valid
/// now (a problem if not).
fn certificate(check: &mut SignerCheck, cert: &Certificate) -> CertInfo {
    let info = CertInfo::of(cert);
    let validity = cert.tbs_certificate().validity();
    let now = SystemTime::now();
    check.validity = if now > validity.not_after.to_system_time() {
        check
            .problems
            .push(format!("the certificate expired on {}", info.not_after));
        "expired".into()
    } else if now < validity.not_before.to_system_time() {
        check
            .problems
            .push(format!("the certificate is not valid before {}", info.not_before));
        "not yet valid".into()
    } else {
        "valid".into()
    };
    info
}

/// Marks the manifest sections the signature file `sf` vouches for: all of
/// them when its whole-manifest digest holds, else those whose section
/// digest holds. A main-attributes digest that fails, or a section digest
/// that fails, is a problem of the signer (as for `jarsigner`).
fn vouch(check: &mut SignerCheck, vouched: &mut BTreeSet<String>, sf: &[u8], mf_bytes: &[u8], mf: &Manifest) {
    let parsed = match Manifest::parse(sf) {
        Ok(p) => p,
        Err(e) => {
            check.problems.push(format!("the signature file does not parse: {e}"));
            return;
        }
    };
    let Some(main) = parsed.main() else { return };
    let whole = main.digests("-Digest-Manifest");
    check.digests.extend(whole.iter().map(|(a, _)| *a));
    if whole.iter().any(|(alg, attr)| alg.digest_b64(mf_bytes) == attr.value) {
        vouched.extend(mf.entries().filter_map(|s| s.name().map(str::to_string)));
        return;
    }
    let main_bytes = mf
        .main()
        .and_then(|s| mf_bytes.get(s.range.clone()))
        .unwrap_or_default();
    for (alg, attr) in main.digests("-Digest-Manifest-Main-Attributes") {
        if alg.digest_b64(main_bytes) != attr.value {
            check
                .problems
                .push("the manifest's main attributes changed after signing".into());
        }
    }
    for section in parsed.entries() {
        let Some(name) = section.name() else { continue };
        let Some(m) = mf.entry(name) else {
            check.problems.push(format!(
                "the signature file names \"{name}\", which the manifest does not list"
            ));
            continue;
        };
        let bytes = mf_bytes.get(m.range.clone()).unwrap_or_default();
        let digests = section.digests("-Digest");
        if digests.iter().any(|(alg, attr)| alg.digest_b64(bytes) == attr.value) {
            vouched.insert(name.to_string());
        } else if !digests.is_empty() {
            check
                .problems
                .push(format!("the manifest section of \"{name}\" changed after signing"));
        }
    }
}

impl fmt::Display for VerifyReport {
    /// The verdict, each signer, and each entry that is not signed and
    /// intact.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path)?;
        for s in &self.signers {
            let who = s.certificate.as_ref().map_or_else(
                || "an unreadable signer".to_string(),
                |c| format!("{} ({})", c.subject, c.key),
            );
            writeln!(f, "  signer {who} [{}]", s.signature_file)?;
            if let Some(c) = &s.certificate {
                writeln!(
                    f,
                    "    issued by {}{}, serial {}, valid {} to {} ({})",
                    c.issuer,
                    if c.self_signed { " (self-signed)" } else { "" },
                    c.serial,
                    c.not_before,
                    c.not_after,
                    s.validity
                )?;
            }
            let digests: Vec<String> = s.digests.iter().map(ToString::to_string).collect();
            if !digests.is_empty() {
                writeln!(f, "    digests {}", digests.join(", "))?;
            }
            match &s.chain {
                ChainStatus::NotChecked => writeln!(f, "    chain not checked (no trust store given)")?,
                ChainStatus::Trusted => writeln!(f, "    chain trusted")?,
                ChainStatus::Untrusted(_) => {}
            }
            for p in &s.problems {
                writeln!(f, "    problem: {p}")?;
            }
        }
        for p in &self.problems {
            writeln!(f, "  problem: {p}")?;
        }
        for e in self.entries.iter().filter(|e| e.status != EntryStatus::Signed) {
            let status = match e.status {
                EntryStatus::Signed => "signed",
                EntryStatus::Changed => "changed after signing",
                EntryStatus::NotCovered => "not covered",
                EntryStatus::Missing => "missing",
            };
            write!(f, "  {}: {status}", e.entry)?;
            if let Some(d) = &e.detail {
                write!(f, " ({d})")?;
            }
            writeln!(f)?;
        }
        let verdict = match self.status {
            VerifyStatus::Valid => format!("valid: {} entries signed and intact", self.count(EntryStatus::Signed)),
            VerifyStatus::Unsigned => "unsigned".to_string(),
            VerifyStatus::Broken => format!(
                "broken: {} signed and intact, {} changed, {} not covered, {} missing",
                self.count(EntryStatus::Signed),
                self.count(EntryStatus::Changed),
                self.count(EntryStatus::NotCovered),
                self.count(EntryStatus::Missing)
            ),
        };
        write!(f, "  {verdict}")
    }
}
