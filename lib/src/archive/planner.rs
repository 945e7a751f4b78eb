//! Planning a recipe on every document of a file ([`Planner`], a walk's
//! visitor), and combining the documents' reports into the file's
//! ([`merge`]): cross-entry matching and the whole-input rules.

use std::path::Path;

use crate::plan::absent_report;
use crate::recipe::Recipe;
use crate::report::{ProcessReport, Summary};

use super::entries::EntryKind;
use super::error::ArchiveError;
use super::notes::{Note, NoteKind};
use super::prepare::{self, Prepare, Prepared};
use super::report::{EntryReport, FileKind, FileReport, SignatureReport};
use super::scan::Visitor;

/// Plans the recipe on each document, collecting reports.
pub(super) struct Planner<'r> {
    recipe: &'r Recipe,
    /// Each document: its entry path, its plan, and every process in it.
    docs: Vec<(String, crate::Plan, Vec<crate::Candidate>)>,
    /// Signature files found, and those removed.
    signed: Vec<String>,
    removed: Vec<String>,
    /// Entries that could not be decompressed.
    unreadable: Vec<String>,
    /// Encrypted entries.
    encrypted: Vec<String>,
    /// Notes on the zip structure.
    notes: Vec<Note>,
}

impl<'r> Planner<'r> {
    /// A planner for a recipe already checked ([`Recipe::validate`]).
    pub(super) fn new(recipe: &'r Recipe) -> Self {
        Planner {
            recipe,
            docs: Vec::new(),
            signed: Vec::new(),
            removed: Vec::new(),
            unreadable: Vec::new(),
            encrypted: Vec::new(),
            notes: Vec::new(),
        }
    }
}

impl<'r> Visitor<'r> for Planner<'r> {
    fn preparer(&self) -> Option<&'r dyn Prepare> {
        Some(self.recipe)
    }

    fn document(
        &mut self,
        entry: &str,
        data: &[u8],
        prepared: Option<Prepared>,
    ) -> Result<Option<Vec<crate::Splice>>, ArchiveError> {
        // A bare XML file has no entry path: its errors stand alone.
        let wrap = |error| ArchiveError::document((!entry.is_empty()).then_some(entry), error);
        // The recipe was checked once, before the walk.
        let recipe = self.recipe;
        let planned = prepare::take(prepared, || prepare::plan(recipe, data)).map_err(wrap)?;
        self.docs.push((entry.to_string(), planned.plan, planned.known));
        Ok((!planned.splices.is_empty()).then_some(planned.splices))
    }

    fn entry(&mut self, entry: &str, kind: EntryKind, _: u64) {
        match kind {
            EntryKind::Unreadable => self.unreadable.push(entry.to_string()),
            EntryKind::Encrypted => self.encrypted.push(entry.to_string()),
            _ => {}
        }
    }

    fn signature(&mut self, files: Vec<String>, removed: bool) {
        if removed {
            self.removed.extend(files.iter().cloned());
        }
        self.signed.extend(files);
    }

    fn note(&mut self, note: Note) {
        self.notes.push(note);
    }
}

impl Planner<'_> {
    /// Every process a target found, with its document's entry path.
    fn found(&self) -> impl Iterator<Item = (&str, &ProcessReport, &crate::report::Found)> {
        self.docs.iter().flat_map(|(entry, plan, _)| {
            plan.report
                .processes
                .iter()
                .filter_map(move |p| p.found.as_ref().map(|f| (entry.as_str(), p, f)))
        })
    }
}

/// Combines the documents' reports into the file's: found processes per
/// entry, absent ones once, ambiguity across entries.
pub(super) fn merge(
    path: &Path,
    kind: FileKind,
    sha256: String,
    recipe: &Recipe,
    planner: Planner<'_>,
) -> Result<FileReport, ArchiveError> {
    if let Some(entry) = planner.encrypted.first() {
        return Err(ArchiveError::Encrypted { entry: entry.clone() });
    }
    let mut absent: Vec<ProcessReport> = Vec::new();
    let known: Vec<(String, crate::Candidate)> = planner
        .docs
        .iter()
        .flat_map(|(entry, _, k)| k.iter().map(move |c| (entry.clone(), c.clone())))
        .collect();
    let claimed: Vec<(String, crate::Position)> = planner
        .found()
        .map(|(entry, _, f)| (entry.to_string(), f.position))
        .collect();
    // Suggestions for an absent process: processes no target found.
    let all_names: Vec<&str> = known
        .iter()
        .filter(|(entry, c)| !claimed.iter().any(|(e, at)| e == entry && *at == c.position))
        .flat_map(|(_, c)| [c.selector.name.as_deref(), c.selector.id.as_deref()])
        .flatten()
        .collect();
    for target in &recipe.processes {
        let selector = target.selector();
        let found: Vec<(String, crate::Candidate)> = planner
            .found()
            .filter(|(_, p, _)| p.target == selector)
            .map(|(entry, _, f)| {
                let candidate = crate::Candidate {
                    selector: f.selector.clone(),
                    position: f.position,
                };
                (entry.to_string(), candidate)
            })
            .collect();
        if found.len() > 1 && !target.all {
            return Err(ArchiveError::AmbiguousProcess {
                target: selector,
                candidates: found,
            });
        }
        if found.is_empty() {
            absent.push(absent_report(target, all_names.iter().copied()));
        }
    }
    let entries: Vec<EntryReport> = planner
        .docs
        .into_iter()
        .filter_map(|(entry, plan, _)| {
            let processes: Vec<ProcessReport> = plan
                .report
                .processes
                .into_iter()
                .filter(|p| p.found.is_some())
                .collect();
            (!processes.is_empty()).then_some(EntryReport {
                entry,
                encoding: plan.report.encoding,
                processes,
            })
        })
        .collect();
    let mut summary = Summary::default();
    let changes = entries
        .iter()
        .flat_map(|e| &e.processes)
        .chain(&absent)
        .flat_map(|p| &p.tasks)
        .flat_map(|t| &t.changes);
    for c in changes {
        summary.count(c.status);
    }
    summary.processes = recipe.processes.len();
    summary.processes_absent = absent.len();
    if entries.is_empty() && !planner.unreadable.is_empty() {
        return Err(ArchiveError::Unreadable {
            entries: planner.unreadable,
        });
    }
    let mut notes = planner.notes;
    if entries.is_empty() {
        // Nothing found, and a nested archive could not be read: its fault
        // is the reason.
        if let Some(n) = notes.iter().find(|n| n.kind == NoteKind::Unread) {
            return Err(ArchiveError::UnreadableNested {
                archive: n.archive.clone(),
                fault: n.message.clone(),
            });
        }
    }
    if !absent.is_empty() {
        let names: Vec<String> = absent.iter().map(|p| p.target.label().to_string()).collect();
        for n in notes.iter_mut().filter(|n| n.kind == NoteKind::Unread) {
            n.message.push_str(&format!(
                "; the recipe's processes not found ({}) may be in it",
                names.join(", ")
            ));
        }
    }
    let absent_refs: Vec<&ProcessReport> = absent.iter().collect();
    crate::plan::check_input(recipe, &absent_refs, !entries.is_empty(), &known, &claimed)?;
    Ok(FileReport {
        path: path.display().to_string(),
        kind,
        sha256,
        output: None,
        entries,
        absent,
        signature: (!planner.signed.is_empty()).then_some(SignatureReport {
            files: planner.signed,
            removed: planner.removed,
            signed: None,
        }),
        unreadable: planner.unreadable,
        notes,
        summary,
    })
}
