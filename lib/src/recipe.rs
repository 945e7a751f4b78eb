//! Recipes: which processes and tasks to edit, and what to set.
//!
//! A recipe is TOML, read with serde:
//!
//! ```toml
//! [labels]                       # optional; added to the built-in labels
//! "data pool" = ["value", "dataPool", "dataPoolName"]
//!
//! [[process]]
//! name = "Deactivate user"       # name and/or id; both must match if given
//! id = "UsersProcDeactivate"
//! # all = true                   # edit every process that matches
//!
//! [[process.task]]
//! name = "Deactivate related credentials"
//! set = { "data pool" = "Batch order", "param2" = "x", "@calledElement" = "y", "@activiti:async" = "false" }
//! ```
//!
//! A key in `set` is a label (mapped to candidate field names), a field name,
//! `@attribute` for an XML attribute of the task element with no namespace,
//! or `@engine:attribute` for an attribute in an engine's namespace.
//!
//! The prefix of `@engine:attribute` is one of `activiti`, `flowable` or
//! `camunda` and names the engine's namespace URI (see [`Engine`]), not a
//! prefix of the document: `@activiti:async` is the attribute `act:async` of
//! a task in whose scope `act` is bound to `http://activiti.org/bpmn`.

use indexmap::IndexMap;

use crate::error::Selector;
use crate::ns::Engine;
use crate::suggest;
use crate::xmlname::{is_ncname, is_qname};

/// The built-in recipe (DESIGN §1) as shipped, in TOML.
pub const BUILTIN_TOML: &str = include_str!("../recipes/shared-credentials.toml");

/// A recipe that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecipeError {
    /// Not valid TOML, or a key the recipe format does not have.
    #[error("{0}")]
    Toml(String),
    /// Valid TOML that does not make a usable recipe.
    #[error("{}{message}", if at.is_empty() { String::new() } else { format!("{at}: ") })]
    Invalid {
        /// Where in the recipe, e.g. `process 2 ("Lock user"), task 1`;
        /// empty for the recipe as a whole.
        at: String,
        /// What is wrong.
        message: String,
    },
}

/// What to edit: processes, their tasks, and the values to set.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Recipe {
    /// What the recipe is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fail unless every process of the recipe is found.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_all: bool,
    /// The engine namespace to declare when a field must be inserted into a
    /// document that binds none. Defaults to Activiti. (An `@engine:name`
    /// attribute declares its own engine's namespace when it must.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    /// Label → candidate field names, added to (and overriding) the built-in
    /// labels.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, Vec<String>>,
    /// The processes to edit.
    #[serde(default, rename = "process")]
    pub processes: Vec<ProcessRecipe>,
}

/// A process to edit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProcessRecipe {
    /// The process `name`, as Admin lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The process `id` (symbolic name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Edit every matching process instead of refusing more than one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// The tasks to edit.
    #[serde(default, rename = "task")]
    pub tasks: Vec<TaskRecipe>,
}

/// A task to edit, and what to set on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TaskRecipe {
    /// The task `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The task `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Edit every matching task instead of refusing more than one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// Key → value, in order.
    pub set: IndexMap<String, String>,
}

/// What a `set` key addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    /// An XML attribute of the task element: with no namespace, or in an
    /// engine's namespace.
    Attribute {
        /// The engine whose namespace the attribute is in; `None` for an
        /// attribute with no namespace.
        engine: Option<Engine>,
        /// The local name.
        name: String,
    },
    /// A field, by candidate names: the first present is edited, the first
    /// is inserted if none is.
    Field(Vec<String>),
}

impl Recipe {
    /// An empty recipe, to build in code: add processes with
    /// [`Recipe::with_process`]. It is checked ([`Recipe::validate`]) where
    /// it is used.
    ///
    /// ```
    /// use procpatch::{ProcessRecipe, Recipe, TaskRecipe};
    ///
    /// let recipe = Recipe::new().with_process(
    ///     ProcessRecipe::named("Lock user")
    ///         .with_task(TaskRecipe::named("Lock related credentials").setting("data pool", "Batch order")),
    /// );
    /// assert!(recipe.validate().is_ok());
    /// ```
    pub fn new() -> Recipe {
        Recipe::default()
    }

    /// Adds a process.
    pub fn with_process(mut self, process: ProcessRecipe) -> Recipe {
        self.processes.push(process);
        self
    }

    /// Maps `label` to the field names that may carry it.
    pub fn with_label(mut self, label: impl Into<String>, fields: &[&str]) -> Recipe {
        self.labels
            .insert(label.into(), fields.iter().map(|f| f.to_string()).collect());
        self
    }

    /// Whether every process must be found.
    pub fn requiring_all(mut self, all: bool) -> Recipe {
        self.require_all = all;
        self
    }

    /// The engine whose namespace is declared when a field must be inserted
    /// into a document that binds none.
    pub fn with_engine(mut self, engine: Engine) -> Recipe {
        self.engine = Some(engine);
        self
    }
}

impl ProcessRecipe {
    /// A process named `name` (as Identity Manager Admin lists it).
    pub fn named(name: impl Into<String>) -> ProcessRecipe {
        ProcessRecipe {
            name: Some(name.into()),
            ..ProcessRecipe::default()
        }
    }

    /// A process with the symbolic name (id) `id`.
    pub fn by_id(id: impl Into<String>) -> ProcessRecipe {
        ProcessRecipe {
            id: Some(id.into()),
            ..ProcessRecipe::default()
        }
    }

    /// Also requires the id `id`.
    pub fn with_id(mut self, id: impl Into<String>) -> ProcessRecipe {
        self.id = Some(id.into());
        self
    }

    /// Whether every matching process is edited (else more than one is an
    /// error).
    pub fn matching_all(mut self, all: bool) -> ProcessRecipe {
        self.all = all;
        self
    }

    /// Adds a task.
    pub fn with_task(mut self, task: TaskRecipe) -> ProcessRecipe {
        self.tasks.push(task);
        self
    }

    /// The process's name and id as a selector.
    pub fn selector(&self) -> Selector {
        Selector {
            name: self.name.clone(),
            id: self.id.clone(),
        }
    }
}

impl TaskRecipe {
    /// A task named `name`.
    pub fn named(name: impl Into<String>) -> TaskRecipe {
        TaskRecipe {
            name: Some(name.into()),
            ..TaskRecipe::default()
        }
    }

    /// A task with id `id`.
    pub fn by_id(id: impl Into<String>) -> TaskRecipe {
        TaskRecipe {
            id: Some(id.into()),
            ..TaskRecipe::default()
        }
    }

    /// Also requires the id `id`.
    pub fn with_id(mut self, id: impl Into<String>) -> TaskRecipe {
        self.id = Some(id.into());
        self
    }

    /// Whether every matching task is edited (else more than one is an
    /// error).
    pub fn matching_all(mut self, all: bool) -> TaskRecipe {
        self.all = all;
        self
    }

    /// Sets `key` (a label, a field name, `@attribute` or
    /// `@engine:attribute`) to `value`.
    pub fn setting(mut self, key: impl Into<String>, value: impl Into<String>) -> TaskRecipe {
        self.set.insert(key.into(), value.into());
        self
    }

    /// The task's name and id as a selector.
    pub fn selector(&self) -> Selector {
        Selector {
            name: self.name.clone(),
            id: self.id.clone(),
        }
    }
}

impl Recipe {
    /// The built-in recipe: the Shared credentials start-up edits of
    /// DESIGN §1, with the built-in labels.
    ///
    /// ```
    /// let recipe = procpatch::Recipe::builtin();
    /// assert_eq!(recipe.processes.len(), 3);
    /// ```
    pub fn builtin() -> Recipe {
        // The embedded file is checked by a unit test; an empty recipe here
        // would only mean that test failed, and keeps this free of panics.
        Recipe::from_toml(BUILTIN_TOML).unwrap_or_default()
    }

    /// Reads and checks a recipe in TOML.
    ///
    /// ```
    /// let recipe = procpatch::Recipe::from_toml(r#"
    ///     [[process]]
    ///     name = "Lock user"
    ///     [[process.task]]
    ///     name = "Lock related credentials"
    ///     set = { "data pool" = "Batch order" }
    /// "#)?;
    /// assert_eq!(recipe.processes[0].tasks[0].set["data pool"], "Batch order");
    /// # Ok::<(), procpatch::RecipeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`RecipeError::Toml`] for TOML that does not read as a recipe,
    /// [`RecipeError::Invalid`] for one that does not make sense (see
    /// [`Recipe::validate`]).
    pub fn from_toml(text: &str) -> Result<Recipe, RecipeError> {
        let recipe: Recipe = toml::from_str(text).map_err(|e| RecipeError::Toml(e.to_string()))?;
        recipe.validate()?;
        Ok(recipe)
    }

    /// The recipe as TOML.
    ///
    /// # Errors
    ///
    /// [`RecipeError::Toml`] if serialising fails.
    pub fn to_toml(&self) -> Result<String, RecipeError> {
        toml::to_string_pretty(self).map_err(|e| RecipeError::Toml(e.to_string()))
    }

    /// Checks what serde cannot: every process and task is named, every
    /// `set` key means something, every label names fields.
    ///
    /// [`Recipe::from_toml`] calls it; a recipe built in code is checked by
    /// every function that uses one ([`Document::plan`](crate::Document::plan),
    /// [`patch`](crate::patch) and the archive functions), so calling it
    /// yourself only brings the error forward.
    ///
    /// # Errors
    ///
    /// [`RecipeError::Invalid`], saying where and what.
    pub fn validate(&self) -> Result<(), RecipeError> {
        let invalid = |at: String, message: String| Err(RecipeError::Invalid { at, message });
        for (label, names) in &self.labels {
            if names.is_empty() || names.iter().any(|n| !is_qname(n)) {
                return invalid(
                    format!("labels.\"{label}\""),
                    "must list one or more field names (XML names, no spaces)".into(),
                );
            }
        }
        if self.processes.is_empty() {
            return invalid(String::new(), "has no [[process]]".into());
        }
        for (pi, p) in self.processes.iter().enumerate() {
            let pat = format!("process {} ({})", pi + 1, p.selector());
            if unnamed(&p.name, &p.id) {
                return invalid(format!("process {}", pi + 1), "needs a name or an id".into());
            }
            if p.tasks.is_empty() {
                return invalid(pat, "has no [[process.task]]".into());
            }
            for (ti, t) in p.tasks.iter().enumerate() {
                let tat = format!("{pat}, task {} ({})", ti + 1, t.selector());
                if unnamed(&t.name, &t.id) {
                    return invalid(format!("{pat}, task {}", ti + 1), "needs a name or an id".into());
                }
                if t.set.is_empty() {
                    return invalid(tat, "`set` is empty".into());
                }
                for key in t.set.keys() {
                    if let Err(message) = self.key(key) {
                        return invalid(tat, message);
                    }
                }
            }
        }
        Ok(())
    }

    /// What `key` addresses: `@attr`, `@engine:attr`, a label, or a field
    /// name.
    pub(crate) fn key(&self, key: &str) -> Result<Key, String> {
        if let Some(attr) = key.strip_prefix('@') {
            return attribute_key(key, attr);
        }
        let folded = suggest::fold(key);
        let labels = self.labels();
        if let Some((_, names)) = labels.iter().find(|(l, _)| suggest::fold(l) == folded) {
            return Ok(Key::Field(names.clone()));
        }
        if is_ncname(key) {
            return Ok(Key::Field(vec![key.to_string()]));
        }
        let labels: Vec<&str> = labels.iter().map(|(l, _)| l.as_str()).collect();
        let hint = match suggest::closest(key, labels.iter().copied()).first() {
            Some(best) => format!("; did you mean \"{best}\"?"),
            None => format!(
                "; known labels: {}",
                labels.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
            ),
        };
        Err(format!("\"{key}\" is neither a label nor a field name{hint}"))
    }

    /// The labels in force, label → candidate field names: this recipe's
    /// own, then the built-in ones it does not redefine.
    pub fn labels(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = self.labels.iter().map(|(l, n)| (l.clone(), n.clone())).collect();
        for (label, names) in BUILTIN_LABELS {
            if !out.iter().any(|(l, _)| suggest::fold(l) == *label) {
                out.push((label.to_string(), names.iter().map(ToString::to_string).collect()));
            }
        }
        out
    }
}

/// `@attr` or `@engine:attr` (`key` is the whole key, `attr` what follows
/// the `@`).
fn attribute_key(key: &str, attr: &str) -> Result<Key, String> {
    let (prefix, name) = match attr.split_once(':') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, attr),
    };
    if attr == "xmlns" || prefix == Some("xmlns") {
        return Err(format!(
            "\"{key}\": namespace declarations cannot be set; `@engine:name` names the engine's namespace \
             whatever prefix the document binds, and procpatch declares one when it must"
        ));
    }
    if !is_ncname(name) || prefix.is_some_and(|p| !is_ncname(p)) {
        return Err(format!(
            "\"{key}\": `@` must be followed by an attribute name, with no prefix (`@calledElement`) \
             or with an engine prefix (`@activiti:async`)"
        ));
    }
    let Some(prefix) = prefix else {
        return Ok(Key::Attribute {
            engine: None,
            name: name.to_string(),
        });
    };
    match Engine::ALL.into_iter().find(|e| e.conventional_prefix() == prefix) {
        Some(engine) => Ok(Key::Attribute {
            engine: Some(engine),
            name: name.to_string(),
        }),
        None => {
            let known = Engine::ALL.map(Engine::conventional_prefix);
            let hint = match suggest::closest(prefix, known).first() {
                Some(best) => format!("did you mean \"@{best}:{name}\"?"),
                None => format!(
                    "known: {} (each names its engine's namespace, whatever prefix the document binds to it)",
                    known.map(|p| format!("\"{p}\"")).join(", ")
                ),
            };
            Err(format!("\"{key}\": \"{prefix}\" is not an engine prefix; {hint}"))
        }
    }
}

/// Whether neither a name nor an id is given (an empty one counts as none).
fn unnamed(name: &Option<String>, id: &Option<String>) -> bool {
    name.as_deref().is_none_or(str::is_empty) && id.as_deref().is_none_or(str::is_empty)
}

/// The built-in labels (DESIGN §2).
const BUILTIN_LABELS: &[(&str, &[&str])] = &[
    ("data pool", &["value", "dataPool", "dataPoolName"]),
    ("sub-process", &["param1", "subProcess"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_recipe_parses_with_twelve_values() {
        let r = Recipe::from_toml(BUILTIN_TOML).unwrap();
        let values: usize = r.processes.iter().flat_map(|p| &p.tasks).map(|t| t.set.len()).sum();
        assert_eq!(values, 12);
        assert_eq!(r, Recipe::builtin());
    }

    #[test]
    fn keys_resolve_to_labels_fields_and_attributes() {
        let r = Recipe::builtin();
        assert_eq!(
            r.key("Data  Pool"),
            Ok(Key::Field(vec![
                "value".into(),
                "dataPool".into(),
                "dataPoolName".into()
            ]))
        );
        assert_eq!(r.key("param2"), Ok(Key::Field(vec!["param2".into()])));
        assert_eq!(
            r.key("@calledElement"),
            Ok(Key::Attribute {
                engine: None,
                name: "calledElement".into()
            })
        );
        assert_eq!(
            r.key("@camunda:asyncBefore"),
            Ok(Key::Attribute {
                engine: Some(Engine::Camunda),
                name: "asyncBefore".into()
            })
        );
        assert_eq!(
            r.key("data pol").unwrap_err(),
            "\"data pol\" is neither a label nor a field name; did you mean \"data pool\"?"
        );
    }

    #[test]
    fn attribute_keys_name_engines_by_their_conventional_prefix() {
        let r = Recipe::builtin();
        for (key, engine) in [
            ("@activiti:async", Engine::Activiti),
            ("@flowable:delegateExpression", Engine::Flowable),
            ("@camunda:asyncBefore", Engine::Camunda),
        ] {
            let expected = Key::Attribute {
                engine: Some(engine),
                name: key.rsplit(':').next().unwrap().to_string(),
            };
            assert_eq!(r.key(key), Ok(expected));
        }
        // A document's own prefix is not a recipe's.
        assert_eq!(
            r.key("@act:async").unwrap_err(),
            "\"@act:async\": \"act\" is not an engine prefix; known: \"activiti\", \"flowable\", \"camunda\" \
             (each names its engine's namespace, whatever prefix the document binds to it)"
        );
        assert_eq!(
            r.key("@flowble:async").unwrap_err(),
            "\"@flowble:async\": \"flowble\" is not an engine prefix; did you mean \"@flowable:async\"?"
        );
        assert!(r
            .key("@xmlns:activiti")
            .unwrap_err()
            .contains("namespace declarations cannot be set"));
        assert!(r
            .key("@xmlns")
            .unwrap_err()
            .contains("namespace declarations cannot be set"));
        for bad in ["@", "@activiti:", "@:async", "@a:b:c", "@activiti:a b"] {
            assert!(r.key(bad).unwrap_err().contains("`@` must be followed by"), "{bad}");
        }
    }

    #[test]
    fn own_labels_override_builtin_ones() {
        let r = Recipe::from_toml(
            "[labels]\n\"Data pool\" = [\"pool\"]\n[[process]]\nid = \"p\"\n[[process.task]]\nid = \"t\"\nset = { \"data pool\" = \"x\" }\n",
        )
        .unwrap();
        assert_eq!(r.key("data pool"), Ok(Key::Field(vec!["pool".into()])));
    }

    #[test]
    fn set_keeps_the_order_of_the_file() {
        let r = Recipe::from_toml(
            "[[process]]\nid = \"p\"\n[[process.task]]\nid = \"t\"\nset = { \"sub-process\" = \"b\", \"data pool\" = \"a\", z = \"1\", m = \"2\" }\n",
        )
        .unwrap();
        let keys: Vec<&str> = r.processes[0].tasks[0].set.keys().map(String::as_str).collect();
        assert_eq!(keys, ["sub-process", "data pool", "z", "m"]);
    }

    #[test]
    fn unknown_recipe_keys_are_refused() {
        let err = Recipe::from_toml("[[process]]\nnam = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `nam`"), "{err}");
    }
}
