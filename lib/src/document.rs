//! A BPMN document: its original bytes, their UTF-8 reading, the element
//! tree and the processes found in it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use crate::bpmn::{self, Head, Process};
use crate::charset::{Charset, Decoded};
use crate::editor::Editor;
use crate::error::{Error, Position};
use crate::insert::TextEdit;
use crate::recipe::Recipe;
use crate::selector::Selector;
use crate::splice::Splice;
use crate::tree::{Scope, Tree, Wanted};

/// A parsed BPMN 2.0 document over its original bytes.
///
/// Parsing keeps the bytes as they are; edits are splices into them (see
/// [`Editor`] and [`Document::plan`]).
#[derive(Debug)]
pub struct Document<'a> {
    bytes: &'a [u8],
    decoded: Decoded<'a>,
    tree: Tree,
    /// Whether the tree holds the inside of only some processes (see
    /// [`Document::parse_for`]).
    partial: bool,
    /// Which parse this is, to tell its tasks from another document's.
    id: u64,
    /// Every process, without its tasks.
    heads: Vec<Head>,
    /// Every process with its tasks, read when first asked for.
    processes: OnceLock<Vec<Process>>,
}

/// Processes read per thread, at least: fewer are read on one.
const PROCESSES_PER_THREAD: usize = 64;

/// The processes `heads` with their tasks, read side by side on the
/// pool's threads when there are many (a large export's document holds
/// thousands), in document order.
fn processes(tree: &Tree, text: &str, heads: &[Head], doc: u64) -> Vec<Process> {
    use rayon::prelude::*;
    if heads.len() < 2 * PROCESSES_PER_THREAD || crate::threads::count() == 1 {
        return heads.iter().map(|h| bpmn::process(tree, text, h, doc)).collect();
    }
    heads
        .par_iter()
        .with_min_len(PROCESSES_PER_THREAD)
        .map(|h| bpmn::process(tree, text, h, doc))
        .collect()
}

/// The id of the next parse.
static PARSES: AtomicU64 = AtomicU64::new(0);

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
        Document::parse_with(bytes, None)
    }

    /// Parses a document to plan `recipe` on it: the inside of a process
    /// is kept only where one of the recipe's processes matches it, so a
    /// large document costs little more memory than its text. Its
    /// [`Document::processes`] reads the document again in full when asked.
    pub(crate) fn parse_for(bytes: &'a [u8], recipe: &Recipe) -> Result<Document<'a>, Error> {
        let targets: Vec<Selector> = recipe.processes.iter().map(|t| t.selector()).collect();
        let wanted = |name: Option<&str>, id: Option<&str>| {
            let found = Selector {
                name: name.map(str::to_string),
                id: id.map(str::to_string),
            };
            targets.iter().any(|t| t.matches(&found))
        };
        Document::parse_with(bytes, Some(&wanted))
    }

    fn parse_with(bytes: &'a [u8], wanted: Option<Wanted<'_>>) -> Result<Document<'a>, Error> {
        let decoded = Decoded::new(bytes)?;
        let tree = Tree::parse_with(&decoded.text, Scope::Edit, wanted)?;
        let heads = bpmn::heads(&tree, &decoded.text)?;
        Ok(Document {
            bytes,
            decoded,
            tree,
            partial: wanted.is_some(),
            id: PARSES.fetch_add(1, Ordering::Relaxed),
            heads,
            processes: OnceLock::new(),
        })
    }

    /// The processes, in document order, with their tasks and attributes.
    pub fn processes(&self) -> &[Process] {
        self.processes.get_or_init(|| self.read_processes())
    }

    /// The processes, taken from the document (which is then gone).
    pub fn into_processes(self) -> Vec<Process> {
        if self.processes.get().is_none() {
            return self.read_processes();
        }
        self.processes.into_inner().unwrap_or_default()
    }

    /// Every process with its tasks, from a full tree.
    fn read_processes(&self) -> Vec<Process> {
        self.with_full_tree(|tree, heads| processes(tree, &self.decoded.text, heads, self.id))
    }

    /// Every process with its tasks, `batch` at a time and in document
    /// order, each batch handed to `each` and dropped after: a listing of a
    /// large document never holds all its processes.
    #[cfg(feature = "archive")]
    pub(crate) fn each_process(&self, batch: usize, each: &mut dyn FnMut(&[Process])) {
        if let Some(all) = self.processes.get() {
            all.chunks(batch.max(1)).for_each(each);
            return;
        }
        self.with_full_tree(|tree, heads| {
            for part in heads.chunks(batch.max(1)) {
                each(&processes(tree, &self.decoded.text, part, self.id));
            }
        });
    }

    /// `f` on a tree that holds the inside of every process, and its
    /// processes' heads: this document's own, or after [`Document::parse_for`]
    /// one read again in full.
    fn with_full_tree<T>(&self, f: impl FnOnce(&Tree, &[Head]) -> T) -> T {
        let text = &self.decoded.text;
        if self.partial {
            // The text parsed once already, so this parse succeeds.
            if let Ok(full) = Tree::parse(text, Scope::Edit) {
                if let Ok(heads) = bpmn::heads(&full, text) {
                    return f(&full, &heads);
                }
            }
        }
        f(&self.tree, &self.heads)
    }

    /// Every process without its tasks: enough to find the processes a
    /// recipe names, whose tasks alone are then read ([`Document::process`]).
    pub(crate) fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// The process `head` of this document, with its tasks.
    pub(crate) fn process(&self, head: &Head) -> Process {
        bpmn::process(&self.tree, &self.decoded.text, head, self.id)
    }

    /// Whether `task` was read from this parse.
    pub(crate) fn owns(&self, task: &crate::bpmn::Task) -> bool {
        task.doc == self.id
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
/// prolog and the root's start tag are read and decoded: a document that
/// is malformed or undecodable further on is still BPMN here, and parsing
/// it finds what is wrong.
///
/// ```
/// assert!(procpatch::is_bpmn(br#"<?xml version="1.0"?>
/// <b:definitions xmlns:b="http://www.omg.org/spec/BPMN/20100524/MODEL"/>"#));
/// assert!(!procpatch::is_bpmn(b"<definitions/>"));
/// assert!(!procpatch::is_bpmn(b"PK\x03\x04"));
/// ```
pub fn is_bpmn(bytes: &[u8]) -> bool {
    let head = bytes.get(..BPMN_HEAD).unwrap_or(bytes);
    bpmn_root(head)
        .or_else(|| (head.len() < bytes.len()).then(|| bpmn_root(bytes)).flatten())
        .unwrap_or(false)
}

/// How much of a document [`is_bpmn`] decodes first: a prolog and a root
/// start tag are nearly always within it. When they are not, the document
/// is decoded whole.
const BPMN_HEAD: usize = 16 << 10;

/// Whether the root element read from `bytes` is BPMN's `definitions`,
/// reading as far as `bytes` decode (a cut inside a character, or bytes
/// the encoding cannot decode, end them): `None` when its start tag is not
/// all there.
fn bpmn_root(bytes: &[u8]) -> Option<bool> {
    let decoded = match Decoded::new(bytes) {
        Err(Error::Undecodable { offset, .. }) => Decoded::new(bytes.get(..offset)?),
        decoded => decoded,
    };
    crate::tree::root_of(&decoded.ok()?.text, crate::ns::BPMN_MODEL, "definitions")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &[u8] = br#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
        xmlns:activiti="http://activiti.org/bpmn">
      <process id="a" name="Lock user"><serviceTask id="t" name="T">
        <extensionElements><activiti:field name="value" expression="x"/></extensionElements>
      </serviceTask></process>
      <process id="b" name="Other"><userTask id="u" name="U"/></process>
    </definitions>"#;

    fn lock_user() -> Recipe {
        Recipe::from_toml(
            r#"[[process]]
            name = "Lock user"
            [[process.task]]
            name = "T"
            set = { value = "y" }"#,
        )
        .unwrap()
    }

    #[test]
    fn a_document_parsed_for_a_recipe_still_reads_every_process_in_full() {
        let recipe = lock_user();
        let full = Document::parse(TWO).unwrap();
        let partial = Document::parse_for(TWO, &recipe).unwrap();
        assert!(partial.partial);
        let json = |d: &Document<'_>| serde_json::to_string(d.processes()).unwrap();
        assert_eq!(json(&partial), json(&full));
        assert_eq!(partial.processes()[1].tasks.len(), 1);
        assert_eq!(
            partial.plan(&recipe).unwrap().splices,
            full.plan(&recipe).unwrap().splices
        );
        let taken = Document::parse_for(TWO, &recipe).unwrap().into_processes();
        assert_eq!(serde_json::to_string(&taken).unwrap(), json(&full));
    }

    #[test]
    fn an_editor_refuses_a_task_of_another_parse() {
        let (one, two) = (Document::parse(TWO).unwrap(), Document::parse(TWO).unwrap());
        let theirs = &two.processes()[0].tasks[0];
        let err = one.editor().set(theirs, "value", "y").unwrap_err();
        assert!(matches!(err, Error::ForeignTask { .. }), "{err}");
        let ours = &one.processes()[0].tasks[0];
        assert!(one.editor().set(ours, "value", "y").is_ok());
    }

    #[test]
    fn many_processes_read_side_by_side_come_in_document_order() {
        let mut xml = String::from("<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">");
        for i in 0..3 * PROCESSES_PER_THREAD {
            xml += &format!("<process id=\"p{i}\"><task id=\"t{i}\"/></process>");
        }
        xml += "</definitions>";
        let doc = Document::parse(xml.as_bytes()).unwrap();
        let one: Vec<Process> = doc
            .heads()
            .iter()
            .map(|h| bpmn::process(&doc.tree, doc.text(), h, doc.id))
            .collect();
        let json = |p: &[Process]| serde_json::to_string(p).unwrap();
        assert_eq!(json(doc.processes()), json(&one));
        let last = 3 * PROCESSES_PER_THREAD - 1;
        assert_eq!(
            doc.processes()[last].tasks[0].selector.id.as_deref(),
            Some(format!("t{last}").as_str())
        );
    }

    /// `bytes` read the way `is_bpmn` read every document before it read
    /// only a head: decoded whole.
    fn is_bpmn_whole(bytes: &[u8]) -> bool {
        Decoded::new(bytes).is_ok_and(|d| crate::tree::root_is(&d.text, crate::ns::BPMN_MODEL, "definitions"))
    }

    /// A document of `before` (the prolog), the root `root` with the BPMN
    /// namespace, and filler content up to past the head, in UTF-8.
    fn large(before: &str, root: &str) -> String {
        let mut xml = format!("{before}<{root} xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n");
        while xml.len() < 2 * BPMN_HEAD {
            xml += "  <process id=\"p\" name=\"Über 𝄞\"/>\n";
        }
        xml + &format!("</{root}>\n")
    }

    #[test]
    fn a_large_document_is_told_bpmn_from_its_head_as_from_its_whole() {
        let prologs = [
            String::new(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_string(),
            // A prolog longer than the head: the whole is decoded.
            format!("<?xml version=\"1.0\"?>\n<!--{}-->\n", "é".repeat(BPMN_HEAD)),
        ];
        let line = large("", "definitions").lines().nth(1).unwrap().len() + 1;
        for prolog in &prologs {
            for root in ["definitions", "other"] {
                // Shifted by every amount within a line, so that the head ends
                // inside each byte of a two- and a four-byte character, in
                // UTF-8 and in UTF-16 with a byte-order mark.
                for pad in 0..line {
                    let doc = large(&format!("{prolog}{}", " ".repeat(pad)), root);
                    let utf16: Vec<u8> = [0xFF, 0xFE]
                        .into_iter()
                        .chain(doc.encode_utf16().flat_map(u16::to_le_bytes))
                        .collect();
                    // Where the root's first attribute starts, in each.
                    let xmlns = doc.find("xmlns").unwrap();
                    let xmlns16 = 2 + 2 * doc[..xmlns].encode_utf16().count();
                    for (bytes, tag) in [(doc.as_bytes(), xmlns), (&utf16, xmlns16)] {
                        assert_eq!(is_bpmn(bytes), root == "definitions", "{root}, pad {pad}");
                        assert_eq!(is_bpmn(bytes), is_bpmn_whole(bytes));
                        // Undecodable after the root's start tag: still told.
                        let broken = [bytes, b"\xFF"].concat();
                        assert_eq!(is_bpmn(&broken), root == "definitions", "{root}, pad {pad}");
                        // Cut inside the root's start tag: not BPMN.
                        assert!(!is_bpmn(&bytes[..tag]));
                        assert!(!is_bpmn(&bytes[..tag + 1]));
                    }
                }
            }
        }
    }

    #[test]
    fn documents_in_other_encodings_are_told_from_their_head_as_from_their_whole() {
        let line = large("", "definitions").lines().nth(1).unwrap().len() + 1;
        for label in ["Shift_JIS", "windows-1252", "GB18030", "UTF-16BE"] {
            let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
            for root in ["definitions", "other"] {
                for pad in 0..line {
                    let prolog = format!(
                        "<?xml version=\"1.0\" encoding=\"{label}\"?>\n<!DOCTYPE {root} [<!ENTITY e \"a > b\">]>\n{}",
                        " ".repeat(pad)
                    );
                    let doc = large(&prolog, root);
                    let bytes: Vec<u8> = match label {
                        // Without a byte-order mark: told by its first bytes.
                        "UTF-16BE" => doc.encode_utf16().flat_map(u16::to_be_bytes).collect(),
                        _ => enc.encode(&doc).0.into_owned(),
                    };
                    assert_eq!(is_bpmn(&bytes), root == "definitions", "{label}, {root}, pad {pad}");
                    assert_eq!(is_bpmn(&bytes), is_bpmn_whole(&bytes));
                }
            }
        }
    }

    #[test]
    fn what_follows_the_roots_start_tag_does_not_decide_bpmn() {
        // Bytes that are not UTF-8 after the root's start tag, in a small
        // and a large document: BPMN, which the parse then refuses with
        // where the bytes are (a decoding of the whole said it was not).
        let small = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">"#.to_string();
        for doc in [small, large("", "definitions")] {
            let bytes = [doc.as_bytes(), b"\xFF\xFE<!-- not UTF-8 -->"].concat();
            assert!(is_bpmn(&bytes));
            assert!(!is_bpmn_whole(&bytes));
            assert!(matches!(Document::parse(&bytes), Err(Error::Undecodable { offset, .. }) if offset == doc.len()));
            // Before it: not BPMN.
            let bad = [b"<!-- \xFF -->", doc.as_bytes()].concat();
            assert!(!is_bpmn(&bad));
        }
    }
}
