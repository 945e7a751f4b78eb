//! The XML document as a tree of spans into its UTF-8 text.
//!
//! quick-xml reads the events; this module records, for every element, the
//! byte spans of its start and end tags, of each attribute value (and its
//! quote character), and of each piece of content. Nothing is ever
//! re-serialised: the spans are all that the editor needs.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::events::Event;
use quick_xml::name::{QName, ResolveResult};
use quick_xml::NsReader;

use crate::error::{Error, LineIndex, Position};

/// Index of an element in [`Tree::elements`].
pub(crate) type ElemId = usize;

/// The namespace the `xml` prefix is bound to.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// How deep elements may nest. The tree is built without recursion, so this
/// only bounds memory for hostile input; real BPMN nests a few dozen deep.
pub(crate) const MAX_DEPTH: usize = 16_384;

/// An element and where its parts are.
#[derive(Debug)]
pub(crate) struct Element {
    /// The qualified name as written, e.g. `bpmn2:serviceTask`.
    pub qname: String,
    /// The resolved namespace URI, if any.
    pub ns: Option<String>,
    /// The local name.
    pub local: String,
    /// The start tag, or the whole empty-element tag.
    pub start: Range<usize>,
    /// The end tag; `None` for an empty-element tag.
    pub end: Option<Range<usize>>,
    /// Attributes in document order.
    pub attrs: Vec<Attr>,
    /// The parent element.
    pub parent: Option<ElemId>,
    /// Content between the tags, in document order.
    pub content: Vec<Node>,
}

/// An attribute and the span of its value.
#[derive(Debug)]
pub(crate) struct Attr {
    /// The qualified name as written.
    pub qname: String,
    /// The resolved namespace URI (never the default namespace).
    pub ns: Option<String>,
    /// The whole attribute, from the first character of its name to its
    /// closing quote.
    pub span: Range<usize>,
    /// The value between the quotes, as written.
    pub value: Range<usize>,
    /// `b'"'` or `b'\''`.
    pub quote: u8,
    /// For a namespace declaration (`xmlns`, `xmlns:p`), the URI it binds.
    pub decl_uri: Option<String>,
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

/// The parsed document.
#[derive(Debug)]
pub(crate) struct Tree {
    pub elements: Vec<Element>,
    pub lines: LineIndex,
}

impl Tree {
    /// Parses `text`, which must be the whole document.
    pub fn parse(text: &str) -> Result<Tree, Error> {
        let lines = LineIndex::new(text);
        if let Some((at, c)) = text.char_indices().find(|&(_, c)| !crate::escape::is_xml_char(c)) {
            return Err(Error::Xml {
                position: lines.position(text, at),
                message: format!("the character U+{:04X} is not allowed in XML", c as u32),
            });
        }
        let mut reader = NsReader::from_str(text);
        let config = reader.config_mut();
        config.trim_text(false);
        config.expand_empty_elements = false;
        config.check_end_names = true;
        config.check_comments = true;

        let mut elements: Vec<Element> = Vec::new();
        let mut stack: Vec<ElemId> = Vec::new();
        let xml_err = |lines: &LineIndex, at: u64, message: String| Error::Xml {
            position: lines.position(text, usize::try_from(at).unwrap_or(usize::MAX)),
            message,
        };
        loop {
            let before = offset(reader.buffer_position());
            let (ns, event) = match reader.read_resolved_event() {
                Ok((res, ev)) => (resolved(res), ev),
                Err(e) => return Err(xml_err(&lines, reader.error_position(), e.to_string())),
            };
            let after = offset(reader.buffer_position());
            let span = before..after;
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let is_empty = matches!(event, Event::Empty(_));
                    if stack.is_empty() && !elements.is_empty() {
                        return Err(Error::Xml {
                            position: lines.position(text, before),
                            message: "a second root element; a document has only one".into(),
                        });
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(Error::TooDeep {
                            limit: MAX_DEPTH,
                            position: lines.position(text, before),
                        });
                    }
                    let ns = match ns {
                        Ok(ns) => ns,
                        Err(prefix) => {
                            return Err(Error::Xml {
                                position: lines.position(text, before),
                                message: format!("the prefix \"{prefix}\" is not bound to a namespace"),
                            })
                        }
                    };
                    let qname = e.name().0.to_string();
                    if !is_name(&qname) {
                        return Err(Error::Xml {
                            position: lines.position(text, before),
                            message: format!("\"{qname}\" is not a valid element name"),
                        });
                    }
                    let local = e.local_name().as_ref().to_string();
                    let attrs = read_attrs(text, &reader, e, span.clone(), &lines)?;
                    let id = elements.len();
                    let parent = stack.last().copied();
                    if let Some(p) = parent.and_then(|p| elements.get_mut(p)) {
                        p.content.push(Node {
                            kind: NodeKind::Element(id),
                            span: span.clone(),
                        });
                    }
                    elements.push(Element {
                        qname,
                        ns,
                        local,
                        start: span,
                        end: None,
                        attrs,
                        parent,
                        content: Vec::new(),
                    });
                    if !is_empty {
                        stack.push(id);
                    }
                }
                Event::End(_) => {
                    if let Some(el) = stack.pop().and_then(|id| elements.get_mut(id)) {
                        el.end = Some(span);
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
                    if let Some(el) = stack.last().and_then(|&id| elements.get_mut(id)) {
                        el.content.push(Node { kind, span });
                    } else if kind == NodeKind::Text || kind == NodeKind::Ref {
                        let raw = text.get(span.clone()).unwrap_or_default();
                        if kind == NodeKind::Ref || !raw.trim().is_empty() {
                            return Err(Error::Xml {
                                position: lines.position(text, before),
                                message: "text outside the root element".into(),
                            });
                        }
                    }
                }
                Event::Decl(_) if before > 0 => {
                    return Err(Error::Xml {
                        position: lines.position(text, before),
                        message: "an XML declaration is only allowed at the very start".into(),
                    })
                }
                Event::Decl(_) | Event::DocType(_) => {}
                Event::Eof => break,
            }
        }
        if let Some(el) = stack.last().and_then(|&id| elements.get(id)) {
            return Err(Error::Xml {
                position: lines.position(text, text.len()),
                message: format!(
                    "the document ends inside <{}>, opened at {}",
                    el.qname,
                    lines.position(text, el.start.start)
                ),
            });
        }
        if elements.is_empty() {
            return Err(Error::Empty);
        }
        Ok(Tree { elements, lines })
    }

    /// The element with id `id`.
    pub fn get(&self, id: ElemId) -> Option<&Element> {
        self.elements.get(id)
    }

    /// The child elements of `id`, in order.
    pub fn children(&self, id: ElemId) -> impl Iterator<Item = ElemId> + '_ {
        self.get(id)
            .into_iter()
            .flat_map(|el| el.content.iter())
            .filter_map(|n| match n.kind {
                NodeKind::Element(c) => Some(c),
                _ => None,
            })
    }

    /// Whether `id` is the element `{ns}local`.
    pub fn is(&self, id: ElemId, ns: &str, local: &str) -> bool {
        self.get(id)
            .is_some_and(|el| el.local == local && el.ns.as_deref() == Some(ns))
    }

    /// The position of a text offset.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        self.lines.position(text, offset)
    }

    /// The prefix bound to namespace `uri` in scope at element `id`: `Some("")`
    /// for the default namespace, `None` if the namespace is not bound.
    /// A named prefix is preferred over the default namespace.
    pub fn prefix_for(&self, id: ElemId, uri: &str) -> Option<String> {
        let mut decided: Vec<&str> = Vec::new();
        let mut default_found = None;
        let mut cur = Some(id);
        while let Some(el) = cur.and_then(|c| self.get(c)) {
            for a in &el.attrs {
                let prefix = match a.qname.as_str() {
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
                if a.decl_uri.as_deref() == Some(uri) {
                    if prefix.is_empty() {
                        default_found = Some(String::new());
                    } else {
                        return Some(prefix.to_string());
                    }
                }
            }
            cur = el.parent;
        }
        default_found
    }
}

/// Whether the root element of `text` is `{ns}local`, reading no further
/// than its start tag.
pub(crate) fn root_is(text: &str, ns: &str, local: &str) -> bool {
    let mut reader = NsReader::from_str(text);
    loop {
        match reader.read_resolved_event() {
            Ok((res, Event::Start(e) | Event::Empty(e))) => {
                return matches!(res, ResolveResult::Bound(n) if n.0 == ns) && e.local_name().as_ref() == local;
            }
            Ok((_, Event::Eof)) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// Whether `name` is a qualified name (XML 1.0 §2.3 and Namespaces §3):
/// at most one colon, each part starting with a letter or `_` and going on
/// with letters, digits, `-`, `.`, `_` or other non-ASCII name characters.
/// quick-xml does not check names.
fn is_name(name: &str) -> bool {
    let part = |p: &str| {
        let mut chars = p.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_') || (!c.is_ascii() && !c.is_whitespace()))
    };
    match name.split_once(':') {
        Some((prefix, local)) => part(prefix) && part(local),
        None => part(name),
    }
}

fn offset(pos: u64) -> usize {
    usize::try_from(pos).unwrap_or(usize::MAX)
}

/// The namespace of a resolved name, or the unknown prefix.
fn resolved(res: ResolveResult<'_>) -> Result<Option<String>, String> {
    match res {
        ResolveResult::Bound(ns) => Ok(Some(ns.0.to_string())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(p) => Err(p),
    }
}

/// Reads the attributes of a start tag, with their value spans.
fn read_attrs(
    text: &str,
    reader: &NsReader<&[u8]>,
    e: &quick_xml::events::BytesStart<'_>,
    span: Range<usize>,
    lines: &LineIndex,
) -> Result<Vec<Attr>, Error> {
    let tag = text.get(span.clone()).unwrap_or_default();
    // quick-xml checks the attribute syntax (quotes, duplicates) here; the
    // spans are then read by `scan_attrs`, which can trust that syntax.
    for attr in e.attributes() {
        if let Err(err) = attr {
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
    }
    // The scanner and quick-xml must agree on what the attributes are.
    let scanned = scan_attrs(tag)
        .filter(|s| s.len() == e.attributes().count())
        .ok_or_else(|| Error::Xml {
            position: lines.position(text, span.start),
            message: "unreadable attributes".into(),
        })?;
    let mut out = Vec::with_capacity(scanned.len());
    for (key, value, quote) in scanned {
        let qname = tag.get(key.clone()).unwrap_or_default().to_string();
        let at = |off: usize| lines.position(text, span.start + off);
        if !is_name(&qname) {
            return Err(Error::Xml {
                position: at(key.start),
                message: format!("\"{qname}\" is not a valid attribute name"),
            });
        }
        if qname == "xmlns:xmlns" || (qname == "xmlns:xml" && tag.get(value.clone()) != Some(XML_NS)) {
            return Err(Error::Xml {
                position: at(key.start),
                message: format!("\"{qname}\" may not be declared"),
            });
        }
        if let Some(lt) = tag.get(value.clone()).and_then(|v| v.find('<')) {
            return Err(Error::Xml {
                position: at(value.start + lt),
                message: "`<` is not allowed in an attribute value".into(),
            });
        }
        let q = QName(qname.as_str());
        let (res, _) = reader.resolver().resolve_attribute(q);
        let ns = match resolved(res) {
            Ok(ns) => ns,
            Err(prefix) => {
                return Err(Error::Xml {
                    position: lines.position(text, span.start + value.start),
                    message: format!("the prefix \"{prefix}\" is not bound to a namespace"),
                })
            }
        };
        let whole = span.start + key.start..span.start + value.end + 1;
        let value = span.start + value.start..span.start + value.end;
        let decl_uri = if qname == "xmlns" || qname.starts_with("xmlns:") {
            text.get(value.clone())
                .map(|v| decode_attr(v).unwrap_or(Cow::Borrowed(v)).into_owned())
        } else {
            None
        };
        out.push(Attr {
            qname,
            ns,
            span: whole,
            value,
            quote,
            decl_uri,
        });
    }
    // Namespaces in XML §6.3: no two attributes with one expanded name
    // (quick-xml only compares the names as written).
    let mut seen: std::collections::HashMap<(&str, &str), &Attr> = std::collections::HashMap::new();
    for a in out.iter().filter(|a| a.decl_uri.is_none()) {
        let Some(ns) = a.ns.as_deref() else { continue };
        let local = a.qname.rsplit(':').next().unwrap_or_default();
        if let Some(first) = seen.insert((ns, local), a) {
            return Err(Error::Xml {
                position: lines.position(text, a.span.start),
                message: format!(
                    "attribute given twice: \"{}\" is \"{}\" (at {}), both prefixes being bound to {ns}",
                    a.qname,
                    first.qname,
                    lines.position(text, first.span.start)
                ),
            });
        }
    }
    Ok(out)
}

/// Key span, value span (inside the quotes) and quote character of each
/// attribute, relative to its tag.
type AttrSpans = Vec<(Range<usize>, Range<usize>, u8)>;

/// The attributes of a start tag, found by position.
///
/// Hand-written because quick-xml's attribute iterator gives values but not
/// where they are; its syntax check has already run when this is called.
fn scan_attrs(tag: &str) -> Option<AttrSpans> {
    let b = tag.as_bytes();
    let at = |i: usize| b.get(i).copied();
    let is_ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let is_name = |c: u8| !is_ws(c) && !matches!(c, b'>' | b'=');
    let skip = |mut i: usize, keep: &dyn Fn(u8) -> bool| {
        while at(i).is_some_and(keep) {
            i += 1;
        }
        i
    };
    // Skip `<` and the element name (which ends at whitespace, `>` or `/>`).
    let mut i = skip(1, &|c| !is_ws(c) && c != b'>' && c != b'/');
    let mut out = Vec::new();
    loop {
        i = skip(i, &is_ws);
        if matches!(at(i), None | Some(b'>')) || (at(i) == Some(b'/') && at(i + 1) == Some(b'>')) {
            return Some(out);
        }
        let key = i..skip(i, &is_name);
        i = skip(key.end, &|c| is_ws(c) || c == b'=');
        let quote = at(i).filter(|&q| q == b'"' || q == b'\'')?;
        let value_start = i + 1;
        let len = b.get(value_start..)?.iter().position(|&c| c == quote)?;
        out.push((key, value_start..value_start + len, quote));
        i = value_start + len + 1;
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
        let tree = Tree::parse(text).unwrap();
        let a = tree.get(0).unwrap();
        assert_eq!(&text[a.start.clone()], "<a xmlns='urn:x' k = \"v&amp;\">");
        assert_eq!(&text[a.end.clone().unwrap()], "</a>");
        let k = &a.attrs[1];
        assert_eq!((&text[k.value.clone()], k.quote), ("v&amp;", b'"'));
        assert_eq!(a.ns.as_deref(), Some("urn:x"));
        let kinds: Vec<_> = a.content.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            [NodeKind::Element(1), NodeKind::Text, NodeKind::CData, NodeKind::Ref]
        );
        assert_eq!(&text[a.content[2].span.clone()], "<![CDATA[c]]>");
        assert_eq!(tree.prefix_for(1, "urn:x").as_deref(), Some(""));
    }

    #[test]
    fn reports_unclosed_and_mismatched_elements() {
        let err = Tree::parse("<a>\n<b>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed XML at 2:4: the document ends inside <b>, opened at 2:1"
        );
        assert!(matches!(Tree::parse("<a></b>"), Err(Error::Xml { .. })));
        assert!(matches!(Tree::parse(""), Err(Error::Empty)));
        assert!(matches!(Tree::parse("<p:a/>"), Err(Error::Xml { .. })));
    }

    #[test]
    fn one_expanded_attribute_name_twice_is_malformed() {
        let err = Tree::parse("<a xmlns:p='urn:x' xmlns:q='urn:x' p:k='1' q:k='2'/>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed XML at 1:44: attribute given twice: \"q:k\" is \"p:k\" (at 1:36), both prefixes being bound to urn:x"
        );
        // Same local name in different namespaces, or none: fine.
        assert!(Tree::parse("<a xmlns:p='urn:x' xmlns:q='urn:y' p:k='1' q:k='2' k='3'/>").is_ok());
    }

    #[test]
    fn attribute_values_are_normalised() {
        assert_eq!(decode_attr("a\r\nb\tc&#10;").unwrap(), "a b c\n");
    }
}
