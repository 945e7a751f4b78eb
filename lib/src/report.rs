//! What a recipe found and did, as a value: for each process, task and
//! attribute, the old and new value and a status. It serialises with serde
//! (the CLI's `--json`) and prints for people.

use std::fmt;

use crate::bpmn::Form;
use crate::error::{Position, Selector};

/// What happened (or will happen) to one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Status {
    /// The value differs and is replaced.
    Changed,
    /// The value is already the one asked for; nothing changes.
    AlreadySet,
    /// The attribute is missing and is added.
    Inserted,
    /// The process is not in this document.
    Absent,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Changed => "changed",
            Status::AlreadySet => "already set",
            Status::Inserted => "inserted",
            Status::Absent => "absent",
        })
    }
}

/// One `set` entry of the recipe, applied to one task.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Change {
    /// The recipe key: a label, a field name, `@attribute` or
    /// `@engine:attribute`.
    pub key: String,
    /// The field or attribute edited (`value`, `@calledElement`); `None`
    /// when the task is absent.
    pub target: Option<String>,
    /// How the value is written; `None` when absent.
    pub form: Option<Form>,
    /// The value before; `None` when there was none.
    pub old: Option<String>,
    /// The value asked for.
    pub new: String,
    /// What happens.
    pub status: Status,
    /// Where the old value is, or where the new one goes.
    pub position: Option<Position>,
}

/// A task of the recipe and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct TaskReport {
    /// The recipe's task selector.
    pub target: Selector,
    /// The task found: its kind, name and id, and position.
    pub found: Option<Found>,
    /// One entry per `set` key.
    pub changes: Vec<Change>,
}

/// A process of the recipe and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ProcessReport {
    /// The recipe's process selector.
    pub target: Selector,
    /// The process found, or `None` if it is absent.
    pub found: Option<Found>,
    /// For an absent process, the closest process names in the document.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
    /// One entry per task of the recipe (per match, with `all = true`).
    pub tasks: Vec<TaskReport>,
}

/// An element that a recipe target matched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Found {
    /// The element's local name (`process`, `callActivity`, …).
    pub kind: String,
    /// Its name and id as found.
    #[serde(flatten)]
    pub selector: Selector,
    /// Where its start tag begins.
    pub position: Position,
}

/// What a report counts: values (one per `set` key and task) by status,
/// and the recipe's processes found and not found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Values replaced.
    pub changed: usize,
    /// Values already right.
    pub already_set: usize,
    /// Values added (the field or attribute was missing).
    pub inserted: usize,
    /// Values not set because their process is absent.
    pub absent: usize,
    /// The recipe's processes (each target once, however many it matched).
    pub processes: usize,
    /// The recipe's processes found nowhere in the input.
    pub processes_absent: usize,
}

impl Summary {
    /// Counts one value of `status`.
    pub fn count(&mut self, status: Status) {
        match status {
            Status::Changed => self.changed += 1,
            Status::AlreadySet => self.already_set += 1,
            Status::Inserted => self.inserted += 1,
            Status::Absent => self.absent += 1,
        }
    }

    /// Whether anything changes.
    pub fn needs_edit(&self) -> bool {
        self.edits() > 0
    }

    /// How many values change (changed or inserted).
    pub fn edits(&self) -> usize {
        self.changed + self.inserted
    }

    /// Adds another summary's counts to this one.
    pub fn add(&mut self, other: &Summary) {
        self.changed += other.changed;
        self.already_set += other.already_set;
        self.inserted += other.inserted;
        self.absent += other.absent;
        self.processes += other.processes;
        self.processes_absent += other.processes_absent;
    }

    /// The counts for people: `4 changed, 0 inserted, 0 already set`, and
    /// when processes are missing `; 2 of 3 processes not in this {place}`
    /// (`place` is "archive", "file", "document"…).
    pub fn describe(&self, place: &str) -> String {
        let mut s = format!(
            "{} changed, {} inserted, {} already set",
            self.changed, self.inserted, self.already_set
        );
        if self.processes_absent > 0 {
            let noun = if self.processes == 1 { "process" } else { "processes" };
            s.push_str(&format!(
                "; {} of {} {noun} not in this {place}",
                self.processes_absent, self.processes
            ));
        }
        s
    }
}

/// The report for one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The document's encoding.
    pub encoding: String,
    /// One entry per recipe process (per match, with `all = true`).
    pub processes: Vec<ProcessReport>,
    /// The counts of each status.
    pub summary: Summary,
}

impl Report {
    pub(crate) fn new(encoding: String, processes: Vec<ProcessReport>) -> Report {
        let mut summary = Summary::default();
        for c in processes.iter().flat_map(|p| &p.tasks).flat_map(|t| &t.changes) {
            summary.count(c.status);
        }
        let mut targets: Vec<&Selector> = processes.iter().map(|p| &p.target).collect();
        targets.dedup();
        summary.processes = targets.len();
        summary.processes_absent = processes.iter().filter(|p| p.found.is_none()).count();
        Report {
            encoding,
            processes,
            summary,
        }
    }

    /// Whether any process of the recipe was found.
    pub fn found_any(&self) -> bool {
        self.processes.iter().any(|p| p.found.is_some())
    }

    /// Every change, with its process and task.
    pub fn changes(&self) -> impl Iterator<Item = (&ProcessReport, &TaskReport, &Change)> {
        self.processes
            .iter()
            .flat_map(|p| p.tasks.iter().map(move |t| (p, t)))
            .flat_map(|(p, t)| t.changes.iter().map(move |c| (p, t, c)))
    }
}

/// A value as shown to people: quoted, or `(none)`.
pub fn show_value(v: Option<&str>) -> String {
    match v {
        Some(v) => format!("{v:?}"),
        None => "(none)".to_string(),
    }
}

impl fmt::Display for Report {
    /// One line per process, task and attribute:
    /// `key [field]: old → new (status)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.processes {
            match &p.found {
                Some(found) => writeln!(f, "process {} at {}", found.selector, found.position)?,
                None => {
                    write!(f, "process {}: absent", p.target)?;
                    if !p.suggestions.is_empty() {
                        let s: Vec<String> = p.suggestions.iter().map(|s| format!("\"{s}\"")).collect();
                        write!(f, " (closest: {})", s.join(", "))?;
                    }
                    writeln!(f)?;
                }
            }
            for t in &p.tasks {
                match &t.found {
                    Some(found) => writeln!(f, "  task {} at {}", found.selector, found.position)?,
                    None => writeln!(f, "  task {}", t.target)?,
                }
                for c in &t.changes {
                    let target = c.target.as_deref().map(|t| format!(" [{t}]")).unwrap_or_default();
                    writeln!(
                        f,
                        "    {}{target}: {} → {} ({})",
                        c.key,
                        show_value(c.old.as_deref()),
                        show_value(Some(&c.new)),
                        c.status
                    )?;
                }
            }
        }
        f.write_str(&self.summary.describe("document"))
    }
}
