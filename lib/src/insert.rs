//! Markup for what is missing: a field, an `extensionElements`, an attribute,
//! a namespace declaration. New markup copies the layout around it: the
//! whitespace before its siblings, the indentation unit, LF or CRLF, and
//! stays on one line in a document written on one line.

use std::ops::Range;

use crate::tree::{ElemId, Tree};

/// A change to the UTF-8 working text: replace `range` with `markup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextEdit {
    pub range: Range<usize>,
    pub markup: String,
}

/// Layout of the text around an element.
struct Layout {
    /// The newline to write, empty when the element is not at a line start.
    nl: String,
    /// The element's own indentation.
    indent: String,
    /// One more level of indentation.
    unit: String,
}

impl Layout {
    fn of(tree: &Tree, text: &str, id: ElemId) -> Layout {
        let start = tree.get(id).map_or(0, |el| el.start().start);
        let Some(indent) = indent_before(text, start) else {
            return Layout {
                nl: String::new(),
                indent: String::new(),
                unit: String::new(),
            };
        };
        let before = text.get(..start - indent.len()).unwrap_or_default();
        let nl = if before.ends_with("\r\n") {
            "\r\n"
        } else if before.ends_with('\r') {
            "\r"
        } else {
            "\n"
        };
        Layout {
            nl: nl.to_string(),
            indent: indent.to_string(),
            unit: indent_unit(tree, text, id),
        }
    }

    /// The indentation `levels` deeper than the element.
    fn deeper(&self, levels: usize) -> String {
        format!("{}{}", self.indent, self.unit.repeat(levels))
    }
}

/// The indentation of a line that holds only whitespace before `at`, or
/// `None` if something else stands before `at` on its line (or it is the
/// first line).
fn indent_before(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?;
    let ws = before.len() - before.trim_end_matches([' ', '\t']).len();
    let line_start = at - ws;
    let prev = before.get(..line_start)?;
    (prev.ends_with('\n') || prev.ends_with('\r'))
        .then(|| before.get(line_start..))
        .flatten()
}

/// The whitespace between the previous non-whitespace character and `at`.
fn space_before(text: &str, at: usize) -> &str {
    let before = text.get(..at).unwrap_or_default();
    let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
    before.get(trimmed.len()..).unwrap_or_default()
}

/// The document's indentation step: what an element's indentation adds to
/// its parent's, here or, failing that, anywhere in the document.
fn indent_unit(tree: &Tree, text: &str, id: ElemId) -> String {
    let step = |child: ElemId| -> Option<String> {
        let el = tree.get(child)?;
        let parent = tree.get(el.parent()?)?;
        let own = indent_before(text, el.start().start)?;
        let outer = indent_before(text, parent.start().start)?;
        own.strip_prefix(outer).filter(|s| !s.is_empty()).map(str::to_string)
    };
    if let Some(unit) = step(id) {
        return unit;
    }
    if let Some(unit) = tree.ids().find_map(step) {
        return unit;
    }
    let own = tree
        .get(id)
        .and_then(|el| indent_before(text, el.start().start))
        .unwrap_or_default();
    if own.contains('\t') { "\t" } else { "  " }.to_string()
}

/// Where an element ends (after its end tag, or its empty-element tag).
fn end_of(tree: &Tree, id: ElemId) -> usize {
    tree.get(id).map_or(0, |el| el.end().map_or(el.start().end, |e| e.end))
}

/// Adds `children` (markup, one item each) as the first element content of
/// `id`, which has no child elements, laid out one per line at `inner`
/// indentation, with `outer` before the end tag.
fn append(tree: &Tree, text: &str, id: ElemId, children: &[String], layout: &Layout, inner: &str) -> Option<TextEdit> {
    let el = tree.get(id)?;
    let mut body = String::new();
    for c in children {
        body.push_str(&layout.nl);
        if !layout.nl.is_empty() {
            body.push_str(inner);
        }
        body.push_str(c);
    }
    body.push_str(&layout.nl);
    if !layout.nl.is_empty() {
        body.push_str(&layout.indent);
    }
    match el.end() {
        Some(end) => {
            // Replace the whitespace that stands before the end tag.
            let ws = space_before(text, end.start).len().min(end.start - el.start().end);
            Some(TextEdit {
                range: end.start - ws..end.start,
                markup: body,
            })
        }
        None => {
            let close = el.start().end.checked_sub(2)?;
            (text.get(close..el.start().end)? == "/>").then(|| TextEdit {
                range: close..el.start().end,
                markup: format!(">{body}</{}>", el.qname()),
            })
        }
    }
}

/// The prefix part of a qualified name, with its colon (`"bpmn2:"`), or
/// empty.
pub(crate) fn prefix_of(qname: &str) -> &str {
    qname.rfind(':').and_then(|i| qname.get(..=i)).unwrap_or_default()
}

/// Inserts field markup (`items`) into task `task`, whose
/// `extensionElements` is `extensions` (if any) and whose last existing
/// field element is `last_field` (if any).
pub(crate) fn fields(
    tree: &Tree,
    text: &str,
    task: ElemId,
    extensions: Option<ElemId>,
    last_field: Option<ElemId>,
    items: &[String],
) -> Option<TextEdit> {
    if let Some(f) = last_field {
        let sep = space_before(text, tree.get(f)?.start().start);
        let at = end_of(tree, f);
        let markup = items.iter().map(|i| format!("{sep}{i}")).collect();
        return Some(TextEdit { range: at..at, markup });
    }
    if let Some(x) = extensions {
        if let Some(first) = tree.children(x).next() {
            let at = tree.get(first)?.start().start;
            let sep = space_before(text, at);
            let markup = items.iter().map(|i| format!("{i}{sep}")).collect();
            return Some(TextEdit { range: at..at, markup });
        }
        let layout = Layout::of(tree, text, x);
        let inner = layout.deeper(1);
        return append(tree, text, x, items, &layout, &inner);
    }
    // No extensionElements: create one, after any documentation.
    let t = tree.get(task)?;
    let layout = Layout::of(tree, text, task);
    let bpmn = prefix_of(t.qname());
    let mut ext = format!("<{bpmn}extensionElements>");
    for i in items {
        ext.push_str(&layout.nl);
        if !layout.nl.is_empty() {
            ext.push_str(&layout.deeper(2));
        }
        ext.push_str(i);
    }
    ext.push_str(&layout.nl);
    if !layout.nl.is_empty() {
        ext.push_str(&layout.deeper(1));
    }
    ext.push_str(&format!("</{bpmn}extensionElements>"));
    let docs = tree
        .children(task)
        .filter(|&c| {
            tree.get(c)
                .is_some_and(|el| el.local() == "documentation" && el.ns() == t.ns())
        })
        .last();
    if let Some(d) = docs {
        let sep = space_before(text, tree.get(d)?.start().start);
        let at = end_of(tree, d);
        return Some(TextEdit {
            range: at..at,
            markup: format!("{sep}{ext}"),
        });
    }
    if let Some(first) = tree.children(task).next() {
        let at = tree.get(first)?.start().start;
        let sep = space_before(text, at);
        return Some(TextEdit {
            range: at..at,
            markup: format!("{ext}{sep}"),
        });
    }
    let inner = layout.deeper(1);
    append(tree, text, task, &[ext], &layout, &inner)
}

/// The quote character new attributes of `id` use: that of its last
/// attribute, or `"`.
pub(crate) fn attribute_quote(tree: &Tree, id: ElemId) -> u8 {
    tree.get(id)
        .and_then(|el| el.attrs().last())
        .map_or(b'"', |a| a.quote())
}

/// Inserts attributes (`name`, value escaped for [`attribute_quote`]) into
/// the start tag of `id`, after its last attribute, with the whitespace that
/// stands before that attribute.
pub(crate) fn attributes(tree: &Tree, text: &str, id: ElemId, attrs: &[(String, String)]) -> Option<TextEdit> {
    let el = tree.get(id)?;
    let quote = attribute_quote(tree, id);
    let (at, sep) = match el.attrs().last() {
        Some(last) => (last.span().end, space_before(text, last.span().start)),
        None => (el.start().start + 1 + el.qname().len(), " "),
    };
    let q = char::from(quote);
    let markup = attrs
        .iter()
        .map(|(name, value)| format!("{sep}{name}={q}{value}{q}"))
        .collect();
    Some(TextEdit { range: at..at, markup })
}

/// Adds `inner` as the content of `id`, which has none: into its empty
/// content, or by turning its empty-element tag into a start and end tag.
pub(crate) fn fill(tree: &Tree, text: &str, id: ElemId, inner: &str) -> Option<TextEdit> {
    let el = tree.get(id)?;
    match el.end() {
        Some(_) => {
            let at = el.start().end;
            Some(TextEdit {
                range: at..at,
                markup: inner.to_string(),
            })
        }
        None => {
            let close = el.start().end.checked_sub(2)?;
            (text.get(close..el.start().end)? == "/>").then(|| TextEdit {
                range: close..el.start().end,
                markup: format!(">{inner}</{}>", el.qname()),
            })
        }
    }
}
