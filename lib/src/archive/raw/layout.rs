//! Where each field of each zip record lies (PKWARE's APPNOTE, section 4.3),
//! by name, and little-endian reads and writes that fail instead of
//! panicking or doing nothing.

use crate::archive::error::ArchiveError;

/// Record signatures.
pub(crate) mod sig {
    /// Local file header.
    pub const LOCAL: u32 = 0x0403_4b50;
    /// Central-directory record.
    pub const CENTRAL: u32 = 0x0201_4b50;
    /// End-of-central-directory record.
    pub const EOCD: u32 = 0x0605_4b50;
    /// zip64 end-of-central-directory record.
    pub const ZIP64_EOCD: u32 = 0x0606_4b50;
    /// zip64 end-of-central-directory locator.
    pub const ZIP64_LOCATOR: u32 = 0x0706_4b50;
    /// Data descriptor (optional signature); also the split-archive marker
    /// that may open a one-part split archive.
    pub const DESCRIPTOR: u32 = 0x0807_4b50;
}

/// Local file header: fixed part, then name and extra field.
pub(crate) mod local {
    pub const FLAGS: usize = 6;
    pub const METHOD: usize = 8;
    pub const CRC: usize = 14;
    pub const COMPRESSED: usize = 18;
    pub const SIZE: usize = 22;
    pub const NAME_LEN: usize = 26;
    pub const EXTRA_LEN: usize = 28;
    /// Length of the fixed part; the name follows.
    pub const FIXED: usize = 30;
}

/// Central-directory record: fixed part, then name, extra field, comment.
pub(crate) mod central {
    pub const FLAGS: usize = 8;
    pub const METHOD: usize = 10;
    pub const CRC: usize = 16;
    pub const COMPRESSED: usize = 20;
    pub const SIZE: usize = 24;
    pub const NAME_LEN: usize = 28;
    pub const EXTRA_LEN: usize = 30;
    pub const COMMENT_LEN: usize = 32;
    pub const DISK: usize = 34;
    pub const OFFSET: usize = 42;
    /// Length of the fixed part; the name follows.
    pub const FIXED: usize = 46;
}

/// End-of-central-directory record, then the archive comment.
pub(crate) mod eocd {
    pub const DISK: usize = 4;
    pub const CD_DISK: usize = 6;
    pub const DISK_ENTRIES: usize = 8;
    pub const ENTRIES: usize = 10;
    pub const CD_SIZE: usize = 12;
    pub const CD_OFFSET: usize = 16;
    pub const COMMENT_LEN: usize = 20;
    /// Length of the fixed part; the comment follows.
    pub const FIXED: usize = 22;
}

/// zip64 end-of-central-directory record.
pub(crate) mod zip64_eocd {
    /// The size of the rest of the record (after these 12 bytes).
    pub const RECORD_SIZE: usize = 4;
    pub const DISK: usize = 16;
    pub const CD_DISK: usize = 20;
    pub const DISK_ENTRIES: usize = 24;
    pub const ENTRIES: usize = 32;
    pub const CD_SIZE: usize = 40;
    pub const CD_OFFSET: usize = 48;
    /// Length without the extensible data sector.
    pub const FIXED: usize = 56;
    /// The bytes before what `RECORD_SIZE` counts.
    pub const HEAD: usize = 12;
}

/// zip64 end-of-central-directory locator.
pub(crate) mod locator {
    pub const DISK: usize = 4;
    pub const OFFSET: usize = 8;
    pub const DISKS: usize = 16;
    /// Its length.
    pub const LEN: usize = 20;
}

/// Data descriptor: CRC-32 and both sizes, after an optional signature.
pub(crate) mod descriptor {
    /// CRC-32 and 4-byte sizes.
    pub const NARROW: u64 = 12;
    /// CRC-32 and 8-byte (zip64) sizes.
    pub const WIDE: u64 = 20;
    /// The longest: signature, CRC-32 and 8-byte sizes.
    pub const MAX: u64 = 24;
    /// Where the compressed size is, after the CRC-32.
    pub const COMPRESSED: usize = 4;
}

/// The extra field that holds zip64 values.
pub(crate) const ZIP64_EXTRA_ID: u16 = 0x0001;
/// General-purpose flag: encrypted.
pub(crate) const FLAG_ENCRYPTED: u16 = 0x0001;
/// General-purpose flags 1 and 2: the deflate level, or LZMA's end marker.
pub(crate) const FLAG_COMPRESSION_OPTIONS: u16 = 0x0006;
/// General-purpose flag: a data descriptor follows the data.
pub(crate) const FLAG_DESCRIPTOR: u16 = 0x0008;
/// General-purpose flag: strong encryption.
pub(crate) const FLAG_STRONG_ENCRYPTION: u16 = 0x0040;
/// General-purpose flag: name and comment are UTF-8.
pub(crate) const FLAG_UTF8: u16 = 0x0800;
/// A zip64 size or offset of this or more is invalid (Java's rule).
pub(crate) const ZIP64_LIMIT: u64 = 1 << 63;

fn bytes<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// The little-endian `u16` at `at`, if `b` holds it.
pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    bytes(b, at).map(u16::from_le_bytes)
}

/// The little-endian `u32` at `at`, if `b` holds it.
pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    bytes(b, at).map(u32::from_le_bytes)
}

/// The little-endian `u64` at `at`, if `b` holds it.
pub(crate) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    bytes(b, at).map(u64::from_le_bytes)
}

/// Writes `v` at `at`: an error, never a silent no-op, when the record is
/// too short for it.
fn put(b: &mut [u8], at: usize, v: &[u8]) -> Result<(), ArchiveError> {
    let len = b.len();
    match at.checked_add(v.len()).and_then(|end| b.get_mut(at..end)) {
        Some(slot) => {
            slot.copy_from_slice(v);
            Ok(())
        }
        None => Err(ArchiveError::Damaged {
            entry: None,
            offset: None,
            message: format!(
                "a {}-byte field at byte {at} of a {len}-byte record does not fit in it",
                v.len()
            ),
        }),
    }
}

/// Writes a little-endian `u16` at `at`.
pub(crate) fn put_u16(b: &mut [u8], at: usize, v: u16) -> Result<(), ArchiveError> {
    put(b, at, &v.to_le_bytes())
}

/// Writes a little-endian `u32` at `at`.
pub(crate) fn put_u32(b: &mut [u8], at: usize, v: u32) -> Result<(), ArchiveError> {
    put(b, at, &v.to_le_bytes())
}

/// Writes a little-endian `u64` at `at`.
pub(crate) fn put_u64(b: &mut [u8], at: usize, v: u64) -> Result<(), ArchiveError> {
    put(b, at, &v.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end_and_writes_refuse_to_pass_it() {
        let b = [1u8, 2, 3, 4, 5];
        assert_eq!(u16_at(&b, 3), Some(0x0504));
        assert_eq!(u16_at(&b, 4), None);
        assert_eq!(u32_at(&b, usize::MAX), None);
        let mut w = [0u8; 4];
        assert!(put_u32(&mut w, 0, 7).is_ok());
        assert!(put_u32(&mut w, 1, 7).is_err());
        assert!(put_u64(&mut w, 0, 7).is_err());
        assert!(put_u16(&mut w, usize::MAX, 7).is_err());
    }
}
