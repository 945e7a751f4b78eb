//! The namespace bindings in scope during a parse (Namespaces in XML 1.0,
//! §5): which namespace each prefix stands for at the current element.
//!
//! quick-xml's `NsReader` can do this, but it reads every start tag's
//! attributes a second time to find the declarations, and looks a prefix up
//! by comparing it with each binding in scope. The parser already reads
//! every attribute and interns every name, so here a binding is two ids: a
//! prefix's namespace is one array read, and closing an element undoes the
//! bindings its start tag made from a log. This also needs no limit on how
//! many bindings may be in scope (quick-xml refuses more than 128, to bound
//! its lookups).

use super::NONE;

/// The bindings in scope: for each interned prefix, the interned namespace
/// it is bound to ([`NONE`]: none, or undeclared by `xmlns:p=""`). The
/// default namespace is the binding of the empty prefix.
#[derive(Debug, Default)]
pub(super) struct Bindings {
    /// Indexed by prefix id; ids past its end are unbound.
    now: Vec<u32>,
    /// Every binding made, as (prefix, what it was bound to before), so
    /// that [`Bindings::unwind`] restores the scope of an element's parent.
    undo: Vec<(u32, u32)>,
}

impl Bindings {
    /// Binds `prefix` to `ns` until [`Bindings::unwind`] goes back past
    /// this point.
    pub fn bind(&mut self, prefix: u32, ns: u32) {
        let i = prefix as usize;
        if self.now.len() <= i {
            self.now.resize(i + 1, NONE);
        }
        if let Some(slot) = self.now.get_mut(i) {
            self.undo.push((prefix, *slot));
            *slot = ns;
        }
    }

    /// The namespace `prefix` is bound to, or [`NONE`].
    pub fn get(&self, prefix: u32) -> u32 {
        self.now.get(prefix as usize).copied().unwrap_or(NONE)
    }

    /// A point to [`Bindings::unwind`] to: taken before an element's start
    /// tag binds anything.
    pub fn mark(&self) -> u32 {
        super::narrow(self.undo.len())
    }

    /// Undoes every binding made since `mark`, latest first.
    pub fn unwind(&mut self, mark: u32) {
        let keep = (mark as usize).min(self.undo.len());
        for (prefix, before) in self.undo.drain(keep..).rev() {
            if let Some(slot) = self.now.get_mut(prefix as usize) {
                *slot = before;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{root_is, Scope, Tree, XMLNS_NS, XML_NS};
    use super::*;

    /// The namespace of each element of `text`, and of each attribute, in
    /// document order, as `qname=ns` (`-` for none).
    fn resolved(text: &str) -> Vec<String> {
        let tree = Tree::parse(text, Scope::Full).unwrap();
        let show = |q: &str, ns: Option<&str>| format!("{q}={}", ns.unwrap_or("-"));
        tree.ids()
            .flat_map(|i| {
                let el = tree.get(i).unwrap();
                std::iter::once(show(el.qname(), el.ns()))
                    .chain(el.attrs().map(|a| show(a.qname(), a.ns())))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn error(text: &str) -> String {
        Tree::parse(text, Scope::Full).unwrap_err().to_string()
    }

    #[test]
    fn a_tag_binds_its_prefixes_for_itself_and_what_is_inside_it() {
        let text = "<a xmlns='urn:d'><b p:k='1' xmlns:p='urn:p'><p:c xml:lang='en'/></b>\
            <c xmlns=''/><d/><e xmlns:p='urn:q'><p:f/></e></a>";
        assert_eq!(
            resolved(text),
            [
                "a=urn:d",
                "xmlns=-",
                "b=urn:d",
                // Bound by an attribute after it in the same tag.
                "p:k=urn:p",
                "xmlns:p=http://www.w3.org/2000/xmlns/",
                "p:c=urn:p",
                "xml:lang=http://www.w3.org/XML/1998/namespace",
                // The default undeclared, then back in scope.
                "c=-",
                "xmlns=-",
                "d=urn:d",
                "e=urn:d",
                "xmlns:p=http://www.w3.org/2000/xmlns/",
                "p:f=urn:q",
            ]
        );
    }

    #[test]
    fn a_prefix_out_of_scope_or_undeclared_is_unbound() {
        assert_eq!(
            error("<a><b xmlns:p='urn:p'/>\n <p:c/></a>"),
            "malformed XML at 2:2: the prefix \"p\" is not bound to a namespace"
        );
        assert_eq!(
            error("<a xmlns:p='urn:p'><b xmlns:p=''><p:c/></b></a>"),
            "malformed XML at 1:34: the prefix \"p\" is not bound to a namespace"
        );
        assert_eq!(
            error("<a><b q:k='v'/></a>"),
            "malformed XML at 1:12: the prefix \"q\" is not bound to a namespace"
        );
    }

    #[test]
    fn the_reserved_namespaces_are_refused_where_they_are_declared() {
        let cases = [
            (
                format!("<a>\n <b xmlns:x='{XML_NS}'/></a>"),
                format!("malformed XML at 2:5: \"xmlns:x\" may not bind {XML_NS}, the namespace reserved for the prefix \"xml\""),
            ),
            (
                format!("<a xmlns='{XMLNS_NS}'/>"),
                format!("malformed XML at 1:4: \"xmlns\" may not bind {XMLNS_NS}, the namespace reserved for the prefix \"xmlns\""),
            ),
            (
                "<a k='v' xmlns:xml='urn:x'/>".to_string(),
                "malformed XML at 1:10: \"xmlns:xml\" may not be declared".to_string(),
            ),
            (
                format!("<a xmlns:xmlns='{XMLNS_NS}'/>"),
                "malformed XML at 1:4: \"xmlns:xmlns\" may not be declared".to_string(),
            ),
        ];
        for (text, message) in cases {
            assert_eq!(error(&text), message, "{text}");
        }
        // `xml` may be declared to its own namespace.
        let text = format!("<a xmlns:xml='{XML_NS}' xml:space='preserve'/>");
        assert_eq!(resolved(&text)[2], format!("xml:space={XML_NS}"));
    }

    #[test]
    fn any_number_of_bindings_may_be_in_scope() {
        // quick-xml's resolver refuses more than 128.
        let decls: String = (0..1000).map(|i| format!(" xmlns:p{i}='urn:{i}'")).collect();
        let uses: String = (0..1000).map(|i| format!("<p{i}:e/>")).collect();
        let text = format!("<a{decls}><b xmlns:p999='urn:inner'>{uses}</b><p999:e/></a>");
        let got = resolved(&text);
        assert_eq!(got.len(), 1 + 1000 + 2 + 1000 + 1);
        assert_eq!(got[1003], "p0:e=urn:0");
        assert_eq!(got[2002], "p999:e=urn:inner");
        assert_eq!(got[2003], "p999:e=urn:999");
    }

    #[test]
    fn a_namespace_name_is_the_declarations_value_decoded() {
        let bpmn = "http://www.omg.org/spec/BPMN/20100524/MODEL";
        let written = "http:&#x2F;/www.omg.org/spec/BPMN/20100524/MODEL";
        let text = format!("<b:definitions xmlns:b='{written}'/>");
        assert_eq!(resolved(&text)[0], format!("b:definitions={bpmn}"));
        // The sniff of an entry's root agrees with the parse.
        assert!(root_is(&text, bpmn, "definitions"));
        assert!(root_is(&format!("<definitions xmlns='{bpmn}'>"), bpmn, "definitions"));
        assert!(!root_is(
            &format!("<definitions xmlns:b='{bpmn}'>"),
            bpmn,
            "definitions"
        ));
        assert!(!root_is(
            &format!("<c:definitions xmlns='{bpmn}'/>"),
            bpmn,
            "definitions"
        ));
        assert!(!root_is(&format!("<process xmlns='{bpmn}'/>"), bpmn, "definitions"));
    }

    #[test]
    fn closing_an_element_restores_its_parents_bindings() {
        let mut b = Bindings::default();
        let (p, q) = (3, 0);
        assert_eq!(b.get(p), NONE);
        let outer = b.mark();
        b.bind(p, 10);
        b.bind(q, 11);
        let inner = b.mark();
        // One tag may bind a prefix its parent bound, and an inner element
        // may undeclare it.
        b.bind(p, 20);
        b.bind(p, NONE);
        assert_eq!((b.get(p), b.get(q)), (NONE, 11));
        b.unwind(inner);
        assert_eq!((b.get(p), b.get(q)), (10, 11));
        b.unwind(outer);
        assert_eq!((b.get(p), b.get(q)), (NONE, NONE));
        // Unwinding to a point already passed changes nothing.
        b.unwind(inner);
        assert_eq!(b.get(p), NONE);
        assert_eq!(b.get(u32::MAX - 1), NONE);
    }
}
