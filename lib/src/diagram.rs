//! The layout a BPMN document carries (BPMN DI): for each diagram plane,
//! its shapes (`bpmndi:BPMNShape`: bounds, orientation, label bounds) and
//! edges (`bpmndi:BPMNEdge`: waypoints), and what the drawing needs to know
//! of each BPMN element they show (its kind, name, event definition, loop,
//! the process it belongs to).
//!
//! Read from the same tree as the editor, matched by namespace URI, never
//! by prefix. Every number is parsed as a finite `f64` within
//! ±[`MAX_COORD`]; a shape or waypoint with a number outside that (or not a
//! number at all) is left out, so hostile DI cannot break a drawing.

use std::collections::HashMap;

use crate::bpmn::plain_attr;
use crate::ns::BPMN_MODEL;
use crate::tree::{ElemId, NodeKind, Tree};

/// The BPMN DI namespace (`BPMNDiagram`, `BPMNPlane`, `BPMNShape`, …).
pub const BPMN_DI: &str = "http://www.omg.org/spec/BPMN/20100524/DI";
/// The Diagram Common namespace (`Bounds`).
pub const DC: &str = "http://www.omg.org/spec/DD/20100524/DC";
/// The Diagram Interchange namespace (`waypoint`).
pub const DI: &str = "http://www.omg.org/spec/DD/20100524/DI";

/// The largest coordinate or size accepted, in either direction. Real
/// diagrams stay within a few thousand units.
pub const MAX_COORD: f64 = 1.0e6;

/// The most waypoints read for one edge; the rest are ignored.
pub const MAX_WAYPOINTS: usize = 1_000;

/// A point of the diagram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal, growing to the right.
    pub x: f64,
    /// Vertical, growing downwards.
    pub y: f64,
}

/// A rectangle of the diagram (`dc:Bounds`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width, never negative.
    pub width: f64,
    /// Height, never negative.
    pub height: f64,
}

impl Bounds {
    /// The centre.
    pub fn center(&self) -> Point {
        Point {
            x: self.x + self.width / 2.0,
            y: self.y + self.height / 2.0,
        }
    }

    /// The right edge.
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    /// The bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Bounds) -> Bounds {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Bounds {
            x,
            y,
            width: self.right().max(other.right()) - x,
            height: self.bottom().max(other.bottom()) - y,
        }
    }
}

/// A `bpmndi:BPMNShape`.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The id of the BPMN element it shows (`bpmnElement`).
    pub element: String,
    /// Where it is.
    pub bounds: Bounds,
    /// `isHorizontal`, for pools and lanes.
    pub horizontal: Option<bool>,
    /// `isExpanded`, for sub-processes.
    pub expanded: Option<bool>,
    /// `isMarkerVisible`, for exclusive gateways.
    pub marker_visible: Option<bool>,
    /// The bounds of its label, when the DI gives them.
    pub label: Option<Bounds>,
}

/// A `bpmndi:BPMNEdge`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// The id of the BPMN element it shows (`bpmnElement`).
    pub element: String,
    /// Its waypoints, in order (those with valid numbers, at most
    /// [`MAX_WAYPOINTS`]).
    pub waypoints: Vec<Point>,
    /// The bounds of its label, when the DI gives them.
    pub label: Option<Bounds>,
}

/// A `bpmndi:BPMNPlane`: one picture.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plane {
    /// The `name` of its `BPMNDiagram`, or else the diagram's `id`.
    pub diagram: Option<String>,
    /// The element it shows (`bpmnElement`): a process or a collaboration.
    pub element: Option<String>,
    /// The processes it shows: the plane's own element if that is a
    /// process, the processes of its pools, and the process of every
    /// element it has a shape or edge for, in order of appearance.
    pub processes: Vec<String>,
    /// Its shapes, in document order.
    pub shapes: Vec<Shape>,
    /// Its edges, in document order.
    pub edges: Vec<Edge>,
}

/// A loop marker of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loop {
    /// `standardLoopCharacteristics`.
    Standard,
    /// `multiInstanceLoopCharacteristics`, parallel.
    Parallel,
    /// `multiInstanceLoopCharacteristics isSequential="true"`.
    Sequential,
}

/// What the drawing needs to know of a BPMN element.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    /// The local name of its tag: `callActivity`, `startEvent`, `lane`, …
    pub kind: String,
    /// Its `name`; for a text annotation, its text.
    pub name: Option<String>,
    /// The `id` of the process it is in.
    pub process: Option<String>,
    /// The `id` of the sub-process (or transaction) it is directly or
    /// indirectly in.
    pub sub_process: Option<String>,
    /// For an event: the local name of its event definition
    /// (`messageEventDefinition`, …), or `multiple` when it has several.
    pub event: Option<String>,
    /// For a boundary or start event: `false` when it does not interrupt
    /// (`cancelActivity="false"`, `isInterrupting="false"`).
    pub interrupting: bool,
    /// For a sub-process: `triggeredByEvent="true"` (an event sub-process).
    pub triggered_by_event: bool,
    /// For an activity: its loop marker.
    pub loop_marker: Option<Loop>,
    /// For a flow or association: `sourceRef`.
    pub source: Option<String>,
    /// For a flow or association: `targetRef`.
    pub target: Option<String>,
    /// For a gateway or activity: the `id` of its default flow.
    pub default_flow: Option<String>,
    /// For a sequence flow: whether it has a `conditionExpression`.
    pub conditional: bool,
    /// For a pool (`participant`): `processRef`.
    pub process_ref: Option<String>,
}

/// The DI of a document and the elements it shows.
#[derive(Debug, Clone, Default)]
pub struct Diagram {
    /// Every plane, in document order.
    pub planes: Vec<Plane>,
    /// BPMN elements by `id` (the first one with an id, when two share it).
    pub elements: HashMap<String, Element>,
}

impl Diagram {
    /// The element with id `id`.
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.elements.get(id)
    }

    /// The planes that show process `id`.
    pub fn planes_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = (usize, &'a Plane)> + 'a {
        self.planes
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.processes.iter().any(|q| q == id))
    }
}

/// Reads the DI and the elements of the tree.
pub(crate) fn read(tree: &Tree, text: &str) -> Diagram {
    let elements = elements(tree, text);
    let mut planes = Vec::new();
    for id in tree.ids() {
        if !tree.is(id, BPMN_DI, "BPMNDiagram") {
            continue;
        }
        let diagram = plain_attr(tree, text, id, "name")
            .filter(|n| !n.trim().is_empty())
            .or_else(|| plain_attr(tree, text, id, "id"));
        for plane in tree.children(id).filter(|&c| tree.is(c, BPMN_DI, "BPMNPlane")) {
            planes.push(read_plane(tree, text, plane, diagram.clone(), &elements));
        }
    }
    Diagram { planes, elements }
}

fn read_plane(
    tree: &Tree,
    text: &str,
    plane: ElemId,
    diagram: Option<String>,
    elements: &HashMap<String, Element>,
) -> Plane {
    let element = plain_attr(tree, text, plane, "bpmnElement");
    let mut out = Plane {
        diagram,
        element: element.clone(),
        ..Plane::default()
    };
    let mut processes: Vec<String> = Vec::new();
    let mut note = |p: Option<&String>| {
        if let Some(p) = p {
            if !processes.contains(p) {
                processes.push(p.clone());
            }
        }
    };
    if let Some(e) = element.as_ref().and_then(|e| elements.get(e).map(|el| (e, el))) {
        if e.1.kind == "process" {
            note(Some(e.0));
        }
    }
    for child in tree.children(plane) {
        let Some(target) = plain_attr(tree, text, child, "bpmnElement") else {
            continue;
        };
        if let Some(el) = elements.get(&target) {
            note(el.process_ref.as_ref());
            note(el.process.as_ref());
        }
        if tree.is(child, BPMN_DI, "BPMNShape") {
            if let Some(shape) = read_shape(tree, text, child, target) {
                out.shapes.push(shape);
            }
        } else if tree.is(child, BPMN_DI, "BPMNEdge") {
            out.edges.push(read_edge(tree, text, child, target));
        }
    }
    out.processes = processes;
    out
}

fn read_shape(tree: &Tree, text: &str, id: ElemId, element: String) -> Option<Shape> {
    let bounds = tree
        .children(id)
        .find(|&c| tree.is(c, DC, "Bounds"))
        .and_then(|b| bounds(tree, text, b))?;
    Some(Shape {
        element,
        bounds,
        horizontal: boolean(tree, text, id, "isHorizontal"),
        expanded: boolean(tree, text, id, "isExpanded"),
        marker_visible: boolean(tree, text, id, "isMarkerVisible"),
        label: label(tree, text, id),
    })
}

fn read_edge(tree: &Tree, text: &str, id: ElemId, element: String) -> Edge {
    let waypoints = tree
        .children(id)
        .filter(|&c| tree.is(c, DI, "waypoint"))
        .filter_map(|w| {
            Some(Point {
                x: number(tree, text, w, "x")?,
                y: number(tree, text, w, "y")?,
            })
        })
        .take(MAX_WAYPOINTS)
        .collect();
    Edge {
        element,
        waypoints,
        label: label(tree, text, id),
    }
}

/// The bounds of a `BPMNLabel` child.
fn label(tree: &Tree, text: &str, id: ElemId) -> Option<Bounds> {
    let label = tree.children(id).find(|&c| tree.is(c, BPMN_DI, "BPMNLabel"))?;
    let b = tree.children(label).find(|&c| tree.is(c, DC, "Bounds"))?;
    bounds(tree, text, b)
}

fn bounds(tree: &Tree, text: &str, id: ElemId) -> Option<Bounds> {
    let width = number(tree, text, id, "width")?;
    let height = number(tree, text, id, "height")?;
    (width >= 0.0 && height >= 0.0).then_some(Bounds {
        x: number(tree, text, id, "x")?,
        y: number(tree, text, id, "y")?,
        width,
        height,
    })
}

/// A coordinate: a finite number within ±[`MAX_COORD`], else `None`.
pub(crate) fn parse_coord(value: &str) -> Option<f64> {
    let v: f64 = value.trim().parse().ok()?;
    (v.is_finite() && v.abs() <= MAX_COORD).then_some(v)
}

fn number(tree: &Tree, text: &str, id: ElemId, name: &str) -> Option<f64> {
    parse_coord(&plain_attr(tree, text, id, name)?)
}

fn boolean(tree: &Tree, text: &str, id: ElemId, name: &str) -> Option<bool> {
    match plain_attr(tree, text, id, name)?.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Every BPMN element with an `id`, with the process it is in.
fn elements(tree: &Tree, text: &str) -> HashMap<String, Element> {
    let mut out: HashMap<String, Element> = HashMap::new();
    // The process of each element, filled in document order (a parent
    // always comes before its children).
    let mut process_of: Vec<Option<String>> = Vec::with_capacity(tree.len());
    let mut sub_process_of: Vec<Option<String>> = Vec::with_capacity(tree.len());
    for (id, el) in tree.ids().filter_map(|id| tree.get(id).map(|el| (id, el))) {
        let inherited = el.parent().and_then(|p| process_of.get(p).cloned().flatten());
        let container = el.parent().and_then(|p| sub_process_of.get(p).cloned().flatten());
        let is_bpmn = el.ns() == Some(BPMN_MODEL);
        let own = plain_attr(tree, text, id, "id").filter(|_| is_bpmn);
        let here = match (&own, el.local()) {
            (Some(pid), "process") if is_bpmn => Some(pid.clone()),
            _ => inherited.clone(),
        };
        process_of.push(here);
        let inside = match (&own, el.local()) {
            (Some(sid), "subProcess" | "transaction" | "adHocSubProcess") => Some(sid.clone()),
            _ => container.clone(),
        };
        sub_process_of.push(inside);
        let Some(own) = own else { continue };
        if out.contains_key(&own) {
            continue;
        }
        let attr = |name: &str| plain_attr(tree, text, id, name);
        let child = |local: &str| tree.children(id).find(|&c| tree.is(c, BPMN_MODEL, local));
        let definitions: Vec<String> = tree
            .children(id)
            .filter_map(|c| tree.get(c))
            .filter(|c| c.ns() == Some(BPMN_MODEL) && c.local().ends_with("EventDefinition"))
            .map(|c| c.local().to_string())
            .collect();
        let event = match definitions.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            _ => Some("multiple".to_string()),
        };
        let loop_marker = if let Some(m) = child("multiInstanceLoopCharacteristics") {
            match plain_attr(tree, text, m, "isSequential").as_deref().map(str::trim) {
                Some("true" | "1") => Some(Loop::Sequential),
                _ => Some(Loop::Parallel),
            }
        } else {
            child("standardLoopCharacteristics").map(|_| Loop::Standard)
        };
        let name = if el.local() == "textAnnotation" {
            child("text").map(|t| content(tree, text, t))
        } else {
            attr("name")
        };
        let is_false = |v: Option<String>| v.is_some_and(|v| matches!(v.trim(), "false" | "0"));
        out.insert(
            own,
            Element {
                kind: el.local().to_string(),
                name,
                process: inherited.filter(|_| el.local() != "process"),
                sub_process: container,
                event,
                interrupting: !is_false(attr("cancelActivity")) && !is_false(attr("isInterrupting")),
                triggered_by_event: attr("triggeredByEvent").is_some_and(|v| matches!(v.trim(), "true" | "1")),
                loop_marker,
                source: attr("sourceRef"),
                target: attr("targetRef"),
                default_flow: attr("default"),
                conditional: child("conditionExpression").is_some(),
                process_ref: attr("processRef"),
            },
        );
    }
    out
}

/// The character data of an element (text and CDATA, references resolved).
fn content(tree: &Tree, text: &str, id: ElemId) -> String {
    let mut out = String::new();
    for n in tree.get(id).map(|el| el.content()).unwrap_or_default() {
        let raw = text.get(n.span.clone()).unwrap_or_default();
        match n.kind {
            NodeKind::Text | NodeKind::Ref => match quick_xml::escape::unescape(raw) {
                Ok(v) => out.push_str(&v),
                Err(_) => out.push_str(raw),
            },
            NodeKind::CData => out.push_str(
                raw.strip_prefix("<![CDATA[")
                    .and_then(|s| s.strip_suffix("]]>"))
                    .unwrap_or_default(),
            ),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagram(xml: &str) -> Diagram {
        let tree = Tree::parse(xml, crate::tree::Scope::Full).unwrap();
        read(&tree, xml)
    }

    const DOC: &str = r#"<b:definitions xmlns:b="http://www.omg.org/spec/BPMN/20100524/MODEL"
        xmlns:x="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:c="http://www.omg.org/spec/DD/20100524/DC"
        xmlns:w="http://www.omg.org/spec/DD/20100524/DI">
      <b:collaboration id="co"><b:participant id="pool" name="Pool" processRef="p"/></b:collaboration>
      <b:process id="p" name="P">
        <b:startEvent id="s"><b:timerEventDefinition/></b:startEvent>
        <b:callActivity id="t" name="T &amp; U"><b:multiInstanceLoopCharacteristics isSequential="true"/></b:callActivity>
        <b:sequenceFlow id="f" sourceRef="s" targetRef="t"><b:conditionExpression>x</b:conditionExpression></b:sequenceFlow>
        <b:textAnnotation id="a"><b:text><![CDATA[note]]></b:text></b:textAnnotation>
      </b:process>
      <x:BPMNDiagram id="d" name="Main"><x:BPMNPlane bpmnElement="co">
        <x:BPMNShape bpmnElement="pool" isHorizontal="true"><c:Bounds x="0" y="0" width="600" height="200"/></x:BPMNShape>
        <x:BPMNShape bpmnElement="s"><c:Bounds x="1e1" y="20" width="36" height="36"/>
          <x:BPMNLabel><c:Bounds x="5" y="60" width="50" height="14"/></x:BPMNLabel></x:BPMNShape>
        <x:BPMNShape bpmnElement="t"><c:Bounds x="NaN" y="0" width="100" height="80"/></x:BPMNShape>
        <x:BPMNShape bpmnElement="t"><c:Bounds x="1" y="inf" width="100" height="80"/></x:BPMNShape>
        <x:BPMNShape bpmnElement="t"><c:Bounds x="1" y="1" width="-5" height="80"/></x:BPMNShape>
        <x:BPMNShape bpmnElement="t"><c:Bounds x="1e300" y="1" width="5" height="80"/></x:BPMNShape>
        <x:BPMNEdge bpmnElement="f"><w:waypoint x="46" y="38"/><w:waypoint x="bad" y="1"/><w:waypoint x="100" y="38"/></x:BPMNEdge>
      </x:BPMNPlane></x:BPMNDiagram>
    </b:definitions>"#;

    #[test]
    fn reads_shapes_edges_and_elements_by_namespace() {
        let d = diagram(DOC);
        assert_eq!(d.planes.len(), 1);
        let plane = &d.planes[0];
        assert_eq!(plane.diagram.as_deref(), Some("Main"));
        assert_eq!(plane.processes, ["p"]);
        // The four shapes of `t` have a bad number each.
        assert_eq!(plane.shapes.len(), 2);
        assert_eq!(plane.shapes[0].horizontal, Some(true));
        assert_eq!(plane.shapes[1].bounds.x, 10.0);
        assert_eq!(plane.shapes[1].label.unwrap().y, 60.0);
        assert_eq!(plane.edges[0].waypoints.len(), 2);
        let t = d.element("t").unwrap();
        assert_eq!(
            (t.kind.as_str(), t.name.as_deref(), t.loop_marker),
            ("callActivity", Some("T & U"), Some(Loop::Sequential))
        );
        assert_eq!(t.process.as_deref(), Some("p"));
        assert_eq!(d.element("s").unwrap().event.as_deref(), Some("timerEventDefinition"));
        assert!(d.element("f").unwrap().conditional);
        assert_eq!(d.element("a").unwrap().name.as_deref(), Some("note"));
        assert_eq!(d.element("pool").unwrap().process_ref.as_deref(), Some("p"));
        assert_eq!(d.planes_of("p").count(), 1);
    }

    #[test]
    fn numbers_must_be_finite_and_in_range() {
        for bad in ["NaN", "inf", "-infinity", "1e7", "", "1,5", "0x10"] {
            assert_eq!(parse_coord(bad), None, "{bad}");
        }
        assert_eq!(parse_coord(" -12.5 "), Some(-12.5));
        assert_eq!(parse_coord("1E3"), Some(1000.0));
    }
}
