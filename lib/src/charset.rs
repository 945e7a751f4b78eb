//! The document's character encoding: detection, decoding to UTF-8 with a
//! map back to the original byte offsets, and encoding of new values.
//!
//! The XML reader works on UTF-8 text. A document in another encoding is
//! decoded once into a UTF-8 working copy; every span found in that copy is
//! mapped back to the original bytes through [`Decoded::original_offset`], so
//! that splices land on the original buffer and every other byte stays as it
//! was.

use std::borrow::Cow;

use encoding_rs::Encoding;

use crate::error::{Error, Position};

/// A character encoding that procpatch reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(into = "String")]
pub enum Charset {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// ISO-8859-1 (Latin-1): every byte is the code point of the same value.
    Latin1,
    /// US-ASCII: bytes 0..=127 only.
    Ascii,
    /// Any other single-byte or multi-byte encoding known to `encoding_rs`
    /// (windows-1252 among them).
    Other(&'static Encoding),
}

impl Charset {
    /// The name procpatch shows for this encoding.
    pub fn name(&self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Utf16Le => "UTF-16LE",
            Charset::Utf16Be => "UTF-16BE",
            Charset::Latin1 => "ISO-8859-1",
            Charset::Ascii => "US-ASCII",
            Charset::Other(enc) => enc.name(),
        }
    }

    /// Whether `c` can be written literally in this encoding. Characters that
    /// cannot are written as numeric character references.
    pub fn can_encode(&self, c: char) -> bool {
        match self {
            Charset::Utf8 | Charset::Utf16Le | Charset::Utf16Be => true,
            Charset::Latin1 => (c as u32) <= 0xFF,
            Charset::Ascii => c.is_ascii(),
            Charset::Other(enc) => {
                let mut buf = [0u8; 4];
                let s: &str = c.encode_utf8(&mut buf);
                let (_, _, unmappable) = enc.encode(s);
                !unmappable
            }
        }
    }

    /// Encodes markup that holds only characters for which
    /// [`Charset::can_encode`] is true.
    pub(crate) fn encode(&self, s: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => s.as_bytes().to_vec(),
            Charset::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Charset::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            // `as u8` is exact here: the escaper has already replaced every
            // character above the charset's range with a character reference.
            Charset::Latin1 | Charset::Ascii => s.chars().map(|c| c as u32 as u8).collect(),
            Charset::Other(enc) => enc.encode(s).0.into_owned(),
        }
    }

    /// How many bytes `c` takes in the original document.
    fn width(&self, c: char) -> usize {
        match self {
            Charset::Utf8 => c.len_utf8(),
            Charset::Utf16Le | Charset::Utf16Be => c.len_utf16() * 2,
            Charset::Latin1 | Charset::Ascii => 1,
            Charset::Other(enc) => {
                let mut buf = [0u8; 4];
                enc.encode(c.encode_utf8(&mut buf)).0.len()
            }
        }
    }
}

impl From<Charset> for String {
    fn from(c: Charset) -> String {
        c.name().to_string()
    }
}

/// A document decoded to UTF-8, with the way back to its original bytes.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    /// The UTF-8 working copy.
    pub text: Cow<'a, str>,
    /// The document's encoding.
    pub charset: Charset,
    /// Length of the byte-order mark in the original bytes.
    pub bom_len: usize,
    /// Checkpoints `(text offset, original offset)`, sorted, with the first at
    /// `(0, bom_len)`. Between two checkpoints every character has the same
    /// width in both buffers, so offsets advance together.
    checkpoints: Vec<(usize, usize)>,
}

impl<'a> Decoded<'a> {
    /// Detects the encoding (byte-order mark, then the XML declaration) and
    /// decodes `bytes`.
    pub fn new(bytes: &'a [u8]) -> Result<Self, Error> {
        let (charset, bom_len) = detect(bytes)?;
        let body = bytes.get(bom_len..).unwrap_or_default();
        let text: Cow<'a, str> = match charset {
            Charset::Utf8 => match std::str::from_utf8(body) {
                Ok(s) => Cow::Borrowed(s),
                Err(e) => return Err(undecodable(bytes, charset, bom_len + e.valid_up_to())),
            },
            Charset::Latin1 => Cow::Owned(body.iter().map(|&b| char::from(b)).collect()),
            Charset::Ascii => match body.iter().position(|b| !b.is_ascii()) {
                Some(at) => return Err(undecodable(bytes, charset, bom_len + at)),
                // ASCII is valid UTF-8, so this cannot fail; the error arm
                // keeps the library free of panics all the same.
                None => Cow::Borrowed(
                    std::str::from_utf8(body).map_err(|e| undecodable(bytes, charset, bom_len + e.valid_up_to()))?,
                ),
            },
            Charset::Utf16Le | Charset::Utf16Be | Charset::Other(_) => {
                let enc = match charset {
                    Charset::Utf16Le => encoding_rs::UTF_16LE,
                    Charset::Utf16Be => encoding_rs::UTF_16BE,
                    Charset::Other(enc) => enc,
                    _ => encoding_rs::UTF_8,
                };
                match enc.decode_without_bom_handling_and_without_replacement(body) {
                    Some(s) => Cow::Owned(s.into_owned()),
                    None => {
                        let at = first_undecodable(enc, body);
                        return Err(undecodable(bytes, charset, bom_len + at));
                    }
                }
            }
        };
        let mut checkpoints = vec![(0, bom_len)];
        if charset != Charset::Utf8 {
            let mut orig = bom_len;
            for (i, c) in text.char_indices() {
                let (w8, wo) = (c.len_utf8(), charset.width(c));
                orig += wo;
                if w8 != wo {
                    checkpoints.push((i + w8, orig));
                }
            }
        }
        Ok(Decoded {
            text,
            charset,
            bom_len,
            checkpoints,
        })
    }

    /// Maps an offset in the UTF-8 working copy to the original bytes.
    pub fn original_offset(&self, text_offset: usize) -> usize {
        let i = self
            .checkpoints
            .partition_point(|&(t, _)| t <= text_offset)
            .saturating_sub(1);
        let (t, o) = self.checkpoints.get(i).copied().unwrap_or((0, self.bom_len));
        o + (text_offset - t.min(text_offset))
    }
}

impl Decoded<'_> {
    /// Maps an offset in the original bytes to the UTF-8 working copy.
    pub fn text_offset(&self, original: usize) -> usize {
        let i = self
            .checkpoints
            .partition_point(|&(_, o)| o <= original)
            .saturating_sub(1);
        let (t, o) = self.checkpoints.get(i).copied().unwrap_or((0, self.bom_len));
        (t + original.saturating_sub(o)).min(self.text.len())
    }
}

fn undecodable(bytes: &[u8], charset: Charset, at: usize) -> Error {
    Error::Undecodable {
        encoding: charset.name(),
        offset: at,
        position: Position::of_bytes(bytes, at),
    }
}

/// Finds the offset of the first byte sequence `enc` cannot decode.
fn first_undecodable(enc: &'static Encoding, body: &[u8]) -> usize {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(body.len() * 3 + 16);
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => read.saturating_sub(usize::from(bad) + usize::from(after)),
        _ => read,
    }
}

/// Detects the encoding from the byte-order mark, the first bytes (XML 1.0
/// appendix F) and the encoding declaration.
fn detect(bytes: &[u8]) -> Result<(Charset, usize), Error> {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => return check_declared(bytes, Charset::Utf8, 3),
        [0xFF, 0xFE, ..] => return Ok((Charset::Utf16Le, 2)),
        [0xFE, 0xFF, ..] => return Ok((Charset::Utf16Be, 2)),
        [b'<', 0, b'?', 0, ..] => return Ok((Charset::Utf16Le, 0)),
        [0, b'<', 0, b'?', ..] => return Ok((Charset::Utf16Be, 0)),
        _ => {}
    }
    match declared_encoding(bytes) {
        None => Ok((Charset::Utf8, 0)),
        Some(label) => Ok((charset_for_label(label, bytes)?, 0)),
    }
}

/// With a UTF-8 byte-order mark, a declaration may only say UTF-8.
fn check_declared(bytes: &[u8], charset: Charset, bom: usize) -> Result<(Charset, usize), Error> {
    match declared_encoding(bytes.get(bom..).unwrap_or_default()) {
        Some(label) if !label.eq_ignore_ascii_case(b"utf-8") && !label.eq_ignore_ascii_case(b"utf8") => {
            Err(Error::EncodingMismatch {
                declared: String::from_utf8_lossy(label).into_owned(),
                detected: charset.name(),
            })
        }
        _ => Ok((charset, bom)),
    }
}

fn charset_for_label(label: &[u8], bytes: &[u8]) -> Result<Charset, Error> {
    let lower = label.to_ascii_lowercase();
    // encoding_rs follows the WHATWG Encoding Standard, which treats
    // "ISO-8859-1" and "US-ASCII" as windows-1252. XML means the real
    // ISO-8859-1 and ASCII, so those two are handled here.
    let charset = match lower.as_slice() {
        b"utf-8" | b"utf8" => Charset::Utf8,
        b"iso-8859-1" | b"iso8859-1" | b"iso_8859-1" | b"latin1" | b"l1" | b"iso-ir-100" | b"cp819" | b"ibm819" => {
            Charset::Latin1
        }
        b"us-ascii" | b"ascii" | b"ansi_x3.4-1968" | b"iso646-us" => Charset::Ascii,
        b"utf-16" | b"utf-16le" | b"utf-16be" => {
            // The bytes are ASCII-compatible (no BOM, no zero bytes found at
            // the start), so the declaration cannot be true.
            return Err(Error::EncodingMismatch {
                declared: String::from_utf8_lossy(label).into_owned(),
                detected: "an ASCII-compatible encoding",
            });
        }
        _ => match Encoding::for_label(label) {
            Some(enc) if enc == encoding_rs::UTF_8 => Charset::Utf8,
            // Every encoding_rs encoding but UTF-16, ISO-2022-JP (stateful)
            // and "replacement" is ASCII-compatible and stateless, which the
            // offset map relies on.
            Some(enc)
                if enc != encoding_rs::REPLACEMENT
                    && enc != encoding_rs::ISO_2022_JP
                    && enc != encoding_rs::UTF_16LE
                    && enc != encoding_rs::UTF_16BE =>
            {
                Charset::Other(enc)
            }
            _ => {
                return Err(Error::UnsupportedEncoding {
                    label: String::from_utf8_lossy(label).into_owned(),
                    position: Position::of_bytes(bytes, 0),
                })
            }
        },
    };
    Ok(charset)
}

/// Reads the `encoding` pseudo-attribute of an XML declaration at the start
/// of `bytes`, if there is one.
///
/// Hand-written because the XML reader needs to know the encoding before it
/// can read anything, and quick-xml's own detection (its `encoding` feature)
/// maps ISO-8859-1 to windows-1252.
fn declared_encoding(bytes: &[u8]) -> Option<&[u8]> {
    let decl = bytes.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = decl.get(..end)?;
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = decl.get(at + 8..)?;
    let rest = trim_ascii_start(rest).strip_prefix(b"=")?;
    let rest = trim_ascii_start(rest);
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = rest.get(1..)?;
    let close = value.iter().position(|&b| b == quote)?;
    value.get(..close)
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    b.get(n..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_maps_identity_after_bom() {
        let d = Decoded::new(b"\xEF\xBB\xBF<a/>").unwrap();
        assert_eq!(d.charset, Charset::Utf8);
        assert_eq!(&*d.text, "<a/>");
        assert_eq!(d.original_offset(0), 3);
        assert_eq!(d.original_offset(4), 7);
    }

    #[test]
    fn latin1_is_real_latin1_and_maps_offsets() {
        let src = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xE9\x80x</a>";
        let d = Decoded::new(src).unwrap();
        assert_eq!(d.charset, Charset::Latin1);
        assert!(d.text.contains("\u{e9}\u{80}x"));
        let x = d.text.find('x').unwrap();
        assert_eq!(src[d.original_offset(x)], b'x');
        assert!(!Charset::Latin1.can_encode('€'));
    }

    #[test]
    fn utf16_with_bom_maps_offsets() {
        let s = "<a>é😀x</a>";
        let mut src = vec![0xFF, 0xFE];
        src.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        let d = Decoded::new(&src).unwrap();
        assert_eq!(&*d.text, s);
        let x = s.find('x').unwrap();
        assert_eq!(d.original_offset(x), 2 + 2 * (3 + 1 + 2));
        assert_eq!(Charset::Utf16Le.encode("x"), vec![b'x', 0]);
    }

    #[test]
    fn bad_utf8_is_reported_at_its_offset() {
        let err = Decoded::new(b"<a>\n\xFF</a>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "byte 4 (line 2, column 1) is not valid UTF-8; declare the document's real encoding"
        );
    }
}
