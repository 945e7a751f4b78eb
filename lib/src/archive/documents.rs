//! Every BPMN document of a file, handed to the caller in entry order: for
//! tools that read documents without editing them (the change record draws
//! them).

use std::path::Path;

use super::entries::EntryKind;
use super::error::ArchiveError;
use super::scan::{self, Visitor};
use super::source::Source;
use super::{file_kind, Kind, Options};

/// Hands each BPMN document to a callback; changes nothing.
struct Each<'f> {
    f: &'f mut dyn FnMut(&str, &[u8]),
}

impl Visitor<'_> for Each<'_> {
    fn document(
        &mut self,
        entry: &str,
        data: &[u8],
        _: Option<super::prepare::Prepared>,
    ) -> Result<Option<Vec<crate::Splice>>, ArchiveError> {
        (self.f)(entry, data);
        Ok(None)
    }

    fn entry(&mut self, _: &str, _: EntryKind, _: u64) {}

    fn signature(&mut self, _: Vec<String>, _: bool) {}
}

/// Reads the file at `path` (a zip archive, nested archives included, or a
/// bare BPMN document, found by content) with the limits of `options`, and
/// calls `f` with each BPMN document: its entry path (nested archives
/// joined with `!/`, as in [`EntryReport::entry`](super::EntryReport);
/// empty for a bare XML file) and its bytes. Nothing is written.
///
/// # Errors
///
/// A file that cannot be read, or is not a zip or BPMN file, or is damaged.
pub fn for_each_document(path: &Path, options: &Options, f: &mut dyn FnMut(&str, &[u8])) -> Result<(), ArchiveError> {
    each_document(path, options, f).map_err(|e| e.reading(path))
}

fn each_document(path: &Path, options: &Options, f: &mut dyn FnMut(&str, &[u8])) -> Result<(), ArchiveError> {
    let source = Source::open(path, options.max_in_memory)?;
    match file_kind(path, source, options)? {
        Kind::Xml(data) => f("", &data),
        Kind::Zip(source) => match source.bytes() {
            Some(bytes) => {
                scan::walk_bytes(bytes, "", 0, options, &mut Each { f })?;
            }
            None => {
                scan::walk(
                    source.reader()?,
                    Some(source.reader()?),
                    "",
                    0,
                    options,
                    &mut Each { f },
                )?;
            }
        },
    }
    Ok(())
}
