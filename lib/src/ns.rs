//! Namespace URIs and the BPMN vocabulary procpatch reads.
//!
//! Everything is matched by namespace URI, never by prefix.

/// The BPMN 2.0 model namespace.
pub const BPMN_MODEL: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

/// The flow nodes that are tasks (`docs/BRIEF.md`, The archive model), by
/// local name.
pub(crate) const TASK_KINDS: &[&str] = &[
    "serviceTask",
    "callActivity",
    "userTask",
    "scriptTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "manualTask",
    "task",
    "subProcess",
];

/// A process engine whose extension namespace carries field extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Activiti (`http://activiti.org/bpmn`), read by Identity Manager
    /// before 5.0.1 and by Flowable too.
    Activiti,
    /// Flowable (`http://flowable.org/bpmn`), Identity Manager 5.0.1 on.
    Flowable,
    /// Camunda (`http://camunda.org/schema/1.0/bpmn`).
    Camunda,
}

impl Engine {
    /// All engines, in the order procpatch prefers them.
    pub const ALL: [Engine; 3] = [Engine::Activiti, Engine::Flowable, Engine::Camunda];

    /// The engine's namespace URI.
    pub fn namespace(self) -> &'static str {
        match self {
            Engine::Activiti => "http://activiti.org/bpmn",
            Engine::Flowable => "http://flowable.org/bpmn",
            Engine::Camunda => "http://camunda.org/schema/1.0/bpmn",
        }
    }

    /// The engine whose namespace is `uri`.
    pub fn from_namespace(uri: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.namespace() == uri)
    }

    /// The conventional prefix, used when a document declares none.
    pub fn conventional_prefix(self) -> &'static str {
        match self {
            Engine::Activiti => "activiti",
            Engine::Flowable => "flowable",
            Engine::Camunda => "camunda",
        }
    }
}
