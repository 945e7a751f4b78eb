//! A large document read in parts side by side.
//!
//! A BPMN export is mostly a long list of processes directly inside the
//! root element. The text is cut at process start tags found by a byte
//! search, one part per core; each part is read by its own [`Parser`],
//! with the root's namespaces in scope, to where the next part begins. The
//! cuts are only guesses until checked: a part counts only if the part
//! before it ended exactly at its first byte, between two events, with the
//! root alone open. A cut that falls inside a comment, a CDATA section or
//! a deeper element fails that check, and the part before reads on to the
//! end instead. A part that fails in any way is dropped, and the document
//! is read again from start to end, so that errors are those of a reading
//! in one piece. The parts' trees are then joined into the one tree that
//! reading would have made (element ids in document order, names
//! interned once), which the tests hold the two readings to.

use std::ops::Range;

use rayon::prelude::*;

use super::names::Names;
use super::parse::{Parser, Root, Stop};
use super::{index, Scope, Tree, Wanted, NONE};
use crate::error::{Error, LineIndex};

/// The least text per part: below it, a second thread costs more than it
/// saves.
const MIN_PART: usize = 128 << 10;

/// At most this many parts.
const MAX_PARTS: usize = 8;

/// A kept tree (its names and line index not yet moved in) and the
/// interned names.
type Read = (Tree, Vec<Box<str>>);

/// How many parts to read a text of `len` bytes in.
pub(super) fn parts(len: usize) -> usize {
    crate::threads::parts(len, MIN_PART, 2).min(MAX_PARTS)
}

/// Parses `text` in up to `parts` parts: the kept tree (its names and line
/// index not yet moved in) and the interned names.
pub(super) fn parse(
    text: &str,
    lines: &LineIndex,
    scope: Scope,
    wanted: Option<Wanted<'_>>,
    parts: usize,
) -> Result<Read, Error> {
    if parts > 1 {
        if let Some(done) = in_parts(text, lines, scope, wanted, parts)? {
            return Ok(done);
        }
    }
    whole(Parser::new(text, lines, scope, wanted))
}

/// Reads on to the end with `p`.
fn whole(mut p: Parser<'_>) -> Result<Read, Error> {
    p.run()?;
    if let Some(f) = p.open() {
        return Err(p.unclosed(f));
    }
    Ok((p.tree, p.names.list))
}

/// Where to cut `text` for `parts` parts: after each even share, at the
/// next start tag indented as the root's first child is (a line break and
/// the same white space), or, in a text not laid out in lines, at the next
/// process start tag written with the root's prefix.
fn cuts(text: &str, root: &Root, parts: usize) -> Vec<usize> {
    let after_root = text.get(root.tag.end..).unwrap_or_default();
    let lead = &after_root[..after_root.find('<').unwrap_or(0)];
    let needle = match lead.rfind('\n') {
        Some(nl) if lead.trim().is_empty() => lead.get(nl..).unwrap_or_default().to_string() + "<",
        _ => {
            let prefix = text
                .get(root.tag.start + 1..root.tag.start + 1 + root.name_len)
                .and_then(|q| q.rsplit_once(':'))
                .map_or("", |(p, _)| p);
            if prefix.is_empty() {
                "<process".to_string()
            } else {
                format!("<{prefix}:process")
            }
        }
    };
    let by_lines = needle.starts_with('\n');
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let bytes = text.as_bytes();
    let mut out: Vec<usize> = Vec::new();
    for k in 1..parts {
        let mut from = (text.len() / parts).saturating_mul(k).max(root.tag.end);
        from = from.max(out.last().map_or(0, |&c| c + 1));
        while let Some(i) = bytes.get(from..).and_then(|b| finder.find(b)).map(|i| i + from) {
            let next = bytes.get(i + needle.len()).copied();
            let fits = if by_lines {
                // A start tag, not an end tag, comment or instruction.
                !matches!(next, None | Some(b'/' | b'!' | b'?'))
            } else {
                // The name ends there: `<processX` is another element.
                matches!(next, Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
            };
            if fits {
                out.push(if by_lines { i + needle.len() - 1 } else { i });
                break;
            }
            from = i + 1;
        }
    }
    out
}

/// Reads `text` in parts; `None` when it cannot be (no cut found, a cut
/// not between two children of the root, a part that fails): the caller
/// then reads it whole.
fn in_parts(
    text: &str,
    lines: &LineIndex,
    scope: Scope,
    wanted: Option<Wanted<'_>>,
    parts: usize,
) -> Result<Option<Read>, Error> {
    let mut first = Parser::new(text, lines, scope, wanted);
    // An error before the root is open is the whole reading's error.
    first.open_root()?;
    let Some(root) = first.root() else {
        return Ok(None);
    };
    // The last part ends where the root's end tag begins: a part's reader
    // never saw the root open, so the tag is matched here instead.
    let Some(end_tag) = end_tag(text, &root) else {
        return Ok(None);
    };
    let cuts: Vec<usize> = cuts(text, &root, parts)
        .into_iter()
        .filter(|&c| c < end_tag.start)
        .collect();
    if cuts.is_empty() {
        return Ok(None);
    }
    let ranges: Vec<Range<usize>> = cuts
        .iter()
        .enumerate()
        .map(|(k, &c)| c..cuts.get(k + 1).copied().unwrap_or(end_tag.start))
        .collect();
    // A part that panics is a part that fails: the text is read whole.
    let part = |r: &Range<usize>| -> Option<(Parser<'_>, Stop)> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut p = Parser::part(text, lines, scope, wanted, &root, r.start)?;
            p.stop_at(r.end);
            let stop = p.run().ok()?;
            Some((p, stop))
        }))
        .ok()
        .flatten()
    };
    if let Some(&c) = cuts.first() {
        first.stop_at(c);
    }
    // The first part on this thread, the others on rayon's, whose threads
    // (and their heaps) are already there: a thread started per part
    // cost more than a part of 256 KiB takes to read.
    let (first_stop, rest) = rayon::join(|| first.run(), || ranges.par_iter().map(part).collect::<Vec<_>>());
    // The first part's error is the document's first error.
    if first_stop? == Stop::Eof {
        if let Some(f) = first.open() {
            return Err(first.unclosed(f));
        }
        return Ok(Some((first.tree, first.names.list)));
    }
    let mut tree = first.tree;
    let mut names = first.names;
    if rest.iter().any(|p| !matches!(p, Some((_, Stop::Boundary)))) {
        return Ok(None);
    }
    // Room for every part at once, not grown by doubling as they come.
    let parts = rest.iter().flatten().map(|(p, _)| &p.tree);
    let (e, a, n) = parts.fold((0, 0, 0), |(e, a, n), t| {
        (e + t.elements.len(), a + t.attrs.len(), n + t.nodes.len())
    });
    tree.elements.reserve_exact(e);
    tree.attrs.reserve_exact(a);
    tree.nodes.reserve_exact(n);
    for part in rest {
        // Each part must end where the next begins, the last at the end tag.
        let Some((p, Stop::Boundary)) = part else {
            return Ok(None);
        };
        join(&mut tree, &mut names, p.tree, &p.names);
    }
    if let Some(r) = tree.elements.first_mut() {
        r.end = super::Span::of(&end_tag);
    }
    Ok(Some((tree, names.list)))
}

/// The root's end tag, when nothing but white space follows it: what a
/// reading in one piece would accept there without keeping anything.
fn end_tag(text: &str, root: &Root) -> Option<Range<usize>> {
    let qname = text.get(root.tag.start + 1..root.tag.start + 1 + root.name_len)?;
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let body = text.trim_end_matches(is_space);
    let start = body.rfind("</")?;
    let inside = body.get(start + 2..)?.strip_suffix('>')?;
    (inside.trim_end_matches(is_space) == qname).then_some(start..body.len())
}

/// Appends a part's tree (whose element 0 stands for the root) to `tree`.
fn join(tree: &mut Tree, names: &mut Names, part: Tree, part_names: &Names) {
    let map_name: Vec<u32> = part_names.list.iter().map(|n| names.id(n)).collect();
    let name = |id: u32| {
        if id == NONE {
            NONE
        } else {
            map_name.get(id as usize).copied().unwrap_or(NONE)
        }
    };
    let base_e = super::narrow(tree.elements.len());
    let base_a = super::narrow(tree.attrs.len());
    let base_n = super::narrow(tree.nodes.len());
    // Element 0 is the root; the part's others follow the tree's.
    let elem = |id: u32| match id {
        NONE => NONE,
        0 => 0,
        k => base_e + k - 1,
    };
    let node = |id: u32| if id == NONE { NONE } else { base_n + id };
    let mut elements = part.elements.into_iter();
    let Some(stand_in) = elements.next() else {
        return;
    };
    for mut e in elements {
        e.qname = name(e.qname);
        e.local = name(e.local);
        e.ns = name(e.ns);
        e.attrs.0 += base_a;
        e.parent = elem(e.parent);
        e.first_child = elem(e.first_child);
        e.last_child = elem(e.last_child);
        e.next_sibling = elem(e.next_sibling);
        e.first_node = node(e.first_node);
        e.last_node = node(e.last_node);
        tree.elements.push(e);
    }
    for mut a in part.attrs {
        a.qname = name(a.qname);
        a.ns = name(a.ns);
        a.decl = name(a.decl);
        tree.attrs.push(a);
    }
    for mut n in part.nodes {
        if n.kind == super::ELEMENT_NODE {
            n.elem = elem(n.elem);
        }
        n.next = node(n.next);
        tree.nodes.push(n);
    }
    tree.declarations
        .extend(part.declarations.iter().map(|&(p, u)| (name(p), name(u))));
    // The part's children and content of the root follow the tree's.
    let (first_child, last_child) = (elem(stand_in.first_child), elem(stand_in.last_child));
    let (first_node, last_node) = (node(stand_in.first_node), node(stand_in.last_node));
    if let Some(root) = tree.elements.first() {
        let (prev_child, prev_node) = (root.last_child, root.last_node);
        if first_child != NONE {
            match index(prev_child).and_then(|i| tree.elements.get_mut(i)) {
                Some(prev) => prev.next_sibling = first_child,
                None => {
                    if let Some(r) = tree.elements.first_mut() {
                        r.first_child = first_child;
                    }
                }
            }
            if let Some(r) = tree.elements.first_mut() {
                r.last_child = last_child;
            }
        }
        if first_node != NONE {
            match index(prev_node).and_then(|i| tree.nodes.get_mut(i)) {
                Some(prev) => prev.next = first_node,
                None => {
                    if let Some(r) = tree.elements.first_mut() {
                        r.first_node = first_node;
                    }
                }
            }
            if let Some(r) = tree.elements.first_mut() {
                r.last_node = last_node;
            }
        }
    }
    if stand_in.end.0 != NONE {
        if let Some(r) = tree.elements.first_mut() {
            r.end = stand_in.end;
        }
    }
}

/// Whether reading `text` in `parts` parts gives what one reading gives:
/// the same tree (element by element, by names and offsets) or the same
/// error, for both scopes. For the fuzz target `xml_split`.
pub(crate) fn agree(text: &str, parts: usize) -> bool {
    [Scope::Edit, Scope::Full]
        .into_iter()
        .all(|scope| read(text, scope, None, parts) == read(text, scope, None, 1))
}

/// Everything a tree says, by names and offsets (not ids of names).
fn dump(tree: &Tree, text: &str) -> String {
    let mut out = String::new();
    for id in tree.ids() {
        let Some(el) = tree.get(id) else { continue };
        out += &format!(
            "{id} {} {:?} {:?} {:?} parent {:?} children {:?}\n",
            el.qname(),
            el.ns(),
            el.start(),
            el.end(),
            el.parent(),
            tree.children(id).collect::<Vec<_>>()
        );
        for a in el.attrs() {
            out += &format!(
                "  @{} {:?} {:?} {:?} {} {:?}\n",
                a.qname(),
                a.ns(),
                a.span(),
                text.get(a.value()),
                a.quote(),
                a.decl_uri()
            );
        }
        for n in el.content() {
            out += &format!("  {:?} {:?}\n", n.kind, n.span);
        }
    }
    for &(p, u) in &tree.declarations {
        out += &format!("declares {:?} {:?}\n", tree.name(p), tree.name(u));
    }
    out
}

fn read(text: &str, scope: Scope, wanted: Option<Wanted<'_>>, parts: usize) -> Result<String, String> {
    let lines = LineIndex::new(text);
    match parse(text, &lines, scope, wanted, parts) {
        Ok((mut tree, names)) => {
            tree.names = names;
            tree.lines = lines;
            Ok(dump(&tree, text))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::NodeKind;

    /// A document of `n` processes, each a little different, with what a
    /// byte search for process tags could be fooled by.
    fn document(prefix: &str, n: usize) -> String {
        let p = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}:")
        };
        let decl = if prefix.is_empty() {
            "xmlns".to_string()
        } else {
            format!("xmlns:{prefix}")
        };
        let mut s = format!(
            "<?xml version=\"1.0\"?>\n<{p}definitions {decl}=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:activiti=\"http://activiti.org/bpmn\">\n"
        );
        for i in 0..n {
            match i % 7 {
                0 => s += &format!("  <!-- <{p}process id=\"c{i}\"> in a comment -->\n"),
                1 => s += &format!("  <{p}message id=\"m{i}\"><![CDATA[<{p}process id=\"d{i}\">]]></{p}message>\n"),
                2 => s += &format!("  <{p}processX id=\"x{i}\"/>\n"),
                3 => s += &format!("  <{p}collaboration id=\"k{i}\"><{p}process id=\"deep{i}\"/></{p}collaboration>\n"),
                _ => {}
            }
            s += &format!(
                "  <{p}process id=\"p{i}\" name=\"P &amp; {i}\" xmlns:x=\"urn:x{i}\">\n    <{p}documentation>d</{p}documentation>\n    \
                 <{p}serviceTask id=\"t{i}\" name=\"T{i}\" x:a=\"1\" activiti:class=\"c\">\n      <{p}extensionElements>\
                 <activiti:field name=\"value\"><activiti:string><![CDATA[v{i}]]></activiti:string></activiti:field>\
                 </{p}extensionElements>\n    </{p}serviceTask>\n    <{p}sequenceFlow id=\"f{i}\"/>\n  </{p}process>\n"
            );
        }
        s += &format!("</{p}definitions>\n");
        s
    }

    #[test]
    fn a_document_read_in_parts_gives_the_tree_of_one_reading() {
        let wanted = |name: Option<&str>, _: Option<&str>| name.is_some_and(|n| n.ends_with('3'));
        for prefix in ["", "bpmn"] {
            let text = document(prefix, 40);
            for scope in [Scope::Edit, Scope::Full] {
                for w in [None, Some(&wanted as Wanted<'_>)] {
                    let one = read(&text, scope, w, 1).unwrap();
                    assert!(one.contains("serviceTask"));
                    let lines = LineIndex::new(&text);
                    for parts in 2..=6 {
                        // Read in parts indeed, not whole after a failed cut.
                        assert!(in_parts(&text, &lines, scope, w, parts).unwrap().is_some());
                        assert_eq!(
                            read(&text, scope, w, parts).unwrap(),
                            one,
                            "{prefix:?} {scope:?} {parts} parts"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn parts_read_on_a_pool_of_one_thread_give_the_same_tree() {
        // The parts go to rayon's pool, which `-j 1` makes one thread: they
        // are then read one after another, and nothing waits on itself.
        let text = document("bpmn", 40);
        let one = read(&text, Scope::Edit, None, 1).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let lines = LineIndex::new(&text);
        let (in_parts_there, read_there) = pool.install(|| {
            (
                in_parts(&text, &lines, Scope::Edit, None, 6).unwrap().is_some(),
                read(&text, Scope::Edit, None, 6).unwrap(),
            )
        });
        assert!(in_parts_there);
        assert_eq!(read_there, one);
    }

    #[test]
    fn cuts_land_on_start_tags_of_the_roots_children() {
        let text = document("bpmn", 40);
        let lines = LineIndex::new(&text);
        let mut p = Parser::new(&text, &lines, Scope::Edit, None);
        p.open_root().unwrap();
        let root = p.root().unwrap();
        let cuts = cuts(&text, &root, 4);
        assert_eq!(cuts.len(), 3);
        for c in cuts {
            assert!(text[..c].ends_with("\n  "), "{}", &text[c..c + 20]);
            assert!(!text[c..].starts_with("</") && !text[c..].starts_with("<!"));
        }
        // Not laid out in lines: at process start tags.
        let flat = text.replace("\n  ", "");
        let lines = LineIndex::new(&flat);
        let mut p = Parser::new(&flat, &lines, Scope::Edit, None);
        p.open_root().unwrap();
        let cuts = super::cuts(&flat, &p.root().unwrap(), 4);
        assert_eq!(cuts.len(), 3);
        for c in cuts {
            assert!(flat[c..].starts_with("<bpmn:process "), "{}", &flat[c..c + 20]);
        }
    }

    #[test]
    fn errors_after_a_cut_are_those_of_one_reading() {
        let text = document("", 40);
        let at = text.len() * 3 / 4;
        let after = |s: &str, from: usize| from + text[from..].find(s).unwrap();
        let broken = [
            // A mismatched end tag, an unclosed element, a second root,
            // text after the root, a bad attribute, an unbound prefix.
            text.replacen("</documentation>", "</documentatio>", 39),
            text.replace("</definitions>\n", ""),
            format!("{text}<definitions/>"),
            format!("{text}text"),
            {
                let i = after("<serviceTask ", at);
                format!("{}<serviceTask a='1' a='2' {}", &text[..i], &text[i + 13..])
            },
            {
                let i = after("<serviceTask ", at);
                format!("{}<q:serviceTask {}", &text[..i], &text[i + 13..])
            },
            {
                let i = after("</process>", at);
                format!("{}{}", &text[..i], &text[i + 10..])
            },
        ];
        for (k, b) in broken.iter().enumerate() {
            let one = read(b, Scope::Edit, None, 1).unwrap_err();
            for parts in 2..=5 {
                assert_eq!(
                    read(b, Scope::Edit, None, parts).unwrap_err(),
                    one,
                    "case {k}, {parts} parts"
                );
            }
        }
    }

    #[test]
    fn a_document_with_nowhere_to_cut_is_read_whole() {
        // One process holds everything: no cut between children of the root.
        let text = "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'><process id='a'>\
            <subProcess id='s'><process id='inner'/></subProcess><task id='t'/></process></definitions>";
        assert_eq!(read(text, Scope::Edit, None, 3), read(text, Scope::Edit, None, 1));
        let kinds = read(text, Scope::Full, None, 3).unwrap();
        assert!(kinds.contains(&format!("{:?}", NodeKind::Element(2))));
    }
}
