//! The parse: quick-xml's events turned into a [`Tree`], one part of the
//! text at a time. A [`Parser`] reads from the start of the document, or
//! (see `split`) from a start tag directly inside the root element, with
//! the root's namespaces in scope, to a given boundary.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::bindings::Bindings;
use super::names::Names;
use super::{
    decode_attr, index, narrow, Attr, Element, NodeKind, Scope, Span, Tree, Wanted, MAX_DEPTH, NONE, XMLNS_NS, XML_NS,
};
use crate::error::{Error, LineIndex};
use crate::ns::BPMN_MODEL;

/// What the parser knows of each open element.
#[derive(Debug, Clone)]
pub(super) struct Frame {
    /// The kept element, if it was kept.
    id: u32,
    /// Whether it is inside a process (or is one).
    keep: bool,
    /// Whether content inside is kept.
    content: bool,
    /// Its qualified name and where its start tag is, for messages.
    qname: u32,
    start: u32,
    /// The namespace bindings before its start tag ([`Bindings::mark`]).
    undo: u32,
}

/// Where a [`Parser`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// At the end of the text.
    Eof,
    /// At its boundary, between two children of the root element.
    Boundary,
}

/// What a part needs to know of the root element to read on from inside it.
#[derive(Debug, Clone)]
pub(super) struct Root {
    /// Its start tag, `<` to `>`.
    pub tag: Range<usize>,
    /// The length of its qualified name.
    pub name_len: usize,
    /// What the parser knew of it.
    pub frame: Frame,
}

/// A parse in progress over `text`, from `from` to the end (or to a
/// boundary). Offsets are the text's, whatever part is read.
pub(super) struct Parser<'t> {
    text: &'t str,
    lines: &'t LineIndex,
    scope: Scope,
    wanted: Option<Wanted<'t>>,
    reader: Reader<&'t [u8]>,
    /// Where in the text the reader started.
    from: usize,
    pub names: Names,
    /// The namespace bindings in scope.
    bindings: Bindings,
    /// The id of the empty prefix, whose binding is the default namespace.
    default: u32,
    bpmn: u32,
    /// What was kept so far (its line index is the caller's).
    pub tree: Tree,
    stack: Vec<Frame>,
    seen_root: bool,
    attrs: Vec<Attr>,
    /// Stop where an event ends at this offset with only the root open;
    /// `None` once passed (the parser then reads to the end).
    stop_at: Option<usize>,
    /// A part checks end tags itself: its reader never saw the root open.
    part: bool,
}

impl<'t> Parser<'t> {
    /// A parser from the start of `text`.
    pub fn new(text: &'t str, lines: &'t LineIndex, scope: Scope, wanted: Option<Wanted<'t>>) -> Parser<'t> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.trim_text(false);
        config.expand_empty_elements = false;
        config.check_end_names = true;
        config.check_comments = true;
        let mut names = Names::default();
        let bpmn = names.id(BPMN_MODEL);
        // The two prefixes bound in every document.
        let mut bindings = Bindings::default();
        for (prefix, ns) in [("xml", XML_NS), ("xmlns", XMLNS_NS)] {
            bindings.bind(names.id(prefix), names.id(ns));
        }
        let default = names.id("");
        Parser {
            text,
            lines,
            scope,
            wanted,
            reader,
            from: 0,
            names,
            bindings,
            default,
            bpmn,
            tree: Tree::empty(),
            stack: Vec::new(),
            seen_root: false,
            attrs: Vec::new(),
            stop_at: None,
            part: false,
        }
    }

    /// A parser from `from`, a start tag directly inside the root element
    /// `root`, whose namespaces are in scope. Its tree holds a stand-in for
    /// the root as element 0, whose children and content are the part's.
    pub fn part(
        text: &'t str,
        lines: &'t LineIndex,
        scope: Scope,
        wanted: Option<Wanted<'t>>,
        root: &Root,
        from: usize,
    ) -> Option<Parser<'t>> {
        let mut p = Parser::new(text.get(from..)?, lines, scope, wanted);
        p.text = text;
        p.from = from;
        p.part = true;
        p.reader.config_mut().check_end_names = false;
        let tag = text.get(root.tag.clone())?;
        let content = tag.strip_prefix('<')?.strip_suffix('>')?;
        let qname = tag.get(1..1 + root.name_len)?;
        let (qname_id, info) = p.names.qname(qname).ok()?;
        let mut frame = root.frame.clone();
        frame.id = 0;
        frame.qname = qname_id;
        frame.undo = p.bindings.mark();
        // The root's declarations, bound as its start tag binds them.
        let start = BytesStart::from_content(content, root.name_len);
        read_attrs(
            text,
            &start,
            root.tag.clone(),
            lines,
            &mut p.names,
            &mut p.bindings,
            &mut p.attrs,
        )
        .ok()?;
        p.attrs.clear();
        p.tree.elements.push(Element {
            qname: qname_id,
            local: info.local,
            ns: NONE,
            start: Span::of(&root.tag),
            end: Span(NONE, NONE),
            attrs: (0, 0),
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            first_node: NONE,
            last_node: NONE,
        });
        p.stack.push(frame);
        p.seen_root = true;
        Some(p)
    }

    /// Stop at `at` (see [`Stop::Boundary`]).
    pub fn stop_at(&mut self, at: usize) {
        self.stop_at = Some(at);
    }

    /// The root element, once its start tag is read and while it is open.
    pub fn root(&self) -> Option<Root> {
        let frame = self.stack.first()?.clone();
        let el = self.tree.elements.first()?;
        let tag = el.start.range();
        let name_len = self.names.list.get(frame.qname as usize)?.len();
        Some(Root { tag, name_len, frame })
    }

    /// Reads until the root element is open (or the text ends).
    pub fn open_root(&mut self) -> Result<(), Error> {
        while !self.seen_root {
            if self.step()? == Some(Stop::Eof) {
                break;
            }
        }
        Ok(())
    }

    /// Reads to the end, or to the boundary.
    pub fn run(&mut self) -> Result<Stop, Error> {
        loop {
            if let Some(stop) = self.step()? {
                return Ok(stop);
            }
        }
    }

    /// Whether an element is still open (the text ended inside it).
    pub fn open(&self) -> Option<&Frame> {
        self.stack.last()
    }

    fn position(&self, at: usize) -> crate::error::Position {
        self.lines.position(self.text, at)
    }

    fn xml(&self, at: usize, message: String) -> Error {
        Error::Xml {
            position: self.position(at),
            message,
        }
    }

    /// Reads one event; says where it stopped, if it did.
    fn step(&mut self) -> Result<Option<Stop>, Error> {
        let text = self.text;
        let before = self.from + offset(self.reader.buffer_position());
        let event = match self.reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = self.from + offset(self.reader.error_position());
                return Err(self.xml(at, e.to_string()));
            }
        };
        let after = self.from + offset(self.reader.buffer_position());
        let span = before..after;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if self.stack.is_empty() && self.seen_root {
                    return Err(self.xml(before, "a second root element; a document has only one".into()));
                }
                self.seen_root = true;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(Error::TooDeep {
                        limit: MAX_DEPTH,
                        position: self.position(before),
                    });
                }
                let qname = text
                    .get(span.start + 1..)
                    .and_then(|t| t.get(..e.name().0.len()))
                    .unwrap_or_default();
                let Ok((qname_id, info)) = self.names.qname(qname) else {
                    return Err(self.xml(before, format!("\"{qname}\" is not a valid element name")));
                };
                let mark = self.bindings.mark();
                read_attrs(
                    text,
                    e,
                    span.clone(),
                    self.lines,
                    &mut self.names,
                    &mut self.bindings,
                    &mut self.attrs,
                )?;
                // Resolved after the attributes, which may bind its prefix.
                let ns = self
                    .bindings
                    .get(if info.prefix == NONE { self.default } else { info.prefix });
                if ns == NONE && info.prefix != NONE {
                    let prefix = self.names.text(info.prefix).to_string();
                    return Err(self.xml(before, format!("the prefix \"{prefix}\" is not bound to a namespace")));
                }
                let parent = self.stack.last();
                let in_bpmn = ns == self.bpmn;
                let is_process = in_bpmn && info.process;
                let is_task = in_bpmn && info.task;
                let attrs = &mut self.attrs;
                let opens = is_process && self.wanted.is_none_or(|w| process_wanted(w, text, &self.names, attrs));
                // Whether this element is inside a kept process (or is one).
                let in_process = opens || parent.is_some_and(|p| p.keep);
                let task_kept = is_task && (self.wanted.is_none() || in_process);
                let content = self.scope == Scope::Full || task_kept || parent.is_some_and(|p| p.content);
                let declares = attrs.iter().any(|a| a.decl != NONE);
                // Kept: the root, processes, tasks and all inside them,
                // and what declares namespaces on the way to them.
                let keep = match self.scope {
                    Scope::Full => true,
                    Scope::Edit => parent.is_none() || is_process || content || (declares && in_process),
                };
                for a in attrs.iter() {
                    if a.decl != NONE {
                        let q = self.names.list.get(a.qname as usize).map_or("", |q| &**q);
                        let prefix = q.strip_prefix("xmlns:").unwrap_or("").to_string();
                        let p = self.names.id(&prefix);
                        self.tree.declarations.push((p, a.decl));
                    }
                }
                let mut id = NONE;
                if keep {
                    let tree = &mut self.tree;
                    id = narrow(tree.elements.len());
                    let first_attr = narrow(tree.attrs.len());
                    let n_attrs = narrow(attrs.len());
                    tree.attrs.append(attrs);
                    let parent_id = self.stack.iter().rev().find(|f| f.id != NONE).map_or(NONE, |f| f.id);
                    tree.elements.push(Element {
                        qname: qname_id,
                        local: info.local,
                        ns,
                        start: Span::of(&span),
                        end: Span(NONE, NONE),
                        attrs: (first_attr, n_attrs),
                        parent: parent_id,
                        first_child: NONE,
                        last_child: NONE,
                        next_sibling: NONE,
                        first_node: NONE,
                        last_node: NONE,
                    });
                    if let Some(p) = index(parent_id) {
                        tree.link_child(p, id);
                        if self.stack.last().is_some_and(|f| f.content && f.id == parent_id) {
                            tree.push_node(p, NodeKind::Element(id as usize), &span);
                        }
                    }
                }
                if is_empty {
                    self.bindings.unwind(mark);
                } else {
                    self.stack.push(Frame {
                        id,
                        keep: in_process,
                        content,
                        qname: qname_id,
                        start: narrow(before),
                        undo: mark,
                    });
                }
            }
            Event::End(ref e) => {
                let Some(f) = self.stack.pop() else {
                    return Err(self.xml(before, "an end tag with no element open".into()));
                };
                if self.part {
                    // What quick-xml checks for a whole document.
                    let open = self.names.list.get(f.qname as usize).map_or("", |q| &**q);
                    if open != e.name().0 {
                        return Err(self.xml(before, format!("`</{open}>` expected")));
                    }
                }
                self.bindings.unwind(f.undo);
                if let Some(el) = index(f.id).and_then(|i| self.tree.elements.get_mut(i)) {
                    el.end = Span::of(&span);
                }
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) | Event::Comment(_) | Event::PI(_) => {
                let kind = match event {
                    Event::Text(_) => NodeKind::Text,
                    Event::CData(_) => NodeKind::CData,
                    Event::GeneralRef(_) => NodeKind::Ref,
                    Event::Comment(_) => NodeKind::Comment,
                    _ => NodeKind::Pi,
                };
                match self.stack.last() {
                    Some(f) if f.content && f.id != NONE => self.tree.push_node(f.id as usize, kind, &span),
                    Some(_) => {}
                    None if kind == NodeKind::Text || kind == NodeKind::Ref => {
                        let raw = text.get(span.clone()).unwrap_or_default();
                        if kind == NodeKind::Ref || !raw.trim().is_empty() {
                            return Err(self.xml(before, "text outside the root element".into()));
                        }
                    }
                    None => {}
                }
            }
            Event::Decl(_) if before > 0 => {
                return Err(self.xml(before, "an XML declaration is only allowed at the very start".into()))
            }
            Event::Decl(_) | Event::DocType(_) => {}
            Event::Eof => return Ok(Some(Stop::Eof)),
        }
        if let Some(at) = self.stop_at {
            if after >= at {
                if after == at && self.stack.len() == 1 {
                    return Ok(Some(Stop::Boundary));
                }
                // Passed inside something else: read on to the end.
                self.stop_at = None;
            }
        }
        Ok(None)
    }

    /// The error for a text that ends with an element open.
    pub fn unclosed(&self, f: &Frame) -> Error {
        let qname = self.names.list.get(f.qname as usize).map_or("", |q| &**q);
        self.xml(
            self.text.len(),
            format!(
                "the document ends inside <{}>, opened at {}",
                qname,
                self.position(f.start as usize)
            ),
        )
    }
}

/// Whether `wanted` accepts the process whose attributes are `attrs`.
fn process_wanted(wanted: Wanted<'_>, text: &str, names: &Names, attrs: &[Attr]) -> bool {
    let plain = |name: &str| {
        let a = attrs.iter().find(|a| {
            a.ns == NONE && a.decl == NONE && names.list.get(a.qname as usize).is_some_and(|q| **q == *name)
        })?;
        let raw = text.get(a.value.range())?;
        decode_attr(raw).ok()
    };
    let (name, id) = (plain("name"), plain("id"));
    wanted(name.as_deref(), id.as_deref())
}

fn offset(pos: u64) -> usize {
    usize::try_from(pos).unwrap_or(usize::MAX)
}

/// Attributes of one start tag up to which a name given twice is looked for
/// pairwise.
const PAIRWISE: usize = 8;

/// Reads and checks the attributes of a start tag into `out`, with their
/// spans and namespaces, binding the namespaces the tag declares. quick-xml
/// checks their syntax (quotes, `=`) and hands out slices of the text
/// itself, whose offsets are the spans.
fn read_attrs(
    text: &str,
    e: &BytesStart<'_>,
    span: Range<usize>,
    lines: &LineIndex,
    names: &mut Names,
    bindings: &mut Bindings,
    out: &mut Vec<Attr>,
) -> Result<(), Error> {
    out.clear();
    let tag = text.get(span.clone()).unwrap_or_default();
    // Where a slice of the text starts in it (its address less the text's).
    let base = text.as_ptr() as usize;
    let offset_in_text = |s: &str| (s.as_ptr() as usize).wrapping_sub(base);
    names.next_tag();
    // A name given twice is found below by its id, in constant time per
    // attribute, rather than by quick-xml comparing it with each before it.
    let mut attributes = e.attributes();
    attributes.with_checks(false);
    for attr in attributes {
        let attr = match attr {
            Ok(attr) => attr,
            Err(err) => {
                use quick_xml::events::attributes::AttrError as E;
                let at = |off: usize| lines.position(text, span.start + off.min(tag.len()));
                let (position, message) = match err {
                    E::Duplicated(here, first) => (at(here), format!("attribute given twice (first at {})", at(first))),
                    E::ExpectedEq(o) => (at(o), "expected `=` after the attribute name".into()),
                    E::ExpectedValue(o) | E::UnquotedValue(o) => (at(o), "attribute value must be in quotes".into()),
                    E::ExpectedQuote(o, q) => (at(o), format!("attribute value not closed by `{}`", char::from(q))),
                };
                return Err(Error::Xml { position, message });
            }
        };
        let qname = attr.key.0;
        let (key_start, value_start) = (offset_in_text(qname), offset_in_text(&attr.value));
        let value_end = value_start.wrapping_add(attr.value.len());
        let quote = value_start.checked_sub(1).and_then(|q| text.as_bytes().get(q)).copied();
        let (raw_value, quote) = match (&attr.value, quote) {
            (Cow::Borrowed(v), Some(q @ (b'"' | b'\''))) if span.start < key_start && value_end < span.end => (*v, q),
            // Always borrowed from the text and quoted, as quick-xml reads
            // a string: anything else is not this parser's text.
            _ => {
                return Err(Error::Xml {
                    position: lines.position(text, span.start),
                    message: "unreadable attributes".into(),
                })
            }
        };
        let at = |off: usize| lines.position(text, off);
        let Ok((qname_id, _)) = names.qname(qname) else {
            return Err(Error::Xml {
                position: at(key_start),
                message: format!("\"{qname}\" is not a valid attribute name"),
            });
        };
        if names.again(qname_id) {
            let first = out
                .iter()
                .find(|a| a.qname == qname_id)
                .map_or(key_start, |a| a.span.0 as usize);
            return Err(Error::Xml {
                position: at(key_start),
                message: format!("attribute given twice (first at {})", at(first)),
            });
        }
        if let Some(lt) = memchr::memchr(b'<', raw_value.as_bytes()) {
            return Err(Error::Xml {
                position: at(value_start + lt),
                message: "`<` is not allowed in an attribute value".into(),
            });
        }
        let declared = match qname.strip_prefix("xmlns") {
            Some("") => Some(""),
            Some(rest) => rest.strip_prefix(':'),
            None => None,
        };
        let decl = match declared {
            Some(prefix) => {
                let uri = decode_attr(raw_value).unwrap_or(Cow::Borrowed(raw_value));
                // Namespaces in XML §3: `xml` is bound to its namespace
                // only, `xmlns` is never declared, and neither namespace
                // is bound to another prefix or made the default.
                let refused = match prefix {
                    "xmlns" => Some(format!("\"{qname}\" may not be declared")),
                    "xml" if uri != XML_NS => Some(format!("\"{qname}\" may not be declared")),
                    "xml" => None,
                    _ if uri == XML_NS || uri == XMLNS_NS => Some(format!(
                        "\"{qname}\" may not bind {uri}, the namespace reserved for the prefix \"{}\"",
                        if uri == XML_NS { "xml" } else { "xmlns" }
                    )),
                    _ => None,
                };
                if let Some(message) = refused {
                    return Err(Error::Xml {
                        position: at(key_start),
                        message,
                    });
                }
                let uri_id = names.id(&uri);
                if prefix != "xml" {
                    // An empty value undeclares the prefix (or the default).
                    let p = names.id(prefix);
                    bindings.bind(p, if uri.is_empty() { NONE } else { uri_id });
                }
                uri_id
            }
            None => NONE,
        };
        out.push(Attr {
            qname: qname_id,
            // Resolved below, once the tag's declarations are bound.
            ns: NONE,
            span: Span::of(&(key_start..value_end + 1)),
            value: Span::of(&(value_start..value_end)),
            quote,
            decl,
        });
    }
    // An unprefixed attribute is in no namespace (`xmlns` too); a prefixed
    // one in its prefix's, which may be bound by the same tag.
    for a in out.iter_mut() {
        let prefix = names.prefix(a.qname);
        if prefix == NONE {
            continue;
        }
        a.ns = bindings.get(prefix);
        if a.ns == NONE {
            return Err(Error::Xml {
                position: lines.position(text, a.value.0 as usize),
                message: format!("the prefix \"{}\" is not bound to a namespace", names.text(prefix)),
            });
        }
    }
    // Namespaces in XML §6.3: no two attributes with one expanded name
    // (quick-xml only compares the names as written). Few attributes are
    // compared pairwise; many go through a set, so that a hostile tag with
    // tens of thousands of them costs linear time.
    let expanded = |a: &Attr| (a.decl == NONE && a.ns != NONE).then(|| (a.ns, names.local(a.qname)));
    let keyed = out.iter().filter_map(|a| Some((expanded(a)?, a)));
    let twice = if out.len() <= PAIRWISE {
        keyed.clone().enumerate().find_map(|(i, (k, a))| {
            keyed
                .clone()
                .take(i)
                .find(|(j, _)| *j == k)
                .map(|(_, first)| (a, first))
        })
    } else {
        let mut met = rustc_hash::FxHashSet::default();
        keyed
            .clone()
            .find(|(k, _)| !met.insert(*k))
            .and_then(|(k, a)| keyed.clone().find(|(j, _)| *j == k).map(|(_, first)| (a, first)))
    };
    if let Some((a, first)) = twice {
        let name = |id: u32| names.list.get(id as usize).map_or("", |s| &**s);
        return Err(Error::Xml {
            position: lines.position(text, a.span.0 as usize),
            message: format!(
                "attribute given twice: \"{}\" is \"{}\" (at {}), both prefixes being bound to {}",
                name(a.qname),
                name(first.qname),
                lines.position(text, first.span.0 as usize),
                name(a.ns)
            ),
        });
    }
    Ok(())
}
