//! The installation's signing key: read from a PKCS#12 keystore (with the
//! `p12-keystore` crate) and checked against Identity Manager's rules for
//! the key that signs configuration exports.

use std::time::SystemTime;

use der::{Decode, Encode};
use x509_cert::Certificate;

use super::crypto::{key_kind, KeyKind, PrivateKey};
use super::manifest::DigestAlg;

/// A certificate as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CertInfo {
    /// The subject (RFC 4514), e.g. `CN=Identity Manager,O=Example`.
    pub subject: String,
    /// The issuer.
    pub issuer: String,
    /// The serial number, hex.
    pub serial: String,
    /// Valid from (RFC 3339, UTC).
    pub not_before: String,
    /// Valid until (RFC 3339, UTC).
    pub not_after: String,
    /// The key's kind and size.
    pub key: KeyKind,
    /// Whether it is its own issuer.
    pub self_signed: bool,
}

impl CertInfo {
    /// Reads what reports show of `cert`.
    pub(crate) fn of(cert: &Certificate) -> CertInfo {
        let tbs = cert.tbs_certificate();
        let spki = tbs.subject_public_key_info().to_der().unwrap_or_default();
        CertInfo {
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            serial: tbs.serial_number().to_string(),
            not_before: tbs.validity().not_before.to_date_time().to_string(),
            not_after: tbs.validity().not_after.to_date_time().to_string(),
            key: key_kind(&spki),
            self_signed: tbs.subject() == tbs.issuer(),
        }
    }
}

/// Why a keystore cannot sign. Messages never hold the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignerError {
    /// The MAC does not verify: the password is wrong.
    #[error("the keystore password is wrong")]
    WrongPassword,
    /// Not a PKCS#12 keystore procpatch can read.
    #[error("the keystore cannot be read: {0}")]
    Unreadable(String),
    /// No private key in the keystore.
    #[error("the keystore holds no private key, only certificates")]
    NoKey,
    /// The alias asked for is not a key of the keystore.
    #[error("the keystore has no key named \"{alias}\"; its keys: {}", list(aliases))]
    AliasNotFound {
        /// The alias asked for.
        alias: String,
        /// The keystore's key aliases.
        aliases: Vec<String>,
    },
    /// Several keys, and none chosen.
    #[error("the keystore holds {} keys ({}); choose one", aliases.len(), list(aliases))]
    SeveralKeys {
        /// The keystore's key aliases.
        aliases: Vec<String>,
    },
    /// The private key is not the certificate's.
    #[error("the private key of \"{alias}\" does not match its certificate ({subject})")]
    Mismatch {
        /// The alias.
        alias: String,
        /// The certificate's subject.
        subject: String,
    },
    /// The certificate has expired.
    #[error("the certificate of \"{alias}\" ({subject}) expired on {not_after}; Identity Manager refuses it (\"The certificate has expired\")")]
    Expired {
        /// The alias.
        alias: String,
        /// The certificate's subject.
        subject: String,
        /// When it expired.
        not_after: String,
    },
    /// The certificate is not valid yet.
    #[error("the certificate of \"{alias}\" ({subject}) is not valid before {not_before}")]
    NotYetValid {
        /// The alias.
        alias: String,
        /// The certificate's subject.
        subject: String,
        /// When it becomes valid.
        not_before: String,
    },
    /// A critical key usage extension without `digitalSignature`.
    #[error("the certificate of \"{alias}\" ({subject}) marks its key usage critical without digitalSignature, so it may not sign")]
    KeyUsage {
        /// The alias.
        alias: String,
        /// The certificate's subject.
        subject: String,
    },
    /// An RSA key shorter than Identity Manager accepts.
    #[error("the key of \"{alias}\" is RSA {bits}; Identity Manager needs RSA 2048, 3072 or 4096")]
    WeakKey {
        /// The alias.
        alias: String,
        /// Its size.
        bits: u32,
    },
    /// A key or certificate procpatch cannot use.
    #[error("the key of \"{alias}\": {message}")]
    Unsupported {
        /// The alias.
        alias: String,
        /// Why.
        message: String,
    },
}

fn list(aliases: &[String]) -> String {
    aliases
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A key that signs, with its certificate chain, checked for use.
#[derive(Clone)]
pub struct Signer {
    pub(crate) key: PrivateKey,
    /// The chain (DER): the signer's certificate first.
    pub(crate) chain: Vec<Vec<u8>>,
    alias: String,
    certificate: CertInfo,
    warnings: Vec<String>,
}

impl std::fmt::Debug for Signer {
    /// The alias and certificate only, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("alias", &self.alias)
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Reads the key `alias` (or the only key) from a PKCS#12 keystore and
    /// checks it for signing now: the password opens the keystore, the key
    /// matches its certificate, the certificate is valid today and may sign
    /// (a critical key usage must allow digitalSignature), and an RSA key
    /// has at least 2048 bits. A self-signed certificate or a chain without
    /// its CA is allowed, with a warning ([`Signer::warnings`]).
    ///
    /// # Errors
    ///
    /// A [`SignerError`] saying which rule the keystore breaks.
    pub fn from_pkcs12(bytes: &[u8], password: &str, alias: Option<&str>) -> Result<Signer, SignerError> {
        Signer::from_pkcs12_at(bytes, password, alias, SystemTime::now())
    }

    /// [`Signer::from_pkcs12`], checking validity at `now`.
    ///
    /// # Errors
    ///
    /// As [`Signer::from_pkcs12`].
    pub fn from_pkcs12_at(
        bytes: &[u8],
        password: &str,
        alias: Option<&str>,
        now: SystemTime,
    ) -> Result<Signer, SignerError> {
        use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
        let store = KeyStore::from_pkcs12(bytes, password, Pkcs12ImportPolicy::Relaxed).map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) => SignerError::WrongPassword,
            other => SignerError::Unreadable(other.to_string()),
        })?;
        let keys: Vec<(&String, &p12_keystore::PrivateKeyChain)> = store
            .entries()
            .filter_map(|(a, e)| match e {
                KeyStoreEntry::PrivateKeyChain(c) => Some((a, c)),
                _ => None,
            })
            .collect();
        let aliases: Vec<String> = keys.iter().map(|(a, _)| (*a).clone()).collect();
        let (alias, chain) = match (alias, keys.as_slice()) {
            (_, []) => return Err(SignerError::NoKey),
            (None, [one]) => *one,
            (None, _) => return Err(SignerError::SeveralKeys { aliases }),
            (Some(want), _) => *keys
                .iter()
                .find(|(a, _)| a.as_str() == want)
                .or_else(|| keys.iter().find(|(a, _)| a.eq_ignore_ascii_case(want)))
                .ok_or_else(|| SignerError::AliasNotFound {
                    alias: want.to_string(),
                    aliases: aliases.clone(),
                })?,
        };
        let alias = alias.clone();
        let unsupported = |message: String| SignerError::Unsupported {
            alias: alias.clone(),
            message,
        };
        let key = PrivateKey::from_pkcs8(chain.key().as_der()).map_err(unsupported)?;
        let chain: Vec<Vec<u8>> = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
        let leaf = chain
            .first()
            .ok_or_else(|| unsupported("it has no certificate".into()))
            .and_then(|c| Certificate::from_der(c).map_err(|e| unsupported(format!("its certificate: {e}"))))?;
        let info = CertInfo::of(&leaf);
        let subject = info.subject.clone();
        let tbs = leaf.tbs_certificate();
        let cert_spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| unsupported(e.to_string()))?;
        if key.public_spki().map_err(unsupported)? != cert_spki {
            return Err(SignerError::Mismatch { alias, subject });
        }
        let validity = tbs.validity();
        if now > validity.not_after.to_system_time() {
            return Err(SignerError::Expired {
                alias,
                subject,
                not_after: info.not_after,
            });
        }
        if now < validity.not_before.to_system_time() {
            return Err(SignerError::NotYetValid {
                alias,
                subject,
                not_before: info.not_before,
            });
        }
        if let Ok(Some((true, usage))) = tbs.get_extension::<x509_cert::ext::pkix::KeyUsage>() {
            if !usage.digital_signature() {
                return Err(SignerError::KeyUsage { alias, subject });
            }
        }
        if info.key.algorithm == "RSA" && info.key.bits < 2048 {
            return Err(SignerError::WeakKey {
                alias,
                bits: info.key.bits,
            });
        }
        let mut warnings = Vec::new();
        if info.self_signed {
            warnings.push(format!(
                "the certificate {subject} is self-signed; Identity Manager accepts only certificates issued by a CA in its truststore"
            ));
        } else if chain.len() == 1 {
            warnings.push(format!(
                "the keystore holds no CA certificate for {subject}; the signature carries the signer's certificate only"
            ));
        }
        Ok(Signer {
            key,
            chain,
            alias,
            certificate: info,
            warnings,
        })
    }

    /// The keystore alias of the key.
    pub fn alias(&self) -> &str {
        &self.alias
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &CertInfo {
        &self.certificate
    }

    /// What is allowed but worth saying: a self-signed certificate, a
    /// chain without its CA.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The digest it signs with.
    pub fn digest(&self) -> DigestAlg {
        self.key.algorithms().0
    }

    /// The extension of its signature block: `RSA` or `EC`.
    pub(crate) fn block_extension(&self) -> &'static str {
        self.key.algorithms().2
    }

    /// `CN=… (RSA 2048, SHA-256), valid until …`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}, {}), valid until {}",
            self.certificate.subject,
            self.certificate.key,
            self.digest(),
            self.certificate.not_after
        )
    }
}
