//! Central-directory records and local records: their fields, zip64
//! values, data descriptors, and how they lie in the file.

use std::io::{Read, Seek};

use super::end::End;
use super::layout::{central, descriptor, local, sig, u16_at, u32_at, u64_at, FLAG_UTF8, ZIP64_EXTRA_ID, ZIP64_LIMIT};
use super::{damaged, entry_damaged, names, read_at, RawEntry, Zip64Fields};
use crate::archive::error::ArchiveError;

/// Finds the zip64 extended-information field in `extra` (starting at
/// `base` within its record) and the offsets of the values it holds: those
/// `want`ed, in the order size, compressed size, offset.
fn zip64_fields(extra: &[u8], base: usize, want: [bool; 3]) -> Zip64Fields {
    let mut at = 0usize;
    while let (Some(id), Some(size)) = (u16_at(extra, at), u16_at(extra, at.saturating_add(2))) {
        let size = usize::from(size);
        let start = at.saturating_add(4);
        if id == ZIP64_EXTRA_ID {
            let end = start.saturating_add(size);
            let mut pos = start;
            let mut take = |wanted: bool| {
                let next = pos.checked_add(8).filter(|&n| wanted && n <= end)?;
                let here = base.checked_add(pos)?;
                pos = next;
                Some(here)
            };
            let size = take(want[0]);
            let compressed = take(want[1]);
            let offset = take(want[2]);
            return Zip64Fields {
                size,
                compressed,
                offset,
            };
        }
        at = start.saturating_add(size);
    }
    Zip64Fields::default()
}

/// The central directory of `end`: every record, checked, in order. Sets
/// `end.tail.wrapped_count` for a 16-bit count that wrapped.
pub(super) fn central_directory<R: Read + Seek>(
    r: &mut R,
    end: &mut End,
    len: u64,
) -> Result<Vec<RawEntry>, ArchiveError> {
    let start = end.central.start;
    let size = end.central.end.saturating_sub(start);
    let cd = read_at(r, start, size, len, "the central directory")?;
    let mut entries = Vec::new();
    let mut at = 0usize;
    while at < cd.len() {
        let here = start.saturating_add(at as u64);
        let rec = cd.get(at..).unwrap_or_default();
        if u32_at(rec, 0) != Some(sig::CENTRAL) {
            return Err(damaged(format!("no central-directory record at byte {here}")).at(here));
        }
        let field = |f| usize::from(u16_at(rec, f).unwrap_or(0));
        let total = central::FIXED
            .saturating_add(field(central::NAME_LEN))
            .saturating_add(field(central::EXTRA_LEN))
            .saturating_add(field(central::COMMENT_LEN));
        let Some(record) = rec.get(..total) else {
            return Err(damaged(format!(
                "central-directory record at byte {here} is cut off: the central directory ends at byte {}",
                end.central.end
            ))
            .at(here));
        };
        entries.push(central_entry(record.to_vec(), here, end.shift, len)?);
        at = at.saturating_add(total);
    }
    let found = entries.len() as u64;
    if found != end.count {
        // Writers without zip64 let the 16-bit count wrap; Java, Python and
        // unzip read such an archive, and so does procpatch.
        let wrapped = !end.zip64 && found > 0xFFFF && found & 0xFFFF == end.count;
        if !wrapped {
            return Err(damaged(format!(
                "the end record counts {} entries but the central directory holds {found}",
                end.count
            )));
        }
        end.tail.wrapped_count = true;
    }
    Ok(entries)
}

/// One central record at byte `at` of the file.
fn central_entry(record: Vec<u8>, at: u64, shift: u64, len: u64) -> Result<RawEntry, ArchiveError> {
    let f16 = |f| u16_at(&record, f).unwrap_or(0);
    let f32 = |f| u32_at(&record, f).unwrap_or(0);
    let n = usize::from(f16(central::NAME_LEN));
    let m = usize::from(f16(central::EXTRA_LEN));
    let name_end = central::FIXED.saturating_add(n);
    let name = record.get(central::FIXED..name_end).unwrap_or_default().to_vec();
    let flags = f16(central::FLAGS);
    let shown = names::display(&name, flags & FLAG_UTF8 != 0);
    let (size32, comp32, off32) = (f32(central::SIZE), f32(central::COMPRESSED), f32(central::OFFSET));
    let extra = record.get(name_end..name_end.saturating_add(m)).unwrap_or_default();
    let z = zip64_fields(
        extra,
        name_end,
        [size32 == u32::MAX, comp32 == u32::MAX, off32 == u32::MAX],
    );
    // Each value, and where it is for messages.
    let value = |v32: u32, field: Option<usize>| -> Result<(u64, String), ArchiveError> {
        match (v32 == u32::MAX, field) {
            (true, Some(f)) => {
                let v = u64_at(&record, f).unwrap_or(0);
                let pos = at.saturating_add(f as u64);
                Ok((
                    v,
                    format!("zip64 field at byte {pos} of the central record at byte {at}"),
                ))
            }
            (true, None) => Err(entry_damaged(
                &shown,
                "a size or offset is 0xFFFFFFFF but no zip64 field holds it".into(),
            )),
            (false, _) => Ok((u64::from(v32), format!("central record at byte {at}"))),
        }
    };
    let (size, size_at) = value(size32, z.size)?;
    let (compressed, compressed_at) = value(comp32, z.compressed)?;
    let (stored_offset, offset_at) = value(off32, z.offset)?;
    let method = f16(central::METHOD);
    if compressed > len {
        return Err(entry_damaged(
            &shown,
            format!("its compressed size {compressed} ({compressed_at}) runs past the end of the file ({len} bytes)"),
        ));
    }
    let encrypted = flags & super::layout::FLAG_ENCRYPTED != 0;
    if method == 0 && !encrypted && size != compressed {
        return Err(entry_damaged(
            &shown,
            format!("it is stored, but its uncompressed size {size} ({size_at}) differs from its compressed size {compressed}"),
        ));
    }
    if size >= ZIP64_LIMIT {
        return Err(entry_damaged(
            &shown,
            format!("its uncompressed size {size} ({size_at}) is not a valid size (2^63 or more)"),
        ));
    }
    let local_offset = stored_offset
        .checked_add(shift)
        .filter(|&o| o < len && stored_offset < ZIP64_LIMIT);
    let Some(local_offset) = local_offset else {
        return Err(entry_damaged(
            &shown,
            format!(
                "the local header at byte {stored_offset} ({offset_at}) runs past the end of the file ({len} bytes)"
            ),
        ));
    };
    if f16(central::DISK) != 0 {
        return Err(ArchiveError::Unsupported {
            entry: Some(shown),
            what: "entries on another disk".into(),
        });
    }
    Ok(RawEntry {
        flags,
        method,
        crc: f32(central::CRC),
        compressed,
        size,
        name,
        central_zip64: z,
        central: record,
        local: Vec::new(),
        local_offset,
        local_zip64: Zip64Fields::default(),
        descriptor_len: 0,
        descriptor_signed: false,
        data_start: 0,
        record_end: 0,
    })
}

/// Reads the local record of `e`: its header (checked against the central
/// record), where its data lies, and its data descriptor.
pub(super) fn read_local<R: Read + Seek>(r: &mut R, e: &mut RawEntry, len: u64) -> Result<(), ArchiveError> {
    let name = e.display_name();
    let off = e.local_offset;
    let fixed_len = local::FIXED as u64;
    let fixed = read_at(r, off, fixed_len, len, "a local header").map_err(|_| {
        entry_damaged(
            &name,
            format!("the local header at byte {off} runs past the end of the file ({len} bytes)"),
        )
        .at(off)
    })?;
    if u32_at(&fixed, 0) != Some(sig::LOCAL) {
        return Err(entry_damaged(&name, format!("no local header signature at byte {off}")).at(off));
    }
    let n = usize::from(u16_at(&fixed, local::NAME_LEN).unwrap_or(0));
    let m = usize::from(u16_at(&fixed, local::EXTRA_LEN).unwrap_or(0));
    let header_len = local::FIXED.saturating_add(n).saturating_add(m);
    let header = read_at(r, off, header_len as u64, len, "a local header").map_err(|_| {
        entry_damaged(
            &name,
            format!("the local header at byte {off} runs past the end of the file ({len} bytes)"),
        )
        .at(off)
    })?;
    let mismatch = |field: &str| ArchiveError::HeaderMismatch {
        entry: name.clone(),
        field: field.to_string(),
    };
    let name_end = local::FIXED.saturating_add(n);
    let local_name = header.get(local::FIXED..name_end).unwrap_or_default();
    let local_flags = u16_at(&header, local::FLAGS).unwrap_or(0);
    if !names::same(
        local_name,
        local_flags & FLAG_UTF8 != 0,
        &e.name,
        e.flags & FLAG_UTF8 != 0,
    ) {
        return Err(mismatch("name"));
    }
    if u16_at(&header, local::METHOD) != Some(e.method) {
        return Err(mismatch("compression method"));
    }
    let extra = header.get(name_end..).unwrap_or_default();
    let (l_crc, l_comp, l_size) = (
        u32_at(&header, local::CRC).unwrap_or(0),
        u32_at(&header, local::COMPRESSED).unwrap_or(0),
        u32_at(&header, local::SIZE).unwrap_or(0),
    );
    e.local_zip64 = zip64_fields(extra, name_end, [l_size == u32::MAX, l_comp == u32::MAX, false]);
    if !e.has_descriptor() {
        let l_comp = match e.local_zip64.compressed {
            Some(at) => u64_at(&header, at).unwrap_or(0),
            None => u64::from(l_comp),
        };
        if l_crc != e.crc {
            return Err(mismatch("CRC-32"));
        }
        if l_comp != e.compressed {
            return Err(mismatch("compressed size"));
        }
    }
    e.local = header;
    let data_start = off.saturating_add(header_len as u64);
    let Some(data_end) = data_start.checked_add(e.compressed).filter(|&end| end <= len) else {
        return Err(entry_damaged(
            &name,
            format!(
                "its data ({} bytes at byte {data_start}) runs past the end of the file ({len} bytes)",
                e.compressed
            ),
        )
        .at(data_start));
    };
    e.data_start = data_start;
    if e.has_descriptor() {
        let avail = len.saturating_sub(data_end).min(descriptor::MAX);
        let d = read_at(r, data_end, avail, len, "a data descriptor")?;
        let signed = u32_at(&d, 0) == Some(sig::DESCRIPTOR);
        let base: usize = if signed { 4 } else { 0 };
        // 8-byte sizes with zip64, else 4-byte ones; whichever agrees with
        // the central directory.
        let prefer_wide = e.local_has_zip64() || e.compressed > u64::from(u32::MAX);
        let fits = |wide: bool| {
            let comp = if wide {
                u64_at(&d, base.saturating_add(descriptor::COMPRESSED))
            } else {
                u32_at(&d, base.saturating_add(descriptor::COMPRESSED)).map(u64::from)
            };
            u32_at(&d, base) == Some(e.crc) && comp == Some(e.compressed)
        };
        let Some(wide) = [prefer_wide, !prefer_wide].into_iter().find(|&w| fits(w)) else {
            return Err(mismatch("data descriptor"));
        };
        let body = if wide { descriptor::WIDE } else { descriptor::NARROW };
        e.descriptor_len = body.saturating_add(base as u64);
        e.descriptor_signed = signed;
    }
    e.record_end = data_end.saturating_add(e.descriptor_len);
    Ok(())
}

/// Entries must not overlap each other or the central directory.
pub(super) fn check_layout(entries: &[RawEntry], cd_start: u64) -> Result<(), ArchiveError> {
    let mut order: Vec<&RawEntry> = entries.iter().collect();
    order.sort_by_key(|e| e.local_offset);
    for pair in order.windows(2) {
        if let [a, b] = pair {
            if a.record().end > b.local_offset {
                return Err(ArchiveError::Damaged {
                    entry: Some(a.display_name()),
                    offset: Some(b.local_offset),
                    message: format!("its data overlaps entry \"{}\"", b.display_name()),
                });
            }
        }
    }
    if let Some(last) = order.last() {
        if last.record().end > cd_start {
            return Err(entry_damaged(
                &last.display_name(),
                "its data runs into the central directory".into(),
            ));
        }
    }
    Ok(())
}
