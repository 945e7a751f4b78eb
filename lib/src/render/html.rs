//! The change record: one self-contained XHTML page (inline CSS and SVG,
//! no script, nothing loaded from elsewhere) with a header (date, version,
//! recipe, each file's paths and SHA-256), the counts, and for each process
//! its diagram and a table of its values.
//!
//! The caller hands each file's report and, through [`FileDrawings`], the
//! bytes of its documents; this module never opens a file.

use std::fmt::Write;

use super::text::esc;
use super::{draw, find_process, marks, Figure, Marks};
use crate::archive::{EntryKind, FileReport, Inspection};
use crate::document::Document;
use crate::report::{ProcessReport, Status, Summary};
use crate::selector::Selector;

/// What the page records, for its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The command: `apply` or `inspect`.
    pub command: String,
    /// For `apply`: nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// When, as people read it (see [`super::utc_timestamp`]).
    pub date: String,
    /// The procpatch version.
    pub version: String,
    /// The recipe: the built-in one, or the file it was read from.
    pub recipe: String,
    /// The SHA-256 of the recipe file, hex.
    pub recipe_sha256: Option<String>,
}

impl Meta {
    /// A header for `command` at `date`, with this library's version and
    /// the built-in recipe.
    pub fn new(command: &str, date: &str) -> Meta {
        Meta {
            command: command.to_string(),
            dry_run: false,
            date: date.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            recipe: "built-in (Shared credentials)".to_string(),
            recipe_sha256: None,
        }
    }
}

/// How much a page draws, so that it opens in a browser in reasonable time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most shapes and flows (DI shapes and edges) one diagram may have
    /// to be drawn.
    pub diagram_shapes: usize,
    /// The most shapes and flows drawn on the whole page; further diagrams
    /// are left
    /// out with a note.
    pub page_shapes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            diagram_shapes: 4_000,
            page_shapes: 10_000,
        }
    }
}

/// On screen a diagram wider than the page shrinks to fit it, but not below
/// this scale (its names would be too small to read): past that, it scrolls
/// sideways. On paper it always fits the page.
const MIN_SCALE: f64 = 0.75;

/// What is shown for one process.
#[derive(Debug, Clone)]
enum Picture {
    Drawn(Box<Figure>),
    /// Shown in the diagram of an earlier process (its name).
    With(String),
    /// The document has no diagram for it.
    NoDi,
    /// Its diagram has more shapes than [`Limits::diagram_shapes`].
    TooLarge(usize),
    /// The page already holds [`Limits::page_shapes`].
    PageFull,
    /// The document could not be read again.
    Unread(String),
}

/// The pictures of one file's processes, made from its documents' bytes.
#[derive(Debug, Clone)]
pub struct FileDrawings {
    limits: Limits,
    budget: usize,
    used: usize,
    /// For `apply`: the entries and processes to draw (the report's).
    targets: Option<Vec<(String, Vec<ProcessReport>)>>,
    /// Per entry: a picture per process (the report's for `apply`, the
    /// document's for `inspect`).
    entries: Vec<(String, Vec<Picture>)>,
}

impl FileDrawings {
    /// Drawings of the processes `report` found (for `apply`): only those
    /// are drawn, with their tasks marked. `budget` is the number of shapes
    /// and flows the page still takes ([`ChangeRecord::budget`]).
    pub fn for_report(report: &FileReport, limits: Limits, budget: usize) -> FileDrawings {
        let targets = report
            .entries
            .iter()
            .map(|e| (e.entry.clone(), e.processes.clone()))
            .collect();
        FileDrawings {
            limits,
            budget,
            used: 0,
            targets: Some(targets),
            entries: Vec::new(),
        }
    }

    /// Drawings of every process (for `inspect`).
    pub fn for_inspection(limits: Limits, budget: usize) -> FileDrawings {
        FileDrawings {
            limits,
            budget,
            used: 0,
            targets: None,
            entries: Vec::new(),
        }
    }

    /// Whether [`FileDrawings::document`] would draw anything more: false
    /// once the page is full, so the caller may stop reading documents.
    pub fn wants_more(&self) -> bool {
        self.used < self.budget
    }

    /// The shapes drawn so far.
    pub fn shapes_drawn(&self) -> usize {
        self.used
    }

    /// A BPMN document of the file, at entry path `entry` (empty for a bare
    /// XML file): draws the processes wanted from it.
    pub fn document(&mut self, entry: &str, bytes: &[u8]) {
        let wanted: Option<Vec<ProcessReport>> = match &self.targets {
            Some(targets) => match targets.iter().find(|(e, _)| e == entry) {
                Some((_, processes)) => Some(processes.clone()),
                None => return,
            },
            None => None,
        };
        if self.entries.iter().any(|(e, _)| e == entry) {
            return;
        }
        let doc = match Document::parse(bytes) {
            Ok(doc) => doc,
            Err(e) => {
                let n = wanted.as_ref().map_or(0, Vec::len);
                let pictures = (0..n).map(|_| Picture::Unread(e.to_string())).collect();
                self.entries.push((entry.to_string(), pictures));
                return;
            }
        };
        let (ids, marks): (Vec<(Option<String>, String)>, Marks) = match &wanted {
            Some(processes) => (
                processes
                    .iter()
                    .map(|p| {
                        let found = p.found.as_ref().and_then(|f| find_process(&doc, f));
                        let label = p.found.as_ref().map_or(name_of(&p.target), |f| name_of(&f.selector));
                        (found.and_then(|f| f.selector.id.clone()), label.to_string())
                    })
                    .collect(),
                marks(&doc, processes),
            ),
            None => (
                doc.processes()
                    .iter()
                    .map(|p| (p.selector.id.clone(), name_of(&p.selector).to_string()))
                    .collect(),
                Marks::new(),
            ),
        };
        let diagram = doc.diagram();
        let mut drawn: Vec<(usize, String)> = Vec::new();
        let mut pictures = Vec::new();
        for (id, label) in ids {
            let plane = id.as_deref().and_then(|id| diagram.planes_of(id).next());
            let picture = match plane {
                None => Picture::NoDi,
                Some((i, _)) if drawn.iter().any(|(d, _)| *d == i) => {
                    let first = drawn.iter().find(|(d, _)| *d == i).map(|(_, l)| l.clone());
                    Picture::With(first.unwrap_or_default())
                }
                Some((_, p)) if size(p) > self.limits.diagram_shapes => Picture::TooLarge(size(p)),
                Some((_, p)) if self.used + size(p) > self.budget => Picture::PageFull,
                Some((i, p)) => {
                    self.used += size(p);
                    drawn.push((i, label.clone()));
                    match draw(&diagram, i, &marks, &label) {
                        Some(f) => Picture::Drawn(Box::new(f)),
                        None => Picture::NoDi,
                    }
                }
            };
            pictures.push(picture);
        }
        self.entries.push((entry.to_string(), pictures));
    }

    fn picture(&self, entry: &str, index: usize) -> Option<&Picture> {
        self.entries
            .iter()
            .find(|(e, _)| e == entry)
            .and_then(|(_, pictures)| pictures.get(index))
    }
}

/// How much a plane weighs against the limits: its shapes and edges.
fn size(plane: &crate::diagram::Plane) -> usize {
    plane.shapes.len() + plane.edges.len()
}

/// The page, built file by file.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    meta: Meta,
    limits: Limits,
    body: String,
    files: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    totals: Summary,
    processes: usize,
    drawn: usize,
    left_out: usize,
}

impl ChangeRecord {
    /// An empty page with `meta` in its header.
    pub fn new(meta: Meta, limits: Limits) -> ChangeRecord {
        ChangeRecord {
            meta,
            limits,
            body: String::new(),
            files: Vec::new(),
            errors: Vec::new(),
            totals: Summary::default(),
            processes: 0,
            drawn: 0,
            left_out: 0,
        }
    }

    /// The shapes the page still takes.
    pub fn budget(&self) -> usize {
        self.limits.page_shapes.saturating_sub(self.drawn)
    }

    /// Adds an applied (or checked) file: its report, final (with its
    /// output), and the drawings made from its documents.
    pub fn applied(&mut self, report: &FileReport, drawings: &FileDrawings) {
        self.totals.add(&report.summary);
        let out = &mut self.body;
        file_header(out, &report.path, &report.sha256);
        match &report.output {
            Some(o) => {
                let what = match (&o.sha256, o.written) {
                    (Some(sha), true) => format!("<code>{}</code>", esc(sha)),
                    (Some(_), false) => "unchanged, not rewritten".to_string(),
                    (None, _) => "dry run, not written".to_string(),
                };
                let _ = write!(
                    out,
                    "<tr><th>output</th><td><code>{}</code></td><td>{what}</td></tr>",
                    esc(&o.path)
                );
                if let Some(b) = &o.backup {
                    let _ = write!(out, "<tr><th>backup</th><td><code>{}</code></td><td></td></tr>", esc(b));
                }
            }
            None if self.meta.dry_run => out.push_str("<tr><th>output</th><td colspan=\"2\">none (dry run)</td></tr>"),
            None => out.push_str("<tr><th>output</th><td colspan=\"2\">none</td></tr>"),
        }
        out.push_str("</table>");
        let _ = write!(
            out,
            "<p class=\"counts\">{}</p>",
            esc(&report.summary.describe(report.kind.place()))
        );
        if let Some(sig) = &report.signature {
            let text = if !sig.removed.is_empty() {
                format!("Signature removed: {}", sig.removed.join(", "))
            } else if report.summary.needs_edit() {
                format!("Signed ({}): the edit would break the signature", sig.files.join(", "))
            } else {
                format!("Signed ({})", sig.files.join(", "))
            };
            let _ = write!(out, "<p class=\"note\">{}</p>", esc(&text));
        }
        if !report.unreadable.is_empty() {
            let _ = write!(
                out,
                "<p class=\"note\">Copied unread (unsupported compression): {}</p>",
                esc(&report.unreadable.join(", "))
            );
        }
        for entry in &report.entries {
            for (i, p) in entry.processes.iter().enumerate() {
                self.processes += 1;
                let label = p.found.as_ref().map_or(name_of(&p.target), |f| name_of(&f.selector));
                let id = p.found.as_ref().and_then(|f| f.selector.id.as_deref());
                process_heading(&mut self.body, label, id, &entry.entry);
                self.picture(drawings.picture(&entry.entry, i));
                change_table(&mut self.body, p);
                self.body.push_str("</section>");
            }
        }
        if !report.absent.is_empty() {
            let out = &mut self.body;
            let _ = write!(out, "<h3>Not in this {}</h3><ul class=\"absent\">", report.kind.place());
            for p in &report.absent {
                let _ = write!(out, "<li>process <strong>{}</strong>", esc(name_of(&p.target)));
                if !p.suggestions.is_empty() {
                    let s: Vec<String> = p.suggestions.iter().map(|s| format!("“{}”", esc(s))).collect();
                    let _ = write!(out, " (closest found: {})", s.join(", "));
                }
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        }
        self.body.push_str("</section>");
        self.files.push((report.path.clone(), report.sha256.clone()));
    }

    /// Adds an inspected file: every BPMN document's processes, drawn, with
    /// their tasks; fields named by `labels` (label → field names).
    pub fn inspected(&mut self, inspection: &Inspection, drawings: &FileDrawings, labels: &[(String, Vec<String>)]) {
        let out = &mut self.body;
        file_header(out, &inspection.path, &inspection.sha256);
        out.push_str("</table>");
        let bpmn = inspection.entries.iter().filter(|e| e.kind == EntryKind::Bpmn).count();
        let processes: usize = inspection.entries.iter().map(|e| e.processes.len()).sum();
        let _ = write!(
            out,
            "<p class=\"counts\">{}, {}, {}</p>",
            plural(inspection.entries.len(), "entry"),
            plural(bpmn, "BPMN document"),
            plural(processes, "process")
        );
        for e in &inspection.entries {
            if let Some(err) = &e.error {
                let _ = write!(
                    self.body,
                    "<p class=\"error\"><code>{}</code>: {}</p>",
                    esc(&e.entry),
                    esc(err)
                );
            }
            for (i, p) in e.processes.iter().enumerate() {
                self.processes += 1;
                process_heading(&mut self.body, name_of(&p.selector), p.selector.id.as_deref(), &e.entry);
                self.picture(drawings.picture(&e.entry, i));
                task_table(&mut self.body, p, labels);
                self.body.push_str("</section>");
            }
        }
        self.body.push_str("</section>");
        self.files.push((inspection.path.clone(), inspection.sha256.clone()));
    }

    /// Adds a file that failed, with its error.
    pub fn error(&mut self, path: &str, message: &str) {
        self.errors.push((path.to_string(), message.to_string()));
    }

    /// The page.
    pub fn finish(&self) -> String {
        let m = &self.meta;
        let mut out = String::with_capacity(self.body.len() + 8_000);
        let title = if m.command == "inspect" {
            "procpatch inspection"
        } else {
            "procpatch change record"
        };
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><meta name=\"generator\" content=\"procpatch {v}\"/><title>{title} {date}</title><style>{CSS}</style></head><body><header><h1>{title}</h1><table class=\"meta\"><tr><th>date</th><td>{date}</td></tr><tr><th>procpatch</th><td>{v}</td></tr><tr><th>command</th><td>{cmd}</td></tr>",
            v = esc(&m.version),
            date = esc(&m.date),
            cmd = esc(&m.command),
        );
        if m.command != "inspect" {
            let _ = write!(out, "<tr><th>recipe</th><td>{}", esc(&m.recipe));
            if let Some(sha) = &m.recipe_sha256 {
                let _ = write!(out, " <span class=\"sha\">sha256 {}</span>", esc(sha));
            }
            out.push_str("</td></tr>");
        }
        out.push_str("</table>");
        if m.command == "inspect" {
            let _ = write!(
                out,
                "<p class=\"totals\">{}, {}{}</p>",
                plural(self.files.len() + self.errors.len(), "file"),
                plural(self.processes, "process"),
                failed(self.errors.len())
            );
        } else {
            let t = &self.totals;
            let _ = write!(
                out,
                "<p class=\"totals\"><span class=\"count changed\">{} changed</span> <span class=\"count inserted\">{} inserted</span> <span class=\"count already-set\">{} already set</span> in {}{}{}</p>",
                t.changed,
                t.inserted,
                t.already_set,
                plural(self.files.len() + self.errors.len(), "file"),
                if m.dry_run { " (dry run: nothing written)" } else { "" },
                failed(self.errors.len())
            );
            out.push_str(
                "<p class=\"legend\"><span class=\"swatch changed\"></span> values changed or inserted (the badge counts them) <span class=\"swatch already-set\"></span> values already set</p>",
            );
        }
        if self.left_out > 0 {
            let _ = write!(
                out,
                "<p class=\"note\">{} not drawn: this page draws at most {} shapes and flows so that it opens quickly. Give fewer files to see them all.</p>",
                plural(self.left_out, "diagram"),
                self.limits.page_shapes
            );
        }
        out.push_str("</header><main>");
        out.push_str(&self.body);
        if !self.errors.is_empty() {
            out.push_str("<section class=\"errors\"><h2>Errors</h2><ul>");
            for (path, message) in &self.errors {
                let _ = write!(out, "<li><code>{}</code>: {}</li>", esc(path), esc(message));
            }
            out.push_str("</ul></section>");
        }
        out.push_str("</main></body></html>\n");
        out
    }
}

/// `1 file`, `2 files`; `1 entry`, `2 entries`; `1 process`, `2 processes`.
fn plural(n: usize, one: &str) -> String {
    match (n, one.strip_suffix('y'), one.ends_with('s')) {
        (1, _, _) => format!("1 {one}"),
        (_, Some(stem), _) => format!("{n} {stem}ies"),
        (_, None, true) => format!("{n} {one}es"),
        _ => format!("{n} {one}s"),
    }
}

/// How the page names an element: its name, or its id when the name is
/// missing or blank.
fn name_of(selector: &Selector) -> &str {
    match (selector.name.as_deref(), selector.id.as_deref()) {
        (Some(name), _) if !name.trim().is_empty() => name,
        (_, Some(id)) => id,
        (Some(name), None) => name,
        (None, None) => "(unnamed)",
    }
}

fn failed(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "; 1 failed".to_string(),
        n => format!("; {n} failed"),
    }
}

fn file_header(out: &mut String, path: &str, sha: &str) {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let _ = write!(
        out,
        "<section class=\"file\"><h2>{}</h2><table class=\"meta\"><tr><th>input</th><td><code>{}</code></td><td><code>{}</code></td></tr>",
        esc(if name.is_empty() { path } else { name }),
        esc(path),
        esc(sha)
    );
}

fn process_heading(out: &mut String, label: &str, id: Option<&str>, entry: &str) {
    let _ = write!(out, "<section class=\"process\"><h3>{}", esc(label));
    if let Some(id) = id.filter(|id| *id != label) {
        let _ = write!(out, " <span class=\"id\">{}</span>", esc(id));
    }
    if !entry.is_empty() {
        let _ = write!(out, " <span class=\"entry\">in {}</span>", esc(entry));
    }
    out.push_str("</h3>");
}

impl ChangeRecord {
    /// Appends a process's picture, or a note saying why there is none. A
    /// drawing that would take the page past [`Limits::page_shapes`] is left
    /// out here too, so the page stays bounded whoever made the drawings.
    fn picture(&mut self, picture: Option<&Picture>) {
        let limits = self.limits;
        let note = match picture {
            Some(Picture::Drawn(f)) if self.drawn + f.shapes + f.edges > limits.page_shapes => {
                self.left_out += 1;
                page_full(&limits)
            }
            Some(Picture::Drawn(f)) => {
                self.drawn += f.shapes + f.edges;
                let w = f.view_box.width;
                let _ = write!(
                    self.body,
                    "<figure class=\"diagram\"><div class=\"canvas\" style=\"min-width:{}px;max-width:{}px\">{}</div></figure>",
                    super::text::num(w * MIN_SCALE),
                    super::text::num(w),
                    f.svg
                );
                return;
            }
            Some(Picture::With(other)) => format!("Drawn above, in the diagram of {}.", esc(other)),
            Some(Picture::NoDi) => "This process has no diagram (no BPMN DI) in its document.".to_string(),
            Some(Picture::TooLarge(n)) => format!(
                "Not drawn: its diagram has {n} shapes and flows, more than the {} drawn in one diagram.",
                limits.diagram_shapes
            ),
            Some(Picture::PageFull) => {
                self.left_out += 1;
                page_full(&limits)
            }
            Some(Picture::Unread(e)) => format!("Not drawn: the document could not be read ({}).", esc(e)),
            None => "Not drawn.".to_string(),
        };
        let _ = write!(self.body, "<p class=\"note\">{note}</p>");
    }
}

fn page_full(limits: &Limits) -> String {
    format!(
        "Not drawn: this page draws at most {} shapes and flows, so that it opens quickly.",
        limits.page_shapes
    )
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Changed => "changed",
        Status::Inserted => "inserted",
        Status::AlreadySet => "already-set",
        Status::Absent => "absent",
    }
}

fn value(v: Option<&str>) -> String {
    match v {
        None => "<span class=\"none\">(none)</span>".to_string(),
        Some("") => "<span class=\"none\">(empty)</span>".to_string(),
        Some(v) => format!("<code>{}</code>", esc(v)),
    }
}

/// Task → attribute (label and field) → old → new → status.
fn change_table(out: &mut String, p: &ProcessReport) {
    out.push_str("<table class=\"changes\"><thead><tr><th>task</th><th>attribute</th><th>old</th><th>new</th><th>status</th></tr></thead><tbody>");
    for t in &p.tasks {
        let label = t.found.as_ref().map_or(name_of(&t.target), |f| name_of(&f.selector));
        let edits = t
            .changes
            .iter()
            .filter(|c| matches!(c.status, Status::Changed | Status::Inserted))
            .count();
        for (i, c) in t.changes.iter().enumerate() {
            out.push_str("<tr>");
            if i == 0 {
                let _ = write!(out, "<td rowspan=\"{}\" class=\"task\">{}", t.changes.len(), esc(label));
                if edits > 0 {
                    let _ = write!(out, " <span class=\"badge\">{edits}</span>");
                }
                out.push_str("</td>");
            }
            let _ = write!(out, "<td>{}", esc(&c.key));
            if let Some(target) = c.target.as_deref().filter(|t| *t != c.key) {
                let _ = write!(out, " <code class=\"field\">{}</code>", esc(target));
            }
            let _ = write!(
                out,
                "</td><td>{}</td><td>{}</td><td class=\"status {}\">{}</td></tr>",
                value(c.old.as_deref()),
                value(Some(&c.new)),
                status_class(c.status),
                esc(&c.status.to_string())
            );
        }
    }
    out.push_str("</tbody></table>");
}

/// An inspected process's tasks and their attributes.
fn task_table(out: &mut String, p: &crate::bpmn::Process, labels: &[(String, Vec<String>)]) {
    if p.tasks.is_empty() {
        return;
    }
    out.push_str("<table class=\"tasks\"><thead><tr><th>task</th><th>kind</th><th>attributes</th></tr></thead><tbody>");
    for t in &p.tasks {
        let _ = write!(
            out,
            "<tr><td class=\"task\">{}</td><td>{}</td><td>",
            esc(name_of(&t.selector)),
            esc(&t.kind)
        );
        let mut items: Vec<String> = Vec::new();
        for a in t.attributes.iter().filter(|a| a.name != "id" && a.name != "name") {
            items.push(format!("@{} = {}", esc(&a.name), value(Some(&a.value))));
        }
        for f in &t.fields {
            let label = labels.iter().find(|(_, names)| names.iter().any(|n| n == &f.name));
            let name = match label {
                Some((l, _)) => format!("{} <code class=\"field\">{}</code>", esc(l), esc(&f.name)),
                None => esc(&f.name),
            };
            items.push(format!("{name} = {}", value(f.value.as_deref())));
        }
        out.push_str(&items.join("<br/>"));
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
}

/// The page's style: readable on screen, printable, no external fonts.
const CSS: &str = "\
:root{color-scheme:light}\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#22242a;background:#f8f9fa;margin:0;padding:24px}\
header,main{max-width:1240px;margin:0 auto}\
h1{font-size:22px;margin:0 0 8px}\
h2{font-size:18px;margin:0 0 8px}\
h3{font-size:15px;margin:0 0 8px}\
h3 .id,h3 .entry{font-weight:normal;color:#6c757d;font-size:13px;margin-left:6px}\
code{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all}\
table{border-collapse:collapse}\
table.meta th{text-align:left;font-weight:600;padding:1px 12px 1px 0;color:#495057;vertical-align:top}\
table.meta td{padding:1px 12px 1px 0;vertical-align:top}\
section.file{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:16px;margin:16px 0}\
section.process{margin:16px 0 8px;padding-top:12px;border-top:1px solid #e9ecef}\
.counts,.totals{margin:8px 0}\
.count{display:inline-block;border-radius:10px;padding:1px 10px;margin-right:4px;font-weight:600}\
.count.changed{background:#ffd8a8;color:#8a3100}\
.count.inserted{background:#c3fae8;color:#0b5c4a}\
.count.already-set{background:#e9ecef;color:#495057}\
.legend{color:#495057;font-size:13px}\
.swatch{display:inline-block;width:14px;height:10px;border-radius:3px;vertical-align:middle;margin:0 2px 0 10px}\
.swatch.changed{background:#ffd8a8;border:1.5px solid #d9480f}\
.swatch.already-set{background:#d3f9d8;border:1.5px solid #2b8a3e}\
.note{color:#6c757d;font-style:italic}\
.error,.errors li{color:#c92a2a}\
figure.diagram{margin:8px 0 12px;overflow-x:auto;border:1px solid #e9ecef;border-radius:6px;background:#fff}\
figure.diagram .canvas svg{display:block;width:100%;height:auto}\
table.changes,table.tasks{width:100%;font-size:13px;table-layout:fixed}\
table.changes th:nth-child(1){width:28%}table.changes th:nth-child(2){width:20%}table.changes th:nth-child(3),table.changes th:nth-child(4){width:21%}table.changes th:nth-child(5){width:10%}\
table.tasks th:nth-child(1){width:28%}table.tasks th:nth-child(2){width:14%}\
table.changes th,table.tasks th{text-align:left;background:#f1f3f5;padding:4px 8px;border-bottom:1px solid #dee2e6}\
table.changes td,table.tasks td{padding:4px 8px;border-bottom:1px solid #e9ecef;vertical-align:top}\
td.task{font-weight:600}\
td.status{white-space:nowrap;font-weight:600}\
td.status.changed{color:#d9480f}\
td.status.inserted{color:#0ca678}\
td.status.already-set{color:#868e96}\
.none{color:#868e96;font-style:italic}\
.badge{display:inline-block;min-width:16px;padding:0 5px;border-radius:9px;background:#d9480f;color:#fff;font-size:11px;font-weight:700;text-align:center}\
code.field{color:#6c757d}\
ul.absent li{margin:2px 0}\
@media print{body{background:#fff;padding:0;font-size:11px}section.file{border:none;padding:0}section.process{break-inside:avoid}figure.diagram{overflow:visible;border:none}figure.diagram .canvas{min-width:0!important}.count,.swatch,.badge,table.changes th{print-color-adjust:exact;-webkit-print-color-adjust:exact}}";
