//! Entry names as text: UTF-8 when the general-purpose flag says so, else
//! IBM code page 437, the zip format's default.

use std::borrow::Cow;

/// The characters of bytes 0x80–0xFF in code page 437.
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', //
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', //
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', //
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', //
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

/// `bytes` decoded as code page 437 (ASCII below 0x80).
pub(crate) fn cp437(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b.checked_sub(0x80) {
            Some(high) => CP437_HIGH.get(usize::from(high)).copied().unwrap_or('\u{FFFD}'),
            None => char::from(b),
        })
        .collect()
}

/// A name as a reader that follows the flag decodes it: UTF-8 (invalid
/// sequences replaced) with the UTF-8 flag, code page 437 without.
pub(crate) fn decode(bytes: &[u8], utf8_flag: bool) -> Cow<'_, str> {
    if utf8_flag {
        String::from_utf8_lossy(bytes)
    } else if bytes.is_ascii() {
        Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default())
    } else {
        Cow::Owned(cp437(bytes))
    }
}

/// A name for messages: UTF-8 with the flag, or without it when the bytes
/// are valid UTF-8 (as many writers store them, and as Java reads them);
/// else code page 437.
pub(crate) fn display(bytes: &[u8], utf8_flag: bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => decode(bytes, utf8_flag).into_owned(),
    }
}

/// Whether a local name and a central name are the same text, each decoded
/// by its own header's flag: the same bytes, or CP437 bytes on one side and
/// UTF-8 on the other that spell the same characters.
pub(crate) fn same(local: &[u8], local_utf8: bool, central: &[u8], central_utf8: bool) -> bool {
    local == central || decode(local, local_utf8) == decode(central, central_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_page_437_spells_what_python_writes() {
        // "Notizen-Übersicht.txt".encode("cp437")
        assert_eq!(cp437(b"Notizen-\x9abersicht.txt"), "Notizen-Übersicht.txt");
        assert_eq!(cp437(b"\x8enderung"), "Änderung");
        assert_eq!(cp437(&[0xFF, 0xE1]), "\u{a0}ß");
    }

    #[test]
    fn names_are_compared_as_text() {
        let utf8 = "Notizen-Übersicht.txt".as_bytes();
        let cp = b"Notizen-\x9abersicht.txt";
        assert!(same(cp, false, utf8, true));
        assert!(!same(cp, false, utf8, false));
        assert!(!same(cp, true, utf8, true));
        assert!(same(b"a.txt", false, b"a.txt", true));
        assert!(!same(b"a.txt", false, b"b.txt", false));
        assert_eq!(display(cp, false), "Notizen-Übersicht.txt");
        assert_eq!(display(utf8, false), "Notizen-Übersicht.txt");
    }
}
