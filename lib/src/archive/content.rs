//! The new content of an edited entry. A document's is its old bytes and
//! the splices planned on them, never made whole: a large document would
//! otherwise be held twice while it is written. What is made whole anyway
//! (a nested archive, a manifest, a signing's files) is held as bytes.

use std::borrow::Cow;
use std::ops::Range;

use super::error::ArchiveError;
use crate::Splice;

/// New content for an entry.
#[derive(Debug, Clone)]
pub(crate) enum Content<'n> {
    /// Old bytes with splices applied.
    Spliced {
        /// The entry's old content.
        old: &'n [u8],
        /// The splices, checked against `old` when the content is read.
        splices: &'n [Splice],
    },
    /// Bytes made whole.
    Bytes(Vec<u8>),
}

impl Content<'_> {
    /// The content as the pieces it is made of, in order.
    ///
    /// # Errors
    ///
    /// Splices that overlap or lie outside the old bytes (an internal fault).
    pub fn pieces(&self) -> Result<Vec<&[u8]>, ArchiveError> {
        match self {
            Content::Spliced { old, splices } => Ok(crate::splice::pieces(old, splices)?),
            Content::Bytes(b) => Ok(vec![b.as_slice()]),
        }
    }

    /// Its length in bytes.
    pub fn len(&self) -> Result<usize, ArchiveError> {
        Ok(self.pieces()?.iter().map(|p| p.len()).sum())
    }

    /// The bytes of `range` of the content (clamped to its end), as the
    /// parts of its pieces that lie in it, in order: borrowed, none empty.
    pub fn parts(&self, range: Range<usize>) -> Result<Vec<&[u8]>, ArchiveError> {
        let mut out = Vec::new();
        let mut at = 0usize;
        for piece in self.pieces()? {
            let end = at.saturating_add(piece.len());
            if end > range.start && at < range.end {
                let from = range.start.saturating_sub(at);
                let to = range.end.min(end).saturating_sub(at);
                out.push(piece.get(from..to).unwrap_or_default());
            }
            if end >= range.end {
                break;
            }
            at = end;
        }
        Ok(out)
    }

    /// The bytes of `range` of the content (clamped to its end), made whole.
    pub fn range(&self, range: Range<usize>) -> Result<Vec<u8>, ArchiveError> {
        Ok(self.parts(range)?.concat())
    }

    /// The bytes of `range` of the content: borrowed where the range lies
    /// within one piece (old bytes between splices, or one splice), made
    /// whole only where it spans several.
    pub fn slice(&self, range: Range<usize>) -> Result<Cow<'_, [u8]>, ArchiveError> {
        let parts = self.parts(range)?;
        Ok(match parts.as_slice() {
            [] => Cow::Borrowed(&[]),
            [one] => Cow::Borrowed(one),
            _ => Cow::Owned(parts.concat()),
        })
    }

    /// The content made whole.
    pub fn to_vec(&self) -> Result<Vec<u8>, ArchiveError> {
        match self {
            Content::Bytes(b) => Ok(b.clone()),
            spliced => spliced.range(0..usize::MAX),
        }
    }

    /// Its CRC-32.
    pub fn crc32(&self) -> Result<u32, ArchiveError> {
        let mut h = crc32fast::Hasher::new();
        for piece in self.pieces()? {
            h.update(piece);
        }
        Ok(h.finalize())
    }

    /// Whether it is exactly `bytes`.
    pub fn is(&self, bytes: &[u8]) -> Result<bool, ArchiveError> {
        let mut rest = bytes;
        for piece in self.pieces()? {
            match rest.split_at_checked(piece.len()) {
                Some((head, tail)) if head == piece => rest = tail,
                _ => return Ok(false),
            }
        }
        Ok(rest.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spliced_content_reads_as_the_bytes_it_stands_for() {
        let old = b"0123456789";
        let splices = [
            Splice {
                range: 2..4,
                bytes: b"ab".to_vec(),
            },
            Splice {
                range: 6..6,
                bytes: b"XYZ".to_vec(),
            },
        ];
        let c = Content::Spliced { old, splices: &splices };
        let whole = crate::splice::apply(old, &splices).unwrap();
        assert_eq!(whole, b"01ab45XYZ6789");
        assert_eq!(c.to_vec().unwrap(), whole);
        assert_eq!(c.len().unwrap(), whole.len());
        assert_eq!(c.crc32().unwrap(), crc32fast::hash(&whole));
        for start in 0..=whole.len() {
            for end in start..=whole.len() + 2 {
                assert_eq!(c.range(start..end).unwrap(), whole[start..end.min(whole.len())]);
                assert_eq!(*c.slice(start..end).unwrap(), whole[start..end.min(whole.len())]);
            }
        }
        // Within one piece, borrowed; across pieces, made whole.
        assert!(matches!(c.slice(0..2).unwrap(), Cow::Borrowed(b"01")));
        assert!(matches!(c.slice(6..9).unwrap(), Cow::Borrowed(b"XYZ")));
        assert!(matches!(c.slice(1..3).unwrap(), Cow::Owned(_)));
        assert!(c.is(&whole).unwrap());
        assert!(!c.is(&whole[1..]).unwrap());
        assert!(!c.is(b"01ab45XYZ678").unwrap());
        let overlapping = [
            Splice {
                range: 2..5,
                bytes: vec![],
            },
            Splice {
                range: 4..6,
                bytes: vec![],
            },
        ];
        let bad = Content::Spliced {
            old,
            splices: &overlapping,
        };
        assert!(bad.to_vec().is_err());
    }
}
