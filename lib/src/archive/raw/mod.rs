//! The byte layout of a zip file: where each record is and where each field
//! of it lies, so that untouched records can be copied as raw bytes and
//! only the fields that must change are rewritten.
//!
//! Hand-written because the `zip` crate reads archives but does not expose
//! record boundaries, field positions, data-descriptor lengths, the bytes
//! around an archive or the convention its offsets follow, which a
//! byte-preserving rewrite needs; it also reads a wrapped entry count as the
//! count. The `zip` crate decompresses entries (see `entries`).
//!
//! # Reading rules
//!
//! - **The end record** is searched from the end of the file, as Java's
//!   `ZipFile` does: the first whose comment runs exactly to the end, or
//!   else whose central directory checks out (its signature where the
//!   record says, and a local header where the first entry is). Bytes after
//!   the record and its comment are *trailing bytes*. A comment longer than
//!   what follows is its own fault (bytes are missing).
//! - **A zip64 locator** counts only when there is room for zip64 records
//!   (a 0xFFFF/0xFFFFFFFF field in the end record, or a central directory
//!   that ends before the locator); the zip64 end record is then where the
//!   locator says, or right before the locator. If it is in neither place,
//!   the archive is refused when the end record defers a value to it, and
//!   the locator ignored otherwise (as Java and Python ignore it).
//! - **Bytes before the archive** (a self-extractor stub, a split marker):
//!   their length is where the central directory ends minus where the
//!   (zip64) end record says it ends. Offsets that count them (0) are used
//!   as they are; offsets that do not are shifted, and written back the
//!   same way. A positive difference without a central directory at the
//!   shifted place is a gap, refused.
//! - **Disk fields** of 0xFFFF defer to the zip64 end record; anything but
//!   disk 0 of one disk is refused as multi-disk.
//! - **Entry counts** that wrapped at 65,536 (no zip64) are read as Java,
//!   Python and unzip read them.
//! - **Every sum** of header values is checked; a zip64 size or offset of
//!   2^63 or more is invalid (Java's rule). A fault is `Damaged`, with the
//!   byte where it is.
//! - **Names** of local and central headers are compared as text, each
//!   decoded by its own UTF-8 flag (code page 437 without it).
#![deny(clippy::arithmetic_side_effects)]

mod end;
pub(crate) mod layout;
pub(crate) mod names;
mod records;

use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;

use super::error::ArchiveError;
use layout::{sig, u32_at, FLAG_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, FLAG_UTF8};

/// Where a zip64 extended-information field keeps each value, as an offset
/// into the record (central or local) it belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Zip64Fields {
    pub size: Option<usize>,
    pub compressed: Option<usize>,
    pub offset: Option<usize>,
}

/// One entry: its central-directory record and its local record.
#[derive(Debug, Clone)]
pub(crate) struct RawEntry {
    /// The central-directory record, as bytes.
    pub central: Vec<u8>,
    /// zip64 fields inside `central`.
    pub central_zip64: Zip64Fields,
    /// The name as stored in the central record.
    pub name: Vec<u8>,
    pub flags: u16,
    pub method: u16,
    pub crc: u32,
    pub compressed: u64,
    pub size: u64,
    /// The local header (fixed part, name and extra field), as bytes.
    pub local: Vec<u8>,
    /// Where the local header starts in the file (the stored offset plus
    /// the archive's shift).
    pub local_offset: u64,
    /// zip64 fields inside `local`.
    pub local_zip64: Zip64Fields,
    /// Length of the data descriptor after the data (0 if none).
    pub descriptor_len: u64,
    /// Whether the data descriptor starts with its optional signature.
    pub descriptor_signed: bool,
    /// Where the compressed data starts in the file.
    data_start: u64,
    /// Where the local record (data descriptor included) ends in the file.
    record_end: u64,
}

impl RawEntry {
    /// Where the compressed data starts.
    pub fn data_start(&self) -> u64 {
        self.data_start
    }

    /// The whole local record: header, data and data descriptor.
    pub fn record(&self) -> Range<u64> {
        self.local_offset..self.record_end
    }

    /// The name for messages: as Java reads it (UTF-8), or code page 437
    /// for bytes that are not UTF-8 and carry no UTF-8 flag.
    pub fn display_name(&self) -> String {
        names::display(&self.name, self.flags & FLAG_UTF8 != 0)
    }

    /// Whether the entry is encrypted (traditional or strong encryption).
    pub fn encrypted(&self) -> bool {
        self.flags & FLAG_ENCRYPTED != 0 || self.flags & FLAG_STRONG_ENCRYPTION != 0 || self.method == 99
    }

    /// Whether a data descriptor follows the data.
    pub fn has_descriptor(&self) -> bool {
        self.flags & FLAG_DESCRIPTOR != 0
    }

    /// The local header's zip64 extra field, if it has one.
    pub fn local_has_zip64(&self) -> bool {
        self.local_zip64.size.is_some() || self.local_zip64.compressed.is_some()
    }

    /// The name as the local header stores it.
    pub fn local_name(&self) -> &[u8] {
        let n = layout::u16_at(&self.local, layout::local::NAME_LEN).map_or(0, usize::from);
        layout::local::FIXED
            .checked_add(n)
            .and_then(|end| self.local.get(layout::local::FIXED..end))
            .unwrap_or_default()
    }

    /// The general-purpose flags of the local header.
    pub fn local_flags(&self) -> u16 {
        layout::u16_at(&self.local, layout::local::FLAGS).unwrap_or(0)
    }

    /// The local header that the `zip` crate's stream reader is given to
    /// decompress this entry's data (never written to a file): its method
    /// and CRC-32, the flags that matter for decompressing (deflate level,
    /// LZMA end marker), the data-descriptor flag so that the compressed
    /// size given as an option is used, no sizes and no name.
    pub fn stream_header(&self) -> Vec<u8> {
        let flags = (self.flags & layout::FLAG_COMPRESSION_OPTIONS) | FLAG_DESCRIPTOR;
        let mut h = Vec::with_capacity(layout::local::FIXED);
        h.extend_from_slice(&sig::LOCAL.to_le_bytes());
        for v in [20u16, flags, self.method, 0, 0] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.crc, 0, 0] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        h.extend_from_slice(&[0; 4]);
        h
    }
}

/// The end of the archive: zip64 records (if any) and the end-of-central-
/// directory record, with the archive comment, and what follows them.
#[derive(Debug, Clone)]
pub(crate) struct Tail {
    /// Offset of the zip64 end-of-central-directory record, its bytes.
    pub zip64_record: Option<(u64, Vec<u8>)>,
    /// Offset of the zip64 locator, its bytes.
    pub zip64_locator: Option<(u64, Vec<u8>)>,
    /// How many bytes after the place the locator names the zip64 end
    /// record is: 0, or the archive's shift when the locator does not
    /// count the bytes before the archive.
    pub locator_shift: u64,
    /// Offset of the end-of-central-directory record.
    pub eocd_offset: u64,
    /// The record and the archive comment, as bytes.
    pub eocd: Vec<u8>,
    /// The bytes after the record and its comment (empty when it ends the
    /// file).
    pub trailing: Range<u64>,
    /// The end record's entry counts wrapped at 65,536 (no zip64 records).
    pub wrapped_count: bool,
}

/// The layout of a whole archive.
#[derive(Debug, Clone)]
pub(crate) struct RawArchive {
    /// Entries in central-directory order.
    pub entries: Vec<RawEntry>,
    /// The central directory, in the file.
    pub central: Range<u64>,
    pub tail: Tail,
    /// What to add to an offset stored in the archive to find its place in
    /// the file: the bytes before the archive that its offsets do not count
    /// (0 when they count every byte of the file).
    pub shift: u64,
    /// The first bytes of the file (at most 4) when the first record does
    /// not start it: a stub's or a marker's.
    pub lead: Vec<u8>,
}

impl RawArchive {
    /// The archive comment.
    pub fn comment(&self) -> &[u8] {
        self.tail.eocd.get(layout::eocd::FIXED..).unwrap_or_default()
    }

    /// Where the first local record starts (the central directory for an
    /// archive without entries): the bytes before it are kept as they are.
    pub fn first_record(&self) -> u64 {
        self.entries
            .iter()
            .map(|e| e.local_offset)
            .min()
            .unwrap_or(self.central.start)
    }
}

/// Reads `len` bytes at `offset`, refusing to read past `file_len`.
pub(crate) fn read_at<R: Read + Seek>(
    r: &mut R,
    offset: u64,
    len: u64,
    file_len: u64,
    what: &str,
) -> Result<Vec<u8>, ArchiveError> {
    if offset.checked_add(len).is_none_or(|end| end > file_len) {
        return Err(damaged(format!(
            "{what} ({len} bytes at byte {offset}) runs past the end of the file ({file_len} bytes)"
        ))
        .at(offset));
    }
    r.seek(SeekFrom::Start(offset)).map_err(ArchiveError::io)?;
    let size = usize::try_from(len).map_err(|_| damaged(format!("{what} ({len} bytes) is too large")).at(offset))?;
    let mut buf = vec![0; size];
    r.read_exact(&mut buf).map_err(ArchiveError::io)?;
    Ok(buf)
}

pub(crate) fn damaged(message: String) -> ArchiveError {
    ArchiveError::Damaged {
        entry: None,
        offset: None,
        message,
    }
}

pub(crate) fn entry_damaged(name: &str, message: String) -> ArchiveError {
    ArchiveError::Damaged {
        entry: Some(name.to_string()),
        offset: None,
        message,
    }
}

/// Whether `head` starts like a zip file: a local header, the split marker
/// and then a local header, or the end record of an empty archive.
pub(crate) fn looks_like_zip(head: &[u8]) -> bool {
    match u32_at(head, 0) {
        Some(sig::LOCAL | sig::EOCD) => true,
        Some(sig::DESCRIPTOR) => u32_at(head, 4) == Some(sig::LOCAL),
        _ => false,
    }
}

/// Whether the last bytes of `tail` (the end of a file) hold an
/// end-of-central-directory signature where a record fits: some zip
/// structure, whatever comes before it.
pub(crate) fn has_end_signature(tail: &[u8]) -> bool {
    let Some(last) = tail.len().checked_sub(layout::eocd::FIXED) else {
        return false;
    };
    let from = last.saturating_sub(end::WINDOW);
    (from..=last).any(|i| u32_at(tail, i) == Some(sig::EOCD))
}

/// How many bytes at the end of a file [`has_end_signature`] needs.
pub(crate) const END_WINDOW: u64 = end::WINDOW_LEN;

/// Reads the layout of the archive in `r`.
pub(crate) fn read<R: Read + Seek>(r: &mut R) -> Result<RawArchive, ArchiveError> {
    let len = r.seek(SeekFrom::End(0)).map_err(ArchiveError::io)?;
    let mut end = end::find(r, len)?;
    let mut entries = records::central_directory(r, &mut end, len)?;
    for e in &mut entries {
        records::read_local(r, e, len)?;
    }
    records::check_layout(&entries, end.central.start)?;
    let first = entries
        .iter()
        .map(|e| e.local_offset)
        .min()
        .unwrap_or(end.central.start);
    let lead = read_at(r, 0, first.min(4), len, "the first bytes")?;
    Ok(RawArchive {
        entries,
        central: end.central,
        tail: end.tail,
        shift: end.shift,
        lead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zip_starts_with_a_local_header_or_the_split_marker() {
        assert!(looks_like_zip(b"PK\x03\x04rest"));
        assert!(looks_like_zip(b"PK\x05\x06"));
        assert!(looks_like_zip(b"PK\x07\x08PK\x03\x04"));
        assert!(!looks_like_zip(b"PK\x07\x08xxxx"));
        assert!(!looks_like_zip(b"\x7fELF"));
        assert!(!looks_like_zip(b"PK"));
    }

    #[test]
    fn an_end_signature_is_found_anywhere_a_record_fits() {
        let mut b = vec![0u8; 100];
        assert!(!has_end_signature(&b));
        b.splice(10..14, *b"PK\x05\x06");
        assert!(has_end_signature(&b));
        assert!(!has_end_signature(b.get(..30).unwrap()));
        assert!(!has_end_signature(b"PK\x05\x06"));
    }
}
