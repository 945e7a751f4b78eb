//! What a report says about an archive's zip structure besides its edits:
//! bytes kept around it, what Java's readers (Identity Manager's) make of
//! it, and nested archives copied unread.
//!
//! procpatch keeps an archive's layout, so a reader that cannot read the
//! input cannot read the output either; it never makes one fail that read
//! the input. Where Java's `ZipFile` or `ZipInputStream` fails on the input,
//! the report says so, as a warning.

use std::fmt;

use super::raw::layout::{sig, FLAG_UTF8};
use super::raw::RawArchive;

/// What kind of note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// Bytes around the archive (a stub, a marker, trailing bytes) or a
    /// wrapped entry count, kept as they were.
    Kept,
    /// A reader Identity Manager may use (Java's `ZipFile` or
    /// `ZipInputStream`) cannot read the archive, nor the output.
    Reader,
    /// A nested archive that cannot be read: copied as it is, its
    /// processes not looked for. The message is the fault.
    Unread,
    /// An entry copied without being read: its header declares more than
    /// the check limit, so its CRC-32 was not checked.
    Unchecked,
}

/// Something the report states about a file's zip structure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    /// The archive it is about: empty for the file itself, else the entry
    /// path of a nested archive (nested archives joined with `!/`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub archive: String,
    /// What kind of note.
    pub kind: NoteKind,
    /// What it says; for [`NoteKind::Unread`], the fault, with its byte
    /// offset inside the nested archive.
    pub message: String,
}

impl fmt::Display for Note {
    /// `note: …` or `warning: …`, with the nested archive's path first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.kind {
            NoteKind::Kept | NoteKind::Unchecked => "note",
            NoteKind::Reader | NoteKind::Unread => "warning",
        };
        write!(f, "{label}: ")?;
        if !self.archive.is_empty() {
            write!(f, "{}: ", self.archive)?;
        }
        if self.kind == NoteKind::Unread {
            write!(f, "cannot be read, copied as it is: ")?;
        }
        f.write_str(&self.message)
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The notes on an archive read as `raw`, the archive at `archive` (empty
/// for the file itself).
pub(crate) fn of(raw: &RawArchive, archive: &str) -> Vec<Note> {
    let mut out = Vec::new();
    let mut note = |kind, message: String| {
        out.push(Note {
            archive: archive.to_string(),
            kind,
            message,
        })
    };
    let first = raw.first_record();
    if first > 0 {
        let place = if raw.entries.is_empty() {
            "the archive"
        } else {
            "the first entry"
        };
        let what = if first == 4 && raw.lead.get(..4) == Some(&sig::DESCRIPTOR.to_le_bytes()[..]) {
            format!("the split-archive marker (PK\\x07\\x08) before {place}")
        } else {
            format!(
                "{} before {place} (a self-extractor stub?)",
                plural(first, "byte", "bytes")
            )
        };
        let counted = match raw.shift {
            0 => "offsets count from the start of the file".to_string(),
            s => format!(
                "offsets count from the start of the archive, {} in",
                plural(s, "byte", "bytes")
            ),
        };
        note(NoteKind::Kept, format!("{what}, kept; {counted}"));
    }
    let trailing = raw.tail.trailing.end.saturating_sub(raw.tail.trailing.start);
    if trailing > 0 {
        note(
            NoteKind::Kept,
            format!("{} after the end record, kept", plural(trailing, "byte", "bytes")),
        );
    }
    if raw.tail.wrapped_count {
        note(
            NoteKind::Kept,
            format!(
                "{} entries, counted modulo 65,536 in the end record (no zip64 records), kept so",
                raw.entries.len()
            ),
        );
    }
    if let Some(why) = zip_file(raw, trailing) {
        note(
            NoteKind::Reader,
            format!("Java's ZipFile cannot read this archive, nor the output: {why}"),
        );
    }
    if let Some(why) = zip_input_stream(raw) {
        note(NoteKind::Reader, why);
    }
    out
}

/// Why Java's `ZipFile` (17) refuses the archive, if it does, for a reason
/// the output keeps: a name that is not UTF-8, a compression method other
/// than stored and deflate, a zip64 locator that does not count the bytes
/// before the archive, or trailing bytes where it does not find the
/// central directory right before the end record.
fn zip_file(raw: &RawArchive, trailing: u64) -> Option<String> {
    if let Some(e) = raw.entries.iter().find(|e| std::str::from_utf8(&e.name).is_err()) {
        return Some(format!("the name of entry \"{}\" is not UTF-8", e.display_name()));
    }
    if let Some(e) = raw.entries.iter().find(|e| !matches!(e.method, 0 | 8)) {
        return Some(format!(
            "entry \"{}\" is compressed with method {}, which it does not know",
            e.display_name(),
            e.method
        ));
    }
    if raw.tail.locator_shift != 0 {
        return Some(format!(
            "its zip64 locator does not count the {} before the archive",
            plural(raw.tail.locator_shift, "byte", "bytes")
        ));
    }
    if trailing > 0 {
        // Java's check for an end record followed by other bytes: the
        // central directory right before it, and a local header where the
        // end record's offset then puts the start of the archive.
        let eocd = &raw.tail.eocd;
        let cd_size = super::raw::layout::u32_at(eocd, super::raw::layout::eocd::CD_SIZE).unwrap_or(0);
        let cd_off = super::raw::layout::u32_at(eocd, super::raw::layout::eocd::CD_OFFSET).unwrap_or(0);
        let cen = raw.tail.eocd_offset.checked_sub(cd_size.into());
        let loc = cen.and_then(|c| c.checked_sub(cd_off.into()));
        let found = cen == Some(raw.central.start)
            && !raw.entries.is_empty()
            && raw.entries.iter().any(|e| Some(e.local_offset) == loc);
        if !found {
            let bytes = plural(trailing, "byte", "bytes");
            return Some(if raw.tail.zip64_record.is_some() {
                format!("{bytes} after the end record of a zip64 archive")
            } else {
                format!("{bytes} after the end record, and no local header at the start of the archive")
            });
        }
    }
    None
}

/// Where Java's `ZipInputStream`, which reads local headers one after the
/// other from the first byte, stops early, if it does.
fn zip_input_stream(raw: &RawArchive) -> Option<String> {
    let mut order: Vec<_> = raw.entries.iter().collect();
    order.sort_by_key(|e| e.local_offset);
    let total = order.len();
    let mut at = 0u64;
    for (k, e) in order.into_iter().enumerate() {
        if e.local_offset != at {
            let gap = e.local_offset.saturating_sub(at);
            return Some(if k == 0 {
                format!(
                    "Java's ZipInputStream reads no entry of this archive, nor of the output: {} before the first entry",
                    plural(gap, "byte", "bytes")
                )
            } else {
                format!(
                    "Java's ZipInputStream reads only {k} of the {total} entries of this archive, nor more of the output: {} at byte {at} between entries",
                    plural(gap, "byte", "bytes")
                )
            });
        }
        let utf8 = std::str::from_utf8(e.local_name()).is_ok();
        if !utf8 {
            let flagged = if e.local_flags() & FLAG_UTF8 != 0 {
                ""
            } else {
                " (no UTF-8 flag)"
            };
            return Some(format!(
                "Java's ZipInputStream stops at entry \"{}\", in this archive as in the output: its local name is not UTF-8{flagged}",
                e.display_name()
            ));
        }
        if e.method == 0 && e.has_descriptor() {
            return Some(format!(
                "Java's ZipInputStream stops at entry \"{}\" of this archive: it is stored with a data descriptor",
                e.display_name()
            ));
        }
        at = e.record().end;
    }
    None
}
