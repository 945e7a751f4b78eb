//! A BPMN document: its original bytes, their UTF-8 reading, the element
//! tree and the processes found in it.

use crate::bpmn::{self, Process};
use crate::charset::{Charset, Decoded};
use crate::editor::Editor;
use crate::error::{Error, Position};
use crate::insert::TextEdit;
use crate::recipe::Recipe;
use crate::splice::Splice;
use crate::tree::{Scope, Tree};

/// A parsed BPMN 2.0 document over its original bytes.
///
/// Parsing keeps the bytes as they are; edits are splices into them (see
/// [`Editor`] and [`Document::plan`]).
#[derive(Debug)]
pub struct Document<'a> {
    bytes: &'a [u8],
    decoded: Decoded<'a>,
    tree: Tree,
    processes: Vec<Process>,
}

impl<'a> Document<'a> {
    /// Parses a BPMN 2.0 document: any encoding procpatch supports, a root
    /// `definitions` element in the BPMN model namespace under any prefix.
    ///
    /// ```
    /// let doc = procpatch::Document::parse(br#"<bpmn2:definitions
    ///     xmlns:bpmn2="http://www.omg.org/spec/BPMN/20100524/MODEL">
    ///   <bpmn2:process id="UsersProcLock" name="Lock user"/>
    /// </bpmn2:definitions>"#)?;
    /// assert_eq!(doc.processes()[0].selector.name.as_deref(), Some("Lock user"));
    /// # Ok::<(), procpatch::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A document that is not in a supported encoding, not well-formed XML (with
    /// line:column), or not BPMN 2.0.
    pub fn parse(bytes: &'a [u8]) -> Result<Document<'a>, Error> {
        let decoded = Decoded::new(bytes)?;
        let tree = Tree::parse(&decoded.text, Scope::Edit)?;
        let processes = bpmn::processes(&tree, &decoded.text)?;
        Ok(Document {
            bytes,
            decoded,
            tree,
            processes,
        })
    }

    /// The processes, in document order, with their tasks and attributes.
    pub fn processes(&self) -> &[Process] {
        &self.processes
    }

    /// The processes, taken from the document (which is then gone).
    pub fn into_processes(self) -> Vec<Process> {
        self.processes
    }

    /// The document's encoding.
    pub fn charset(&self) -> Charset {
        self.decoded.charset
    }

    /// The original bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The line and column of a byte offset of the original document.
    pub fn position(&self, offset: usize) -> Position {
        let text_offset = self.decoded.text_offset(offset);
        self.tree.position(&self.decoded.text, text_offset)
    }

    /// An editor that reads keys with the built-in labels.
    pub fn editor(&self) -> Editor<'_, 'a> {
        Editor::new(self, &Recipe::default())
    }

    /// An editor that reads keys with `recipe`'s labels and engine.
    pub fn editor_with(&self, recipe: &Recipe) -> Editor<'_, 'a> {
        Editor::new(self, recipe)
    }

    /// The layout the document carries (BPMN DI) and the elements it
    /// shows, for drawing (see [`crate::render`]).
    pub fn diagram(&self) -> crate::diagram::Diagram {
        // The editor's tree keeps only processes; drawing reads everything.
        match Tree::parse(&self.decoded.text, Scope::Full) {
            Ok(full) => crate::diagram::read(&full, &self.decoded.text),
            Err(_) => crate::diagram::read(&self.tree, &self.decoded.text),
        }
    }

    pub(crate) fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The document as UTF-8 text (decoded from its own encoding), for
    /// display and diffs.
    pub fn text(&self) -> &str {
        &self.decoded.text
    }

    /// Turns an edit of the UTF-8 text into a splice of the original bytes.
    pub(crate) fn splice(&self, edit: &TextEdit) -> Splice {
        Splice {
            range: self.decoded.original_offset(edit.range.start)..self.decoded.original_offset(edit.range.end),
            bytes: self.decoded.charset.encode(&edit.markup),
        }
    }
}

/// Whether `bytes` is a BPMN 2.0 document: its root element is
/// `definitions` in the BPMN model namespace, under any prefix. Only the
/// prolog and the root's start tag are read.
///
/// ```
/// assert!(procpatch::is_bpmn(br#"<?xml version="1.0"?>
/// <b:definitions xmlns:b="http://www.omg.org/spec/BPMN/20100524/MODEL"/>"#));
/// assert!(!procpatch::is_bpmn(b"<definitions/>"));
/// assert!(!procpatch::is_bpmn(b"PK\x03\x04"));
/// ```
pub fn is_bpmn(bytes: &[u8]) -> bool {
    Decoded::new(bytes).is_ok_and(|d| crate::tree::root_is(&d.text, crate::ns::BPMN_MODEL, "definitions"))
}
