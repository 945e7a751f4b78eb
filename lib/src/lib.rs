//! # procpatch
//!
//! Sets task attributes in BPMN 2.0 process definitions — for example the
//! "data pool" and "sub-process" of Nexus Smart ID Identity Manager's
//! batch-order tasks — by editing the XML in place, so that **nothing
//! changes but what was asked**.
//!
//! A [`Document`] keeps the original bytes. Parsing records where every
//! process, task and value is; an edit is a list of [`Splice`]s (byte range,
//! replacement) applied to the original bytes. XML is never re-serialised:
//! the declaration, encoding, BOM, line endings, indentation, comments,
//! CDATA, attribute order and quotes, and namespace prefixes all stay as
//! they were.
//!
//! ```
//! use procpatch::{Document, Recipe, Status};
//!
//! let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
//! <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
//!              xmlns:activiti="http://activiti.org/bpmn">
//!   <process id="UsersProcLock" name="Lock user">
//!     <callActivity id="ca1" name="Lock related credentials" calledElement="${processToCall}">
//!       <extensionElements>
//!         <activiti:field name="value" expression=""/>
//!         <activiti:field name="param1" expression=""/>
//!       </extensionElements>
//!     </callActivity>
//!     <callActivity id="ca2" name="Load related credentials" calledElement="${processToCall}"/>
//!   </process>
//! </definitions>"#;
//!
//! let doc = Document::parse(xml)?;
//! let plan = doc.plan(&Recipe::builtin())?;
//! let patched = plan.apply(xml)?;
//!
//! let text = String::from_utf8(patched.clone()).unwrap();
//! assert!(text.contains(r#"<activiti:field name="value" expression="Batch order"/>"#));
//! assert!(text.contains(r#"<activiti:field name="param1" expression="set credential status"/>"#));
//! // "Load related credentials" had no fields: they are inserted.
//! assert_eq!(plan.report.summary.inserted, 2);
//! // Deactivate and Reactivate user are not in this document.
//! assert_eq!(plan.report.summary.absent, 8);
//!
//! // Applying the recipe to its own output changes nothing.
//! let again = Document::parse(&patched)?.plan(&Recipe::builtin())?;
//! assert!(again.report.changes().all(|(_, _, c)| matches!(c.status, Status::AlreadySet | Status::Absent)));
//! assert_eq!(again.apply(&patched)?, patched);
//! # Ok::<(), procpatch::Error>(())
//! ```
//!
//! ## The data's way
//!
//! bytes → [`Charset`] detection and decoding → element tree with spans →
//! BPMN model ([`Process`], [`Task`], [`Field`]) → recipe matching
//! ([`Document::plan`]) or direct edits ([`Editor`]) → [`Splice`]s →
//! [`apply`] → bytes.
//!
//! ## Threads
//!
//! A large document (256 KiB or more) is parsed in parts side by side, and
//! an edited entry of an archive deflated in pieces, on rayon's thread
//! pool: the global one, or the one the caller runs in
//! (`ThreadPool::install`). A pool of one thread does the same work on
//! that thread, with the same result.
#![deny(missing_docs)]
#![warn(clippy::missing_errors_doc)]
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

#[cfg(feature = "archive")]
pub mod archive;
mod bpmn;
mod charset;
pub mod diagram;
mod document;
mod editor;
mod error;
mod escape;
mod insert;
mod ns;
mod plan;
mod recipe;
pub mod render;
mod report;
mod selector;
mod splice;
mod suggest;
mod threads;
mod tree;
mod xmlname;

/// Checks the fuzz targets and their regression tests run on private
/// parts of the crate; not part of its API, and may change at any time.
#[doc(hidden)]
pub mod __fuzz {
    /// Whether reading `text` in `parts` parts (cut where a large document
    /// would be) gives the tree, or the error, of one reading.
    pub fn parts_agree(text: &str, parts: usize) -> bool {
        crate::tree::parts_agree(text, parts)
    }
}

pub use bpmn::{Field, Form, Process, Task, XmlAttribute};
pub use charset::Charset;
pub use document::{is_bpmn, Document};
pub use editor::Editor;
/// The encodings of [`Charset::Other`].
pub use encoding_rs::Encoding;
pub use error::{Error, Position};
/// The ordered map of [`Recipe::labels`] and [`TaskRecipe::set`].
pub use indexmap::IndexMap;
pub use ns::{Engine, BPMN_MODEL};
pub use plan::{check_found, patch, Plan};
pub use recipe::{ProcessRecipe, Recipe, RecipeError, TaskRecipe, BUILTIN_TOML};
pub use report::{show_value, Change, Found, ProcessReport, Report, Status, Summary, TaskReport};
pub use selector::{Candidate, Selector};
pub use splice::{apply, Splice};
