//! The manifest format of signed JARs, shared by `META-INF/MANIFEST.MF` and
//! the signature files (`META-INF/*.SF`): sections of `Name: value`
//! attributes separated by blank lines, lines of at most 72 bytes continued
//! by a leading space, CRLF, LF or CR line ends.
//!
//! Parsing keeps every byte range, because the digests of a signature cover
//! the raw bytes of whole sections, and because an edit must change nothing
//! but the digest values it replaces. Own code: no crate reads this format
//! while keeping the byte ranges (the JDK's `ManifestDigester` does the same).

use std::ops::Range;

use base64ct::{Base64, Encoding};

/// The longest line in bytes, line end excluded.
const LINE: usize = 72;

/// A digest algorithm a signed JAR may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum DigestAlg {
    /// SHA-1.
    #[serde(rename = "SHA-1")]
    Sha1,
    /// SHA-224.
    #[serde(rename = "SHA-224")]
    Sha224,
    /// SHA-256.
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl DigestAlg {
    /// Every algorithm, weakest first.
    pub const ALL: [DigestAlg; 5] = [
        DigestAlg::Sha1,
        DigestAlg::Sha224,
        DigestAlg::Sha256,
        DigestAlg::Sha384,
        DigestAlg::Sha512,
    ];

    /// The algorithm named in an attribute name (`SHA-256`, `SHA256`, `SHA1`, …).
    pub fn from_name(name: &str) -> Option<DigestAlg> {
        let folded: String = name
            .chars()
            .filter(|c| *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        match folded.as_str() {
            "SHA1" => Some(DigestAlg::Sha1),
            "SHA224" => Some(DigestAlg::Sha224),
            "SHA256" => Some(DigestAlg::Sha256),
            "SHA384" => Some(DigestAlg::Sha384),
            "SHA512" => Some(DigestAlg::Sha512),
            _ => None,
        }
    }

    /// The name as Java writes it in attribute names.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlg::Sha1 => "SHA1",
            DigestAlg::Sha224 => "SHA-224",
            DigestAlg::Sha256 => "SHA-256",
            DigestAlg::Sha384 => "SHA-384",
            DigestAlg::Sha512 => "SHA-512",
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finish()
    }

    /// The base64 digest of `data`, as attributes hold it.
    pub fn digest_b64(self, data: &[u8]) -> String {
        Base64::encode_string(&self.digest(data))
    }
}

impl std::fmt::Display for DigestAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DigestAlg::Sha1 => "SHA-1",
            other => other.name(),
        })
    }
}

/// A running digest of any [`DigestAlg`].
pub enum Hasher {
    /// SHA-1.
    Sha1(sha1::Sha1),
    /// SHA-224.
    Sha224(sha2::Sha224),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-384.
    Sha384(sha2::Sha384),
    /// SHA-512.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// A new digest.
    pub fn new(alg: DigestAlg) -> Hasher {
        use sha2::Digest;
        match alg {
            DigestAlg::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            DigestAlg::Sha224 => Hasher::Sha224(sha2::Sha224::new()),
            DigestAlg::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlg::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            DigestAlg::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        use sha2::Digest;
        match self {
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha224(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        use sha2::Digest;
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha224(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

/// One attribute: `name: value`, possibly over several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// The name, as written.
    pub name: String,
    /// The value, continuation lines joined.
    pub value: String,
    /// The byte ranges of the value's pieces (one per line).
    pub pieces: Vec<Range<usize>>,
}

/// A section: the main one, or one per `Name:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Its bytes, up to and including the blank line that ends it (or to the
    /// end of the file).
    pub range: Range<usize>,
    /// Its attributes, in order.
    pub attrs: Vec<Attr>,
}

impl Section {
    /// The value of the attribute `name` (ASCII case ignored).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attr(name).map(|a| a.value.as_str())
    }

    /// The attribute `name` (ASCII case ignored).
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The entry this section describes (`Name:`), for per-entry sections.
    pub fn name(&self) -> Option<&str> {
        self.get("Name")
    }

    /// The digests of this section ending in `suffix` (`-Digest`,
    /// `-Digest-Manifest`, …), by algorithm; unknown algorithms are skipped.
    pub fn digests(&self, suffix: &str) -> Vec<(DigestAlg, &Attr)> {
        self.attrs
            .iter()
            .filter_map(|a| {
                let cut = a.name.len().checked_sub(suffix.len())?;
                let (alg, end) = (a.name.get(..cut)?, a.name.get(cut..)?);
                if !end.eq_ignore_ascii_case(suffix) {
                    return None;
                }
                Some((DigestAlg::from_name(alg)?, a))
            })
            .collect()
    }
}

/// A manifest or signature file, parsed with its byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The main section first, then one per entry.
    pub sections: Vec<Section>,
    /// The line end it uses (that of its first line), for what is added.
    pub newline: &'static str,
}

/// What is wrong with a manifest.
pub type ManifestError = String;

impl Manifest {
    /// Parses `bytes`. Lines are split at CRLF, LF or CR; a line starting
    /// with a space continues the one before.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        let mut sections = Vec::new();
        let mut attrs: Vec<Attr> = Vec::new();
        let mut start = 0;
        let mut at = 0;
        let mut newline = "\r\n";
        let mut first_line = true;
        while at < bytes.len() {
            let rest = bytes.get(at..).unwrap_or_default();
            let len = rest
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .unwrap_or(rest.len());
            let eol = match rest.get(len..) {
                Some([b'\r', b'\n', ..]) => 2,
                Some([_, ..]) => 1,
                _ => 0,
            };
            if first_line && eol > 0 {
                newline = match rest.get(len..len + eol) {
                    Some(b"\r\n") => "\r\n",
                    Some(b"\n") => "\n",
                    _ => "\r",
                };
                first_line = false;
            }
            let line = at..at + len;
            at += len + eol;
            if len == 0 {
                // A blank line ends a section (several in a row: one end).
                if !attrs.is_empty() {
                    sections.push(Section {
                        range: start..at,
                        attrs: std::mem::take(&mut attrs),
                    });
                }
                start = at;
                continue;
            }
            let text = bytes.get(line.clone()).unwrap_or_default();
            if text.first() == Some(&b' ') {
                let Some(last) = attrs.last_mut() else {
                    return Err(format!(
                        "byte {}: a continuation line with no attribute before it",
                        line.start
                    ));
                };
                let piece = line.start + 1..line.end;
                last.value.push_str(&utf8(bytes, piece.clone())?);
                last.pieces.push(piece);
                continue;
            }
            let Some(colon) = text.windows(2).position(|w| w == b": ") else {
                return Err(format!("byte {}: a line that is not `name: value`", line.start));
            };
            let name = utf8(bytes, line.start..line.start + colon)?;
            let piece = line.start + colon + 2..line.end;
            attrs.push(Attr {
                name,
                value: utf8(bytes, piece.clone())?,
                pieces: vec![piece],
            });
        }
        if !attrs.is_empty() {
            sections.push(Section {
                range: start..bytes.len(),
                attrs,
            });
        }
        if sections.is_empty() {
            sections.push(Section {
                range: 0..bytes.len(),
                attrs: Vec::new(),
            });
        }
        Ok(Manifest { sections, newline })
    }

    /// The main section.
    pub fn main(&self) -> Option<&Section> {
        self.sections.first()
    }

    /// The per-entry sections.
    pub fn entries(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().skip(1)
    }

    /// The section of entry `name`.
    pub fn entry(&self, name: &str) -> Option<&Section> {
        self.entries().find(|s| s.name() == Some(name))
    }
}

fn utf8(bytes: &[u8], range: Range<usize>) -> Result<String, ManifestError> {
    let at = range.start;
    let b = bytes.get(range).unwrap_or_default();
    std::str::from_utf8(b)
        .map(str::to_string)
        .map_err(|_| format!("byte {at}: not UTF-8"))
}

/// Byte edits to a manifest: new values for attributes, written over the
/// old value's bytes. A value of the same length (a digest of the same
/// algorithm) keeps the line breaks exactly; another length rewrites the
/// attribute's lines.
#[derive(Debug, Default)]
pub struct Edits {
    /// (attribute, new value), applied in byte order.
    values: Vec<(Attr, String)>,
    /// Text added at the end.
    appended: String,
}

impl Edits {
    /// Sets `attr` to `value`.
    pub fn set(&mut self, attr: &Attr, value: String) {
        if attr.value != value {
            self.values.push((attr.clone(), value));
        }
    }

    /// Adds text at the end (new sections).
    pub fn append(&mut self, text: &str) {
        self.appended.push_str(text);
    }

    /// `bytes` with the edits.
    pub fn apply(mut self, bytes: &[u8], newline: &str) -> Vec<u8> {
        self.values
            .sort_by_key(|(a, _)| a.pieces.first().map_or(0, |p| p.start));
        let mut out = Vec::with_capacity(bytes.len() + self.appended.len());
        let mut at = 0;
        for (attr, value) in &self.values {
            let (Some(first), Some(last)) = (attr.pieces.first(), attr.pieces.last()) else {
                continue;
            };
            if first.start < at {
                continue;
            }
            if value.len() == attr.value.len() {
                // Same length: the new bytes go where the old ones were.
                let mut new = value.as_bytes();
                for piece in &attr.pieces {
                    out.extend_from_slice(bytes.get(at..piece.start).unwrap_or_default());
                    let n = piece.len().min(new.len());
                    out.extend_from_slice(new.get(..n).unwrap_or_default());
                    new = new.get(n..).unwrap_or_default();
                    at = piece.end;
                }
            } else {
                // Another length: the attribute's lines written anew.
                let name_start = first.start.saturating_sub(attr.name.len() + 2);
                out.extend_from_slice(bytes.get(at..name_start).unwrap_or_default());
                let mut text = String::new();
                write_attr(&mut text, &attr.name, value, newline);
                let trimmed = text.strip_suffix(newline).unwrap_or(&text);
                out.extend_from_slice(trimmed.as_bytes());
                at = last.end;
            }
        }
        out.extend_from_slice(bytes.get(at..).unwrap_or_default());
        if !self.appended.is_empty() {
            // New sections start after a blank line.
            if !out.is_empty() && !ends_with_blank_line(&out) {
                if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
                    out.extend_from_slice(newline.as_bytes());
                }
                out.extend_from_slice(newline.as_bytes());
            }
            out.extend_from_slice(self.appended.as_bytes());
        }
        out
    }
}

fn ends_with_blank_line(b: &[u8]) -> bool {
    b.ends_with(b"\r\n\r\n") || b.ends_with(b"\n\n") || b.ends_with(b"\r\r")
}

/// Writes `name: value` and its line end, in lines of at most 72 bytes
/// (continuations start with a space), never splitting a character.
pub fn write_attr(out: &mut String, name: &str, value: &str, newline: &str) {
    let full = format!("{name}: {value}");
    let mut line_len = 0;
    let mut first = true;
    for c in full.chars() {
        let limit = if first { LINE } else { LINE - 1 };
        if line_len + c.len_utf8() > limit {
            out.push_str(newline);
            out.push(' ');
            line_len = 0;
            first = false;
        }
        out.push(c);
        line_len += c.len_utf8();
    }
    out.push_str(newline);
}

#[cfg(test)]
mod tests {
    use super::*;

    const MF: &[u8] = b"Manifest-Version: 1.0\r\nCreated-By: 17.0.15 (Debian)\r\n\r\nName: UsersProcDeactivate.bpmn20.xm\r\n l\r\nSHA-256-Digest: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\r\n\r\nName: b.txt\r\nSHA-256-Digest: AAAAQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\r\n\r\n";

    #[test]
    fn sections_keep_their_byte_ranges() {
        let m = Manifest::parse(MF).unwrap();
        assert_eq!(m.sections.len(), 3);
        let main = m.main().unwrap();
        assert_eq!(
            &MF[main.range.clone()],
            b"Manifest-Version: 1.0\r\nCreated-By: 17.0.15 (Debian)\r\n\r\n"
        );
        let a = m.entry("UsersProcDeactivate.bpmn20.xml").unwrap();
        assert!(MF[a.range.clone()].starts_with(b"Name: Users"));
        assert!(MF[a.range.clone()].ends_with(b"=\r\n\r\n"));
        assert_eq!(a.digests("-Digest")[0].0, DigestAlg::Sha256);
        assert_eq!(m.newline, "\r\n");
    }

    #[test]
    fn a_digest_is_replaced_in_place() {
        let m = Manifest::parse(MF).unwrap();
        let (_, attr) = m.entry("b.txt").unwrap().digests("-Digest")[0];
        let mut e = Edits::default();
        e.set(attr, "BBBBQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into());
        let out = e.apply(MF, "\r\n");
        assert_eq!(out.len(), MF.len());
        let diff: Vec<usize> = (0..MF.len()).filter(|&i| MF[i] != out[i]).collect();
        assert_eq!(diff.len(), 4);
        // Over a line break too.
        let long =
            b"Manifest-Version: 1.0\n\nName: x\nSHA-256-Digest: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF\n U=\n\n";
        let m = Manifest::parse(long).unwrap();
        let (_, attr) = m.entry("x").unwrap().digests("-Digest")[0];
        assert_eq!(attr.value, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        let mut e = Edits::default();
        e.set(attr, "ZZZZQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuZZ=".into());
        assert_eq!(
            e.apply(long, "\n"),
            b"Manifest-Version: 1.0\n\nName: x\nSHA-256-Digest: ZZZZQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuZ\n Z=\n\n"
        );
    }

    #[test]
    fn long_lines_wrap_at_72_bytes() {
        let mut s = String::new();
        write_attr(&mut s, "Name", &"é".repeat(50), "\r\n");
        for line in s.split("\r\n") {
            assert!(line.len() <= 72, "{line}");
        }
        let m = Manifest::parse(s.as_bytes()).unwrap();
        assert_eq!(m.sections[0].get("name").unwrap(), "é".repeat(50));
    }

    #[test]
    fn bad_lines_are_errors() {
        assert!(Manifest::parse(b"Manifest-Version 1.0\r\n").is_err());
        assert!(Manifest::parse(b" x\r\n").is_err());
        assert!(Manifest::parse(b"").is_ok());
    }
}
