//! Finding the end of an archive: the end-of-central-directory record, the
//! zip64 records it may lead to, the bytes before the archive and after
//! its end record, and where the central directory is.

use std::io::{Read, Seek};
use std::ops::Range;

use super::layout::{central, eocd, locator, sig, u16_at, u32_at, u64_at, zip64_eocd, ZIP64_LIMIT};
use super::{damaged, looks_like_zip, read_at, Tail};
use crate::archive::error::ArchiveError;

/// The longest archive comment: how far before the end an end record can
/// start, past its fixed part.
pub(super) const WINDOW: usize = 0xFFFF;
/// The bytes at the end of a file that the search reads.
pub(super) const WINDOW_LEN: u64 = 0xFFFF + 22;

/// The end of an archive, resolved.
#[derive(Debug)]
pub(super) struct End {
    pub tail: Tail,
    /// The central directory, in the file.
    pub central: Range<u64>,
    /// The entry count the end records give (16 bits without zip64).
    pub count: u64,
    /// Whether the count comes from a zip64 end record.
    pub zip64: bool,
    /// See [`super::RawArchive::shift`].
    pub shift: u64,
}

/// The zip64 records an end record leads to.
struct Zip64 {
    at: u64,
    record: Vec<u8>,
    locator_at: u64,
    locator: Vec<u8>,
    /// See [`Tail::locator_shift`].
    locator_shift: u64,
}

/// Finds the end record of the archive in `r` (`len` bytes), scanning back
/// from the end as Java's `ZipFile` does: the first record whose comment
/// runs exactly to the end of the file is the end record; else the first
/// whose central directory checks out, with trailing bytes after it. A
/// record whose comment runs past the end of the file but whose central
/// directory checks out is a file cut short.
pub(super) fn find<R: Read + Seek>(r: &mut R, len: u64) -> Result<End, ArchiveError> {
    let fixed = eocd::FIXED as u64;
    let Some(start) = len.checked_sub(len.min(WINDOW_LEN)).filter(|_| len >= fixed) else {
        return Err(no_end(r, len));
    };
    let window = len.saturating_sub(start);
    let buf = read_at(r, start, window, len, "the end of the archive")?;
    let mut fault = None;
    let mut past_end = None;
    let last = buf.len().saturating_sub(eocd::FIXED);
    for i in (0..=last).rev() {
        if u32_at(&buf, i) != Some(sig::EOCD) {
            continue;
        }
        let pos = start.saturating_add(i as u64);
        let comment = u16_at(&buf, i.saturating_add(eocd::COMMENT_LEN)).unwrap_or(0);
        let rec_end = pos.saturating_add(fixed).saturating_add(u64::from(comment));
        let whole = i
            .checked_add(eocd::FIXED)
            .and_then(|e| e.checked_add(usize::from(comment)))
            .and_then(|e| buf.get(i..e));
        match (rec_end.cmp(&len), whole) {
            (std::cmp::Ordering::Equal, Some(rec)) => return resolve(r, len, pos, rec, false),
            (std::cmp::Ordering::Less, Some(rec)) => match resolve(r, len, pos, rec, true) {
                Ok(end) => return Ok(end),
                Err(e) => {
                    fault.get_or_insert(e);
                }
            },
            _ => {
                let follow = len.saturating_sub(pos).saturating_sub(fixed);
                let fixed_part = buf.get(i..i.saturating_add(eocd::FIXED)).unwrap_or_default();
                let cut = damaged(format!(
                    "the end record at byte {pos} gives a {comment}-byte comment but only {follow} bytes follow it: the file may be cut short"
                ))
                .at(pos);
                if resolve(r, len, pos, fixed_part, true).is_ok() {
                    return Err(cut);
                }
                past_end.get_or_insert(cut);
            }
        }
    }
    Err(past_end.or(fault).unwrap_or_else(|| no_end(r, len)))
}

/// The fault of a file without an end record: cut short if it starts like
/// a zip, else not a zip at all.
fn no_end<R: Read + Seek>(r: &mut R, len: u64) -> ArchiveError {
    let head = read_at(r, 0, len.min(8), len, "the first header").unwrap_or_default();
    if looks_like_zip(&head) {
        damaged(format!(
            "it starts like a zip archive but has no end-of-central-directory record: the file ({len} bytes) is cut short (an incomplete download or copy?)"
        ))
    } else {
        ArchiveError::NotZip
    }
}

/// The four bytes at `at` as a signature, if the file holds them.
fn sig_at<R: Read + Seek>(r: &mut R, at: u64, len: u64) -> Option<u32> {
    read_at(r, at, 4, len, "a signature").ok().and_then(|b| u32_at(&b, 0))
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The archive an end record at `pos` (its bytes and comment: `rec`)
/// describes. With `plausible`, the first entry's local header must be
/// where the central directory says (the check for a record that does not
/// end the file).
fn resolve<R: Read + Seek>(r: &mut R, len: u64, pos: u64, rec: &[u8], plausible: bool) -> Result<End, ArchiveError> {
    let e16 = |at| u16_at(rec, at).unwrap_or(0);
    let e32 = |at| u32_at(rec, at).unwrap_or(0);
    let (disk, cd_disk, entries16) = (e16(eocd::DISK), e16(eocd::CD_DISK), e16(eocd::ENTRIES));
    let (size32, off32) = (e32(eocd::CD_SIZE), e32(eocd::CD_OFFSET));
    let magic = [disk, cd_disk, e16(eocd::DISK_ENTRIES), entries16].contains(&u16::MAX)
        || size32 == u32::MAX
        || off32 == u32::MAX;
    let mut z = None;
    // A locator that leads to no zip64 end record, while the end record
    // defers nothing to one, is ignored, as Java and Python ignore it; its
    // fault explains a later one.
    let mut ignored = None;
    if let Some(loc_at) = pos.checked_sub(locator::LEN as u64) {
        let loc = read_at(r, loc_at, locator::LEN as u64, len, "the zip64 locator")?;
        if u32_at(&loc, 0) == Some(sig::ZIP64_LOCATOR) {
            // Room for zip64 records: a value the end record defers, or a
            // central directory that ends before the locator. Else these
            // bytes end the central directory (a name, say).
            let room = magic
                || u64::from(off32)
                    .checked_add(u64::from(size32))
                    .is_some_and(|end| end <= loc_at);
            if room {
                match zip64(r, len, loc_at, loc) {
                    Ok(found) => z = Some(found),
                    Err(e) if magic => return Err(e),
                    Err(e) => ignored = Some(e),
                }
            }
        }
    }
    let explain = |e: ArchiveError| match (&ignored, e) {
        (Some(ArchiveError::Damaged { message: why, .. }), ArchiveError::Damaged { entry, offset, message }) => {
            ArchiveError::Damaged {
                entry,
                offset,
                message: format!("{message}: {why}"),
            }
        }
        (_, e) => e,
    };
    let (count, cd_size, cd_off) = match &z {
        None => {
            if disk != 0 || cd_disk != 0 {
                return Err(multi_disk());
            }
            (u64::from(entries16), u64::from(size32), u64::from(off32))
        }
        Some(z) => zip64_values(z, pos, disk, cd_disk, entries16, size32, off32)?,
    };
    let (anchor, anchor_name) = match &z {
        Some(z) => (z.at, "the zip64 end record"),
        None => (pos, "the end record"),
    };
    let Some(cd_end) = cd_off.checked_add(cd_size) else {
        return Err(explain(
            damaged(format!(
                "the central directory ({cd_size} bytes at {cd_off}) does not fit before {anchor_name} at {anchor}"
            ))
            .at(anchor),
        ));
    };
    // Bytes before the archive that its offsets do not count: where the
    // central directory ends minus where the end records say it ends.
    let Some(shift) = anchor.checked_sub(cd_end) else {
        return Err(explain(
            damaged(format!(
                "the central directory ({cd_size} bytes at {cd_off}) does not fit before {anchor_name} at {anchor}"
            ))
            .at(anchor),
        ));
    };
    let cd_at = cd_off.saturating_add(shift);
    if let Some(z) = &z {
        if z.locator_shift != 0 && z.locator_shift != shift {
            return Err(damaged(format!(
                "the zip64 locator at byte {} points to byte {}, but the zip64 end record is at byte {}",
                z.locator_at,
                z.at.saturating_sub(z.locator_shift),
                z.at
            ))
            .at(z.locator_at));
        }
    }
    if cd_size > 0 && sig_at(r, cd_at, len) != Some(sig::CENTRAL) {
        return Err(explain(if shift > 0 && sig_at(r, cd_off, len) == Some(sig::CENTRAL) {
            damaged(format!(
                "the central directory ({cd_size} bytes at byte {cd_off}) ends at byte {cd_end}, {shift} byte{} before {anchor_name} at byte {anchor}",
                plural(shift)
            ))
            .at(cd_end)
        } else if shift > 0 {
            damaged(format!(
                "no central directory at byte {cd_off}, where {anchor_name} at byte {anchor} puts it, nor {shift} bytes later"
            ))
            .at(cd_off)
        } else {
            damaged(format!(
                "no central directory at byte {cd_at}, where {anchor_name} at byte {anchor} puts it"
            ))
            .at(cd_at)
        }));
    }
    if plausible && cd_size > 0 {
        // The first entry's local header, where the first central record
        // says (unless that record defers its offset to zip64).
        let first = read_at(
            r,
            cd_at,
            central::FIXED as u64,
            len,
            "the first central-directory record",
        )?;
        let off = u32_at(&first, central::OFFSET).unwrap_or(u32::MAX);
        if off != u32::MAX && sig_at(r, u64::from(off).saturating_add(shift), len) != Some(sig::LOCAL) {
            return Err(damaged(format!(
                "no local header at byte {}, where the first entry of the central directory at byte {cd_at} starts",
                u64::from(off).saturating_add(shift)
            ))
            .at(u64::from(off).saturating_add(shift)));
        }
    }
    let rec_end = pos.saturating_add(rec.len() as u64);
    let (zip64_record, zip64_locator, locator_shift) = match z {
        Some(z) => (Some((z.at, z.record)), Some((z.locator_at, z.locator)), z.locator_shift),
        None => (None, None, 0),
    };
    Ok(End {
        zip64: zip64_record.is_some(),
        tail: Tail {
            zip64_record,
            zip64_locator,
            locator_shift,
            eocd_offset: pos,
            eocd: rec.to_vec(),
            trailing: rec_end..len,
            wrapped_count: false,
        },
        central: cd_at..cd_at.saturating_add(cd_size),
        count,
        shift,
    })
}

fn multi_disk() -> ArchiveError {
    ArchiveError::Unsupported {
        entry: None,
        what: "multi-disk (spanned) archives".into(),
    }
}

/// The zip64 end record and locator that a locator at `loc_at` leads to:
/// the record where the locator says, or (for offsets that do not count
/// the bytes before the archive, as Python reads them) right before the
/// locator.
fn zip64<R: Read + Seek>(r: &mut R, len: u64, loc_at: u64, loc: Vec<u8>) -> Result<Zip64, ArchiveError> {
    let rec_off = u64_at(&loc, locator::OFFSET).unwrap_or(u64::MAX);
    let fixed = zip64_eocd::FIXED as u64;
    let before = loc_at.checked_sub(fixed);
    let mut tried = vec![rec_off];
    tried.extend(before.filter(|&b| b != rec_off));
    for at in tried {
        if at.checked_add(fixed).is_none_or(|end| end > loc_at) {
            continue;
        }
        let head = read_at(r, at, fixed, len, "the zip64 end record")?;
        if u32_at(&head, 0) != Some(sig::ZIP64_EOCD) {
            continue;
        }
        let rec_len = u64_at(&head, zip64_eocd::RECORD_SIZE)
            .and_then(|s| s.checked_add(zip64_eocd::HEAD as u64))
            .unwrap_or(u64::MAX);
        if at != rec_off && rec_len != fixed {
            // Right before the locator only when it fills the gap exactly.
            continue;
        }
        if rec_len < fixed || at.checked_add(rec_len).is_none_or(|end| end > loc_at) {
            return Err(damaged(format!(
                "the zip64 end record at byte {at} gives its length as {rec_len} bytes, which does not fit before the zip64 locator at byte {loc_at}"
            ))
            .at(at));
        }
        let record = read_at(r, at, rec_len, len, "the zip64 end record")?;
        let Some(locator_shift) = at.checked_sub(rec_off) else {
            return Err(damaged(format!(
                "the zip64 locator at byte {loc_at} points to byte {rec_off}, after the zip64 end record at byte {at}"
            ))
            .at(loc_at));
        };
        return Ok(Zip64 {
            at,
            record,
            locator_at: loc_at,
            locator: loc,
            locator_shift,
        });
    }
    Err(damaged(if rec_off.checked_add(fixed).is_none_or(|end| end > len) {
        format!("the zip64 locator at byte {loc_at} points to byte {rec_off}, past the end of the file ({len} bytes)")
    } else {
        format!("the zip64 locator at byte {loc_at} points to byte {rec_off}, where there is no zip64 end record")
    })
    .at(loc_at))
}

/// The entry count, central-directory size and offset of a zip64 archive:
/// the zip64 end record's, checked against every value the end record at
/// `pos` gives itself; and its disks.
fn zip64_values(
    z: &Zip64,
    pos: u64,
    disk: u16,
    cd_disk: u16,
    entries16: u16,
    size32: u32,
    off32: u32,
) -> Result<(u64, u64, u64), ArchiveError> {
    let f64 = |at| u64_at(&z.record, at).unwrap_or(0);
    let f32 = |at| u32_at(&z.record, at).unwrap_or(0);
    let (count, size, off) = (
        f64(zip64_eocd::ENTRIES),
        f64(zip64_eocd::CD_SIZE),
        f64(zip64_eocd::CD_OFFSET),
    );
    for (what, v) in [
        ("entry count", count),
        ("central-directory size", size),
        ("central-directory offset", off),
    ] {
        if v >= ZIP64_LIMIT {
            return Err(damaged(format!(
                "the zip64 end record at byte {} gives a {what} of {v}, not a valid value (2^63 or more)",
                z.at
            ))
            .at(z.at));
        }
    }
    let contradiction = |what: &str, a: u64, b: u64| {
        damaged(format!(
            "the end record at byte {pos} gives {what} {a}, the zip64 end record at byte {} {b}",
            z.at
        ))
        .at(pos)
    };
    if entries16 != u16::MAX && u64::from(entries16) != count && u64::from(entries16) != count & 0xFFFF {
        return Err(contradiction("an entry count of", entries16.into(), count));
    }
    if size32 != u32::MAX && u64::from(size32) != size {
        return Err(contradiction("a central-directory size of", size32.into(), size));
    }
    if off32 != u32::MAX && u64::from(off32) != off {
        return Err(contradiction("a central-directory offset of", off32.into(), off));
    }
    let disk = if disk == u16::MAX {
        f32(zip64_eocd::DISK)
    } else {
        disk.into()
    };
    let cd_disk = if cd_disk == u16::MAX {
        f32(zip64_eocd::CD_DISK)
    } else {
        cd_disk.into()
    };
    let loc_disk = u32_at(&z.locator, locator::DISK).unwrap_or(0);
    let disks = u32_at(&z.locator, locator::DISKS).unwrap_or(0);
    if disk != 0 || cd_disk != 0 || loc_disk != 0 || disks > 1 {
        return Err(multi_disk());
    }
    Ok((count, size, off))
}
