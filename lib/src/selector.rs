//! How a recipe names a process or task, and how matches are listed.

use std::fmt;

use crate::error::Position;

/// A process or task as a recipe names it: by name, by id, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Selector {
    /// The `name` attribute (what Identity Manager Admin lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `id` attribute (the symbolic name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.id) {
            (Some(name), Some(id)) => write!(f, "\"{name}\" (id {id})"),
            (Some(name), None) => write!(f, "\"{name}\""),
            (None, Some(id)) => write!(f, "id {id}"),
            (None, None) => f.write_str("(unnamed)"),
        }
    }
}

/// One of several elements that matched a target, for ambiguity errors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    /// The element's name and id.
    pub selector: Selector,
    /// Where its start tag begins.
    pub position: Position,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.selector, self.position)
    }
}

impl Selector {
    /// The name, or else the id, unquoted: how a report names an element.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("(unnamed)")
    }

    /// Whether an element named `other` matches: every part this selector
    /// gives must be equal.
    pub fn matches(&self, other: &Selector) -> bool {
        self.name.as_ref().is_none_or(|n| other.name.as_ref() == Some(n))
            && self.id.as_ref().is_none_or(|i| other.id.as_ref() == Some(i))
    }
}
