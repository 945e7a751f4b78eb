//! Telling what a file is: a zip archive or a BPMN document, by content
//! (the name does not decide). [`FileKind::sniff`] and [`file_kind_of`]
//! look at a file's first and last bytes, for tools that sort files
//! before reading them; the plan and inspect routes decide by the same
//! signs, then read the whole file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::document::Document;

use super::error::ArchiveError;
use super::report::FileKind;
use super::source::Source;
use super::{entries, raw, scan, Options};

/// How much of a file's start is sniffed for a BPMN root element: more than
/// the prolog (declaration, comments, doctype) of any real document takes.
const SNIFF_HEAD: usize = 64 << 10;

/// Whether a file whose first bytes are `head` is a zip archive: it starts
/// like one, or it does not look like XML and has an end record near its
/// end (a zip with a self-extractor stub before it). Its last bytes are
/// read from `tail` only when they decide.
fn is_zip(head: &[u8], tail: impl FnOnce() -> Result<Vec<u8>, ArchiveError>) -> Result<bool, ArchiveError> {
    Ok(raw::looks_like_zip(head) || (!scan::may_be_xml(head) && raw::has_end_signature(&tail()?)))
}

impl FileKind {
    /// What a file is, from its bytes (all of them, or as many of its first
    /// bytes as are at hand): a zip archive when it starts like one, or when
    /// it does not look like XML and holds an end-of-central-directory
    /// record near the end of `bytes` (a self-extractor stub before the
    /// zip); a BPMN document when its root element is BPMN's `definitions`;
    /// else `None`. Only the first 64 KiB are read for the root element, and
    /// nothing is parsed past it: a file sniffed as BPMN may still be
    /// malformed further on.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        let from = bytes
            .len()
            .saturating_sub(usize::try_from(raw::END_WINDOW).unwrap_or(usize::MAX));
        let tail = || Ok(bytes.get(from..).unwrap_or(bytes).to_vec());
        if is_zip(bytes, tail).unwrap_or(false) {
            Some(FileKind::Zip)
        } else if crate::is_bpmn(bytes.get(..SNIFF_HEAD).unwrap_or(bytes)) {
            Some(FileKind::Xml)
        } else {
            None
        }
    }
}

/// What the file at `path` is, as [`FileKind::sniff`] tells it from its
/// first 64 KiB and its last 64 KiB; `None` for a file that is neither a zip
/// archive nor a BPMN document.
///
/// # Errors
///
/// [`ArchiveError::Io`], naming `path`, when the file cannot be read.
pub fn file_kind_of(path: &Path) -> Result<Option<FileKind>, ArchiveError> {
    let failed = |e| ArchiveError::io_at(path, e);
    let mut file = File::open(path).map_err(failed)?;
    // Room for the whole head, so that it is read in a call or two, not
    // in the small probing reads an empty vector starts with.
    let mut head = Vec::with_capacity(SNIFF_HEAD);
    (&mut file)
        .take(SNIFF_HEAD as u64)
        .read_to_end(&mut head)
        .map_err(failed)?;
    let tail = || {
        let len = file.seek(SeekFrom::End(0)).map_err(failed)?;
        file.seek(SeekFrom::Start(len.saturating_sub(raw::END_WINDOW)))
            .map_err(failed)?;
        let mut tail = Vec::with_capacity(usize::try_from(raw::END_WINDOW).unwrap_or(0));
        file.read_to_end(&mut tail).map_err(failed)?;
        Ok(tail)
    };
    Ok(if is_zip(&head, tail)? {
        Some(FileKind::Zip)
    } else if crate::is_bpmn(&head) {
        Some(FileKind::Xml)
    } else {
        None
    })
}

/// What the file in `source` is: a zip (by the signs of [`is_zip`]), else
/// a BPMN document, whose bytes are returned (the source is then spent).
pub(super) fn file_kind(path: &Path, source: Source, options: &Options) -> Result<Kind, ArchiveError> {
    let head = source.head(entries::HEAD)?;
    if is_zip(&head, || source.tail(raw::END_WINDOW))? {
        return Ok(Kind::Zip(source));
    }
    let Some(bytes) = source.into_bytes(options.max_entry_size)? else {
        return Err(ArchiveError::TooLarge {
            entry: path.display().to_string(),
            limit: options.max_entry_size,
        });
    };
    // The root element decides; the document is parsed once, later, by the
    // plan. XML that is not BPMN gets the document's own error.
    if crate::is_bpmn(&bytes) {
        return Ok(Kind::Xml(bytes));
    }
    match Document::parse(&bytes) {
        Ok(_) => Ok(Kind::Xml(bytes)),
        Err(e) if scan::may_be_xml(&bytes) => Err(e.into()),
        Err(_) => Err(ArchiveError::NotZip),
    }
}

/// A file told apart: a zip archive (its source), or a document's bytes.
pub(super) enum Kind {
    Zip(Source),
    Xml(Vec<u8>),
}
