//! Keys and signatures for JAR signing: RSA PKCS#1 v1.5 and ECDSA on P-256
//! and P-384, over the digests of [`DigestAlg`]. The arithmetic is the
//! RustCrypto crates' (`rsa`, `p256`, `p384`); this module only maps object
//! identifiers to them.

use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use signature::hazmat::{PrehashSigner, PrehashVerifier};
use spki::SubjectPublicKeyInfoRef;

use super::manifest::DigestAlg;

/// Object identifiers used by JAR signatures.
pub(crate) mod oid {
    use der::asn1::ObjectIdentifier as Oid;

    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    pub const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const SHA1_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub const SHA224_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
    pub const SHA256_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub const ECDSA_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
    pub const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    pub const DSA: Oid = Oid::new_unwrap("1.2.840.10040.4.1");
    pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
    pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    pub const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
}

impl DigestAlg {
    /// Its object identifier.
    pub(crate) fn oid(self) -> Oid {
        match self {
            DigestAlg::Sha1 => oid::SHA1,
            DigestAlg::Sha224 => oid::SHA224,
            DigestAlg::Sha256 => oid::SHA256,
            DigestAlg::Sha384 => oid::SHA384,
            DigestAlg::Sha512 => oid::SHA512,
        }
    }

    /// The algorithm of a digest object identifier.
    pub(crate) fn from_oid(o: &Oid) -> Option<DigestAlg> {
        DigestAlg::ALL.into_iter().find(|a| a.oid() == *o)
    }
}

/// A public key's kind and size, as reports show it: `RSA 2048`, `EC P-256`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct KeyKind {
    /// `RSA`, `EC` or `DSA`.
    pub algorithm: String,
    /// The modulus or field size in bits (0 when unknown).
    pub bits: u32,
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.algorithm.as_str(), self.bits) {
            ("EC", 256 | 384) => write!(f, "EC P-{}", self.bits),
            (a, 0) => f.write_str(a),
            (a, b) => write!(f, "{a} {b}"),
        }
    }
}

/// The kind of the public key in `spki` (DER).
pub(crate) fn key_kind(spki: &[u8]) -> KeyKind {
    let kind = |a: &str, bits| KeyKind {
        algorithm: a.into(),
        bits,
    };
    let Ok(info) = SubjectPublicKeyInfoRef::from_der(spki) else {
        return kind("unknown", 0);
    };
    match info.algorithm.oid {
        o if o == oid::RSA => {
            let bits = rsa::PublicKey::from_public_key_der(spki).map_or(0, |k| k.size() * 8);
            kind("RSA", u32::try_from(bits).unwrap_or(0))
        }
        o if o == oid::EC_PUBLIC_KEY => match info.algorithm.parameters_oid() {
            Ok(c) if c == oid::P256 => kind("EC", 256),
            Ok(c) if c == oid::P384 => kind("EC", 384),
            _ => kind("EC", 0),
        },
        o if o == oid::DSA => kind("DSA", 0),
        o => kind(&o.to_string(), 0),
    }
}

/// A private key that can sign.
pub(crate) enum PrivateKey {
    Rsa(rsa::PrivateKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material.
        f.write_str(match self {
            PrivateKey::Rsa(_) => "PrivateKey(RSA)",
            PrivateKey::P256(_) => "PrivateKey(EC P-256)",
            PrivateKey::P384(_) => "PrivateKey(EC P-384)",
        })
    }
}

impl Clone for PrivateKey {
    fn clone(&self) -> Self {
        match self {
            PrivateKey::Rsa(k) => PrivateKey::Rsa(k.clone()),
            PrivateKey::P256(k) => PrivateKey::P256(k.clone()),
            PrivateKey::P384(k) => PrivateKey::P384(k.clone()),
        }
    }
}

impl PrivateKey {
    /// Reads a PKCS#8 private key (DER): RSA, or EC on P-256 or P-384.
    pub fn from_pkcs8(der: &[u8]) -> Result<PrivateKey, String> {
        if let Ok(k) = rsa::PrivateKey::from_pkcs8_der(der) {
            return Ok(PrivateKey::Rsa(k));
        }
        if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Ok(PrivateKey::P256(k));
        }
        if let Ok(k) = p384::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Ok(PrivateKey::P384(k));
        }
        Err("the private key is neither RSA nor EC on P-256 or P-384".into())
    }

    /// The public key, as a SubjectPublicKeyInfo (DER).
    pub fn public_spki(&self) -> Result<Vec<u8>, String> {
        let doc = match self {
            PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            PrivateKey::P256(k) => k.verifying_key().to_public_key_der(),
            PrivateKey::P384(k) => k.verifying_key().to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec()).map_err(|e| e.to_string())
    }

    /// The digest and signature algorithm it signs with, and the extension
    /// of its signature block file: SHA-256 with RSA (`.RSA`), SHA-256 with
    /// ECDSA on P-256, SHA-384 on P-384 (`.EC`).
    pub fn algorithms(&self) -> (DigestAlg, Oid, &'static str) {
        match self {
            PrivateKey::Rsa(_) => (DigestAlg::Sha256, oid::RSA, "RSA"),
            PrivateKey::P256(_) => (DigestAlg::Sha256, oid::ECDSA_SHA256, "EC"),
            PrivateKey::P384(_) => (DigestAlg::Sha384, oid::ECDSA_SHA384, "EC"),
        }
    }

    /// Signs `message` with the key's digest: PKCS#1 v1.5 for RSA, DER
    /// ECDSA signatures for EC.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let (alg, _, _) = self.algorithms();
        let hashed = alg.digest(message);
        let err = |e: &dyn std::fmt::Display| format!("signing failed: {e}");
        match self {
            PrivateKey::Rsa(k) => k
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed)
                .map_err(|e| err(&e)),
            PrivateKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&hashed).map_err(|e| err(&e))?;
                Ok(s.to_der().as_bytes().to_vec())
            }
            PrivateKey::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign_prehash(&hashed).map_err(|e| err(&e))?;
                Ok(s.to_der().as_bytes().to_vec())
            }
        }
    }
}

/// The digest a signature algorithm names, or `digest` for the bare key
/// algorithms (`rsaEncryption`, `id-ecPublicKey`) that leave it to the
/// signer info.
fn signature_digest(sig_alg: &Oid, digest: Option<DigestAlg>) -> Option<DigestAlg> {
    let named = [
        (oid::SHA1_RSA, DigestAlg::Sha1),
        (oid::SHA224_RSA, DigestAlg::Sha224),
        (oid::SHA256_RSA, DigestAlg::Sha256),
        (oid::SHA384_RSA, DigestAlg::Sha384),
        (oid::SHA512_RSA, DigestAlg::Sha512),
        (oid::ECDSA_SHA1, DigestAlg::Sha1),
        (oid::ECDSA_SHA224, DigestAlg::Sha224),
        (oid::ECDSA_SHA256, DigestAlg::Sha256),
        (oid::ECDSA_SHA384, DigestAlg::Sha384),
        (oid::ECDSA_SHA512, DigestAlg::Sha512),
    ];
    match named.iter().find(|(o, _)| o == sig_alg) {
        Some((_, d)) => Some(*d),
        None if *sig_alg == oid::RSA || *sig_alg == oid::EC_PUBLIC_KEY => digest,
        None => None,
    }
}

/// Checks `signature` over `message` with the public key `spki` (DER), for
/// the signature algorithm `sig_alg` (and the signer's `digest` where the
/// algorithm does not name one).
pub(crate) fn verify(
    spki: &[u8],
    sig_alg: &Oid,
    digest: Option<DigestAlg>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let alg = signature_digest(sig_alg, digest).ok_or_else(|| format!("unsupported signature algorithm {sig_alg}"))?;
    let hashed = alg.digest(message);
    let info = SubjectPublicKeyInfoRef::from_der(spki).map_err(|e| format!("unreadable public key: {e}"))?;
    let bad = |e: &dyn std::fmt::Display| format!("the signature does not verify ({e})");
    match info.algorithm.oid {
        o if o == oid::RSA => {
            let key = rsa::PublicKey::from_public_key_der(spki).map_err(|e| format!("unreadable RSA key: {e}"))?;
            let scheme = match alg {
                DigestAlg::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                DigestAlg::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            key.verify(scheme, &hashed, signature).map_err(|e| bad(&e))
        }
        o if o == oid::EC_PUBLIC_KEY => match info.algorithm.parameters_oid() {
            Ok(c) if c == oid::P256 => {
                let key = p256::ecdsa::VerifyingKey::from_public_key_der(spki).map_err(|e| bad(&e))?;
                let sig = p256::ecdsa::Signature::from_der(signature).map_err(|e| bad(&e))?;
                key.verify_prehash(&hashed, &sig).map_err(|e| bad(&e))
            }
            Ok(c) if c == oid::P384 => {
                let key = p384::ecdsa::VerifyingKey::from_public_key_der(spki).map_err(|e| bad(&e))?;
                let sig = p384::ecdsa::Signature::from_der(signature).map_err(|e| bad(&e))?;
                key.verify_prehash(&hashed, &sig).map_err(|e| bad(&e))
            }
            _ => Err("EC keys on curves other than P-256 and P-384 are not supported".into()),
        },
        o if o == oid::DSA => Err("DSA signatures are not supported".into()),
        o => Err(format!("unsupported key algorithm {o}")),
    }
}

/// Checks that certificate `cert` was signed by the key in `issuer_spki`.
pub(crate) fn verify_certificate(cert: &x509_cert::Certificate, issuer_spki: &[u8]) -> Result<(), String> {
    let tbs = cert.tbs_certificate().to_der().map_err(|e| e.to_string())?;
    let sig = cert
        .signature()
        .as_bytes()
        .ok_or("the certificate's signature is not a whole number of bytes")?;
    verify(issuer_spki, &cert.signature_algorithm().oid, None, &tbs, sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_digest_round_trips_its_oid() {
        for a in DigestAlg::ALL {
            assert_eq!(DigestAlg::from_oid(&a.oid()), Some(a));
        }
        assert_eq!(
            signature_digest(&oid::RSA, Some(DigestAlg::Sha384)),
            Some(DigestAlg::Sha384)
        );
        assert_eq!(signature_digest(&oid::SHA512_RSA, None), Some(DigestAlg::Sha512));
        assert_eq!(signature_digest(&oid::DATA, None), None);
    }

    #[test]
    fn ec_keys_sign_and_verify() {
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let pk = PrivateKey::P256(key);
        let spki = pk.public_spki().unwrap();
        let sig = pk.sign(b"message").unwrap();
        verify(&spki, &oid::ECDSA_SHA256, None, b"message", &sig).unwrap();
        assert!(verify(&spki, &oid::ECDSA_SHA256, None, b"other", &sig).is_err());
        assert_eq!(key_kind(&spki).to_string(), "EC P-256");
    }
}
