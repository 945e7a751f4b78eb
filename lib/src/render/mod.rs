//! Pictures of a change: each process drawn from the layout its document
//! carries (BPMN DI), with the tasks a recipe touched marked, as SVG; and a
//! self-contained XHTML change record around those pictures (inline CSS and
//! SVG, no script, nothing loaded from elsewhere).
//!
//! The drawing is a function of a parsed [`Document`] and a [`Report`]; it
//! knows nothing of files or archives. The page ([`ChangeRecord`]) takes the
//! file-level reports of [`crate::archive`] for its header and tables, and
//! is handed each document's bytes by the caller ([`FileDrawings::document`]).
//!
//! ```
//! use procpatch::{render, Document, Recipe};
//!
//! let xml = br#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
//!     xmlns:activiti="http://activiti.org/bpmn"
//!     xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
//!     xmlns:dc="http://www.omg.org/spec/DD/20100524/DC">
//!   <process id="UsersProcLock" name="Lock user">
//!     <callActivity id="c1" name="Lock related credentials"/>
//!     <callActivity id="c2" name="Load related credentials"/>
//!   </process>
//!   <bpmndi:BPMNDiagram id="d">
//!     <bpmndi:BPMNPlane bpmnElement="UsersProcLock">
//!       <bpmndi:BPMNShape bpmnElement="c1"><dc:Bounds x="0" y="0" width="100" height="80"/></bpmndi:BPMNShape>
//!       <bpmndi:BPMNShape bpmnElement="c2"><dc:Bounds x="150" y="0" width="100" height="80"/></bpmndi:BPMNShape>
//!     </bpmndi:BPMNPlane>
//!   </bpmndi:BPMNDiagram>
//! </definitions>"#;
//! let doc = Document::parse(xml)?;
//! let plan = doc.plan(&Recipe::builtin())?;
//! let figures = render::figures(&doc, &plan.report);
//! assert_eq!(figures.len(), 1);
//! // The two edited call activities are marked.
//! assert_eq!(figures[0].highlights.len(), 2);
//! assert!(figures[0].svg.contains(r#"class="pp-shape pp-callActivity changed""#));
//! # Ok::<(), procpatch::Error>(())
//! ```

#[cfg(feature = "archive")]
mod html;
mod shapes;
mod svg;
mod text;

use std::collections::HashMap;

#[cfg(feature = "archive")]
pub use html::{ChangeRecord, FileDrawings, Limits, Meta};

use crate::bpmn::{Process, Task};
use crate::diagram::{Bounds, Diagram};
use crate::document::Document;
use crate::report::{Found, ProcessReport, Report, Status};

/// The fill of a task with changed or inserted values (an orange tint).
pub const CHANGED_FILL: &str = "#ffd8a8";

/// How a task the recipe touched is marked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    /// Its values that change (changed or inserted): the badge's number.
    pub edits: usize,
    /// All its values the recipe sets, already set ones included.
    pub values: usize,
}

/// Marks by BPMN element id.
pub type Marks = HashMap<String, Mark>;

/// One diagram plane drawn as SVG.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The `<svg>` element, self-contained (no external references, no
    /// ids), its `viewBox` from the DI bounds and its size 1 px per unit.
    pub svg: String,
    /// The part of the diagram shown (the `viewBox`): every shape, label,
    /// waypoint and badge, with a margin.
    pub view_box: Bounds,
    /// How many shapes the plane has.
    pub shapes: usize,
    /// How many edges the plane has.
    pub edges: usize,
    /// The marked tasks drawn, by element id, with their bounds.
    pub highlights: Vec<(String, Bounds)>,
}

/// Draws plane `plane` of `diagram` with `marks`; `title` names the picture
/// (its `aria-label`). `None` when there is no such plane.
pub fn draw(diagram: &Diagram, plane: usize, marks: &Marks, title: &str) -> Option<Figure> {
    diagram.planes.get(plane).map(|p| svg::plane(diagram, p, marks, title))
}

/// The pictures of a document for a plan's report: each plane that shows a
/// process the report found, once, with the touched tasks marked.
pub fn figures(doc: &Document, report: &Report) -> Vec<Figure> {
    let diagram = doc.diagram();
    let marks = marks(doc, &report.processes);
    let mut drawn: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for p in &report.processes {
        let Some(process) = p.found.as_ref().and_then(|f| find_process(doc, f)) else {
            continue;
        };
        let Some(id) = process.selector.id.as_deref() else {
            continue;
        };
        for (i, _) in diagram.planes_of(id) {
            if !drawn.contains(&i) {
                drawn.push(i);
                out.extend(draw(&diagram, i, &marks, process.selector.label()));
            }
        }
    }
    out
}

/// The marks of the tasks that `processes` (a report's) found in `doc`: by
/// the element id of each task, its number of edits and of values.
pub fn marks(doc: &Document, processes: &[ProcessReport]) -> Marks {
    let mut out = Marks::new();
    for p in processes {
        let process = p.found.as_ref().and_then(|f| find_process(doc, f));
        for t in &p.tasks {
            let Some(found) = &t.found else { continue };
            let id = process
                .and_then(|pr| find_task(pr, found))
                .and_then(|task| task.selector.id.clone())
                .or_else(|| found.selector.id.clone());
            let Some(id) = id else { continue };
            let mark = out.entry(id).or_default();
            for c in &t.changes {
                mark.values += 1;
                mark.edits += usize::from(matches!(c.status, Status::Changed | Status::Inserted));
            }
        }
    }
    out
}

/// The document's process that a report found: at the same place, or else
/// with the same id.
pub(crate) fn find_process<'d>(doc: &'d Document, found: &Found) -> Option<&'d Process> {
    let all = doc.processes();
    all.iter().find(|p| p.position == found.position).or_else(|| {
        all.iter()
            .find(|p| p.selector.id.is_some() && p.selector.id == found.selector.id)
    })
}

fn find_task<'p>(process: &'p Process, found: &Found) -> Option<&'p Task> {
    process.tasks.iter().find(|t| t.position == found.position).or_else(|| {
        process
            .tasks
            .iter()
            .find(|t| t.selector.id.is_some() && t.selector.id == found.selector.id)
    })
}

/// A time for people, in UTC: `2024-05-17 09:30 UTC`, from seconds since
/// 1970-01-01 00:00 UTC (what [`std::time::SystemTime`] gives, or a
/// `SOURCE_DATE_EPOCH`).
pub fn utc_timestamp(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_date(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01),
/// after Howard Hinnant's `civil_from_days`: count in 400-year eras of
/// 146,097 days, with years starting on 1 March so that the leap day comes
/// last.
fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of the era, 0..=146_096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // year of the era, 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the year from 1 March
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_civil_dates_in_utc() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_timestamp(1_715_938_200), "2024-05-17 09:30 UTC");
        assert_eq!(utc_timestamp(-1), "1969-12-31 23:59 UTC");
        assert_eq!(utc_timestamp(4_102_444_800), "2100-01-01 00:00 UTC");
    }
}
