//! Splices: the only way procpatch changes a document.
//!
//! Output = the original bytes with a sorted list of (range, replacement)
//! splices applied. Nothing outside the ranges is touched.

use std::ops::Range;

use crate::error::Error;

/// A replacement of one byte range of the original document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Splice {
    /// The bytes replaced, as offsets into the original document.
    pub range: Range<usize>,
    /// What replaces them, in the document's encoding.
    pub bytes: Vec<u8>,
}

impl Splice {
    /// Narrows the splice to the bytes that really change, by dropping the
    /// prefix and suffix that the old and new bytes share.
    pub(crate) fn minimize(mut self, original: &[u8]) -> Splice {
        let Some(old) = original.get(self.range.clone()) else {
            return self;
        };
        let prefix = old.iter().zip(&self.bytes).take_while(|(a, b)| a == b).count();
        let old = old.get(prefix..).unwrap_or_default();
        let new = self.bytes.get(prefix..).unwrap_or_default();
        let suffix = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let kept = new.get(..new.len() - suffix).unwrap_or_default().to_vec();
        self.bytes = kept;
        self.range = self.range.start + prefix..self.range.end - suffix;
        self
    }
}

/// Checks that `splices` can be applied to a document of `len` bytes: each
/// range inside it, none overlapping another. [`apply`] then cannot fail.
pub(crate) fn check(len: usize, splices: &[Splice]) -> Result<(), Error> {
    let mut ranges: Vec<&std::ops::Range<usize>> = splices.iter().map(|s| &s.range).collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut at = 0;
    for r in ranges {
        if r.start < at || r.end < r.start || r.end > len {
            return Err(Error::Internal(format!(
                "edit of bytes {}..{} overlaps another edit or lies outside the document",
                r.start, r.end
            )));
        }
        at = r.end;
    }
    Ok(())
}

/// Applies `splices` to `original`. The splices are sorted by position
/// (stably, so insertions at one offset keep their order); ranges outside
/// the document or overlapping each other are an error, never a panic.
///
/// # Errors
///
/// [`Error::Internal`] for ranges outside `original` or overlapping each
/// other.
pub fn apply(original: &[u8], splices: &[Splice]) -> Result<Vec<u8>, Error> {
    let pieces = pieces(original, splices)?;
    let mut out = Vec::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.extend_from_slice(piece);
    }
    Ok(out)
}

/// The output of [`apply`] as the pieces it is made of, in order: the
/// original bytes between splices, and the splices' bytes; for writing or
/// comparing it without making it.
pub(crate) fn pieces<'a>(original: &'a [u8], splices: &'a [Splice]) -> Result<Vec<&'a [u8]>, Error> {
    let mut sorted: Vec<&Splice> = splices.iter().collect();
    sorted.sort_by_key(|s| (s.range.start, s.range.end));
    let mut out = Vec::with_capacity(2 * sorted.len() + 1);
    let mut at = 0;
    for s in sorted {
        if s.range.start < at || s.range.end < s.range.start || s.range.end > original.len() {
            return Err(Error::Internal(format!(
                "edit of bytes {}..{} overlaps another edit or lies outside the document",
                s.range.start, s.range.end
            )));
        }
        out.push(original.get(at..s.range.start).unwrap_or_default());
        out.push(s.bytes.as_slice());
        at = s.range.end;
    }
    out.push(original.get(at..).unwrap_or_default());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(range: Range<usize>, bytes: &str) -> Splice {
        Splice {
            range,
            bytes: bytes.as_bytes().to_vec(),
        }
    }

    #[test]
    fn applies_sorted_and_keeps_insert_order() {
        let out = apply(b"abcdef", &[sp(4..5, "E"), sp(1..1, "x"), sp(1..1, "y"), sp(0..1, "A")]).unwrap();
        assert_eq!(out, b"AxybcdEf");
    }

    #[test]
    fn overlapping_or_outside_splices_are_errors() {
        assert!(apply(b"abc", &[sp(0..2, ""), sp(1..3, "")]).is_err());
        assert!(apply(b"abc", &[sp(2..9, "")]).is_err());
    }

    #[test]
    fn minimize_keeps_only_the_changed_bytes() {
        let s = sp(2..13, "Batch orders").minimize(b"x=Batch order;");
        assert_eq!((s.range, s.bytes), (13..13, b"s".to_vec()));
    }
}
