//! The one check of XML names, for names read from documents (`tree`) and
//! names a recipe asks to write (`recipe`): what one accepts, the other
//! does not refuse.

/// Whether `s` is a name without a colon (an NCName: XML 1.0 §2.3 and
/// Namespaces §3, simplified): a letter or `_`, then letters, digits, `-`,
/// `.`, `_` or other non-ASCII characters that are neither whitespace nor
/// control characters. No character of it needs escaping, and XML 1.0 can
/// carry every one.
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| {
            c.is_alphanumeric()
                || matches!(c, '-' | '.' | '_')
                || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
        })
}

/// Whether `s` is a qualified name: an NCName, or two joined by one colon
/// (`prefix:local`).
pub(crate) fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_not_names() {
        for name in ["value", "param1", "_x", "a-b.c", "dataPool", "données", "名前"] {
            assert!(is_ncname(name) && is_qname(name), "{name}");
        }
        assert!(is_qname("activiti:field") && !is_ncname("activiti:field"));
        for bad in [
            "",
            "1a",
            "-a",
            ".a",
            "a b",
            "a<b",
            "a&b",
            "a\"b",
            "a=b",
            ":a",
            "a:",
            "a:b:c",
            "a\u{1}b",
            "\u{1}a",
            "a\u{7f}",
            "a\u{85}b",
            "a\u{9f}b",
            "a\u{2028}b",
        ] {
            assert!(!is_qname(bad), "{bad:?}");
        }
    }
}
