//! Readers for signed output, independent of procpatch: `JarCheck`
//! (Java's `JarFile` and `JarInputStream`), raw local records, manifest
//! attributes and their differences; and the redaction of dates.

use super::*;

/// Runs `JarCheck` (compiled once) on the files: `JarFile(file, true)`, or
/// with `stream`, `JarInputStream`. Exit 0 when every file passes.
pub fn jar_check(paths: &[&Path], stream: bool) -> Ran {
    static CLASSES: OnceLock<PathBuf> = OnceLock::new();
    let classes = CLASSES.get_or_init(|| {
        let dir = work_dir().join("jarcheck");
        run_ok(Command::new("javac").arg("-d").arg(&dir).arg(interop("JarCheck.java")));
        dir
    });
    let mut cmd = Command::new("java");
    cmd.args(QUICK_JVM).arg("-cp").arg(classes).arg("JarCheck");
    if stream {
        cmd.arg("--stream");
    }
    run(cmd.args(paths))
}

// ----------------------------------------------- archives, manifests --

/// The raw local records of a zip, in central-directory order: each
/// entry's name and the bytes from its local header up to the next record
/// (header, name, extra field, data and any data descriptor). Read here,
/// independently of procpatch; zip64 offsets included.
pub fn local_records(path: &Path) -> Vec<(String, Vec<u8>)> {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let u16_at = |i: usize| usize::from(u16::from_le_bytes([data[i], data[i + 1]]));
    let u32_at = |i: usize| u64::from(u32::from_le_bytes(data[i..i + 4].try_into().unwrap()));
    let u64_at = |i: usize| u64::from_le_bytes(data[i..i + 8].try_into().unwrap());
    let eocd = (0..=data.len().saturating_sub(22))
        .rev()
        .take(65_557)
        .find(|&i| data[i..].starts_with(b"PK\x05\x06"))
        .unwrap_or_else(|| panic!("{}: no end of central directory", path.display()));
    let (mut count, mut cd) = (u16_at(eocd + 10) as u64, u32_at(eocd + 16));
    if eocd >= 20 && data[eocd - 20..].starts_with(b"PK\x06\x07") {
        let rec = usize::try_from(u64_at(eocd - 12)).unwrap();
        (count, cd) = (u64_at(rec + 32), u64_at(rec + 48));
    }
    let cd = usize::try_from(cd).unwrap();
    let mut at = cd;
    let mut entries = Vec::new();
    for _ in 0..count {
        assert!(
            data[at..].starts_with(b"PK\x01\x02"),
            "{}: central record at {at}",
            path.display()
        );
        let (n, m, k) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        let name = String::from_utf8_lossy(&data[at + 46..at + 46 + n]).into_owned();
        let (usize32, csize32, mut offset) = (u32_at(at + 24), u32_at(at + 20), u32_at(at + 42));
        if offset == 0xFFFF_FFFF {
            // The zip64 extra field holds, in order, the values whose
            // 32-bit fields are full.
            let extra = &data[at + 46 + n..at + 46 + n + m];
            let mut i = 0;
            while i + 4 <= extra.len() {
                let (id, size) = (
                    u16::from_le_bytes([extra[i], extra[i + 1]]),
                    u16::from_le_bytes([extra[i + 2], extra[i + 3]]) as usize,
                );
                if id == 1 {
                    let skip = 8 * (usize::from(usize32 == 0xFFFF_FFFF) + usize::from(csize32 == 0xFFFF_FFFF));
                    offset = u64::from_le_bytes(extra[i + 4 + skip..i + 12 + skip].try_into().unwrap());
                }
                i += 4 + size;
            }
        }
        entries.push((name, usize::try_from(offset).unwrap()));
        at += 46 + n + m + k;
    }
    let mut starts: Vec<usize> = entries.iter().map(|e| e.1).collect();
    starts.push(cd);
    starts.sort_unstable();
    entries
        .into_iter()
        .map(|(name, start)| {
            let end = starts[starts.partition_point(|&s| s <= start)];
            (name, data[start..end].to_vec())
        })
        .collect()
}

/// The entry names of a zip, in central-directory order.
pub fn entry_names(path: &Path) -> Vec<String> {
    local_records(path).into_iter().map(|(n, _)| n).collect()
}

/// The content of an entry (decompressed).
pub fn entry(path: &Path, name: &str) -> Vec<u8> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut zip = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut entry = zip
        .by_name(name)
        .unwrap_or_else(|e| panic!("{}: {name}: {e}", path.display()));
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut out).unwrap();
    out
}

/// The byte ranges where `a` and `b` differ, as (range in `a`, range in
/// `b`). Byte strings of one length are compared position by position (the
/// two ranges are then the same); others by a diff of the bytes.
pub fn differing_ranges(a: &[u8], b: &[u8]) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    if a.len() == b.len() {
        for i in (0..a.len()).filter(|&i| a[i] != b[i]) {
            match out.last_mut() {
                Some((x, y)) if x.end == i => {
                    x.end = i + 1;
                    y.end = i + 1;
                }
                _ => out.push((i..i + 1, i..i + 1)),
            }
        }
        return out;
    }
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, a, b) {
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        let (x, y) = (op.old_range(), op.new_range());
        match out.last_mut() {
            Some((px, py)) if px.end == x.start && py.end == y.start => {
                px.end = x.end;
                py.end = y.end;
            }
            _ => out.push((x, y)),
        }
    }
    out
}

/// One attribute of a manifest or signature file: its section (`None` for
/// the main section, else the section's `Name`), its name, its value
/// (continuation lines joined) and the bytes of the value as written
/// (across continuation lines, line breaks included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub section: Option<String>,
    pub name: String,
    pub value: String,
    pub span: Range<usize>,
}

/// The attributes of a `MANIFEST.MF` or `.SF`, in order. Lines end in CRLF,
/// LF or CR; a line starting with a space continues the one before.
pub fn manifest_attributes(bytes: &[u8]) -> Vec<Attribute> {
    // Physical lines: (start, end without the line break).
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' | b'\n' => {
                lines.push((start, i));
                i += if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        lines.push((start, bytes.len()));
    }
    let mut out: Vec<Attribute> = Vec::new();
    let mut section: Option<String> = None;
    let mut new_section = false;
    for (a, b) in lines {
        let line = &bytes[a..b];
        if line.is_empty() {
            new_section = true;
            continue;
        }
        if line[0] == b' ' {
            let last = out.last_mut().expect("a continuation line after an attribute");
            last.value.push_str(&String::from_utf8_lossy(&line[1..]));
            last.span.end = b;
            continue;
        }
        let colon = line
            .windows(2)
            .position(|w| w == b": ")
            .unwrap_or_else(|| panic!("not a manifest line: {}", String::from_utf8_lossy(line)));
        let name = String::from_utf8_lossy(&line[..colon]).into_owned();
        let value = String::from_utf8_lossy(&line[colon + 2..]).into_owned();
        if new_section {
            section = Some(value.clone());
            new_section = false;
        }
        out.push(Attribute {
            section: section.clone(),
            name,
            value,
            span: a + colon + 2..b,
        });
    }
    // A section's Name is only complete once its continuation lines are.
    let mut current = None;
    for attr in &mut out {
        if attr.section.is_some() && attr.name == "Name" {
            current = Some(attr.value.clone());
        }
        if attr.section.is_some() {
            attr.section.clone_from(&current);
        }
    }
    out
}

/// The attributes whose value differs between two manifests, as
/// "SECTION: NAME" (SECTION is "main" for the main section), with
/// attributes only in one of them as "+SECTION: NAME" or "-SECTION: NAME".
pub fn manifest_changes(a: &[u8], b: &[u8]) -> Vec<String> {
    let key = |x: &Attribute| format!("{}: {}", x.section.as_deref().unwrap_or("main"), x.name);
    let (a, b) = (manifest_attributes(a), manifest_attributes(b));
    let mut out = Vec::new();
    for x in &a {
        match b.iter().find(|y| key(y) == key(x)) {
            Some(y) if y.value != x.value => out.push(key(x)),
            Some(_) => {}
            None => out.push(format!("-{}", key(x))),
        }
    }
    for y in &b {
        if !a.iter().any(|x| key(x) == key(y)) {
            out.push(format!("+{}", key(y)));
        }
    }
    out
}

/// Checks that manifest `b` is manifest `a` with only the `*-Digest` values
/// of the sections named `edited` rewritten, byte for byte (same length,
/// same order, same line breaks), and that each of those values did change.
pub fn check_only_digests_differ(a: &[u8], b: &[u8], edited: &[&str]) -> Result<(), String> {
    if a.len() != b.len() {
        return Err(format!(
            "the manifests differ in length ({} and {} bytes)",
            a.len(),
            b.len()
        ));
    }
    let digests: Vec<Attribute> = manifest_attributes(a)
        .into_iter()
        .filter(|x| x.name.ends_with("-Digest") && x.section.as_deref().is_some_and(|s| edited.contains(&s)))
        .collect();
    for (x, _) in differing_ranges(a, b) {
        if !digests.iter().any(|d| d.span.start <= x.start && x.end <= d.span.end) {
            return Err(format!(
                "bytes {x:?} differ outside an edited entry's digest: {:?} became {:?}",
                String::from_utf8_lossy(&a[x.clone()]),
                String::from_utf8_lossy(&b[x.clone()])
            ));
        }
    }
    let changed = manifest_changes(a, b);
    for name in edited {
        if !changed
            .iter()
            .any(|c| c.starts_with(&format!("{name}: ")) && c.ends_with("-Digest"))
        {
            return Err(format!("the digest of {name} did not change (changes: {changed:?})"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------- redaction --

/// Replaces every date written YYYY-MM-DD by `[DATE]`.
pub fn redact_dates(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let is_date = b.len() - i >= 10
            && b[i..i + 10].iter().enumerate().all(|(j, c)| {
                if j == 4 || j == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if is_date {
            out.push_str("[DATE]");
            i += 10;
            // A time of day after it goes too (`T14:22:25Z`).
            let time = b
                .get(i..i + 10)
                .filter(|t| t[0] == b'T' && t[3] == b':' && t[6] == b':' && t[9] == b'Z');
            if time.is_some() {
                i += 10;
            }
        } else if b[i..].starts_with(b"serial ") {
            // Serial numbers are random for keys made at test time.
            out.push_str("serial [SERIAL]");
            i += 7;
            while i < b.len() && (b[i].is_ascii_hexdigit() || b[i] == b':') {
                i += 1;
            }
        } else {
            let ch = text[i..].chars().next().unwrap_or_default();
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    out
}

/// `text` with the key directory shown as `[KEYS]` and dates as `[DATE]`.
pub fn redact(text: &str) -> String {
    redact_dates(&text.replace(s(&keys().dir), "[KEYS]"))
}
