//! The byte layout of a zip file: where each record is and where each field
//! of it lies, so that untouched records can be copied as raw bytes and
//! only the fields that must change are rewritten.
//!
//! Hand-written because the `zip` crate reads archives but does not expose
//! record boundaries, field positions or data-descriptor lengths, which a
//! byte-preserving rewrite needs. The `zip` crate still opens and checks
//! every archive (see `entries`).

use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;

use super::error::ArchiveError;

pub(crate) const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
pub(crate) const DESCRIPTOR_SIG: u32 = 0x0807_4b50;

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
    /// The name as stored.
    pub name: Vec<u8>,
    pub flags: u16,
    pub method: u16,
    pub crc: u32,
    pub compressed: u64,
    pub size: u64,
    /// The local header (fixed part, name and extra field), as bytes.
    pub local: Vec<u8>,
    /// Where the local header starts.
    pub local_offset: u64,
    /// zip64 fields inside `local`.
    pub local_zip64: Zip64Fields,
    /// Length of the data descriptor after the data (0 if none).
    pub descriptor_len: u64,
    /// Whether the data descriptor starts with its optional signature.
    pub descriptor_signed: bool,
}

impl RawEntry {
    /// Where the compressed data starts.
    pub fn data_start(&self) -> u64 {
        self.local_offset + self.local.len() as u64
    }

    /// The whole local record: header, data and data descriptor.
    pub fn record(&self) -> Range<u64> {
        self.local_offset..self.data_start() + self.compressed + self.descriptor_len
    }

    /// The name for messages: UTF-8 if it is, else Latin-1-ish lossy.
    pub fn display_name(&self) -> String {
        match std::str::from_utf8(&self.name) {
            Ok(s) => s.to_string(),
            Err(_) => self
                .name
                .iter()
                .map(|&b| if b.is_ascii() { char::from(b) } else { '\u{FFFD}' })
                .collect(),
        }
    }

    /// Whether the entry is encrypted (traditional or strong encryption).
    pub fn encrypted(&self) -> bool {
        self.flags & 1 != 0 || self.flags & 0x40 != 0 || self.method == 99
    }

    /// Whether a data descriptor follows the data.
    pub fn has_descriptor(&self) -> bool {
        self.flags & 0x08 != 0
    }

    /// The local header's zip64 extra field, if it has one.
    pub fn local_has_zip64(&self) -> bool {
        self.local_zip64.size.is_some() || self.local_zip64.compressed.is_some()
    }
}

/// The end of the archive: zip64 records (if any) and the end-of-central-
/// directory record, with the archive comment.
#[derive(Debug, Clone)]
pub(crate) struct Tail {
    /// Offset of the zip64 end-of-central-directory record, its bytes.
    pub zip64_record: Option<(u64, Vec<u8>)>,
    /// Offset of the zip64 locator, its bytes.
    pub zip64_locator: Option<(u64, Vec<u8>)>,
    /// Offset of the end-of-central-directory record.
    pub eocd_offset: u64,
    /// The record and the archive comment, as bytes.
    pub eocd: Vec<u8>,
}

/// The layout of a whole archive.
#[derive(Debug, Clone)]
pub(crate) struct RawArchive {
    /// Entries in central-directory order.
    pub entries: Vec<RawEntry>,
    /// The central directory.
    pub central: Range<u64>,
    pub tail: Tail,
}

impl RawArchive {
    /// The archive comment.
    pub fn comment(&self) -> &[u8] {
        self.tail.eocd.get(22..).unwrap_or_default()
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Reads `len` bytes at `offset`, refusing to read past `file_len`.
fn read_at<R: Read + Seek>(
    r: &mut R,
    offset: u64,
    len: u64,
    file_len: u64,
    what: &str,
) -> Result<Vec<u8>, ArchiveError> {
    if offset.checked_add(len).is_none_or(|end| end > file_len) {
        return Err(damaged(format!(
            "{what} at byte {offset} runs past the end of the file ({file_len} bytes)"
        )));
    }
    r.seek(SeekFrom::Start(offset)).map_err(ArchiveError::io)?;
    let mut buf = vec![0; usize::try_from(len).map_err(|_| damaged(format!("{what} is too large")))?];
    r.read_exact(&mut buf).map_err(ArchiveError::io)?;
    Ok(buf)
}

fn damaged(message: String) -> ArchiveError {
    ArchiveError::Damaged { entry: None, message }
}

fn entry_damaged(name: &str, message: String) -> ArchiveError {
    ArchiveError::Damaged {
        entry: Some(name.to_string()),
        message,
    }
}

/// Whether `head` starts like a zip file (a local header, or the end record
/// of an empty archive).
pub(crate) fn looks_like_zip(head: &[u8]) -> bool {
    matches!(u32_at(head, 0), Some(LOCAL_SIG) | Some(EOCD_SIG))
}

/// Reads the layout of the archive in `r`.
pub(crate) fn read<R: Read + Seek>(r: &mut R) -> Result<RawArchive, ArchiveError> {
    let len = r.seek(SeekFrom::End(0)).map_err(ArchiveError::io)?;
    let tail = read_tail(r, len)?;
    let eocd = &tail.eocd;
    let field16 = |at| u16_at(eocd, at).unwrap_or(0);
    let field32 = |at| u32_at(eocd, at).unwrap_or(0);
    if field16(4) != 0 || field16(6) != 0 {
        return Err(ArchiveError::Unsupported {
            entry: None,
            what: "multi-disk (spanned) archives".into(),
        });
    }
    let (mut count, mut cd_size, mut cd_offset) =
        (u64::from(field16(10)), u64::from(field32(12)), u64::from(field32(16)));
    if let Some((_, rec)) = &tail.zip64_record {
        count = u64_at(rec, 32).unwrap_or(count);
        cd_size = u64_at(rec, 40).unwrap_or(cd_size);
        cd_offset = u64_at(rec, 48).unwrap_or(cd_offset);
    }
    let cd_end = cd_offset
        .checked_add(cd_size)
        .filter(|&e| e <= tail.zip64_record.as_ref().map_or(tail.eocd_offset, |z| z.0));
    let Some(cd_end) = cd_end else {
        return Err(damaged(format!(
            "the central directory ({cd_size} bytes at {cd_offset}) does not fit before the end record at {}",
            tail.eocd_offset
        )));
    };
    let cd = read_at(r, cd_offset, cd_size, len, "the central directory")?;
    let mut entries = Vec::new();
    let mut at = 0usize;
    while at < cd.len() {
        let rec = cd.get(at..).unwrap_or_default();
        if u32_at(rec, 0) != Some(CENTRAL_SIG) {
            return Err(damaged(format!(
                "no central-directory record at byte {}",
                cd_offset + at as u64
            )));
        }
        let n = usize::from(u16_at(rec, 28).unwrap_or(0));
        let m = usize::from(u16_at(rec, 30).unwrap_or(0));
        let k = usize::from(u16_at(rec, 32).unwrap_or(0));
        let total = 46 + n + m + k;
        let Some(central) = rec.get(..total) else {
            return Err(damaged(format!(
                "central-directory record at byte {} is cut off",
                cd_offset + at as u64
            )));
        };
        entries.push(central_entry(central.to_vec())?);
        at += total;
    }
    if entries.len() as u64 != count {
        return Err(damaged(format!(
            "the end record counts {count} entries but the central directory holds {}",
            entries.len()
        )));
    }
    for e in &mut entries {
        read_local(r, e, len)?;
    }
    check_layout(&entries, cd_offset)?;
    Ok(RawArchive {
        entries,
        central: cd_offset..cd_end,
        tail,
    })
}

fn read_tail<R: Read + Seek>(r: &mut R, len: u64) -> Result<Tail, ArchiveError> {
    if len < 22 {
        return Err(ArchiveError::NotZip);
    }
    let window = len.min(22 + 0xFFFF);
    let buf = read_at(r, len - window, window, len, "the end of the archive")?;
    // The end record whose comment runs exactly to the end of the file.
    let mut found = None;
    let mut any_sig = None;
    for i in (0..=buf.len() - 22).rev() {
        if u32_at(&buf, i) != Some(EOCD_SIG) {
            continue;
        }
        any_sig.get_or_insert(i);
        let comment = usize::from(u16_at(&buf, i + 20).unwrap_or(0));
        if i + 22 + comment == buf.len() {
            found = Some(i);
            break;
        }
    }
    let Some(i) = found else {
        let starts_as_zip = read_at(r, 0, 4, len, "the first header").is_ok_and(|h| looks_like_zip(&h));
        return Err(match any_sig {
            None if starts_as_zip => damaged(
                "it has no end-of-central-directory record: the file is cut short (an incomplete download or copy?)"
                    .into(),
            ),
            Some(i) => damaged(format!(
                "the archive comment length in the end record at byte {} runs past the end of the file",
                len - window + i as u64
            )),
            None => ArchiveError::NotZip,
        });
    };
    let eocd_offset = len - window + i as u64;
    let eocd = buf.get(i..).unwrap_or_default().to_vec();
    let (mut zip64_record, mut zip64_locator) = (None, None);
    if eocd_offset >= 20 {
        let loc = read_at(r, eocd_offset - 20, 20, len, "the zip64 locator")?;
        if u32_at(&loc, 0) == Some(ZIP64_LOCATOR_SIG) {
            let rec_off = u64_at(&loc, 8).unwrap_or(u64::MAX);
            let head = read_at(r, rec_off, 12, len, "the zip64 end record")?;
            if u32_at(&head, 0) != Some(ZIP64_EOCD_SIG) {
                return Err(damaged(format!(
                    "the zip64 locator points to byte {rec_off}, where there is no zip64 end record"
                )));
            }
            let rec_len = u64_at(&head, 4).unwrap_or(0).saturating_add(12);
            if rec_off.saturating_add(rec_len) > eocd_offset - 20 {
                return Err(damaged("the zip64 end record overlaps the records after it".into()));
            }
            zip64_record = Some((rec_off, read_at(r, rec_off, rec_len, len, "the zip64 end record")?));
            zip64_locator = Some((eocd_offset - 20, loc));
        }
    }
    Ok(Tail {
        zip64_record,
        zip64_locator,
        eocd_offset,
        eocd,
    })
}

/// Finds the zip64 extended-information field in `extra` (starting at
/// `base` within its record) and the offsets of the values it holds.
fn zip64_fields(extra: &[u8], base: usize, want: [bool; 3]) -> Zip64Fields {
    let mut at = 0;
    while let (Some(id), Some(size)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let size = usize::from(size);
        if id == 0x0001 {
            let mut out = Zip64Fields::default();
            let mut pos = at + 4;
            let end = pos + size;
            let mut take = |wanted: bool| {
                (wanted && pos + 8 <= end).then(|| {
                    pos += 8;
                    base + pos - 8
                })
            };
            out.size = take(want[0]);
            out.compressed = take(want[1]);
            out.offset = take(want[2]);
            return out;
        }
        at += 4 + size;
    }
    Zip64Fields::default()
}

fn central_entry(central: Vec<u8>) -> Result<RawEntry, ArchiveError> {
    let f16 = |at| u16_at(&central, at).unwrap_or(0);
    let f32 = |at| u32_at(&central, at).unwrap_or(0);
    let n = usize::from(f16(28));
    let m = usize::from(f16(30));
    let name = central.get(46..46 + n).unwrap_or_default().to_vec();
    let (size32, comp32, off32) = (f32(24), f32(20), f32(42));
    let extra = central.get(46 + n..46 + n + m).unwrap_or_default();
    let z = zip64_fields(
        extra,
        46 + n,
        [size32 == u32::MAX, comp32 == u32::MAX, off32 == u32::MAX],
    );
    let value = |v32: u32, field: Option<usize>| -> Result<u64, ArchiveError> {
        match (v32 == u32::MAX, field) {
            (true, Some(at)) => Ok(u64_at(&central, at).unwrap_or(0)),
            (true, None) => Err(entry_damaged(
                &String::from_utf8_lossy(&name),
                "a size or offset is 0xFFFFFFFF but no zip64 field holds it".into(),
            )),
            (false, _) => Ok(u64::from(v32)),
        }
    };
    let size = value(size32, z.size)?;
    let compressed = value(comp32, z.compressed)?;
    let local_offset = value(off32, z.offset)?;
    if f16(34) != 0 {
        return Err(ArchiveError::Unsupported {
            entry: Some(String::from_utf8_lossy(&name).into_owned()),
            what: "entries on another disk".into(),
        });
    }
    Ok(RawEntry {
        flags: f16(8),
        method: f16(10),
        crc: f32(16),
        compressed,
        size,
        name,
        central_zip64: z,
        central,
        local: Vec::new(),
        local_offset,
        local_zip64: Zip64Fields::default(),
        descriptor_len: 0,
        descriptor_signed: false,
    })
}

fn read_local<R: Read + Seek>(r: &mut R, e: &mut RawEntry, len: u64) -> Result<(), ArchiveError> {
    let name = e.display_name();
    let fixed = read_at(r, e.local_offset, 30, len, "a local header").map_err(|_| {
        entry_damaged(
            &name,
            format!(
                "the local header at byte {} runs past the end of the file",
                e.local_offset
            ),
        )
    })?;
    if u32_at(&fixed, 0) != Some(LOCAL_SIG) {
        return Err(entry_damaged(
            &name,
            format!("no local header signature at byte {}", e.local_offset),
        ));
    }
    let n = u64::from(u16_at(&fixed, 26).unwrap_or(0));
    let m = u64::from(u16_at(&fixed, 28).unwrap_or(0));
    let local = read_at(r, e.local_offset, 30 + n + m, len, "a local header")?;
    let mismatch = |field: &str| ArchiveError::HeaderMismatch {
        entry: name.clone(),
        field: field.to_string(),
    };
    if local.get(30..30 + n as usize) != Some(e.name.as_slice()) {
        return Err(mismatch("name"));
    }
    if u16_at(&local, 8) != Some(e.method) {
        return Err(mismatch("compression method"));
    }
    let extra = local.get(30 + n as usize..).unwrap_or_default();
    let (l_crc, l_comp, l_size) = (
        u32_at(&local, 14).unwrap_or(0),
        u32_at(&local, 18).unwrap_or(0),
        u32_at(&local, 22).unwrap_or(0),
    );
    e.local_zip64 = zip64_fields(extra, 30 + n as usize, [l_size == u32::MAX, l_comp == u32::MAX, false]);
    if !e.has_descriptor() {
        let l_comp = match e.local_zip64.compressed {
            Some(at) => u64_at(&local, at).unwrap_or(0),
            None => u64::from(l_comp),
        };
        if l_crc != e.crc {
            return Err(mismatch("CRC-32"));
        }
        if l_comp != e.compressed {
            return Err(mismatch("compressed size"));
        }
    }
    e.local = local;
    if e.has_descriptor() {
        let at = e.data_start() + e.compressed;
        let avail = len.saturating_sub(at).min(24);
        let d = read_at(r, at, avail, len, "a data descriptor")?;
        let signed = u32_at(&d, 0) == Some(DESCRIPTOR_SIG);
        let base = if signed { 4 } else { 0 };
        // 8-byte sizes with zip64, else 4-byte ones; whichever agrees with
        // the central directory.
        let prefer_wide = e.local_has_zip64() || e.compressed > u64::from(u32::MAX);
        let fits = |wide: bool| {
            let comp = if wide {
                u64_at(&d, base + 4)
            } else {
                u32_at(&d, base + 4).map(u64::from)
            };
            u32_at(&d, base) == Some(e.crc) && comp == Some(e.compressed)
        };
        let Some(wide) = [prefer_wide, !prefer_wide].into_iter().find(|&w| fits(w)) else {
            return Err(mismatch("data descriptor"));
        };
        let body = if wide { 20 } else { 12 };
        e.descriptor_len = (base + body) as u64;
        e.descriptor_signed = signed;
    }
    Ok(())
}

/// Entries must not overlap each other or the central directory.
fn check_layout(entries: &[RawEntry], cd_offset: u64) -> Result<(), ArchiveError> {
    let mut order: Vec<&RawEntry> = entries.iter().collect();
    order.sort_by_key(|e| e.local_offset);
    for pair in order.windows(2) {
        if let [a, b] = pair {
            if a.record().end > b.local_offset {
                return Err(ArchiveError::Damaged {
                    entry: Some(a.display_name()),
                    message: format!("its data overlaps entry \"{}\"", b.display_name()),
                });
            }
        }
    }
    if let Some(last) = order.last() {
        if last.record().end > cd_offset {
            return Err(entry_damaged(
                &last.display_name(),
                "its data runs into the central directory".into(),
            ));
        }
    }
    Ok(())
}
