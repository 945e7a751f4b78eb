//! The work on a document that needs nothing but its bytes (and the
//! recipe): parsing, planning, reading its processes. It is most of the
//! cost of an export of many small documents, so it is done wherever a
//! core is free: on the walk's thread, or on the thread reading ahead
//! (`ahead`) when the walk already has entries waiting. Either way the
//! result reaches the walk's visitor in entry order, so what a visitor
//! sees, faults included, does not depend on where its documents were
//! prepared.

use std::any::Any;

use crate::document::Document;
use crate::plan::Plan;
use crate::recipe::Recipe;
use crate::splice::Splice;
use crate::{Candidate, Process};

/// A document's prepared result, of the type its preparer makes.
pub(crate) type Prepared = Box<dyn Any + Send>;

/// Prepares documents; shared with the thread reading ahead.
pub(crate) trait Prepare: Sync {
    /// The result for one document's bytes.
    fn prepare(&self, data: &[u8]) -> Prepared;
}

/// The prepared value of type `T`, or `f`'s when there is none.
pub(crate) fn take<T: 'static>(prepared: Option<Prepared>, f: impl FnOnce() -> T) -> T {
    ready(prepared).unwrap_or_else(f)
}

/// The prepared value, if there is one of type `T`.
pub(crate) fn ready<T: 'static>(prepared: Option<Prepared>) -> Option<T> {
    prepared.and_then(|p| p.downcast::<T>().ok()).map(|done| *done)
}

/// A document planned with a recipe.
#[derive(Debug)]
pub(crate) struct Planned {
    /// The plan, its splices taken out.
    pub plan: Plan,
    /// The splices, checked against the document's length.
    pub splices: Vec<Splice>,
    /// The document's processes, for the whole-input rules.
    pub known: Vec<Candidate>,
}

/// Parses `data` and plans `recipe` on it. The recipe has been checked
/// ([`Recipe::validate`]) before the walk.
pub(crate) fn plan(recipe: &Recipe, data: &[u8]) -> Result<Planned, crate::Error> {
    let doc = Document::parse_for(data, recipe)?;
    // The archive reports absent processes once, for all its documents.
    let mut plan = doc.plan_found(recipe)?;
    let known = doc
        .heads()
        .iter()
        .map(|p| Candidate {
            selector: p.selector.clone(),
            position: p.position,
        })
        .collect();
    // The parse goes before anything is made of the splices.
    drop(doc);
    let splices = std::mem::take(&mut plan.splices);
    crate::splice::check(data.len(), &splices)?;
    Ok(Planned { plan, splices, known })
}

impl Prepare for Recipe {
    fn prepare(&self, data: &[u8]) -> Prepared {
        Box::new(plan(self, data))
    }
}

/// What `inspect` reports of a document.
#[derive(Debug)]
pub(crate) struct Inspected {
    /// Its encoding, when it parses.
    pub encoding: Option<String>,
    /// Its processes.
    pub processes: Vec<Process>,
    /// Why it does not parse.
    pub error: Option<String>,
}

/// Parses `data` for `inspect`: a document that does not parse is
/// reported, not refused.
pub(crate) fn inspect(data: &[u8]) -> Inspected {
    let parsed = Document::parse(data);
    let mut found = parse_of(&parsed);
    if let Ok(doc) = parsed {
        found.processes = doc.into_processes();
    }
    found
}

/// What `inspect` reports of a document's parse, its processes aside: its
/// encoding, or why it does not parse.
pub(crate) fn parse_of(parsed: &Result<Document<'_>, crate::Error>) -> Inspected {
    match parsed {
        Ok(doc) => Inspected {
            encoding: Some(doc.charset().name().to_string()),
            processes: Vec::new(),
            error: None,
        },
        Err(e) => Inspected {
            encoding: None,
            processes: Vec::new(),
            error: Some(e.to_string()),
        },
    }
}

/// The preparer of `inspect`.
#[derive(Debug)]
pub(crate) struct Inspect;

impl Prepare for Inspect {
    fn prepare(&self, data: &[u8]) -> Prepared {
        Box::new(inspect(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepared_value_is_taken_and_a_missing_or_foreign_one_is_made() {
        assert_eq!(take(Some(Box::new(7u32)), || 1u32), 7);
        assert_eq!(take::<u32>(None, || 1), 1);
        assert_eq!(take(Some(Box::new("other type")), || 1u32), 1);
    }
}
