//! Telling what a file is: a zip archive or a BPMN document, by content.

use std::path::Path;

use crate::document::Document;

use super::error::ArchiveError;
use super::source::Source;
use super::{entries, raw, scan, Options};

/// What the file in `source` is: a zip when it starts like one, or when
/// it does not look like XML and has an end record near its end (a zip
/// with a self-extractor stub before it); else a BPMN document, whose bytes
/// are returned (the source is then spent).
pub(super) fn file_kind(path: &Path, source: Source, options: &Options) -> Result<Kind, ArchiveError> {
    let head = source.head(entries::HEAD)?;
    if raw::looks_like_zip(&head)
        || (!scan::may_be_xml(&head) && raw::has_end_signature(&source.tail(raw::END_WINDOW)?))
    {
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
