//! Writing an archive: every byte is copied from the input except
//!
//! - the local records (header, data, data descriptor) of edited entries;
//! - in the central directory: the local-header offset of each entry that
//!   moved, and the flags, CRC-32 and sizes of each edited entry (in the
//!   zip64 extra field where the record keeps them there);
//! - in the end records: the entry counts (when entries are removed), and the
//!   size and offset of the central directory (zip64 record and locator
//!   included).
//!
//! Removed entries (a stripped or replaced signature) drop their local and
//! central records. Added entries (the files of a new signature) get new
//! records where they are asked for.
//!
//! The layout is the input's: the bytes before the first entry and after the
//! end record are copied, offsets are written in the convention the input
//! used (counting the bytes before the archive or not, the zip64 locator
//! too), 0xFFFF/0xFFFFFFFF fields that defer to zip64 stay so, and a count
//! that wrapped at 65,536 is written wrapped. Every sum is checked.
#![deny(clippy::arithmetic_side_effects)]

use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};

use super::content::Content;
use super::deflate::{deflate, deflate_entry, Fault};
use super::error::ArchiveError;
use super::raw::layout::{
    central, eocd, local, locator, put_u16, put_u32, put_u64, sig, u16_at, u32_at, zip64_eocd, FLAG_DESCRIPTOR,
};
use super::raw::{RawArchive, RawEntry};
use super::signature::Added;

/// New content for one entry.
#[derive(Debug, Clone)]
pub(crate) struct Replacement<'a> {
    /// The entry, by central-directory index.
    pub index: usize,
    /// Its new uncompressed content.
    pub data: &'a Content<'a>,
}

/// Where each entry went, for verification.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    /// New local-header position in the file per entry (central-directory
    /// order); `None` for removed entries.
    pub offsets: Vec<Option<u64>>,
    /// The local-header position of each added entry.
    pub added: Vec<u64>,
}

/// What an edited entry's central record needs.
struct NewValues {
    flags: u16,
    crc: u32,
    compressed: u64,
    size: u64,
}

/// Counts the bytes written.
struct Counter<W> {
    inner: W,
    pos: u64,
}

impl<W: Write> Write for Counter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pos = self
            .pos
            .checked_add(n as u64)
            .ok_or_else(|| io::Error::other("the output would pass 2^64 bytes"))?;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `a - b` for positions known to be in order; an error naming `what` if
/// they are not.
fn minus(a: u64, b: u64, what: &str) -> Result<u64, ArchiveError> {
    a.checked_sub(b).ok_or_else(|| ArchiveError::Damaged {
        entry: None,
        offset: Some(a),
        message: format!("{what}: byte {a} comes before byte {b}"),
    })
}

/// `a + b`, or an error naming `what` and where.
fn plus(a: u64, b: u64, what: &str) -> Result<u64, ArchiveError> {
    a.checked_add(b).ok_or_else(|| ArchiveError::Damaged {
        entry: None,
        offset: Some(a),
        message: format!("{what} at byte {a} plus {b} bytes passes 2^64"),
    })
}

/// An archive being rewritten: read and sought, or, when it is in memory,
/// copied from as slices.
pub(crate) trait Input: Read + Seek {
    /// All of its bytes, when they are in memory.
    fn held(&self) -> Option<&[u8]>;
}

impl Input for Cursor<&[u8]> {
    fn held(&self) -> Option<&[u8]> {
        Some(self.get_ref())
    }
}

impl<T: Input + ?Sized> Input for &mut T {
    fn held(&self) -> Option<&[u8]> {
        (**self).held()
    }
}

fn copy_range<R: Input, W: Write>(src: &mut R, start: u64, end: u64, out: &mut W) -> Result<(), ArchiveError> {
    let Some(len) = end.checked_sub(start).filter(|&l| l > 0) else {
        return Ok(());
    };
    if let Some(bytes) = src.held() {
        let range = usize::try_from(start).ok().zip(usize::try_from(end).ok());
        let slice = range.and_then(|(a, b)| bytes.get(a..b)).ok_or_else(|| {
            ArchiveError::io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "a range past the end of the archive",
            ))
        })?;
        out.write_all(slice)?;
        return Ok(());
    }
    src.seek(SeekFrom::Start(start))?;
    let n = io::copy(&mut src.by_ref().take(len), out)?;
    if n != len {
        return Err(ArchiveError::io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the input changed while it was being read",
        )));
    }
    Ok(())
}

fn too_big(entry: Option<&RawEntry>) -> ArchiveError {
    ArchiveError::Unsupported {
        entry: entry.map(RawEntry::display_name),
        what: "archives that would grow past 4 GiB without zip64 records".into(),
    }
}

/// A value for a 32-bit field that has no zip64 field to defer to: one
/// that fits, and is not the 0xFFFFFFFF that would defer it.
fn fits32(v: u64, entry: Option<&RawEntry>) -> Result<u32, ArchiveError> {
    u32::try_from(v)
        .ok()
        .filter(|&x| x != u32::MAX)
        .ok_or_else(|| too_big(entry))
}

/// Writes a 32-bit field, or the 64-bit zip64 field that replaces it.
fn put_size(b: &mut [u8], at32: usize, at64: Option<usize>, v: u64, e: &RawEntry) -> Result<(), ArchiveError> {
    match at64 {
        Some(at) => put_u64(b, at, v),
        None => put_u32(b, at32, fits32(v, Some(e))?),
    }
}

/// Compresses `data` with the entry's method; `stored` is the entry's
/// old data, when it is at hand.
fn compress(e: &RawEntry, data: &Content<'_>, stored: Option<&[u8]>) -> Result<Vec<u8>, ArchiveError> {
    match e.method {
        0 => data.to_vec(),
        // General-purpose bits 1-2 record the deflate level the writer used.
        8 => deflate_entry(
            data,
            match (e.flags >> 1) & 3 {
                1 => 9,
                2 => 2,
                3 => 1,
                _ => 6,
            },
            stored,
        )
        .map_err(|why| match why {
            Fault::Content(e) => e,
            Fault::Deflate(why) => recompress_failed(&e.display_name(), &why),
        }),
        m => Err(ArchiveError::Unsupported {
            entry: Some(e.display_name()),
            what: format!("edits of entries compressed with method {m}"),
        }),
    }
}

/// The compressor failed on data procpatch made.
fn recompress_failed(name: &str, why: &str) -> ArchiveError {
    ArchiveError::Internal(format!("entry \"{name}\" could not be compressed: {why}"))
}

/// The new local record of an edited entry, and its central values. The
/// local header keeps its own bytes (name, flags, extra fields), so a name
/// stored as code page 437 stays so; only CRC-32 and sizes change.
fn local_record(e: &RawEntry, data: &Content<'_>, stored: Option<&[u8]>) -> Result<(Vec<u8>, NewValues), ArchiveError> {
    let compressed = compress(e, data, stored)?;
    let crc = data.crc32()?;
    let (csize, size) = (compressed.len() as u64, data.len()? as u64);
    let (mut flags, mut local_flags) = (e.flags, e.local_flags());
    // Java's ZipInputStream refuses a data descriptor on a stored entry; the
    // sizes go in the header instead.
    let descriptor = e.has_descriptor() && e.method != 0;
    if e.has_descriptor() && !descriptor {
        flags &= !FLAG_DESCRIPTOR;
        local_flags &= !FLAG_DESCRIPTOR;
    }
    let mut header = e.local.clone();
    put_u16(&mut header, local::FLAGS, local_flags)?;
    let field = |at| u32_at(&header, at).unwrap_or(0);
    let zeroed = descriptor && field(local::CRC) == 0 && field(local::COMPRESSED) == 0 && field(local::SIZE) == 0;
    if !zeroed {
        put_u32(&mut header, local::CRC, crc)?;
        put_size(&mut header, local::COMPRESSED, e.local_zip64.compressed, csize, e)?;
        put_size(&mut header, local::SIZE, e.local_zip64.size, size, e)?;
    }
    let mut out = header;
    out.extend_from_slice(&compressed);
    if descriptor {
        if e.descriptor_signed {
            out.extend_from_slice(&sig::DESCRIPTOR.to_le_bytes());
        }
        out.extend_from_slice(&crc.to_le_bytes());
        if e.local_has_zip64() {
            out.extend_from_slice(&csize.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
        } else {
            let c = u32::try_from(csize).map_err(|_| too_big(Some(e)))?;
            let s = u32::try_from(size).map_err(|_| too_big(Some(e)))?;
            out.extend_from_slice(&c.to_le_bytes());
            out.extend_from_slice(&s.to_le_bytes());
        }
    }
    Ok((
        out,
        NewValues {
            flags,
            crc,
            compressed: csize,
            size,
        },
    ))
}

/// The central record of `e`, its local header at `offset` as the archive
/// stores it, with new values if edited.
fn central_record(e: &RawEntry, offset: u64, new: Option<&NewValues>) -> Result<Vec<u8>, ArchiveError> {
    let mut c = e.central.clone();
    match e.central_zip64.offset {
        Some(at) => put_u64(&mut c, at, offset)?,
        None => put_u32(&mut c, central::OFFSET, fits32(offset, Some(e))?)?,
    }
    if let Some(v) = new {
        put_u16(&mut c, central::FLAGS, v.flags)?;
        put_u32(&mut c, central::CRC, v.crc)?;
        put_size(&mut c, central::COMPRESSED, e.central_zip64.compressed, v.compressed, e)?;
        put_size(&mut c, central::SIZE, e.central_zip64.size, v.size, e)?;
    }
    Ok(c)
}

/// A new entry's local header and data, and its central record without
/// the offset (set when written): deflated, dated `time` (DOS date and
/// time, in that order).
fn new_records(a: &Added, time: (u16, u16)) -> Result<(Vec<u8>, Vec<u8>), ArchiveError> {
    let data = deflate(&a.data, 6).map_err(|why| recompress_failed(&a.name, &why))?;
    let crc = crc32fast::hash(&a.data);
    let big = || too_big(None);
    let (csize, size) = (
        u32::try_from(data.len()).map_err(|_| big())?,
        u32::try_from(a.data.len()).map_err(|_| big())?,
    );
    let name = a.name.as_bytes();
    let name_len = u16::try_from(name.len()).map_err(|_| big())?;
    let flags: u16 = if a.name.is_ascii() {
        0
    } else {
        super::raw::layout::FLAG_UTF8
    };
    let mut local = Vec::with_capacity(local::FIXED.saturating_add(name.len()).saturating_add(data.len()));
    local.extend_from_slice(&sig::LOCAL.to_le_bytes());
    for v in [20u16, flags, 8, time.1, time.0] {
        local.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, csize, size] {
        local.extend_from_slice(&v.to_le_bytes());
    }
    local.extend_from_slice(&name_len.to_le_bytes());
    local.extend_from_slice(&0u16.to_le_bytes());
    local.extend_from_slice(name);
    local.extend_from_slice(&data);
    let mut central = Vec::with_capacity(central::FIXED.saturating_add(name.len()));
    central.extend_from_slice(&sig::CENTRAL.to_le_bytes());
    for v in [20u16, 20, flags, 8, time.1, time.0] {
        central.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, csize, size] {
        central.extend_from_slice(&v.to_le_bytes());
    }
    for v in [name_len, 0, 0, 0, 0] {
        central.extend_from_slice(&v.to_le_bytes());
    }
    // External attributes, then the offset (set later).
    central.extend_from_slice(&0u32.to_le_bytes());
    central.extend_from_slice(&0u32.to_le_bytes());
    central.extend_from_slice(name);
    Ok((local, central))
}

/// Writes `raw` (read from `src`) to `out` with `replace`d, `remove`d and
/// `add`ed entries; everything else is copied as raw bytes. Added entries
/// are dated `time` (DOS date, then time).
pub(crate) fn write<R: Input, W: Write>(
    src: &mut R,
    raw: &RawArchive,
    replace: &[Replacement<'_>],
    remove: &[usize],
    add: &[Added],
    time: (u16, u16),
    out: W,
) -> Result<Written, ArchiveError> {
    let mut out = Counter { inner: out, pos: 0 };
    // An offset as the archive stores it: its place in the file, less the
    // bytes before the archive that the input's offsets do not count.
    let stored = |pos: u64| minus(pos, raw.shift, "an offset in the archive");
    let mut order: Vec<usize> = (0..raw.entries.len()).collect();
    order.sort_by_key(|&i| raw.entries.get(i).map_or(0, |e| e.local_offset));
    let mut offsets: Vec<Option<u64>> = vec![None; raw.entries.len()];
    let mut values: Vec<Option<NewValues>> = (0..raw.entries.len()).map(|_| None).collect();
    let added: Vec<(Vec<u8>, Vec<u8>)> = add.iter().map(|a| new_records(a, time)).collect::<Result<_, _>>()?;
    let mut added_at: Vec<u64> = vec![0; add.len()];
    let mut write_added = |after: Option<usize>, out: &mut Counter<W>| -> Result<(), ArchiveError> {
        for (k, _) in add.iter().enumerate().filter(|(_, a)| a.after == after) {
            if let (Some(slot), Some((local, _))) = (added_at.get_mut(k), added.get(k)) {
                *slot = out.pos;
                out.write_all(local)?;
            }
        }
        Ok(())
    };
    let removed: std::collections::HashSet<usize> = remove.iter().copied().collect();
    let replaced: std::collections::HashMap<usize, &Content<'_>> = replace.iter().map(|r| (r.index, r.data)).collect();
    // The bytes before the first entry (a stub, a marker) and any between
    // entries are copied with the records.
    let mut at = 0u64;
    let mut first = true;
    for i in order {
        let Some(e) = raw.entries.get(i) else {
            continue;
        };
        copy_range(src, at, e.local_offset, &mut out)?;
        if first {
            write_added(None, &mut out)?;
            first = false;
        }
        let record = e.record();
        at = record.end;
        if removed.contains(&i) {
            write_added(Some(i), &mut out)?;
            continue;
        }
        if let Some(slot) = offsets.get_mut(i) {
            *slot = Some(out.pos);
        }
        match replaced.get(&i) {
            Some(data) => {
                // The old data, when the input is in memory.
                let stored = usize::try_from(e.data_start()).ok().and_then(|start| {
                    let end = start.checked_add(usize::try_from(e.compressed).ok()?)?;
                    src.held()?.get(start..end)
                });
                let (bytes, v) = local_record(e, data, stored)?;
                out.write_all(&bytes)?;
                if let Some(slot) = values.get_mut(i) {
                    *slot = Some(v);
                }
            }
            None => copy_range(src, record.start, record.end, &mut out)?,
        }
        write_added(Some(i), &mut out)?;
    }
    if first {
        write_added(None, &mut out)?;
    }
    copy_range(src, at, raw.central.start, &mut out)?;
    let cd_start = out.pos;
    let central_added = |after: Option<usize>, out: &mut Counter<W>| -> Result<(), ArchiveError> {
        for (k, _) in add.iter().enumerate().filter(|(_, a)| a.after == after) {
            if let (Some(&offset), Some((_, central))) = (added_at.get(k), added.get(k)) {
                let mut c = central.clone();
                put_u32(&mut c, central::OFFSET, fits32(stored(offset)?, None)?)?;
                out.write_all(&c)?;
            }
        }
        Ok(())
    };
    central_added(None, &mut out)?;
    for (i, e) in raw.entries.iter().enumerate() {
        if let Some(Some(offset)) = offsets.get(i) {
            let new = values.get(i).and_then(Option::as_ref);
            out.write_all(&central_record(e, stored(*offset)?, new)?)?;
        }
        central_added(Some(i), &mut out)?;
    }
    let cd_size = minus(out.pos, cd_start, "the central directory")?;
    let kept = raw.entries.len().saturating_sub(removed.len());
    let count = u64::try_from(kept.checked_add(add.len()).ok_or_else(|| too_big(None))?).map_err(|_| too_big(None))?;
    let cd_offset = stored(cd_start)?;
    let tail = &raw.tail;
    let mut at = raw.central.end;
    let mut zip64_at = None;
    if let Some((off, rec)) = &tail.zip64_record {
        copy_range(src, at, *off, &mut out)?;
        zip64_at = Some(out.pos);
        let mut rec = rec.clone();
        put_u64(&mut rec, zip64_eocd::DISK_ENTRIES, count)?;
        put_u64(&mut rec, zip64_eocd::ENTRIES, count)?;
        put_u64(&mut rec, zip64_eocd::CD_SIZE, cd_size)?;
        put_u64(&mut rec, zip64_eocd::CD_OFFSET, cd_offset)?;
        out.write_all(&rec)?;
        at = plus(*off, rec.len() as u64, "the zip64 end record")?;
    }
    if let Some((off, loc)) = &tail.zip64_locator {
        copy_range(src, at, *off, &mut out)?;
        let mut loc = loc.clone();
        let record = minus(zip64_at.unwrap_or(0), tail.locator_shift, "the zip64 end record")?;
        put_u64(&mut loc, locator::OFFSET, record)?;
        out.write_all(&loc)?;
        at = plus(*off, loc.len() as u64, "the zip64 locator")?;
    }
    copy_range(src, at, tail.eocd_offset, &mut out)?;
    let mut eocd = tail.eocd.clone();
    let zip64 = tail.zip64_record.is_some();
    for at in [eocd::DISK_ENTRIES, eocd::ENTRIES] {
        if zip64 && u16_at(&eocd, at) == Some(u16::MAX) {
            continue;
        }
        let n = match u16::try_from(count) {
            Ok(n) => n,
            // The input's count wrapped (no zip64 records): so does the
            // output's, as Java, Python and unzip read it.
            Err(_) if tail.wrapped_count => u16::try_from(count & 0xFFFF).unwrap_or(0),
            Err(_) => return Err(too_big(None)),
        };
        put_u16(&mut eocd, at, n)?;
    }
    for (at, v) in [(eocd::CD_SIZE, cd_size), (eocd::CD_OFFSET, cd_offset)] {
        if !(zip64 && u32_at(&eocd, at) == Some(u32::MAX)) {
            put_u32(&mut eocd, at, fits32(v, None)?)?;
        }
    }
    out.write_all(&eocd)?;
    // Bytes after the end record and its comment, as they were.
    copy_range(src, tail.trailing.start, tail.trailing.end, &mut out)?;
    out.flush()?;
    Ok(Written {
        offsets,
        added: added_at,
    })
}
