//! Errors and source positions.
//!
//! Every error says what went wrong and where: a line and column in the
//! document, and the closest valid names when a target was not found. The
//! archive layer wraps these errors with the entry path.

use std::fmt;

pub use crate::selector::{Candidate, Selector};

/// A 1-based line and column in a document. Columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    /// Line number, from 1.
    pub line: u32,
    /// Column number in characters, from 1.
    pub column: u32,
}

impl Position {
    /// The position of byte `offset` in raw bytes that could not be decoded.
    /// Columns count bytes here, as there are no characters to count.
    pub(crate) fn of_bytes(bytes: &[u8], offset: usize) -> Position {
        let before = bytes.get(..offset).unwrap_or(bytes);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        Position {
            line: saturate(line),
            column: saturate(col),
        }
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Bytes of text each thread indexes, at least ([`LineIndex::new`]).
const INDEX_PART: usize = 2 << 20;

/// Pushes the start of each line that begins after a line end in `range`
/// of `bytes` (a line ends at `\n`, `\r\n` or a lone `\r`; the byte after
/// the range is looked at for a `\r` at its end).
fn line_starts(bytes: &[u8], range: std::ops::Range<usize>, out: &mut Vec<u32>) {
    let from = range.start;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes.get(range).unwrap_or_default()) {
        let i = from + i;
        if bytes.get(i) == Some(&b'\n') || bytes.get(i + 1) != Some(&b'\n') {
            out.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
}

/// Maps byte offsets in a text to line:column positions.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineIndex {
    /// Offset of the first byte of each line (texts over 4 GiB are refused
    /// before they are indexed).
    starts: Vec<u32>,
    /// For each page of [`PAGE`] bytes, how many lines start at or before
    /// its first byte: a position is then looked for among the few lines
    /// of its page, not among all of a large document's.
    pages: Vec<u32>,
}

/// The size of a page in [`LineIndex::pages`], as a shift.
const PAGE: u32 = 12;

impl LineIndex {
    /// Indexes `text`. A line ends at `\n`, `\r\n` or a lone `\r`.
    /// A long text is indexed in parts side by side.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let parts = crate::threads::parts(bytes.len(), INDEX_PART, 1);
        let mut starts = Vec::with_capacity(bytes.len() / 48 + 1);
        starts.push(0);
        if parts == 1 {
            line_starts(bytes, 0..bytes.len(), &mut starts);
            return LineIndex::paged(starts, bytes.len());
        }
        let share = bytes.len().div_ceil(parts);
        let found: Vec<Vec<u32>> = {
            use rayon::prelude::*;
            (0..parts)
                .into_par_iter()
                .map(|k| {
                    let range = k * share..((k + 1) * share).min(bytes.len());
                    let mut part = Vec::with_capacity(range.len() / 48 + 1);
                    line_starts(bytes, range, &mut part);
                    part
                })
                .collect()
        };
        for part in found {
            starts.extend_from_slice(&part);
        }
        LineIndex::paged(starts, bytes.len())
    }

    /// The index of line `starts` in a text of `len` bytes, with its pages.
    fn paged(starts: Vec<u32>, len: usize) -> LineIndex {
        let count = (len >> PAGE) + 2;
        let mut pages = Vec::with_capacity(count);
        let mut line = 0;
        for page in 0..count {
            let first = page << PAGE;
            while starts.get(line).is_some_and(|&s| s as usize <= first) {
                line += 1;
            }
            pages.push(u32::try_from(line).unwrap_or(u32::MAX));
        }
        LineIndex { starts, pages }
    }

    /// The position of `offset` in `text` (the text this index was built on).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        // The lines starting at or before `offset` are at least those of
        // its page's first byte, at most those of the next page's.
        let page = offset >> PAGE;
        let bound = |p: usize| self.pages.get(p).map_or(self.starts.len(), |&n| n as usize);
        let (low, high) = (
            bound(page).min(self.starts.len()),
            bound(page + 1).min(self.starts.len()),
        );
        let among = self.starts.get(low..high.max(low)).unwrap_or_default();
        let line = (low + among.partition_point(|&s| (s as usize) <= offset)).max(1);
        let start = self.starts.get(line - 1).map_or(0, |&s| s as usize);
        let column = text
            .get(start..offset.min(text.len()))
            .map_or(offset - start.min(offset), |s| s.chars().count())
            + 1;
        Position {
            line: saturate(line),
            column: saturate(column),
        }
    }
}

/// Everything that can go wrong while reading a document, matching a recipe
/// against it, or editing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not valid in the document's encoding.
    #[error("byte {offset} (line {}, column {}) is not valid {encoding}; declare the document's real encoding", position.line, position.column)]
    Undecodable {
        /// The encoding the bytes were read as.
        encoding: &'static str,
        /// Offset of the first bad byte.
        offset: usize,
        /// Its line and column (columns count bytes).
        position: Position,
    },
    /// The byte-order mark or first bytes contradict the declaration.
    #[error("the XML declaration says encoding \"{declared}\" but the document is {detected}")]
    EncodingMismatch {
        /// What the declaration says.
        declared: String,
        /// What the first bytes show.
        detected: &'static str,
    },
    /// The declared encoding is not one procpatch can read.
    #[error("unsupported encoding \"{label}\" declared at {position}")]
    UnsupportedEncoding {
        /// The label as declared.
        label: String,
        /// Where the declaration is.
        position: Position,
    },
    /// The document is not well-formed XML.
    #[error("malformed XML at {position}: {message}")]
    Xml {
        /// Where the reader stopped.
        position: Position,
        /// What the reader found.
        message: String,
    },
    /// The document has no root element.
    #[error("the document is empty: it has no root element")]
    Empty,
    /// The root element is not a BPMN 2.0 `definitions`.
    #[error("not a BPMN 2.0 document: the root element is <{root}> in namespace \"{namespace}\", expected <definitions> in \"{}\"", crate::ns::BPMN_MODEL)]
    NotBpmn {
        /// The root element's qualified name.
        root: String,
        /// Its namespace URI, or empty.
        namespace: String,
    },
    /// Elements nest deeper than procpatch follows.
    #[error("elements nest more than {limit} deep at {position}")]
    TooDeep {
        /// The depth limit.
        limit: usize,
        /// The element that went past it.
        position: Position,
    },
    /// A value holds an entity reference that is not defined by XML itself.
    #[error("value of {what} at {position} uses the entity &{name}; which procpatch does not expand")]
    UnknownEntity {
        /// The value being read.
        what: String,
        /// The entity name.
        name: String,
        /// Where the reference is.
        position: Position,
    },
    /// A field value holds child elements, which no engine reads as a value.
    #[error("{what} at {position} holds child elements, so it has no plain value to edit")]
    ElementContent {
        /// The value being read.
        what: String,
        /// Where the element is.
        position: Position,
    },
    /// A new value holds a character that XML 1.0 cannot carry at all.
    #[error("the value for {key} holds the character U+{code:04X}, which XML 1.0 cannot carry")]
    UnrepresentableChar {
        /// The recipe key.
        key: String,
        /// The code point.
        code: u32,
    },
    /// Several processes match one recipe target.
    #[error("process {target} matches {} processes: {}; name it by id too, or set `all = true` to edit each", candidates.len(), list(candidates))]
    AmbiguousProcess {
        /// The recipe target.
        target: Selector,
        /// Every match.
        candidates: Vec<Candidate>,
    },
    /// A task of the recipe is not in a process that was found.
    #[error("task {target} not found in process {process}{}", did_you_mean(suggestions))]
    TaskNotFound {
        /// The recipe target.
        target: Selector,
        /// The process searched.
        process: Selector,
        /// The closest task names in that process.
        suggestions: Vec<String>,
    },
    /// Several tasks of one process match one recipe target.
    #[error("task {target} matches {} tasks in process {process}: {}; name it by id too, or set `all = true` to edit each", candidates.len(), list(candidates))]
    AmbiguousTask {
        /// The recipe target.
        target: Selector,
        /// The process searched.
        process: Selector,
        /// Every match.
        candidates: Vec<Candidate>,
    },
    /// A task carries the same field name twice, so it is unclear which to edit.
    #[error("task {task} has field \"{field}\" {} times: at {}", positions.len(), positions.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    DuplicateField {
        /// The task.
        task: Selector,
        /// The field name.
        field: String,
        /// Where each copy starts.
        positions: Vec<Position>,
    },
    /// A task passed to an editor is not from the editor's document.
    #[error("task {task} is not from the document being edited")]
    ForeignTask {
        /// The task.
        task: Selector,
    },
    /// One value is set twice in one edit (by two keys, or two recipe
    /// entries for the same task).
    #[error("task {task}: {target} is set twice (the second time by \"{key}\")")]
    SetTwice {
        /// The task.
        task: Selector,
        /// The field or `@attribute`.
        target: String,
        /// The key that set it again.
        key: String,
    },
    /// The recipe is not valid. The message holds the recipe error's, so
    /// it is not also a [source](std::error::Error::source).
    #[error("recipe: {0}")]
    Recipe(crate::recipe::RecipeError),
    /// No target of the recipe was found at all.
    #[error("none of the recipe's processes was found{}", did_you_mean(suggestions))]
    NothingFound {
        /// The closest process names found instead.
        suggestions: Vec<String>,
    },
    /// Some processes of the recipe were not found, and all were required.
    #[error("required process{} not found: {}{}", if missing.len() == 1 { "" } else { "es" }, missing.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "), did_you_mean(suggestions))]
    MissingProcesses {
        /// The recipe targets that were absent.
        missing: Vec<Selector>,
        /// The closest process names found instead.
        suggestions: Vec<String>,
    },
    /// A process of the recipe is absent, but the input holds one whose
    /// name or id differs from it only by a typo (case, spacing, or a
    /// character or two), so the recipe most likely means that one.
    #[error("process {target} not found; did you mean {}?", near(suggestions))]
    ProcessNotFound {
        /// The recipe target.
        target: Selector,
        /// The near matches: entry path (empty for a bare document) and
        /// the process there.
        suggestions: Vec<(String, Candidate)>,
    },
    /// A plan was applied to bytes other than the document it was made for.
    #[error("the plan was made for another document ({expected} bytes); these bytes ({found}) are not it")]
    WrongDocument {
        /// The length of the document the plan was made for.
        expected: usize,
        /// The length of the bytes given.
        found: usize,
    },
    /// Two edits overlap. This is a bug in procpatch, reported instead of
    /// writing a damaged document.
    #[error("internal error: {0}; please report this with the input file")]
    Internal(String),
}

impl From<crate::recipe::RecipeError> for Error {
    fn from(e: crate::recipe::RecipeError) -> Error {
        Error::Recipe(e)
    }
}

impl Error {
    /// Where in the document the error is, for an error that has one
    /// place: malformed XML, a byte that does not decode, a declaration, an
    /// element too deep, an entity, element content.
    pub fn position(&self) -> Option<Position> {
        match self {
            Error::Undecodable { position, .. }
            | Error::UnsupportedEncoding { position, .. }
            | Error::Xml { position, .. }
            | Error::TooDeep { position, .. }
            | Error::UnknownEntity { position, .. }
            | Error::ElementContent { position, .. } => Some(*position),
            _ => None,
        }
    }
}

fn list(candidates: &[Candidate]) -> String {
    candidates
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn near(suggestions: &[(String, Candidate)]) -> String {
    let one = |(entry, c): &(String, Candidate)| match entry.as_str() {
        "" => c.to_string(),
        entry => format!("{} at {entry}:{}", c.selector, c.position),
    };
    let all: Vec<String> = suggestions.iter().map(one).collect();
    match all.len() {
        1 => all.concat(),
        _ => format!("one of {}", all.join(", ")),
    }
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean \"{one}\"?"),
        many => format!(
            "; did you mean one of {}?",
            many.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long text indexed in parts side by side gives the index of one
    /// pass, whatever line ends its parts' edges fall on.
    #[test]
    fn a_long_text_indexed_in_parts_is_indexed_as_in_one_pass() {
        // 61 bytes a round (a prime), so the edges fall at every place in it.
        let pattern = format!("ab\r\ncd\re\n{}", "x".repeat(52));
        assert_eq!(pattern.len(), 61);
        let one_pass = |text: &str| {
            let mut starts = vec![0];
            line_starts(text.as_bytes(), 0..text.len(), &mut starts);
            starts
        };
        for extra in ["", "\r", "\r\n", "x\r"] {
            let text = format!("{}{extra}", pattern.repeat(2 * INDEX_PART / pattern.len() + 7));
            assert_eq!(LineIndex::new(&text).starts, one_pass(&text), "{extra:?}");
        }
        // An edge at every place in a round.
        let text = pattern.repeat(3);
        for cut in 0..=text.len() {
            let mut parts = vec![0];
            line_starts(text.as_bytes(), 0..cut, &mut parts);
            line_starts(text.as_bytes(), cut..text.len(), &mut parts);
            assert_eq!(parts, one_pass(&text), "{cut}");
        }
    }

    /// The page table gives what a search among all lines gives, for every
    /// offset of texts whose lines fall on and around page edges.
    #[test]
    fn a_position_found_in_its_page_is_the_one_found_among_all_lines() {
        let page = 1usize << PAGE;
        let texts = [
            String::new(),
            "\n".repeat(3 * page + 1),
            format!(
                "{}\n{}\r\n{}",
                "a".repeat(page - 1),
                "b".repeat(page - 1),
                "c".repeat(2 * page)
            ),
            (0..4000).map(|i| format!("{}\r", "é".repeat(i % 97))).collect(),
            "x".repeat(5 * page + 3),
        ];
        for text in &texts {
            let idx = LineIndex::new(text);
            let all = |offset: usize| idx.starts.partition_point(|&s| (s as usize) <= offset).max(1);
            for offset in 0..=text.len() + page + 1 {
                let line = idx.position(text, offset).line as usize;
                assert_eq!(line, all(offset), "offset {offset} of a text of {}", text.len());
            }
        }
    }

    #[test]
    fn line_index_counts_crlf_and_characters() {
        let text = "a\r\nbé\rc\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0).to_string(), "1:1");
        assert_eq!(idx.position(text, 3).to_string(), "2:1");
        let c = text.find('c').unwrap();
        assert_eq!(idx.position(text, c).to_string(), "3:1");
        let r = text.find('\r').unwrap() + 3 + 2; // 'b', 'é'(2 bytes) → the lone \r
        assert_eq!(idx.position(text, r).to_string(), "2:3");
        assert_eq!(idx.position(text, text.len()).to_string(), "4:2");
    }
}
