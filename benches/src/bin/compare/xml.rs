//! The BPMN text of the workloads: the three user processes exactly as the
//! vendor fixtures hold them, and filler processes around them.

use std::fmt::Write as _;

use anyhow::{anyhow, Result};

/// The vendor fixtures (`testdata/bpmn/vendor/`): the three user processes
/// the built-in recipe edits, twelve values in all, in the vendor's style
/// (`<activiti:field name="value" expression=""></activiti:field>`).
pub const VENDOR: [(&str, &str); 3] = [
    (
        "UsersProcDeactivate.bpmn20.xml",
        include_str!("../../../../testdata/bpmn/vendor/UsersProcDeactivate.bpmn20.xml"),
    ),
    (
        "UsersProcReactivate.bpmn20.xml",
        include_str!("../../../../testdata/bpmn/vendor/UsersProcReactivate.bpmn20.xml"),
    ),
    (
        "UsersProcLock.bpmn20.xml",
        include_str!("../../../../testdata/bpmn/vendor/UsersProcLock.bpmn20.xml"),
    ),
];

/// The end of every document.
pub const FOOTER: &str = "</definitions>\n";

/// A vendor file cut into the pieces a large document is built from.
#[derive(Debug, Clone, Copy)]
pub struct VendorParts {
    /// The XML declaration and the `<definitions>` start tag, with its
    /// namespace declarations.
    pub header: &'static str,
    /// The `<process>` element, indented, with its final newline.
    pub process: &'static str,
    /// The `<bpmndi:BPMNDiagram>` element, indented, with its final newline.
    pub diagram: &'static str,
}

/// Cuts a vendor file at its `<process>` and `<bpmndi:BPMNDiagram>`
/// elements.
pub fn vendor_parts(text: &'static str) -> Result<VendorParts> {
    let process_at = text
        .find("  <process ")
        .ok_or_else(|| anyhow!("vendor fixture without <process>"))?;
    let diagram_at = text
        .find("  <bpmndi:BPMNDiagram")
        .ok_or_else(|| anyhow!("vendor fixture without <bpmndi:BPMNDiagram>"))?;
    let end_at = text
        .find(FOOTER)
        .ok_or_else(|| anyhow!("vendor fixture without </definitions>"))?;
    let piece = |from: usize, to: usize| text.get(from..to).ok_or_else(|| anyhow!("vendor fixture out of order"));
    Ok(VendorParts {
        header: piece(0, process_at)?,
        process: piece(process_at, diagram_at)?,
        diagram: piece(diagram_at, end_at)?,
    })
}

/// The three vendor files, cut.
pub fn vendor_all() -> Result<[VendorParts; 3]> {
    let [a, b, c] = VENDOR;
    Ok([vendor_parts(a.1)?, vendor_parts(b.1)?, vendor_parts(c.1)?])
}

/// Deterministic pseudo-random numbers: xorshift64* (Vigna, 2016).
///
/// The workloads must be the same bytes on every machine, in every run and
/// with every version of the harness's dependencies, so that timings from
/// different days compare. A crate's generator promises no stable stream
/// across versions; these ten lines do, and they are fast enough to fill
/// hundreds of megabytes of incompressible blobs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one workload; distinct seeds give distinct streams.
    pub fn new(seed: u64) -> Self {
        // Never zero: zero is xorshift's fixed point.
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0); the modulo bias is irrelevant
    /// here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let at = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(at).copied().unwrap_or("")
    }

    /// Fills `buf` with random bytes (incompressible).
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            for (byte, random) in chunk.iter_mut().zip(self.next_u64().to_le_bytes()) {
                *byte = random;
            }
        }
    }
}

const VERBS: &[&str] = &[
    "Approve", "Archive", "Check", "Load", "Notify", "Order", "Print", "Renew", "Revoke", "Sync", "Update", "Validate",
];
const NOUNS: &[&str] = &[
    "card",
    "certificate",
    "device",
    "group",
    "request",
    "role",
    "token",
    "badge",
    "account",
];
const POOLS: &[&str] = &[
    "Users",
    "Cards",
    "Requests",
    "Batch order",
    "Audit",
    "Devices",
    "Groups",
    "Tokens",
];
const GROUPS: &[&str] = &["admins", "helpdesk", "security", "hr", "operators", "auditors"];
const WORDS: &[&str] = &[
    "the",
    "card",
    "holder",
    "is",
    "notified",
    "when",
    "a",
    "request",
    "expires",
    "and",
    "the",
    "certificate",
    "authority",
    "signs",
    "again",
    "after",
    "approval",
    "by",
    "two",
    "operators",
    "batch",
    "order",
    "status",
];

/// A filler process and its diagram, in the vendor's layout and style, with
/// names, values and coordinates varied so that the document compresses
/// like a real export (about 10:1), not like a repeated template.
pub fn filler(n: u64, rng: &mut Rng, with_diagram: bool) -> (String, String) {
    let id = format!("Filler{n:06}");
    let mut p = String::with_capacity(3000);
    let verb = rng.pick(VERBS);
    let noun = rng.pick(NOUNS);
    let _ = writeln!(
        p,
        r#"  <process id="{id}" name="{verb} {noun} {n}" isExecutable="true">"#
    );
    let _ = write!(p, "    <documentation>");
    for _ in 0..rng.range(6, 24) {
        let _ = write!(p, "{} ", rng.pick(WORDS));
    }
    let _ = writeln!(p, "({n}).</documentation>");
    let _ = writeln!(p, r#"    <startEvent id="f{n}s" name="Start"/>"#);
    let tasks = rng.range(2, 6);
    let mut nodes = vec![format!("f{n}s")];
    for k in 1..=tasks {
        let task = format!("f{n}t{k}");
        let noun = rng.pick(NOUNS);
        match rng.below(3) {
            0 => {
                let _ = writeln!(
                    p,
                    r#"    <serviceTask id="{task}" name="{} {noun} {k}" activiti:delegateExpression="${{primeTask}}">"#,
                    rng.pick(VERBS)
                );
                let _ = writeln!(p, "      <extensionElements>");
                let _ = writeln!(
                    p,
                    r#"        <activiti:field name="value" expression="{}"></activiti:field>"#,
                    rng.pick(POOLS)
                );
                let _ = writeln!(
                    p,
                    r#"        <activiti:field name="param1" expression="{} {noun} {}"></activiti:field>"#,
                    rng.pick(VERBS).to_lowercase(),
                    rng.below(10_000)
                );
                let _ = writeln!(p, "      </extensionElements>\n    </serviceTask>");
            }
            1 => {
                let _ = writeln!(
                    p,
                    r#"    <callActivity id="{task}" name="{} related {noun}s" calledElement="${{processToCall}}">"#,
                    rng.pick(VERBS)
                );
                let _ = writeln!(p, "      <extensionElements>");
                let _ = writeln!(
                    p,
                    r#"        <activiti:field name="value" expression="{}"></activiti:field>"#,
                    rng.pick(POOLS)
                );
                let _ = writeln!(
                    p,
                    r#"        <activiti:field name="param1" expression="{} {noun}(s)"></activiti:field>"#,
                    rng.pick(VERBS).to_lowercase()
                );
                let _ = writeln!(
                    p,
                    r#"        <activiti:field name="param2" expression="hideProgressPopup"></activiti:field>"#
                );
                let _ = writeln!(
                    p,
                    r#"        <activiti:in source="{noun}Id{}" target="{noun}Id"/>"#,
                    rng.below(100)
                );
                let _ = writeln!(p, "      </extensionElements>\n    </callActivity>");
            }
            _ => {
                let _ = writeln!(
                    p,
                    r#"    <userTask id="{task}" name="{} {noun} {}" activiti:candidateGroups="{}">"#,
                    rng.pick(VERBS),
                    rng.below(1000),
                    rng.pick(GROUPS)
                );
                let _ = writeln!(
                    p,
                    "      <documentation>{} &amp; {} the {noun}.</documentation>\n    </userTask>",
                    rng.pick(VERBS),
                    rng.pick(VERBS).to_lowercase()
                );
            }
        }
        nodes.push(task);
    }
    nodes.push(format!("f{n}e"));
    let _ = writeln!(p, r#"    <endEvent id="f{n}e" name="End"/>"#);
    for (k, pair) in nodes.windows(2).enumerate() {
        if let [from, to] = pair {
            let _ = writeln!(
                p,
                r#"    <sequenceFlow id="f{n}f{k}" sourceRef="{from}" targetRef="{to}"/>"#
            );
        }
    }
    let _ = writeln!(p, "  </process>");

    let mut d = String::new();
    if with_diagram {
        d.reserve(2500);
        let _ = writeln!(d, r#"  <bpmndi:BPMNDiagram id="BPMNDiagram_{id}">"#);
        let _ = writeln!(d, r#"    <bpmndi:BPMNPlane bpmnElement="{id}" id="BPMNPlane_{id}">"#);
        let y = rng.range(20, 900);
        for (k, node) in nodes.iter().enumerate() {
            let x = 30 + 150 * k as u64 + rng.below(20);
            let _ = writeln!(
                d,
                r#"      <bpmndi:BPMNShape bpmnElement="{node}" id="BPMNShape_{node}">
        <omgdc:Bounds height="55.0" width="105.0" x="{x}.0" y="{}.0"/>
      </bpmndi:BPMNShape>"#,
                y + rng.below(40)
            );
        }
        for k in 0..nodes.len().saturating_sub(1) {
            let x = 135 + 150 * k as u64 + rng.below(20);
            let _ = writeln!(
                d,
                r#"      <bpmndi:BPMNEdge bpmnElement="f{n}f{k}" id="BPMNEdge_f{n}f{k}">
        <omgdi:waypoint x="{x}.0" y="{}.0"/>
        <omgdi:waypoint x="{}.0" y="{}.0"/>
      </bpmndi:BPMNEdge>"#,
                y + rng.below(40),
                x + 15 + rng.below(10),
                y + rng.below(40)
            );
        }
        let _ = writeln!(d, "    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>");
    }
    (p, d)
}

/// A whole small document holding one filler process (with its diagram when
/// asked).
pub fn filler_document(header: &str, n: u64, rng: &mut Rng, with_diagram: bool) -> String {
    let (process, diagram) = filler(n, rng, with_diagram);
    let mut doc = String::with_capacity(header.len() + process.len() + diagram.len() + FOOTER.len());
    doc.push_str(header);
    doc.push_str(&process);
    doc.push_str(&diagram);
    doc.push_str(FOOTER);
    doc
}

/// A small `.properties` text, as exports carry next to their processes.
pub fn properties(n: u64, rng: &mut Rng) -> String {
    let mut s = format!("# generated entry {n}\n");
    for k in 0..rng.range(2, 12) {
        let _ = writeln!(
            s,
            "{}.{}.{k}={}",
            rng.pick(NOUNS),
            rng.pick(VERBS).to_lowercase(),
            rng.next_u64() % 100_000
        );
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn rng_stream_is_stable() {
        // The first numbers of seed 1, pinned: a change here changes every
        // workload, and timings from before no longer compare.
        let mut rng = Rng::new(1);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        let mut again = Rng::new(1);
        assert_eq!(first, (0..3).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert_eq!(first.first().copied(), Some(PINNED_FIRST));
    }

    const PINNED_FIRST: u64 = 973_819_730_272_012_410;

    #[test]
    fn vendor_files_cut_into_pieces() {
        for parts in vendor_all().unwrap() {
            assert!(parts.header.starts_with("<?xml"));
            assert!(parts.process.trim_end().ends_with("</process>"));
            assert!(parts.diagram.trim_end().ends_with("</bpmndi:BPMNDiagram>"));
        }
    }

    #[test]
    fn filler_document_is_bpmn_the_recipe_leaves_alone() {
        let header = vendor_all().unwrap()[0].header;
        let doc = filler_document(header, 7, &mut Rng::new(3), true);
        let parsed = procpatch::Document::parse(doc.as_bytes()).unwrap();
        assert_eq!(parsed.processes().len(), 1);
    }
}
