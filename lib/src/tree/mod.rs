//! The XML document as a tree of spans into its UTF-8 text.
//!
//! quick-xml reads the events; this module records, for the elements that
//! matter, the byte spans of their start and end tags, of each attribute
//! value (and its quote character), and of each piece of content. Nothing
//! is ever re-serialised: the spans are all that the editor needs.
//!
//! The tree is compact, because documents can be large: names and
//! namespace URIs are interned, spans are 32-bit, attributes and content
//! pieces live in two shared arrays, and with [`Scope::Edit`] only what the
//! editor reads is kept (the root, processes, tasks and everything inside
//! them). Every element is still read and checked.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::{Error, LineIndex, Position};

mod bindings;
mod names;
mod parse;
mod split;

pub(crate) use split::agree as parts_agree;

/// Index of an element in the tree.
pub(crate) type ElemId = usize;

/// No element, name or piece.
const NONE: u32 = u32::MAX;

/// The packed kind of a content piece that is a child element.
const ELEMENT_NODE: u8 = 5;

/// The namespace the `xml` prefix is bound to.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The namespace the `xmlns` prefix is bound to.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// How deep elements may nest. The tree is built without recursion, so this
/// only bounds memory for hostile input; real BPMN nests a few dozen deep.
pub(crate) const MAX_DEPTH: usize = 16_384;

/// What a parse keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// What editing and reporting read: the root, every BPMN `process`,
    /// every task and all inside it (content included), and the elements
    /// inside processes that declare namespaces.
    Edit,
    /// Every element and all content (for drawing the diagram).
    Full,
}

/// A byte range of the text, 32-bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span(u32, u32);

impl Span {
    fn of(r: &Range<usize>) -> Span {
        Span(narrow(r.start), narrow(r.end))
    }

    fn range(self) -> Range<usize> {
        self.0 as usize..self.1 as usize
    }
}

fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(NONE)
}

fn index(n: u32) -> Option<usize> {
    (n != NONE).then_some(n as usize)
}

/// An element and where its parts are.
#[derive(Debug)]
struct Element {
    qname: u32,
    local: u32,
    ns: u32,
    start: Span,
    /// `Span(NONE, NONE)` for an empty-element tag.
    end: Span,
    /// The first attribute in [`Tree::attrs`] and how many.
    attrs: (u32, u32),
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
    /// The first and last content piece in [`Tree::nodes`] (kept for tasks
    /// and what is inside them, or everything with [`Scope::Full`]).
    first_node: u32,
    last_node: u32,
}

/// An attribute and the span of its value.
#[derive(Debug)]
pub(crate) struct Attr {
    qname: u32,
    ns: u32,
    span: Span,
    value: Span,
    /// `b'"'` or `b'\''`.
    quote: u8,
    /// For a namespace declaration, the URI it binds.
    decl: u32,
}

/// What a piece of content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// Character data.
    Text,
    /// A `<![CDATA[...]]>` section (the span includes the markers).
    CData,
    /// An entity or character reference such as `&amp;` or `&#10;`.
    Ref,
    /// A comment.
    Comment,
    /// A processing instruction.
    Pi,
    /// A child element.
    Element(ElemId),
}

/// A piece of content and its span.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Range<usize>,
}

#[derive(Debug)]
struct StoredNode {
    /// The kind, packed: [`NodeKind`] without its element, which is `elem`.
    kind: u8,
    elem: u32,
    span: Span,
    next: u32,
}

impl StoredNode {
    fn pack(kind: NodeKind) -> (u8, u32) {
        match kind {
            NodeKind::Text => (0, NONE),
            NodeKind::CData => (1, NONE),
            NodeKind::Ref => (2, NONE),
            NodeKind::Comment => (3, NONE),
            NodeKind::Pi => (4, NONE),
            NodeKind::Element(id) => (ELEMENT_NODE, narrow(id)),
        }
    }

    fn kind(&self) -> NodeKind {
        match self.kind {
            0 => NodeKind::Text,
            1 => NodeKind::CData,
            2 => NodeKind::Ref,
            3 => NodeKind::Comment,
            4 => NodeKind::Pi,
            _ => NodeKind::Element(self.elem as usize),
        }
    }
}

/// The parsed document.
#[derive(Debug)]
pub(crate) struct Tree {
    elements: Vec<Element>,
    attrs: Vec<Attr>,
    nodes: Vec<StoredNode>,
    names: Vec<Box<str>>,
    /// Every namespace declaration of the document, kept or not: prefix
    /// (`""` for the default namespace) and URI, as name ids.
    declarations: Vec<(u32, u32)>,
    lines: LineIndex,
}

/// An element of a [`Tree`], read through its accessors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct El<'t> {
    tree: &'t Tree,
    e: &'t Element,
}

impl<'t> El<'t> {
    /// The qualified name as written, e.g. `bpmn2:serviceTask`.
    pub fn qname(&self) -> &'t str {
        self.tree.name(self.e.qname)
    }

    /// The local name.
    pub fn local(&self) -> &'t str {
        self.tree.name(self.e.local)
    }

    /// The resolved namespace URI, if any.
    pub fn ns(&self) -> Option<&'t str> {
        index(self.e.ns).map(|_| self.tree.name(self.e.ns))
    }

    /// The start tag, or the whole empty-element tag.
    pub fn start(&self) -> Range<usize> {
        self.e.start.range()
    }

    /// The end tag; `None` for an empty-element tag.
    pub fn end(&self) -> Option<Range<usize>> {
        index(self.e.end.0).map(|_| self.e.end.range())
    }

    /// The nearest kept ancestor.
    pub fn parent(&self) -> Option<ElemId> {
        index(self.e.parent)
    }

    /// The attributes in document order.
    pub fn attrs(&self) -> impl DoubleEndedIterator<Item = AttrRef<'t>> + 't {
        let (first, len) = (self.e.attrs.0 as usize, self.e.attrs.1 as usize);
        let tree = self.tree;
        tree.attrs
            .get(first..first + len)
            .unwrap_or_default()
            .iter()
            .map(move |a| AttrRef { tree, a })
    }

    /// The content pieces in document order (empty where none were kept).
    pub fn content(&self) -> Vec<Node> {
        let mut out = Vec::new();
        let mut at = self.e.first_node;
        while let Some(n) = index(at).and_then(|i| self.tree.nodes.get(i)) {
            out.push(Node {
                kind: n.kind(),
                span: n.span.range(),
            });
            at = n.next;
        }
        out
    }
}

/// An attribute of an element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttrRef<'t> {
    tree: &'t Tree,
    a: &'t Attr,
}

impl<'t> AttrRef<'t> {
    /// The qualified name as written.
    pub fn qname(&self) -> &'t str {
        self.tree.name(self.a.qname)
    }

    /// The resolved namespace URI (never the default namespace).
    pub fn ns(&self) -> Option<&'t str> {
        index(self.a.ns).map(|_| self.tree.name(self.a.ns))
    }

    /// The whole attribute, from the first character of its name to its
    /// closing quote.
    pub fn span(&self) -> Range<usize> {
        self.a.span.range()
    }

    /// The value between the quotes, as written.
    pub fn value(&self) -> Range<usize> {
        self.a.value.range()
    }

    /// `b'"'` or `b'\''`.
    pub fn quote(&self) -> u8 {
        self.a.quote
    }

    /// For a namespace declaration (`xmlns`, `xmlns:p`), the URI it binds.
    pub fn decl_uri(&self) -> Option<&'t str> {
        index(self.a.decl).map(|_| self.tree.name(self.a.decl))
    }
}

/// Which processes a parse keeps the inside of, by their decoded `name`
/// and `id` attributes.
pub(crate) type Wanted<'w> = &'w (dyn Fn(Option<&str>, Option<&str>) -> bool + Sync);

impl Tree {
    /// Parses `text`, which must be the whole document, keeping `scope`.
    pub fn parse(text: &str, scope: Scope) -> Result<Tree, Error> {
        Tree::parse_with(text, scope, None)
    }

    /// [`Tree::parse`], keeping with [`Scope::Edit`] the inside of only the
    /// processes `wanted` accepts (every process element itself is kept,
    /// with its attributes). Every element is still read and checked; what
    /// a recipe does not name costs no memory.
    ///
    /// A large document is read in parts side by side (see `split`); the
    /// tree is the one a reading from start to end makes.
    pub fn parse_with(text: &str, scope: Scope, wanted: Option<Wanted<'_>>) -> Result<Tree, Error> {
        let lines = LineIndex::new(text);
        if text.len() >= NONE as usize {
            return Err(Error::Xml {
                position: lines.position(text, 0),
                message: "the document is larger than 4 GiB".into(),
            });
        }
        if let Some((at, c)) = first_non_xml_char(text) {
            return Err(Error::Xml {
                position: lines.position(text, at),
                message: format!("the character U+{:04X} is not allowed in XML", c as u32),
            });
        }
        let (mut tree, names) = split::parse(text, &lines, scope, wanted, split::parts(text.len()))?;
        if tree.elements.is_empty() {
            return Err(Error::Empty);
        }
        tree.names = names;
        tree.lines = lines;
        Ok(tree)
    }

    /// A tree with nothing in it yet.
    fn empty() -> Tree {
        Tree {
            elements: Vec::new(),
            attrs: Vec::new(),
            nodes: Vec::new(),
            names: Vec::new(),
            declarations: Vec::new(),
            lines: LineIndex::default(),
        }
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }

    fn link_child(&mut self, parent: usize, child: u32) {
        let last = self.elements.get(parent).map_or(NONE, |p| p.last_child);
        match index(last).and_then(|l| self.elements.get_mut(l)) {
            Some(prev) => prev.next_sibling = child,
            None => {
                if let Some(p) = self.elements.get_mut(parent) {
                    p.first_child = child;
                }
            }
        }
        if let Some(p) = self.elements.get_mut(parent) {
            p.last_child = child;
        }
    }

    fn push_node(&mut self, owner: usize, kind: NodeKind, span: &Range<usize>) {
        let id = narrow(self.nodes.len());
        let (kind, elem) = StoredNode::pack(kind);
        self.nodes.push(StoredNode {
            kind,
            elem,
            span: Span::of(span),
            next: NONE,
        });
        let last = self.elements.get(owner).map_or(NONE, |e| e.last_node);
        match index(last).and_then(|l| self.nodes.get_mut(l)) {
            Some(prev) => prev.next = id,
            None => {
                if let Some(e) = self.elements.get_mut(owner) {
                    e.first_node = id;
                }
            }
        }
        if let Some(e) = self.elements.get_mut(owner) {
            e.last_node = id;
        }
    }

    /// The element with id `id`.
    pub fn get(&self, id: ElemId) -> Option<El<'_>> {
        self.elements.get(id).map(|e| El { tree: self, e })
    }

    /// How many elements were kept.
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// The ids of every kept element, in document order.
    pub fn ids(&self) -> Range<ElemId> {
        0..self.elements.len()
    }

    /// The kept child elements of `id`, in order.
    pub fn children(&self, id: ElemId) -> impl Iterator<Item = ElemId> + '_ {
        let mut at = self.elements.get(id).map_or(NONE, |e| e.first_child);
        std::iter::from_fn(move || {
            let i = index(at)?;
            at = self.elements.get(i).map_or(NONE, |e| e.next_sibling);
            Some(i)
        })
    }

    /// Whether `id` is the element `{ns}local`.
    pub fn is(&self, id: ElemId, ns: &str, local: &str) -> bool {
        self.get(id)
            .is_some_and(|el| el.local() == local && el.ns() == Some(ns))
    }

    /// The position of a text offset.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        self.lines.position(text, offset)
    }

    /// Whether any element of the document declares prefix `prefix`.
    pub fn declares(&self, prefix: &str) -> bool {
        self.declarations.iter().any(|&(p, _)| self.name(p) == prefix)
    }

    /// The prefix bound to namespace `uri` in scope at element `id`: `Some("")`
    /// for the default namespace, `None` if the namespace is not bound.
    /// A named prefix is preferred over the default namespace.
    pub fn prefix_for(&self, id: ElemId, uri: &str) -> Option<String> {
        let mut decided: Vec<&str> = Vec::new();
        let mut default_found = None;
        let mut cur = Some(id);
        while let Some(el) = cur.and_then(|c| self.get(c)) {
            for a in el.attrs() {
                let prefix = match a.qname() {
                    "xmlns" => "",
                    q => match q.strip_prefix("xmlns:") {
                        Some(p) => p,
                        None => continue,
                    },
                };
                if decided.contains(&prefix) {
                    continue;
                }
                decided.push(prefix);
                if a.decl_uri() == Some(uri) {
                    if prefix.is_empty() {
                        default_found = Some(String::new());
                    } else {
                        return Some(prefix.to_string());
                    }
                }
            }
            cur = el.parent();
        }
        default_found
    }
}

/// The first character XML 1.0 does not allow (§2.2), and where. In valid
/// UTF-8 only two kinds exist: control characters below U+0020 (but tab,
/// LF and CR), and U+FFFE and U+FFFF (`EF BF BE`, `EF BF BF`); so bytes are
/// searched, not characters decoded.
fn first_non_xml_char(text: &str) -> Option<(usize, char)> {
    use rayon::prelude::*;
    let bytes = text.as_bytes();
    // A large text in parts side by side, each a whole number of blocks;
    // the first part that holds one decides.
    let parts = crate::threads::parts(bytes.len(), SCAN_PART, 2);
    let size = bytes.len().div_ceil(parts).next_multiple_of(SCAN_BLOCK);
    let at = if parts == 1 {
        first_suspect(bytes, 0..bytes.len())
    } else {
        (0..parts)
            .into_par_iter()
            .find_map_first(|k| first_suspect(bytes, k * size..(k * size + size).min(bytes.len())))
    }?;
    let c = text.get(at..)?.chars().next()?;
    (!crate::escape::is_xml_char(c)).then_some((at, c))
}

/// The least text [`first_non_xml_char`] gives a part of its own.
const SCAN_PART: usize = 1 << 20;

/// The bytes [`first_suspect`] looks at together.
const SCAN_BLOCK: usize = 64;

/// Where in `bytes[range]` a character that XML does not allow starts: a
/// control character other than a tab or a line break, or U+FFFE or U+FFFF
/// (`EF BF BE`, `EF BF BF`; their last bytes may lie past the range). By
/// blocks, each folded without an early exit (which vectorises) for a byte
/// that may start one; a block that holds one is then read byte by byte.
fn first_suspect(bytes: &[u8], range: Range<usize>) -> Option<usize> {
    let may_start = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF);
    let starts = |i: usize| match bytes.get(i..) {
        Some([b, ..]) if *b < 0x20 => !matches!(b, b'\t' | b'\n' | b'\r'),
        Some([0xEF, 0xBF, 0xBE | 0xBF, ..]) => true,
        _ => false,
    };
    let start = range.start;
    bytes.get(range)?.chunks(SCAN_BLOCK).enumerate().find_map(|(k, block)| {
        if !block.iter().fold(false, |any, &b| any | may_start(b)) {
            return None;
        }
        let from = start + k * SCAN_BLOCK;
        (from..from + block.len()).find(|&i| starts(i))
    })
}

/// [`root_of`] on a whole text: one whose root is not read is not one.
#[cfg(test)]
pub(crate) fn root_is(text: &str, ns: &str, local: &str) -> bool {
    root_of(text, ns, local).unwrap_or(false)
}

/// Whether the root element of `text` is `{ns}local`, reading no further
/// than its start tag. Its namespace is what the parse resolves: the value
/// of the declaration of its prefix on that tag, decoded. `None` when no
/// start tag is read whole before the text ends, or a reading error comes
/// first: in a text that may be only a document's first part, only more
/// of it can decide.
pub(crate) fn root_of(text: &str, ns: &str, local: &str) -> Option<bool> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let qname = e.name();
                let (prefix, name) = qname.0.split_once(':').unwrap_or(("", qname.0));
                if name != local {
                    return Some(false);
                }
                let declares = |key: &str| match key.strip_prefix("xmlns") {
                    Some("") => prefix.is_empty(),
                    Some(rest) => !prefix.is_empty() && rest.strip_prefix(':') == Some(prefix),
                    None => false,
                };
                let mut attributes = e.attributes();
                attributes.with_checks(false);
                return Some(
                    attributes
                        .map_while(Result::ok)
                        .find(|a| declares(a.key.0))
                        .is_some_and(|a| decode_attr(&a.value).is_ok_and(|v| v == ns)),
                );
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Decodes an attribute value as written: attribute-value normalisation
/// (XML 1.0 §3.3.3: literal tabs and line breaks become spaces, a CRLF pair
/// one space), then entity and character references.
pub(crate) fn decode_attr(raw: &str) -> Result<Cow<'_, str>, quick_xml::escape::EscapeError> {
    if !raw.contains(['\t', '\r', '\n']) {
        return quick_xml::escape::unescape(raw);
    }
    let normalized = raw.replace("\r\n", " ").replace(['\t', '\r', '\n'], " ");
    quick_xml::escape::unescape(&normalized).map(|v| Cow::Owned(v.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_spans_of_tags_attributes_and_content() {
        let text = "<a xmlns='urn:x' k = \"v&amp;\"><b/>t<![CDATA[c]]>&lt;</a>";
        let tree = Tree::parse(text, Scope::Full).unwrap();
        let a = tree.get(0).unwrap();
        assert_eq!(&text[a.start()], "<a xmlns='urn:x' k = \"v&amp;\">");
        assert_eq!(&text[a.end().unwrap()], "</a>");
        let k = a.attrs().nth(1).unwrap();
        assert_eq!((&text[k.value()], k.quote()), ("v&amp;", b'"'));
        assert_eq!(a.ns(), Some("urn:x"));
        let kinds: Vec<_> = a.content().iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            [NodeKind::Element(1), NodeKind::Text, NodeKind::CData, NodeKind::Ref]
        );
        assert_eq!(&text[a.content()[2].span.clone()], "<![CDATA[c]]>");
        assert_eq!(tree.prefix_for(1, "urn:x").as_deref(), Some(""));
    }

    #[test]
    fn the_edit_scope_keeps_processes_and_task_content() {
        let text = "<d xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL' xmlns:di='urn:di'>\
            <process id='p'><startEvent id='s'/><task id='t'> <documentation>x</documentation></task></process>\
            <di:diagram><di:shape/></di:diagram></d>";
        let tree = Tree::parse(text, Scope::Edit).unwrap();
        let kept: Vec<&str> = tree.ids().map(|i| tree.get(i).unwrap().local()).collect();
        assert_eq!(kept, ["d", "process", "task", "documentation"]);
        let task = tree.ids().find(|&i| tree.get(i).unwrap().local() == "task").unwrap();
        assert_eq!(tree.get(task).unwrap().content().len(), 2);
        let process = tree.children(0).next().unwrap();
        assert!(tree.get(process).unwrap().content().is_empty());
        assert!(tree.declares("di"));
        let full = Tree::parse(text, Scope::Full).unwrap();
        assert_eq!(full.len(), 7);
    }

    #[test]
    fn a_parse_for_some_processes_keeps_only_their_inside() {
        let text = "<d xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'>\
            <process id='a' name='A &amp; B'><task id='t1'><x/></task></process>\
            <process id='b'><task id='t2'/></process></d>";
        let wanted = |name: Option<&str>, _: Option<&str>| name == Some("A & B");
        let tree = Tree::parse_with(text, Scope::Edit, Some(&wanted)).unwrap();
        let kept: Vec<&str> = tree.ids().map(|i| tree.get(i).unwrap().local()).collect();
        // Both processes, but only the wanted one's task (and what is in it).
        assert_eq!(kept, ["d", "process", "task", "x", "process"]);
        // Everything is still checked, wanted or not.
        let bad = text.replace("<task id='t2'/>", "<task id='t2' id='t3'/>");
        assert!(Tree::parse_with(&bad, Scope::Edit, Some(&wanted)).is_err());
    }

    #[test]
    fn reports_unclosed_and_mismatched_elements() {
        let err = Tree::parse("<a>\n<b>", Scope::Edit).unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed XML at 2:4: the document ends inside <b>, opened at 2:1"
        );
        assert!(matches!(Tree::parse("<a></b>", Scope::Edit), Err(Error::Xml { .. })));
        assert!(matches!(Tree::parse("", Scope::Edit), Err(Error::Empty)));
        assert!(matches!(Tree::parse("<p:a/>", Scope::Edit), Err(Error::Xml { .. })));
    }

    #[test]
    fn one_expanded_attribute_name_twice_is_malformed() {
        let err = Tree::parse("<a xmlns:p='urn:x' xmlns:q='urn:x' p:k='1' q:k='2'/>", Scope::Edit).unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed XML at 1:44: attribute given twice: \"q:k\" is \"p:k\" (at 1:36), both prefixes being bound to urn:x"
        );
        // Same local name in different namespaces, or none: fine.
        assert!(Tree::parse(
            "<a xmlns:p='urn:x' xmlns:q='urn:y' p:k='1' q:k='2' k='3'/>",
            Scope::Edit
        )
        .is_ok());
    }

    #[test]
    fn a_name_given_twice_is_found_among_many_attributes() {
        // Past the pairwise limit, plain and prefixed: found, with both
        // places, and only within one tag.
        let plain: String = (0..2000).map(|i| format!(" a{i}='v'")).collect();
        let prefixed: String = (0..2000).map(|i| format!(" p:a{i}='v'")).collect();
        let ok = format!("<r xmlns:p='urn:x' xmlns:q='urn:y'><e{plain}/><e{plain}/><e{prefixed} q:a7='v'/></r>");
        assert!(Tree::parse(&ok, Scope::Edit).is_ok());
        let twice = format!("<r><e{plain} a1999='w'/></r>");
        let err = Tree::parse(&twice, Scope::Edit).unwrap_err().to_string();
        let (first, again) = (twice.find(" a1999=").unwrap() + 2, twice.rfind(" a1999=").unwrap() + 2);
        assert_eq!(
            err,
            format!("malformed XML at 1:{again}: attribute given twice (first at 1:{first})")
        );
        let expanded = format!("<r xmlns:p='urn:x' xmlns:q='urn:x'><e{prefixed} q:a1500='w'/></r>");
        let err = Tree::parse(&expanded, Scope::Edit).unwrap_err().to_string();
        let (first, again) = (
            expanded.find(" p:a1500=").unwrap() + 2,
            expanded.find(" q:a1500=").unwrap() + 2,
        );
        assert_eq!(
            err,
            format!(
                "malformed XML at 1:{again}: attribute given twice: \"q:a1500\" is \"p:a1500\" (at 1:{first}), both prefixes being bound to urn:x"
            )
        );
    }

    #[test]
    fn characters_xml_forbids_are_found_by_their_bytes() {
        assert_eq!(first_non_xml_char("a\tb\r\nc é €"), None);
        assert_eq!(first_non_xml_char("ab\u{1}"), Some((2, '\u{1}')));
        assert_eq!(first_non_xml_char("é\u{FFFE}\u{1}"), Some((2, '\u{FFFE}')));
        assert_eq!(first_non_xml_char("\u{FFFD}\u{FFFF}"), Some((3, '\u{FFFF}')));
        let all_allowed: String = (0x20..0xD7FFu32)
            .chain(0xE000..0xFFFE)
            .filter_map(char::from_u32)
            .collect();
        assert_eq!(first_non_xml_char(&all_allowed), None);
    }

    #[test]
    fn a_large_text_searched_in_parts_finds_the_first_forbidden_character() {
        // Lines with characters of one to four bytes, some starting `EF`
        // (U+FF21), over several parts; two forbidden characters put in at
        // places around the parts' and the blocks' ends, a three-byte one
        // across them among them.
        let line = "  <a b=\"é € 𝄞 Ａ\"/>\n";
        let base = line.repeat(4 * SCAN_PART / line.len() + 1);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let slow = |t: &str| t.char_indices().find(|&(_, c)| !crate::escape::is_xml_char(c));
        let parts = (2 * 3).min(base.len() / SCAN_PART);
        assert!(parts > 2);
        let size = base.len().div_ceil(parts).next_multiple_of(SCAN_BLOCK);
        let boundary = |t: &str, from: usize| (from.min(t.len())..).find(|&i| t.is_char_boundary(i)).unwrap();
        for near in [0, SCAN_BLOCK - 3, size - 3, 2 * size - 3, base.len() - 40] {
            for delta in 0..5 {
                for (first, second) in [('\u{FFFF}', '\u{1}'), ('\u{1F}', '\u{FFFE}')] {
                    let mut text = base.clone();
                    let at = boundary(&text, near + delta);
                    text.insert(at, first);
                    text.insert(boundary(&text, at + 9 * SCAN_BLOCK + delta), second);
                    assert_eq!(pool.install(|| first_non_xml_char(&text)), slow(&text), "at {at}");
                }
            }
        }
        assert_eq!(pool.install(|| first_non_xml_char(&base)), None);
    }

    #[test]
    fn a_thread_beside_the_pool_searches_a_large_text_itself() {
        // Every thread of the global pool waits, as walks waiting for their
        // readers ahead do; a reader ahead searching a large document must
        // not hand parts to the pool, or it would wait for them forever.
        use std::sync::{Arc, Condvar, Mutex};
        let text = "  <a b=\"c\"/>\n".repeat(3 * SCAN_PART / 12) + "\u{1}";
        let gate = Arc::new((Mutex::new((0, false)), Condvar::new()));
        let held = Arc::clone(&gate);
        rayon::spawn_broadcast(move |_| {
            let (lock, turn) = &*held;
            let mut state = lock.lock().unwrap();
            state.0 += 1;
            turn.notify_all();
            while !state.1 {
                state = turn.wait(state).unwrap();
            }
        });
        let (lock, turn) = &*gate;
        let threads = rayon::current_num_threads();
        drop(turn.wait_while(lock.lock().unwrap(), |s| s.0 < threads).unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            crate::threads::work_beside_the_pool();
            let _ = tx.send(first_non_xml_char(&text));
        });
        let found = rx.recv_timeout(std::time::Duration::from_secs(30));
        lock.lock().unwrap().1 = true;
        turn.notify_all();
        assert_eq!(found, Ok(Some((3 * SCAN_PART / 12 * 13, '\u{1}'))));
    }

    #[test]
    fn attribute_values_are_normalised() {
        assert_eq!(decode_attr("a\r\nb\tc&#10;").unwrap(), "a b c\n");
    }
}
