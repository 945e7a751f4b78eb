//! The signature block (`META-INF/*.RSA`, `*.EC`, `*.DSA`): a detached CMS
//! `SignedData` over the bytes of the signature file. The CMS types and
//! their DER encoding are the `cms` crate's; this module fills them in as
//! `jarsigner` does (signed attributes: content type, signing time, message
//! digest) and checks them as `jarsigner -verify` does.

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

use super::crypto::{self, oid, PrivateKey};
use super::manifest::DigestAlg;

/// A signature block checked against its signature file.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// The signer's certificate.
    pub signer: Certificate,
    /// Every certificate the block carries.
    pub certificates: Vec<Certificate>,
    /// The digest the signer used.
    pub digest: Option<DigestAlg>,
    /// The signing time, if the block says.
    pub signing_time: Option<SystemTime>,
}

fn attribute(o: der::asn1::ObjectIdentifier, value: Any) -> Result<Attribute, String> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(|e| e.to_string())?;
    Ok(Attribute { oid: o, values })
}

fn any(value: &impl Encode) -> Result<Any, String> {
    let der = value.to_der().map_err(|e| e.to_string())?;
    Any::from_der(&der).map_err(|e| e.to_string())
}

/// A signature block over `sf` by `key`, carrying `chain` (DER, the
/// signer's certificate first), signed at `time`.
pub(crate) fn sign(sf: &[u8], key: &PrivateKey, chain: &[Vec<u8>], time: SystemTime) -> Result<Vec<u8>, String> {
    let err = |e: der::Error| e.to_string();
    let certs: Vec<Certificate> = chain
        .iter()
        .map(|c| Certificate::from_der(c).map_err(err))
        .collect::<Result<_, _>>()?;
    let signer = certs.first().ok_or("the key has no certificate")?;
    let (digest, sig_alg, _) = key.algorithms();
    let digest_id = AlgorithmIdentifierOwned {
        oid: digest.oid(),
        parameters: None,
    };
    let signing_time = UtcTime::from_system_time(time).map_err(err)?;
    let mut attrs = SetOfVec::new();
    for a in [
        attribute(oid::CONTENT_TYPE, any(&oid::DATA)?)?,
        attribute(oid::SIGNING_TIME, any(&signing_time)?)?,
        attribute(
            oid::MESSAGE_DIGEST,
            any(&OctetString::new(digest.digest(sf)).map_err(err)?)?,
        )?,
    ] {
        attrs.insert(a).map_err(err)?;
    }
    // The signature covers the DER of the attributes as a SET OF.
    let signature = key.sign(&attrs.to_der().map_err(err)?)?;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer.tbs_certificate().issuer().clone(),
            serial_number: signer.tbs_certificate().serial_number().clone(),
        }),
        digest_alg: digest_id.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: sig_alg,
            // rsaEncryption takes NULL parameters; ECDSA none.
            parameters: (sig_alg == oid::RSA).then_some(Any::null()),
        },
        signature: OctetString::new(signature).map_err(err)?,
        unsigned_attrs: None,
    };
    let mut digests = SetOfVec::new();
    digests.insert(digest_id).map_err(err)?;
    let mut set = SetOfVec::new();
    for c in certs {
        set.insert(CertificateChoices::Certificate(c)).map_err(err)?;
    }
    let mut infos = SetOfVec::new();
    infos.insert(signer_info).map_err(err)?;
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(set)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    let info = ContentInfo {
        content_type: oid::SIGNED_DATA,
        content: any(&signed)?,
    };
    info.to_der().map_err(err)
}

/// Reads the block and checks its (first) signer's signature over `sf`.
/// The error says what does not hold, and carries the signer's certificate
/// when the block could be read that far.
pub(crate) fn check(block: &[u8], sf: &[u8]) -> Result<Checked, Box<(String, Option<Certificate>)>> {
    let bare = |m: String| Box::new((m, None));
    let info = ContentInfo::from_der(block).map_err(|e| bare(format!("the signature block is not CMS: {e}")))?;
    if info.content_type != oid::SIGNED_DATA {
        return Err(bare(format!(
            "the signature block holds {}, not SignedData",
            info.content_type
        )));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| bare(format!("the signature block's SignedData does not parse: {e}")))?;
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let si = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| bare("the signature block has no signer".into()))?;
    let signer = find_signer(&si.sid, &certificates)
        .ok_or_else(|| bare("the signature block lacks its signer's certificate".into()))?;
    let fail = |m: String| Box::new((m, Some(signer.clone())));
    let digest = DigestAlg::from_oid(&si.digest_alg.oid);
    let spki = signer
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| fail(e.to_string()))?;
    let mut signing_time = None;
    let message = match &si.signed_attrs {
        Some(attrs) => {
            let d = digest.ok_or_else(|| fail(format!("unsupported digest algorithm {}", si.digest_alg.oid)))?;
            let value = |o| attrs.iter().find(|a| a.oid == o).and_then(|a| a.values.iter().next());
            let md = value(oid::MESSAGE_DIGEST)
                .ok_or_else(|| fail("the signed attributes lack the message digest".into()))?;
            let md = md
                .decode_as::<OctetString>()
                .map_err(|e| fail(format!("the message digest does not parse: {e}")))?;
            if md.as_bytes() != d.digest(sf).as_slice() {
                return Err(fail(
                    "the signature file changed after signing (its digest does not match the block)".into(),
                ));
            }
            if let Some(ct) = value(oid::CONTENT_TYPE) {
                if ct.decode_as::<der::asn1::ObjectIdentifier>().ok() != Some(oid::DATA) {
                    return Err(fail("the signed content type is not data".into()));
                }
            }
            signing_time = value(oid::SIGNING_TIME)
                .and_then(|t| x509_cert::time::Time::from_der(&t.to_der().ok()?).ok())
                .map(|t| t.to_system_time());
            attrs.to_der().map_err(|e| fail(e.to_string()))?
        }
        None => sf.to_vec(),
    };
    crypto::verify(
        &spki,
        &si.signature_algorithm.oid,
        digest,
        &message,
        si.signature.as_bytes(),
    )
    .map_err(fail)?;
    Ok(Checked {
        signer,
        certificates,
        digest,
        signing_time,
    })
}

/// The subject of the block's (first) signer, without checking anything.
pub(crate) fn signer_subject(block: &[u8]) -> Option<String> {
    let info = ContentInfo::from_der(block).ok()?;
    let signed: SignedData = info.content.decode_as().ok()?;
    let certs: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let si = signed.signer_infos.0.iter().next()?;
    find_signer(&si.sid, &certs).map(|c| c.tbs_certificate().subject().to_string())
}

fn find_signer(sid: &SignerIdentifier, certs: &[Certificate]) -> Option<Certificate> {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => certs
            .iter()
            .find(|c| {
                c.tbs_certificate().issuer() == &id.issuer && c.tbs_certificate().serial_number() == &id.serial_number
            })
            .cloned(),
        SignerIdentifier::SubjectKeyIdentifier(ski) => certs
            .iter()
            .find(|c| {
                c.tbs_certificate()
                    .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                    .ok()
                    .flatten()
                    .is_some_and(|(_, s)| s == *ski)
            })
            .cloned(),
    }
}
