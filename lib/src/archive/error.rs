//! Errors of the archive layer. Each says which entry (with the path of
//! nested archives) and wraps the document error, which says which line.

use crate::error::{Candidate, Error, Selector};

/// What kind of failure an error is, for exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The input cannot be used: not a zip, damaged, encrypted, signed,
    /// malformed XML, a bad recipe.
    BadInput,
    /// A recipe target is not found, or is ambiguous.
    Target,
    /// Reading or writing files failed, or the output did not verify.
    Io,
    /// The request itself cannot be carried out (output = input).
    Usage,
}

/// Everything that can go wrong with an archive or a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Neither a zip archive nor BPMN XML.
    #[error("not a zip archive and not BPMN XML; if this is an encrypted Identity Manager export, export it again without encryption")]
    NotZip,
    /// The zip structure is damaged.
    #[error("{}damaged zip archive: {message}", entry_prefix(entry))]
    Damaged {
        /// The entry, when the damage is in one.
        entry: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The local and central headers of an entry disagree.
    #[error("entry \"{entry}\": its local header and central directory disagree on the {field}")]
    HeaderMismatch {
        /// The entry.
        entry: String,
        /// The field that differs.
        field: String,
    },
    /// Two entries have the same name.
    #[error("the archive holds two entries named \"{entry}\"")]
    DuplicateEntry {
        /// The name.
        entry: String,
    },
    /// An entry is encrypted.
    #[error("entry \"{entry}\" is encrypted; procpatch cannot read it — export the archive without encryption")]
    Encrypted {
        /// The entry.
        entry: String,
    },
    /// Something the zip format allows that procpatch does not handle.
    #[error("{}{what} are not supported", entry_prefix(entry))]
    Unsupported {
        /// The entry, when it is about one.
        entry: Option<String>,
        /// What is not supported.
        what: String,
    },
    /// An entry is larger than the limit, counted while reading.
    #[error("entry \"{entry}\" is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The entry.
        entry: String,
        /// The limit.
        limit: u64,
    },
    /// No recipe process was found, and some entries could not be read.
    #[error("none of the recipe's processes was found; {} cannot be read (a compression method other than stored, deflate, bzip2 or LZMA): {}", if entries.len() == 1 { "one entry" } else { "some entries" }, entries.join(", "))]
    Unreadable {
        /// The entries that could not be decompressed.
        entries: Vec<String>,
    },
    /// No recipe process was found, and a nested archive, which may hold
    /// them, cannot be read.
    #[error("none of the recipe's processes was found; the nested archive \"{archive}\", which may hold them, cannot be read: {fault}")]
    UnreadableNested {
        /// The nested archive's entry path.
        archive: String,
        /// Why it cannot be read, with the byte offset inside it.
        fault: String,
    },
    /// An entry decompresses far beyond its compressed size.
    #[error("entry \"{entry}\" expands more than {ratio} times its compressed size; refused as a zip bomb")]
    Bomb {
        /// The entry.
        entry: String,
        /// The ratio limit.
        ratio: u64,
    },
    /// Archives nest deeper than the limit.
    #[error("entry \"{entry}\" nests archives more than {limit} deep")]
    TooDeep {
        /// The entry.
        entry: String,
        /// The limit.
        limit: usize,
    },
    /// The archive is signed, and editing it would break the signature.
    #[error("the archive is signed ({}); editing it would break the signature and Identity Manager would refuse it", files.join(", "))]
    Signed {
        /// The signature files.
        files: Vec<String>,
    },
    /// An entry's document could not be read or edited.
    #[error("{entry}: {source}")]
    Entry {
        /// The entry path (nested archives joined with `!/`).
        entry: String,
        /// What went wrong, with its line and column.
        source: Box<Error>,
    },
    /// A document-level error that concerns the whole input.
    #[error(transparent)]
    Document(Box<Error>),
    /// A process matches in several entries.
    #[error("process {target} matches {} processes: {}; name it by id too, or set `all = true` to edit each", candidates.len(), candidates.iter().map(|(e, c)| format!("{e}: {c}")).collect::<Vec<_>>().join(", "))]
    AmbiguousProcess {
        /// The recipe target.
        target: Selector,
        /// Each match with its entry.
        candidates: Vec<(String, Candidate)>,
    },
    /// The written file did not verify; it was not put in place.
    #[error("the output did not verify ({0}); nothing was written")]
    Verify(String),
    /// procpatch failed where it should not (the compressor refused data
    /// it made); nothing was written. A bug to report, not a fault of the
    /// input.
    #[error("internal error: {0}; nothing was written (please report this)")]
    Internal(String),
    /// The output could not be written; nothing was put in place.
    #[error("cannot write {}: {source}", path.display())]
    Output {
        /// The output (or backup) path.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output path is the input path.
    #[error("the output is the input file")]
    SameFile,
}

impl From<Error> for ArchiveError {
    fn from(e: Error) -> ArchiveError {
        ArchiveError::Document(Box::new(e))
    }
}

fn entry_prefix(entry: &Option<String>) -> String {
    entry.as_ref().map(|e| format!("entry \"{e}\": ")).unwrap_or_default()
}

impl ArchiveError {
    pub(crate) fn io(e: std::io::Error) -> ArchiveError {
        ArchiveError::Io(e)
    }

    /// The same error about the archive nested at `archive` (an entry
    /// path): entry names get the archive's path before them, and an error
    /// about the whole archive names it.
    pub(crate) fn within(self, archive: &str) -> ArchiveError {
        let inside = |e: String| format!("{archive}!/{e}");
        let whole = |e: Option<String>| Some(e.map_or_else(|| archive.to_string(), inside));
        match self {
            ArchiveError::Damaged { entry, message } => ArchiveError::Damaged {
                entry: whole(entry),
                message,
            },
            ArchiveError::Unsupported { entry, what } => ArchiveError::Unsupported {
                entry: whole(entry),
                what,
            },
            ArchiveError::HeaderMismatch { entry, field } => ArchiveError::HeaderMismatch {
                entry: inside(entry),
                field,
            },
            ArchiveError::DuplicateEntry { entry } => ArchiveError::DuplicateEntry { entry: inside(entry) },
            ArchiveError::Encrypted { entry } => ArchiveError::Encrypted { entry: inside(entry) },
            ArchiveError::TooLarge { entry, limit } => ArchiveError::TooLarge {
                entry: inside(entry),
                limit,
            },
            ArchiveError::Bomb { entry, ratio } => ArchiveError::Bomb {
                entry: inside(entry),
                ratio,
            },
            other => other,
        }
    }

    /// Whether this is a fault of the zip structure or of an entry's data
    /// (damage, a header mismatch, two entries of one name, a layout
    /// procpatch does not read): what makes a nested archive unreadable,
    /// and copied as it is, rather than the whole input refused.
    pub(crate) fn is_damage(&self) -> bool {
        matches!(
            self,
            ArchiveError::Damaged { .. }
                | ArchiveError::HeaderMismatch { .. }
                | ArchiveError::DuplicateEntry { .. }
                | ArchiveError::Unsupported { .. }
                | ArchiveError::NotZip
        )
    }

    /// The kind of failure, for exit codes.
    pub fn kind(&self) -> ErrorKind {
        let doc = |e: &Error| match e {
            Error::TaskNotFound { .. }
            | Error::AmbiguousTask { .. }
            | Error::AmbiguousProcess { .. }
            | Error::NothingFound { .. }
            | Error::MissingProcesses { .. }
            | Error::ProcessNotFound { .. }
            | Error::DuplicateField { .. }
            | Error::SetTwice { .. } => ErrorKind::Target,
            _ => ErrorKind::BadInput,
        };
        match self {
            ArchiveError::Io(_) | ArchiveError::Verify(_) | ArchiveError::Internal(_) | ArchiveError::Output { .. } => {
                ErrorKind::Io
            }
            ArchiveError::SameFile => ErrorKind::Usage,
            ArchiveError::AmbiguousProcess { .. } => ErrorKind::Target,
            ArchiveError::Entry { source, .. } | ArchiveError::Document(source) => doc(source),
            _ => ErrorKind::BadInput,
        }
    }
}
