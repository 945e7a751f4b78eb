//! Writing a value as markup, in the form its old value had.
//!
//! Each writer returns UTF-8 markup that holds only characters the document's
//! encoding can carry: anything else becomes a numeric character reference
//! (inside CDATA, the section is closed around the reference and reopened).

use std::fmt::Write as _;

use crate::charset::Charset;

/// A character that XML 1.0 cannot carry, even as a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unrepresentable(pub char);

/// Whether `c` is a `Char` of XML 1.0 (§2.2).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn char_ref(out: &mut String, c: char) {
    // Writing to a String cannot fail.
    let _ = write!(out, "&#{};", c as u32);
}

/// Character data: `&`, `<` and `>` escaped, a carriage return kept as
/// `&#13;` (a literal one would be read back as a line feed).
pub(crate) fn text(value: &str, charset: Charset) -> Result<String, Unrepresentable> {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => return Err(Unrepresentable(c)),
            c if !charset.can_encode(c) => char_ref(&mut out, c),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// An attribute value between `quote` characters. Tabs and line breaks are
/// written as references, since attribute-value normalisation would turn
/// literal ones into spaces.
pub(crate) fn attribute(value: &str, quote: u8, charset: Charset) -> Result<String, Unrepresentable> {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' if quote == b'"' => out.push_str("&quot;"),
            '\'' if quote == b'\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => return Err(Unrepresentable(c)),
            c if !charset.can_encode(c) => char_ref(&mut out, c),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A CDATA section holding `value`. A `]]>` inside the value is split across
/// two sections; a carriage return or a character the encoding cannot carry
/// is written as a reference between two sections.
pub(crate) fn cdata(value: &str, charset: Charset) -> Result<String, Unrepresentable> {
    let mut out = String::with_capacity(value.len() + 12);
    // The value always starts with a section, so that it reads back as CDATA.
    out.push_str("<![CDATA[");
    let mut open = true;
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if !is_xml_char(c) {
            return Err(Unrepresentable(c));
        }
        let reference = c == '\r' || !charset.can_encode(c);
        if reference {
            if open {
                out.push_str("]]>");
                open = false;
            }
            char_ref(&mut out, c);
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
            continue;
        }
        if !open {
            out.push_str("<![CDATA[");
            open = true;
        }
        if rest.starts_with("]]>") {
            // Keep `]]` in this section and start the next with `>`.
            out.push_str("]]]]><![CDATA[>");
            rest = rest.get(3..).unwrap_or_default();
            continue;
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    if open {
        out.push_str("]]>");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_carriage_returns() {
        assert_eq!(text("a<b>&c\r\n", Charset::Utf8).unwrap(), "a&lt;b&gt;&amp;c&#13;\n");
        assert_eq!(text("€", Charset::Latin1).unwrap(), "&#8364;");
        assert_eq!(text("\u{1}", Charset::Utf8), Err(Unrepresentable('\u{1}')));
    }

    #[test]
    fn attribute_escapes_only_its_own_quote() {
        assert_eq!(attribute("a\"b'c", b'"', Charset::Utf8).unwrap(), "a&quot;b'c");
        assert_eq!(attribute("a\"b'c", b'\'', Charset::Utf8).unwrap(), "a\"b&apos;c");
        assert_eq!(attribute("x\ty\nz", b'"', Charset::Utf8).unwrap(), "x&#9;y&#10;z");
    }

    #[test]
    fn cdata_splits_its_terminator() {
        assert_eq!(cdata("a]]>b", Charset::Utf8).unwrap(), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(cdata("é€", Charset::Latin1).unwrap(), "<![CDATA[é]]>&#8364;");
        assert_eq!(
            cdata("€€x", Charset::Latin1).unwrap(),
            "<![CDATA[]]>&#8364;&#8364;<![CDATA[x]]>"
        );
        assert_eq!(cdata("", Charset::Utf8).unwrap(), "<![CDATA[]]>");
    }
}
