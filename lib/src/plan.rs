//! Matching a recipe against a document: which processes and tasks it
//! names, what each `set` entry changes, and the splices that do it.

use crate::bpmn::{Head, Process, Task};
use crate::document::Document;
use crate::error::{Candidate, Error, Selector};
use crate::recipe::{ProcessRecipe, Recipe, TaskRecipe};
use crate::report::{Change, Found, ProcessReport, Report, Status, TaskReport};
use crate::splice::{self, Splice};
use crate::suggest;

/// What a recipe does to one document: the report, and the splices that
/// make the edit. Nothing is written until the splices are applied, and
/// only to the document the plan was made for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// What was found, and each value's old and new state.
    pub report: Report,
    /// The byte edits, in the document's encoding. Empty when nothing changes.
    #[serde(skip)]
    pub splices: Vec<Splice>,
    /// The document the plan was made for.
    #[serde(skip)]
    source: Fingerprint,
}

/// Which bytes a plan was made for: their length and a fast 64-bit hash
/// (a mix-up check, not a security measure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    pub(crate) fn of(bytes: &[u8]) -> Fingerprint {
        use std::hash::Hasher;
        let mut h = rustc_hash::FxHasher::default();
        h.write(bytes);
        Fingerprint {
            len: bytes.len(),
            hash: h.finish(),
        }
    }
}

impl Plan {
    /// The edited document: `original` with the splices applied. When
    /// nothing changes this is a copy of `original`.
    ///
    /// # Errors
    ///
    /// [`Error::WrongDocument`] when `original` is not the document the plan
    /// was made for; [`Error::Internal`] for splices that do not fit (a bug).
    pub fn apply(&self, original: &[u8]) -> Result<Vec<u8>, Error> {
        if Fingerprint::of(original) != self.source {
            return Err(Error::WrongDocument {
                expected: self.source.len,
                found: original.len(),
            });
        }
        splice::apply(original, &self.splices)
    }
}

impl Document<'_> {
    /// Matches `recipe` against this document and plans its edits.
    ///
    /// A process of the recipe that is not here is reported as absent, not
    /// an error (an archive spreads processes over several documents). A
    /// task that is not in a process that was found is an error naming the
    /// closest tasks; so is a target that matches more than one element,
    /// unless the recipe says `all = true`.
    ///
    /// ```
    /// let xml = br#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    ///                            xmlns:activiti="http://activiti.org/bpmn">
    ///   <process id="UsersProcLock" name="Lock user">
    ///     <callActivity id="c1" name="Lock related credentials">
    ///       <extensionElements>
    ///         <activiti:field name="value" expression=""/>
    ///         <activiti:field name="param1" expression=""/>
    ///       </extensionElements>
    ///     </callActivity>
    ///     <callActivity id="c2" name="Load related credentials">
    ///       <extensionElements>
    ///         <activiti:field name="value" expression=""/>
    ///         <activiti:field name="param1" expression=""/>
    ///       </extensionElements>
    ///     </callActivity>
    ///   </process>
    /// </definitions>"#;
    /// let doc = procpatch::Document::parse(xml)?;
    /// let plan = doc.plan(&procpatch::Recipe::builtin())?;
    /// assert_eq!(plan.report.summary.changed, 4);
    /// let patched = plan.apply(xml)?;
    /// // Applying again changes nothing.
    /// let again = procpatch::Document::parse(&patched)?.plan(&procpatch::Recipe::builtin())?;
    /// assert!(again.splices.is_empty());
    /// # Ok::<(), procpatch::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An invalid recipe ([`Error::Recipe`]); a task not found or ambiguous, a
    /// process ambiguous; the errors of [`Editor::set`](crate::Editor::set).
    pub fn plan(&self, recipe: &Recipe) -> Result<Plan, Error> {
        // Recipes built in code are checked here as `from_toml` checks them.
        recipe.validate()?;
        self.plan_valid(recipe)
    }

    /// [`Document::plan`] with a recipe already checked.
    pub(crate) fn plan_valid(&self, recipe: &Recipe) -> Result<Plan, Error> {
        self.plan_checked(recipe, true)
    }

    /// [`Document::plan`] with a recipe already checked (an archive's
    /// thousands of documents share one check), reporting only the
    /// processes found: an archive reports the absent ones once for all its
    /// documents (`archive::planner::merge`), so each document's would be
    /// made, with their suggestions, only to be dropped.
    #[cfg(feature = "archive")]
    pub(crate) fn plan_found(&self, recipe: &Recipe) -> Result<Plan, Error> {
        self.plan_checked(recipe, false)
    }

    /// The plan, with a report for each process not found when
    /// `report_absent`.
    fn plan_checked(&self, recipe: &Recipe, report_absent: bool) -> Result<Plan, Error> {
        // Each target's processes. Only these are read with their tasks: a
        // large document holds thousands of processes, a recipe edits a few.
        let mut found: Vec<Vec<Process>> = Vec::with_capacity(recipe.processes.len());
        for target in &recipe.processes {
            let selector = target.selector();
            let matches: Vec<&Head> = self.heads().iter().filter(|p| selector.matches(&p.selector)).collect();
            if matches.len() > 1 && !target.all {
                return Err(Error::AmbiguousProcess {
                    target: selector,
                    candidates: matches.iter().map(|p| candidate(&p.selector, p.position)).collect(),
                });
            }
            found.push(matches.into_iter().map(|h| self.process(h)).collect());
        }
        let mut editor = self.editor_with(recipe);
        let mut reports = Vec::new();
        for (target, matches) in recipe.processes.iter().zip(&found) {
            let selector = target.selector();
            if matches.is_empty() {
                if report_absent {
                    // Suggestions come once every target has claimed its
                    // process.
                    reports.push(absent_report(target, std::iter::empty()));
                }
                continue;
            }
            for process in matches {
                let mut tasks = Vec::new();
                for task_target in &target.tasks {
                    for task in find_tasks(process, task_target)? {
                        let mut changes = Vec::new();
                        for (key, value) in &task_target.set {
                            changes.push(editor.set(task, key, value)?);
                        }
                        tasks.push(TaskReport {
                            target: task_target.selector(),
                            found: Some(Found {
                                kind: task.kind.clone(),
                                selector: task.selector.clone(),
                                position: task.position,
                            }),
                            changes,
                        });
                    }
                }
                reports.push(ProcessReport {
                    target: selector.clone(),
                    found: Some(Found {
                        kind: "process".into(),
                        selector: process.selector.clone(),
                        position: process.position,
                    }),
                    suggestions: Vec::new(),
                    tasks,
                });
            }
        }
        // An absent process's closest names are those of processes no other
        // target found ("Reactivate user" is no suggestion for an absent
        // "Deactivate user" when the recipe edits it too).
        let claimed: Vec<crate::error::Position> = reports
            .iter()
            .filter_map(|p| p.found.as_ref())
            .map(|f| f.position)
            .collect();
        let unclaimed = || {
            self.heads()
                .iter()
                .filter(|p| !claimed.contains(&p.position))
                .flat_map(|p| [p.selector.name.as_deref(), p.selector.id.as_deref()])
                .flatten()
        };
        let absent_reports = reports.iter_mut().filter(|r| r.found.is_none());
        for (report, target) in absent_reports.zip(
            recipe
                .processes
                .iter()
                .zip(&found)
                .filter(|(_, f)| f.is_empty())
                .map(|(t, _)| t),
        ) {
            *report = absent_report(target, unclaimed());
        }
        let splices = editor.finish()?;
        Ok(Plan {
            report: Report::new(self.charset().name().to_string(), reports),
            splices,
            source: Fingerprint::of(self.bytes()),
        })
    }
}

fn candidate(selector: &Selector, position: crate::error::Position) -> Candidate {
    Candidate {
        selector: selector.clone(),
        position,
    }
}

/// The tasks of `process` that `target` names: one, or all with `all`.
fn find_tasks<'p>(process: &'p Process, target: &TaskRecipe) -> Result<Vec<&'p Task>, Error> {
    let selector = target.selector();
    let matches: Vec<&Task> = process.tasks.iter().filter(|t| selector.matches(&t.selector)).collect();
    match matches.len() {
        0 => {
            let names = process.tasks.iter().filter_map(|t| match &selector.name {
                Some(_) => t.selector.name.as_deref(),
                None => t.selector.id.as_deref(),
            });
            let wanted = selector.name.as_deref().or(selector.id.as_deref()).unwrap_or_default();
            Err(Error::TaskNotFound {
                target: selector.clone(),
                process: process.selector.clone(),
                suggestions: suggest::closest(wanted, names),
            })
        }
        1 => Ok(matches),
        _ if target.all => Ok(matches),
        _ => Err(Error::AmbiguousTask {
            target: selector,
            process: process.selector.clone(),
            candidates: matches.iter().map(|t| candidate(&t.selector, t.position)).collect(),
        }),
    }
}

/// The report for a process found nowhere: every attribute absent, and the
/// closest of `names` (process names and ids) as suggestions.
pub(crate) fn absent_report<'n>(target: &ProcessRecipe, names: impl Iterator<Item = &'n str>) -> ProcessReport {
    let selector = target.selector();
    let wanted = selector.name.as_deref().or(selector.id.as_deref()).unwrap_or_default();
    let suggestions = suggest::closest(wanted, names);
    let tasks = target
        .tasks
        .iter()
        .map(|t| TaskReport {
            target: t.selector(),
            found: None,
            changes: t
                .set
                .iter()
                .map(|(key, value)| Change {
                    key: key.clone(),
                    target: None,
                    form: None,
                    old: None,
                    new: value.clone(),
                    status: Status::Absent,
                    position: None,
                })
                .collect(),
        })
        .collect();
    ProcessReport {
        target: selector,
        found: None,
        suggestions,
        tasks,
    }
}

/// Applies `recipe` to one BPMN document, bytes in, bytes out, for tools
/// that hold XML without an archive.
///
/// Unlike [`Document::plan`], this treats the document as the whole input
/// and applies [`check_found`]. When nothing needs to change, the output
/// equals the input byte for byte.
///
/// ```
/// let xml = br#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
///                            xmlns:activiti="http://activiti.org/bpmn">
///   <process id="UsersProcDeactivate" name="Deactivate user">
///     <callActivity id="c1" name="Deactivate related credentials">
///       <extensionElements>
///         <activiti:field name="value" expression=""/>
///         <activiti:field name="param1" expression=""/>
///       </extensionElements>
///     </callActivity>
///     <callActivity id="c2" name="Load related credentials">
///       <extensionElements>
///         <activiti:field name="value" expression=""/>
///         <activiti:field name="param1" expression=""/>
///       </extensionElements>
///     </callActivity>
///   </process>
/// </definitions>"#;
/// let (patched, report) = procpatch::patch(xml, &procpatch::Recipe::builtin())?;
/// assert_eq!(report.summary.changed, 4);
/// assert_eq!(procpatch::patch(&patched, &procpatch::Recipe::builtin())?.0, patched);
/// # Ok::<(), procpatch::Error>(())
/// ```
///
/// # Errors
///
/// The errors of [`Document::parse`], [`Document::plan`] and [`check_found`].
pub fn patch(bytes: &[u8], recipe: &Recipe) -> Result<(Vec<u8>, Report), Error> {
    recipe.validate()?;
    let doc = Document::parse_for(bytes, recipe)?;
    let plan = doc.plan_valid(recipe)?;
    check_found(&doc, &plan.report, recipe)?;
    let out = plan.apply(bytes)?;
    Ok((out, plan.report))
}

/// The rules for a document planned as the whole input, the same as for a
/// whole archive:
///
/// 1. A recipe process that is absent, while the document holds a process
///    that no target found and whose name or id differs from the target's
///    only by a typo (case, spacing, about one character in eight), is an
///    error naming that process ([`Error::ProcessNotFound`]).
/// 2. When no process of the recipe is found at all, it fails
///    ([`Error::NothingFound`]).
/// 3. With `require_all`, every process must be found
///    ([`Error::MissingProcesses`]).
///
/// # Errors
///
/// [`Error::ProcessNotFound`], [`Error::NothingFound`] or
/// [`Error::MissingProcesses`].
pub fn check_found(doc: &Document<'_>, report: &Report, recipe: &Recipe) -> Result<(), Error> {
    let absent: Vec<&ProcessReport> = report.processes.iter().filter(|p| p.found.is_none()).collect();
    let known: Vec<(String, Candidate)> = doc
        .heads()
        .iter()
        .map(|p| (String::new(), candidate(&p.selector, p.position)))
        .collect();
    let claimed: Vec<(String, crate::error::Position)> = report
        .processes
        .iter()
        .filter_map(|p| p.found.as_ref())
        .map(|f| (String::new(), f.position))
        .collect();
    check_input(recipe, &absent, report.found_any(), &known, &claimed)
}

/// The rules of [`check_found`] for a whole input (a bare document, or
/// every document of an archive), once each document is planned.
///
/// `known` lists every process of the input, `claimed` the ones a target
/// found, each by entry path (empty for a bare document) and position.
pub(crate) fn check_input(
    recipe: &Recipe,
    absent: &[&ProcessReport],
    found_any: bool,
    known: &[(String, Candidate)],
    claimed: &[(String, crate::error::Position)],
) -> Result<(), Error> {
    for p in absent {
        let near: Vec<(String, Candidate)> = known
            .iter()
            .filter(|(entry, c)| !claimed.iter().any(|(e, at)| e == entry && *at == c.position))
            .filter(|(_, c)| is_near(&p.target, &c.selector))
            .cloned()
            .collect();
        if !near.is_empty() {
            return Err(Error::ProcessNotFound {
                target: p.target.clone(),
                suggestions: near,
            });
        }
    }
    let mut suggestions: Vec<String> = Vec::new();
    for s in absent.iter().flat_map(|p| &p.suggestions) {
        if !suggestions.contains(s) {
            suggestions.push(s.clone());
        }
    }
    if !found_any {
        return Err(Error::NothingFound { suggestions });
    }
    if recipe.require_all && !absent.is_empty() {
        return Err(Error::MissingProcesses {
            missing: absent.iter().map(|p| p.target.clone()).collect(),
            suggestions,
        });
    }
    Ok(())
}

/// Whether a process named `found` is what `target` most likely means:
/// its name, or its id, is a typo of the target's.
fn is_near(target: &Selector, found: &Selector) -> bool {
    let typo = |want: &Option<String>, got: &Option<String>| match (want, got) {
        (Some(w), Some(g)) => suggest::is_typo(w, g),
        _ => false,
    };
    typo(&target.name, &found.name) || typo(&target.id, &found.id)
}

#[cfg(all(test, feature = "archive"))]
mod tests {
    use super::*;

    #[test]
    fn a_plan_of_found_processes_leaves_out_the_absent_ones_only() {
        let xml = "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL' \
            xmlns:activiti='http://activiti.org/bpmn'><process id='p' name='Lock user'>\
            <serviceTask id='t' name='Lock related credentials'/></process>\
            <process id='q' name='Lock users'/></definitions>";
        let recipe = Recipe::from_toml(
            "[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Lock related credentials\"\nset = { value = \"x\" }\n\
             [[process]]\nname = \"Lock usr\"\n[[process.task]]\nname = \"T\"\nset = { value = \"y\" }\n",
        )
        .unwrap();
        let doc = Document::parse(xml.as_bytes()).unwrap();
        let all = doc.plan_valid(&recipe).unwrap();
        let found = doc.plan_found(&recipe).unwrap();
        let labels = |p: &Plan| -> Vec<(String, bool)> {
            p.report
                .processes
                .iter()
                .map(|r| (r.target.label().to_string(), r.found.is_some()))
                .collect()
        };
        assert_eq!(
            labels(&all),
            [("Lock user".to_string(), true), ("Lock usr".to_string(), false)]
        );
        // The absent one comes with its suggestions, which an archive would
        // make for nothing: it reports absent processes once, for all its
        // documents.
        assert_eq!(all.report.processes[1].suggestions.len(), 1);
        assert_eq!(labels(&found), [("Lock user".to_string(), true)]);
        assert_eq!(found.splices, all.splices);
    }
}
