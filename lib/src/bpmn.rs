//! The BPMN model procpatch reads from the tree: processes, their tasks, and
//! each task's attributes (engine field extensions, and XML attributes with
//! no namespace or in an engine's namespace), each with the span of its value
//! and the form it is written in.

use std::ops::Range;

use crate::error::{Error, Position, Selector};
use crate::ns::{Engine, BPMN_MODEL, TASK_KINDS};
use crate::tree::{decode_attr, ElemId, NodeKind, Tree};

/// How a value is written in the XML. A new value is written in the same form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Form {
    /// `<P:field name="k"><P:string>value</P:string></P:field>`.
    String {
        /// Whether the value is in a CDATA section.
        cdata: bool,
    },
    /// `<P:field name="k"><P:expression>value</P:expression></P:field>`.
    Expression {
        /// Whether the value is in a CDATA section.
        cdata: bool,
    },
    /// `<P:field name="k" stringValue="value"/>`.
    StringValueAttribute,
    /// `<P:field name="k" expression="value"/>`.
    ExpressionAttribute,
    /// `<P:field name="k"/>` with no value at all; a value is written as a
    /// `string` child in CDATA.
    NoValue,
    /// An XML attribute of the task element (`@name` or `@engine:name` in a
    /// recipe).
    XmlAttribute,
}

/// A process element.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Process {
    /// Its `name` and `id`.
    #[serde(flatten)]
    pub selector: Selector,
    /// Where its start tag begins.
    pub position: Position,
    /// Every task inside it, nested sub-processes included, in document order.
    pub tasks: Vec<Task>,
}

/// A task (flow node) inside a process.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Task {
    /// The element's local name, e.g. `callActivity`.
    pub kind: String,
    /// Its `name` and `id`.
    #[serde(flatten)]
    pub selector: Selector,
    /// Names (or ids) of the sub-processes it is nested in, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub within: Vec<String>,
    /// Where its start tag begins.
    pub position: Position,
    /// Its engine field extensions, in document order.
    pub fields: Vec<Field>,
    /// Its XML attributes that a recipe can set, in document order: those
    /// with no namespace, and those in an engine's namespace.
    pub attributes: Vec<XmlAttribute>,
    #[serde(skip)]
    pub(crate) elem: ElemId,
    /// The task's `extensionElements` child, if it has one.
    #[serde(skip)]
    pub(crate) extensions: Option<ElemId>,
    /// The parse of the document it was read from, so that an editor can
    /// tell its own document's tasks from another's.
    #[serde(skip)]
    pub(crate) doc: u64,
}

/// An engine field extension of a task: a row of Admin's "Attributes" list.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Field {
    /// The field's `name`.
    pub name: String,
    /// The engine whose namespace it is in.
    pub engine: Engine,
    /// Its value, or `None` if it has none or it cannot be read.
    pub value: Option<String>,
    /// How the value is written.
    pub form: Form,
    /// Where the field element begins.
    pub position: Position,
    #[serde(skip)]
    pub(crate) slot: Slot,
    #[serde(skip)]
    pub(crate) elem: ElemId,
}

/// An XML attribute of a task: one with no namespace, or one in an engine's
/// namespace.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct XmlAttribute {
    /// The name a recipe gives it after `@`: the attribute name for one with
    /// no namespace (`calledElement`); for one in an engine's namespace, the
    /// engine's conventional prefix and the local name (`activiti:async`),
    /// whatever prefix the document uses for that namespace.
    pub name: String,
    /// The engine whose namespace the attribute is in; `None` for one with
    /// no namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    /// Its value, with references resolved.
    pub value: String,
    /// Where the value begins.
    pub position: Position,
    #[serde(skip)]
    pub(crate) slot: Slot,
}

/// Where a value lives and how to write a new one there.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// Between the quotes of an attribute.
    Attribute { span: Range<usize>, quote: u8 },
    /// Character data of an element: `span` covers the value's content (for
    /// CDATA, from the first section's `<![CDATA[` to the last one's `]]>`).
    Content { span: Range<usize>, cdata: bool },
    /// An element with no content to edit (an empty-element tag, or a field
    /// with no value child): the value has to be added to `elem`.
    Missing { elem: ElemId },
    /// The value could not be read; editing it reports this error.
    Unreadable(Box<Error>),
}

/// A process element as found by the parse: what names it and where it is.
/// Its tasks are read only when asked for ([`process`]), because a large
/// document holds thousands of processes and a recipe edits a few.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    /// Its `name` and `id`.
    pub selector: Selector,
    /// Where its start tag begins.
    pub position: Position,
    /// The process element.
    pub elem: ElemId,
}

/// The processes of a BPMN document, without their tasks.
pub(crate) fn heads(tree: &Tree, text: &str) -> Result<Vec<Head>, Error> {
    let root = tree.get(0).ok_or(Error::Empty)?;
    if !tree.is(0, BPMN_MODEL, "definitions") {
        return Err(Error::NotBpmn {
            root: root.qname().to_string(),
            namespace: root.ns().unwrap_or_default().to_string(),
        });
    }
    let mut out = Vec::new();
    for id in tree.ids() {
        if tree.is(id, BPMN_MODEL, "process") {
            let start = tree.get(id).map_or(0, |el| el.start().start);
            out.push(Head {
                selector: selector(tree, text, id),
                position: tree.position(text, start),
                elem: id,
            });
        }
    }
    Ok(out)
}

/// The process `head` with its tasks; `doc` identifies the document the
/// tasks belong to (see [`Task::doc`]).
pub(crate) fn process(tree: &Tree, text: &str, head: &Head, doc: u64) -> Process {
    Process {
        selector: head.selector.clone(),
        position: head.position,
        tasks: tasks(tree, text, head.elem, doc),
    }
}

fn selector(tree: &Tree, text: &str, id: ElemId) -> Selector {
    Selector {
        name: plain_attr(tree, text, id, "name"),
        id: plain_attr(tree, text, id, "id"),
    }
}

/// The decoded value of an unprefixed attribute.
pub(crate) fn plain_attr(tree: &Tree, text: &str, id: ElemId, name: &str) -> Option<String> {
    let el = tree.get(id)?;
    let a = el.attrs().find(|a| a.ns().is_none() && a.qname() == name)?;
    let raw = text.get(a.value())?;
    Some(decode_attr(raw).ok()?.into_owned())
}

/// Tasks inside `process`, in document order, without recursion.
fn tasks(tree: &Tree, text: &str, process: ElemId, doc: u64) -> Vec<Task> {
    use std::rc::Rc;
    let mut out = Vec::new();
    // (element, names of the sub-processes around it): the names are
    // shared by every element of one sub-process, not copied to each.
    let mut stack: Vec<(ElemId, Rc<Vec<String>>)> = Vec::new();
    let top = Rc::new(Vec::new());
    stack.extend(tree.children(process).map(|c| (c, Rc::clone(&top))));
    stack.reverse();
    while let Some((id, within)) = stack.pop() {
        let Some(el) = tree.get(id) else { continue };
        let is_bpmn = el.ns() == Some(BPMN_MODEL);
        let mut inner = Rc::clone(&within);
        if is_bpmn && TASK_KINDS.contains(&el.local()) {
            let sel = selector(tree, text, id);
            let mut names = (*within).clone();
            names.push(sel.name.clone().or(sel.id.clone()).unwrap_or_default());
            inner = Rc::new(names);
            let extensions = tree.children(id).find(|&c| tree.is(c, BPMN_MODEL, "extensionElements"));
            out.push(Task {
                kind: el.local().to_string(),
                selector: sel,
                within: (*within).clone(),
                position: tree.position(text, el.start().start),
                fields: extensions.map(|x| fields(tree, text, x)).unwrap_or_default(),
                attributes: xml_attributes(tree, text, id),
                elem: id,
                extensions,
                doc,
            });
        }
        // Children pushed last first, so that they come off in order.
        let from = stack.len();
        stack.extend(tree.children(id).map(|c| (c, Rc::clone(&inner))));
        if let Some(pushed) = stack.get_mut(from..) {
            pushed.reverse();
        }
    }
    out
}

fn xml_attributes(tree: &Tree, text: &str, id: ElemId) -> Vec<XmlAttribute> {
    let Some(el) = tree.get(id) else {
        return Vec::new();
    };
    el.attrs()
        .filter(|a| a.decl_uri().is_none())
        .filter_map(|a| {
            let (engine, name) = match a.ns() {
                None => (None, a.qname().to_string()),
                Some(uri) => {
                    let engine = Engine::from_namespace(uri)?;
                    let local = a.qname().rsplit(':').next().unwrap_or_default();
                    (Some(engine), format!("{}:{local}", engine.conventional_prefix()))
                }
            };
            let raw = text.get(a.value()).unwrap_or_default();
            let position = tree.position(text, a.value().start);
            let (value, slot) = match decode_attr(raw) {
                Ok(v) => (
                    v.into_owned(),
                    Slot::Attribute {
                        span: a.value(),
                        quote: a.quote(),
                    },
                ),
                Err(e) => (String::new(), unreadable(e, &|| a.qname().to_string(), position)),
            };
            Some(XmlAttribute {
                name,
                engine,
                value,
                position,
                slot,
            })
        })
        .collect()
}

/// `what` names what could not be read; it is only made for the error.
fn unreadable(e: quick_xml::escape::EscapeError, what: &dyn Fn() -> String, position: Position) -> Slot {
    use quick_xml::escape::EscapeError;
    let err = match e {
        EscapeError::UnrecognizedEntity(_, name) => Error::UnknownEntity {
            what: what(),
            name,
            position,
        },
        other => Error::Xml {
            position,
            message: other.to_string(),
        },
    };
    Slot::Unreadable(Box::new(err))
}

/// The field extensions in an `extensionElements` element.
fn fields(tree: &Tree, text: &str, extensions: ElemId) -> Vec<Field> {
    let mut out = Vec::new();
    for id in tree.children(extensions) {
        let Some(el) = tree.get(id) else { continue };
        let Some(engine) = el.ns().and_then(Engine::from_namespace) else {
            continue;
        };
        if el.local() != "field" {
            continue;
        }
        let Some(name) = plain_attr(tree, text, id, "name") else {
            continue;
        };
        let position = tree.position(text, el.start().start);
        let (form, value, slot) = field_value(tree, text, id, engine, &|| format!("field \"{name}\""));
        out.push(Field {
            name,
            engine,
            value,
            form,
            position,
            slot,
            elem: id,
        });
    }
    out
}

/// Reads a field's value in whichever of its forms comes first.
fn field_value(
    tree: &Tree,
    text: &str,
    id: ElemId,
    engine: Engine,
    what: &dyn Fn() -> String,
) -> (Form, Option<String>, Slot) {
    let Some(el) = tree.get(id) else {
        return (Form::NoValue, None, Slot::Missing { elem: id });
    };
    for a in el.attrs().filter(|a| a.ns().is_none()) {
        let form = match a.qname() {
            "stringValue" => Form::StringValueAttribute,
            "expression" => Form::ExpressionAttribute,
            _ => continue,
        };
        let raw = text.get(a.value()).unwrap_or_default();
        return match decode_attr(raw) {
            Ok(v) => (
                form,
                Some(v.into_owned()),
                Slot::Attribute {
                    span: a.value(),
                    quote: a.quote(),
                },
            ),
            Err(e) => (form, None, unreadable(e, what, tree.position(text, a.value().start))),
        };
    }
    for child in tree.children(id) {
        let is_string = tree.is(child, engine.namespace(), "string");
        if !is_string && !tree.is(child, engine.namespace(), "expression") {
            continue;
        }
        let (value, slot, cdata) = match content(tree, text, child, what) {
            Ok(Some((value, span, cdata))) => (Some(value), Slot::Content { span, cdata }, cdata),
            Ok(None) => (Some(String::new()), Slot::Missing { elem: child }, true),
            Err(e) => (None, Slot::Unreadable(Box::new(e)), false),
        };
        let form = if is_string {
            Form::String { cdata }
        } else {
            Form::Expression { cdata }
        };
        return (form, value, slot);
    }
    (Form::NoValue, None, Slot::Missing { elem: id })
}

/// The character data of element `id`: its value, the span to replace, and
/// whether it is written as CDATA. `None` for an empty-element tag or an
/// element with no content at all.
///
/// Around CDATA, whitespace-only text is layout and is left out of the value
/// and the span.
fn content(
    tree: &Tree,
    text: &str,
    id: ElemId,
    what: &dyn Fn() -> String,
) -> Result<Option<(String, Range<usize>, bool)>, Error> {
    let Some(el) = tree.get(id) else {
        return Ok(None);
    };
    let Some(end) = el.end() else { return Ok(None) };
    let nodes = el.content();
    if let Some(child) = nodes.iter().find(|n| matches!(n.kind, NodeKind::Element(_))) {
        return Err(Error::ElementContent {
            what: what(),
            position: tree.position(text, child.span.start),
        });
    }
    let blank = |n: &&crate::tree::Node| {
        n.kind == NodeKind::Text && text.get(n.span.clone()).is_some_and(|s| s.trim().is_empty())
    };
    let mut kept: &[crate::tree::Node] = &nodes;
    if nodes.iter().any(|n| n.kind == NodeKind::CData) {
        let first = nodes.iter().position(|n| !blank(&n)).unwrap_or(0);
        let last = nodes.iter().rposition(|n| !blank(&n)).map_or(0, |i| i + 1);
        kept = nodes.get(first..last.max(first)).unwrap_or_default();
    }
    let (Some(first), Some(last)) = (kept.first(), kept.last()) else {
        if el.start().end == end.start {
            return Ok(Some((String::new(), el.start().end..end.start, true)));
        }
        return Ok(None);
    };
    let mut value = String::new();
    for n in kept {
        let raw = text.get(n.span.clone()).unwrap_or_default();
        match n.kind {
            NodeKind::Text | NodeKind::Ref => match quick_xml::escape::unescape(raw) {
                Ok(v) => value.push_str(&normalize_newlines(&v, n.kind == NodeKind::Text)),
                Err(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) => {
                    return Err(Error::UnknownEntity {
                        what: what(),
                        name,
                        position: tree.position(text, n.span.start),
                    })
                }
                Err(e) => {
                    return Err(Error::Xml {
                        position: tree.position(text, n.span.start),
                        message: e.to_string(),
                    })
                }
            },
            NodeKind::CData => {
                let inner = raw
                    .strip_prefix("<![CDATA[")
                    .and_then(|s| s.strip_suffix("]]>"))
                    .unwrap_or_default();
                value.push_str(&normalize_newlines(inner, true));
            }
            _ => {}
        }
    }
    let cdata = first.kind == NodeKind::CData;
    Ok(Some((value, first.span.start..last.span.end, cdata)))
}

/// XML 1.0 §2.11: a CRLF pair or a lone CR in the source is read as LF.
/// References (`&#13;`) are not source line breaks and are kept.
fn normalize_newlines(s: &str, literal: bool) -> std::borrow::Cow<'_, str> {
    if literal && s.contains('\r') {
        std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}
