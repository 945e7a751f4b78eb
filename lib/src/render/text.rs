//! Text for SVG and XHTML: escaping, numbers, and names wrapped to fit a
//! box (without a font at hand, widths are estimated from the letters).

/// `s` escaped for XML text and attribute values (either quote), with any
/// character XML cannot hold (control characters from a recipe or a file
/// name) replaced by U+FFFD.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::escape::is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// A number for SVG: at most two decimals, no trailing zeros, no `-0`.
pub(crate) fn num(v: f64) -> String {
    let v = if v.is_finite() {
        (v * 100.0).round() / 100.0
    } else {
        0.0
    };
    let mut s = format!("{v:.2}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// The estimated width of `c` in ems, for a sans-serif font like Arial.
fn char_width(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '\'' | '|' | '.' | ',' | ':' | ';' | '!' | 'I' => 0.25,
        ' ' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.33,
        'm' | 'w' | 'M' | 'W' | '@' => 0.85,
        c if c.is_ascii_uppercase() => 0.68,
        c if c.is_ascii_digit() => 0.56,
        c if c.is_ascii() => 0.52,
        // Wide scripts (CJK and the like) take about a full em.
        c if (c as u32) >= 0x1100 => 1.0,
        _ => 0.6,
    }
}

/// The estimated width of `s` at `size` pixels.
pub(crate) fn width(s: &str, size: f64) -> f64 {
    s.chars().map(char_width).sum::<f64>() * size
}

/// The most characters of a name drawn; the rest is left to the table and
/// the tooltip.
const MAX_CHARS: usize = 300;

/// How much wider than a line one word may be before it is cut.
const SLACK: f64 = 1.25;

/// `text` broken into lines no wider than `max` (pixels at `size`): at
/// line breaks, then between words, and inside a word too long for a line.
/// At most `max_lines` lines (at least one); when text is left over, the
/// last line ends with "…".
pub(crate) fn wrap(text: &str, size: f64, max: f64, max_lines: usize) -> Vec<String> {
    let max_lines = max_lines.max(1);
    let cut = text.chars().nth(MAX_CHARS).is_some();
    let text: String = text.chars().take(MAX_CHARS).collect();
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word a little wider than a line stands on its own (the
            // estimate is rough); a much wider one is cut where it must be.
            if width(word, size) <= max * SLACK {
                line = word.to_string();
                continue;
            }
            for c in word.chars() {
                if !line.is_empty() && width(&format!("{line}{c}"), size) > max * SLACK {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    if lines.len() > max_lines || cut {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            ellipsis(last, size, max);
        }
    }
    lines
}

/// Ends `line` with "…", cutting it so that it still fits `max`.
fn ellipsis(line: &mut String, size: f64, max: f64) {
    while !line.is_empty() && width(&format!("{line}…"), size) > max {
        line.pop();
    }
    line.push('…');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_non_xml_characters() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\" \u{1}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \u{FFFD}"
        );
    }

    #[test]
    fn numbers_are_short_and_finite() {
        assert_eq!(num(10.0), "10");
        assert_eq!(num(77.5), "77.5");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn wraps_between_words_and_cuts_long_words() {
        assert_eq!(
            wrap("Lock related credentials", 12.0, 95.0, 4),
            ["Lock related", "credentials"]
        );
        assert_eq!(wrap("a\nb", 12.0, 95.0, 4), ["a", "b"]);
        let long = wrap(&"x".repeat(40), 12.0, 60.0, 2);
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'));
        assert_eq!(wrap("", 12.0, 60.0, 2), Vec::<String>::new());
    }
}
