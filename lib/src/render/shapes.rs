//! The outline and markers of each kind of BPMN shape, after the visual
//! conventions of bpmn.io: tasks as rounded rectangles (a call activity
//! with a thick border), events as circles (an end event thick, an
//! intermediate one doubled), gateways as diamonds with their marker, pools
//! and lanes as bands with a label strip. The geometry is procpatch's own.

use std::fmt::Write;

use super::text::num as n;
use crate::diagram::{Bounds, Element, Loop, Shape};

/// The ink of lines and text (bpmn.io's near-black).
pub(crate) const INK: &str = "#22242a";

/// The fill and stroke of a shape's outline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paint {
    pub fill: &'static str,
    pub stroke: &'static str,
}

/// An untouched shape.
pub(crate) const PLAIN: Paint = Paint {
    fill: "#ffffff",
    stroke: INK,
};

/// A task with changed or inserted values.
pub(crate) const CHANGED: Paint = Paint {
    fill: super::CHANGED_FILL,
    stroke: "#d9480f",
};

/// A task the recipe names whose values are all already set.
pub(crate) const ALREADY_SET: Paint = Paint {
    fill: "#d3f9d8",
    stroke: "#2b8a3e",
};

/// How a kind of element is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// A task of any type: rounded rectangle, name inside.
    Task,
    /// A call activity: rounded rectangle with a thick border.
    Call,
    /// A collapsed sub-process: rounded rectangle with a `+` marker.
    Collapsed,
    /// An expanded sub-process: large rounded rectangle, name at the top.
    Expanded,
    /// An event: circle, name below.
    Event,
    /// A gateway: diamond with its marker, name below.
    Gateway,
    /// A pool: band with a label strip.
    Pool,
    /// A lane: band inside a pool.
    Lane,
    /// A data object (input, output, reference).
    Data,
    /// A data store.
    Store,
    /// A text annotation: an open bracket with the text.
    Annotation,
    /// A group: dashed rounded rectangle.
    Group,
    /// Anything else: a dashed grey box.
    Other,
}

impl Look {
    /// How an element of `kind` (its tag's local name) is drawn.
    pub(crate) fn of(kind: &str, expanded: bool) -> Look {
        match kind {
            "task" | "userTask" | "serviceTask" | "scriptTask" | "sendTask" | "receiveTask" | "manualTask"
            | "businessRuleTask" => Look::Task,
            "callActivity" => Look::Call,
            "subProcess" | "transaction" | "adHocSubProcess" if expanded => Look::Expanded,
            "subProcess" | "transaction" | "adHocSubProcess" => Look::Collapsed,
            "startEvent"
            | "endEvent"
            | "intermediateCatchEvent"
            | "intermediateThrowEvent"
            | "boundaryEvent"
            | "implicitThrowEvent" => Look::Event,
            k if k.ends_with("Gateway") => Look::Gateway,
            "participant" => Look::Pool,
            "lane" => Look::Lane,
            "dataObject" | "dataObjectReference" | "dataInput" | "dataOutput" => Look::Data,
            "dataStore" | "dataStoreReference" => Look::Store,
            "textAnnotation" => Look::Annotation,
            "group" => Look::Group,
            _ => Look::Other,
        }
    }

    /// Whether the name is drawn outside the shape (below it, or in the
    /// DI's label bounds).
    pub(crate) fn label_outside(self) -> bool {
        matches!(self, Look::Event | Look::Gateway | Look::Data | Look::Store)
    }
}

/// Appends the outline and markers of a shape (not its name).
pub(crate) fn body(out: &mut String, look: Look, shape: &Shape, el: Option<&Element>, paint: Paint) {
    let b = &shape.bounds;
    let kind = el.map_or("", |e| e.kind.as_str());
    match look {
        Look::Task | Look::Call | Look::Collapsed => {
            let width = if look == Look::Call { 5.0 } else { 2.0 };
            rect(out, b, 10.0, paint, width, None);
            if look == Look::Task {
                task_icon(out, kind, b);
            }
            if kind == "transaction" {
                inner_rect(out, b, 3.0, paint.stroke);
            }
            let mut markers = Vec::new();
            if look != Look::Task {
                markers.push(Marker::Plus);
            }
            if let Some(l) = el.and_then(|e| e.loop_marker) {
                markers.push(Marker::Loop(l));
            }
            bottom_markers(out, b, &markers);
        }
        Look::Expanded => {
            let dash = el.is_some_and(|e| e.triggered_by_event).then_some("1.5,3");
            rect(out, b, 10.0, paint, 2.0, dash);
            if kind == "transaction" {
                inner_rect(out, b, 3.0, paint.stroke);
            }
            if let Some(l) = el.and_then(|e| e.loop_marker) {
                bottom_markers(out, b, &[Marker::Loop(l)]);
            }
        }
        Look::Event => event(out, b, el, paint),
        Look::Gateway => gateway(out, b, kind, shape.marker_visible, paint),
        Look::Pool => {
            rect(out, b, 0.0, paint, 1.5, None);
            let _ = match shape.horizontal {
                Some(false) => write!(
                    out,
                    r#"<path d="M{},{}H{}" fill="none" stroke="{}" stroke-width="1.5"/>"#,
                    n(b.x),
                    n(b.y + 30.0),
                    n(b.right()),
                    paint.stroke
                ),
                _ => write!(
                    out,
                    r#"<path d="M{},{}V{}" fill="none" stroke="{}" stroke-width="1.5"/>"#,
                    n(b.x + 30.0),
                    n(b.y),
                    n(b.bottom()),
                    paint.stroke
                ),
            };
        }
        Look::Lane => rect(
            out,
            b,
            0.0,
            Paint {
                fill: "none",
                stroke: paint.stroke,
            },
            1.5,
            None,
        ),
        Look::Data => {
            let f = (b.width.min(b.height) * 0.3).min(12.0);
            let _ = write!(
                out,
                r#"<path d="M{x},{y}H{fx}L{r},{fy}V{bt}H{x}Z" fill="{fill}" stroke="{s}" stroke-width="1.5"/><path d="M{fx},{y}V{fy}H{r}" fill="none" stroke="{s}" stroke-width="1.5"/>"#,
                x = n(b.x),
                y = n(b.y),
                fx = n(b.right() - f),
                fy = n(b.y + f),
                r = n(b.right()),
                bt = n(b.bottom()),
                fill = paint.fill,
                s = paint.stroke
            );
        }
        Look::Store => {
            let ry = (b.height * 0.12).min(b.width / 4.0);
            let rx = b.width / 2.0;
            let _ = write!(
                out,
                r#"<path d="M{x},{t}A{rx},{ry} 0 0 1 {r},{t}V{b}A{rx},{ry} 0 0 1 {x},{b}Z" fill="{fill}" stroke="{s}" stroke-width="1.5"/><path d="M{x},{t}A{rx},{ry} 0 0 0 {r},{t}M{x},{t2}A{rx},{ry} 0 0 0 {r},{t2}" fill="none" stroke="{s}" stroke-width="1.5"/>"#,
                x = n(b.x),
                r = n(b.right()),
                t = n(b.y + ry),
                t2 = n(b.y + 2.0 * ry),
                b = n(b.bottom() - ry),
                rx = n(rx),
                ry = n(ry),
                fill = paint.fill,
                s = paint.stroke
            );
        }
        Look::Annotation => {
            let arm = b.width.min(10.0);
            let _ = write!(
                out,
                r#"<path d="M{},{}H{}V{}H{}" fill="none" stroke="{}" stroke-width="1.5"/>"#,
                n(b.x + arm),
                n(b.y),
                n(b.x),
                n(b.bottom()),
                n(b.x + arm),
                paint.stroke
            );
        }
        Look::Group => rect(
            out,
            b,
            10.0,
            Paint {
                fill: "none",
                stroke: paint.stroke,
            },
            1.5,
            Some("10,6,0,6"),
        ),
        Look::Other => rect(
            out,
            b,
            0.0,
            Paint {
                fill: "none",
                stroke: "#868e96",
            },
            1.0,
            Some("4,3"),
        ),
    }
}

fn rect(out: &mut String, b: &Bounds, radius: f64, paint: Paint, width: f64, dash: Option<&str>) {
    let r = radius.min(b.width / 2.0).min(b.height / 2.0);
    let _ = write!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}""#,
        n(b.x),
        n(b.y),
        n(b.width),
        n(b.height)
    );
    if r > 0.0 {
        let _ = write!(out, r#" rx="{0}" ry="{0}""#, n(r));
    }
    let _ = write!(
        out,
        r#" fill="{}" stroke="{}" stroke-width="{}""#,
        paint.fill,
        paint.stroke,
        n(width)
    );
    if let Some(d) = dash {
        let _ = write!(out, r#" stroke-dasharray="{d}" stroke-linecap="round""#);
    }
    out.push_str("/>");
}

fn inner_rect(out: &mut String, b: &Bounds, inset: f64, stroke: &'static str) {
    let inner = Bounds {
        x: b.x + inset,
        y: b.y + inset,
        width: (b.width - 2.0 * inset).max(0.0),
        height: (b.height - 2.0 * inset).max(0.0),
    };
    let paint = Paint { fill: "none", stroke };
    rect(out, &inner, 7.0, paint, 1.5, None);
}

/// A marker at the bottom centre of an activity.
#[derive(Debug, Clone, Copy)]
enum Marker {
    Plus,
    Loop(Loop),
}

fn bottom_markers(out: &mut String, b: &Bounds, markers: &[Marker]) {
    if markers.is_empty() || b.height < 24.0 || b.width < 24.0 {
        return;
    }
    let count = markers.len() as f64;
    let mut x = b.center().x - (count * 14.0 + (count - 1.0) * 4.0) / 2.0;
    let y = b.bottom() - 18.0;
    let line = |out: &mut String, d: String, w: f64| {
        let _ = write!(
            out,
            r#"<path d="{d}" fill="none" stroke="{INK}" stroke-width="{}"/>"#,
            n(w)
        );
    };
    for m in markers {
        let (x0, y0) = (n(x), n(y));
        let at = |dx: f64, dy: f64| format!("{},{}", n(x + dx), n(y + dy));
        match m {
            Marker::Plus => {
                let _ = write!(
                    out,
                    r#"<rect x="{x0}" y="{y0}" width="14" height="14" fill="none" stroke="{INK}" stroke-width="1"/>"#
                );
                line(
                    out,
                    format!("M{}H{}M{}V{}", at(3.0, 7.0), n(x + 11.0), at(7.0, 3.0), n(y + 11.0)),
                    1.5,
                );
            }
            Marker::Loop(Loop::Parallel) => line(
                out,
                format!(
                    "M{}V{}M{}V{}M{}V{}",
                    at(3.0, 1.0),
                    n(y + 13.0),
                    at(7.0, 1.0),
                    n(y + 13.0),
                    at(11.0, 1.0),
                    n(y + 13.0)
                ),
                2.0,
            ),
            Marker::Loop(Loop::Sequential) => line(
                out,
                format!(
                    "M{}H{}M{}H{}M{}H{}",
                    at(1.0, 3.0),
                    n(x + 13.0),
                    at(1.0, 7.0),
                    n(x + 13.0),
                    at(1.0, 11.0),
                    n(x + 13.0)
                ),
                2.0,
            ),
            Marker::Loop(Loop::Standard) => line(
                out,
                format!(
                    "M{}A5,5 0 1 1 {}M{}L{}L{}",
                    at(4.0, 11.5),
                    at(10.0, 11.5),
                    at(1.5, 9.0),
                    at(4.0, 11.5),
                    at(6.5, 9.5)
                ),
                1.5,
            ),
        }
        x += 18.0;
    }
}

/// The small icon of a task type, at the top left.
fn task_icon(out: &mut String, kind: &str, b: &Bounds) {
    if b.width < 40.0 || b.height < 30.0 {
        return;
    }
    let (x, y) = (b.x + 6.0, b.y + 6.0);
    let p = |dx: f64, dy: f64| format!("{},{}", n(x + dx), n(y + dy));
    let thin = |out: &mut String, d: String, fill: &str| {
        let _ = write!(
            out,
            r#"<path d="{d}" fill="{fill}" stroke="{INK}" stroke-width="1" class="pp-icon"/>"#
        );
    };
    match kind {
        "userTask" => {
            let _ = write!(
                out,
                r#"<circle cx="{}" cy="{}" r="3.5" fill="none" stroke="{INK}" stroke-width="1" class="pp-icon"/>"#,
                n(x + 8.0),
                n(y + 5.0)
            );
            thin(
                out,
                format!("M{}C{} {} {}Z", p(1.5, 16.0), p(1.5, 9.0), p(14.5, 9.0), p(14.5, 16.0)),
                "none",
            );
        }
        "serviceTask" => {
            let (cx, cy) = (x + 8.0, y + 8.0);
            let mut d = String::new();
            for i in 0..8 {
                let a = f64::from(i) * std::f64::consts::FRAC_PI_4;
                let _ = write!(
                    d,
                    "M{},{}L{},{}",
                    n(cx + 4.5 * a.cos()),
                    n(cy + 4.5 * a.sin()),
                    n(cx + 7.5 * a.cos()),
                    n(cy + 7.5 * a.sin())
                );
            }
            let _ = write!(
                out,
                r#"<path d="{d}" fill="none" stroke="{INK}" stroke-width="2" class="pp-icon"/><circle cx="{x}" cy="{y}" r="4.5" fill="none" stroke="{INK}" stroke-width="1.5"/><circle cx="{x}" cy="{y}" r="1.5" fill="none" stroke="{INK}" stroke-width="1"/>"#,
                x = n(cx),
                y = n(cy)
            );
        }
        "scriptTask" => thin(
            out,
            format!(
                "M{}H{}C{} {} {}C{} {} {}H{}C{} {} {}C{} {} {}ZM{}H{}M{}H{}M{}H{}",
                p(4.0, 1.0),
                n(x + 15.0),
                p(11.0, 4.0),
                p(11.0, 6.0),
                p(13.0, 8.5),
                p(15.0, 11.0),
                p(15.0, 13.0),
                p(12.0, 16.0),
                n(x + 1.0),
                p(4.0, 13.0),
                p(4.0, 11.0),
                p(2.0, 8.5),
                p(0.0, 6.0),
                p(0.0, 4.0),
                p(4.0, 1.0),
                p(4.0, 5.0),
                n(x + 10.0),
                p(5.0, 8.5),
                n(x + 11.0),
                p(5.0, 12.0),
                n(x + 10.0)
            ),
            "none",
        ),
        "sendTask" | "receiveTask" => {
            let fill = if kind == "sendTask" { INK } else { "#ffffff" };
            let flap = if kind == "sendTask" { "#ffffff" } else { INK };
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="16" height="11" fill="{fill}" stroke="{INK}" stroke-width="1" class="pp-icon"/><path d="M{}L{}L{}" fill="none" stroke="{flap}" stroke-width="1"/>"#,
                n(x),
                n(y + 2.0),
                p(0.0, 2.0),
                p(8.0, 8.0),
                p(16.0, 2.0)
            );
        }
        "businessRuleTask" => {
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="16" height="12" fill="#ffffff" stroke="{INK}" stroke-width="1" class="pp-icon"/><rect x="{}" y="{}" width="16" height="3.5" fill="{INK}"/>"##,
                n(x),
                n(y + 2.0),
                n(x),
                n(y + 2.0)
            );
            thin(
                out,
                format!("M{}H{}M{}V{}", p(0.0, 9.5), n(x + 16.0), p(5.0, 5.5), n(y + 14.0)),
                "none",
            );
        }
        "manualTask" => thin(
            out,
            format!(
                "M{}H{}M{}H{}M{}H{}M{}V{}H{}L{}Z",
                p(6.0, 4.0),
                n(x + 15.0),
                p(6.0, 8.0),
                n(x + 16.0),
                p(6.0, 12.0),
                n(x + 14.0),
                p(1.0, 5.0),
                n(y + 15.0),
                n(x + 12.0),
                p(3.0, 3.0)
            ),
            "none",
        ),
        _ => {}
    }
}

fn circle(out: &mut String, (cx, cy): (f64, f64), r: f64, fill: &str, stroke: &str, width: f64, dash: Option<&str>) {
    let _ = write!(
        out,
        r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}" stroke="{stroke}" stroke-width="{}""#,
        n(cx),
        n(cy),
        n(r.max(0.0)),
        n(width)
    );
    if let Some(d) = dash {
        let _ = write!(out, r#" stroke-dasharray="{d}""#);
    }
    out.push_str("/>");
}

fn event(out: &mut String, b: &Bounds, el: Option<&Element>, paint: Paint) {
    let c = b.center();
    let r = b.width.min(b.height) / 2.0;
    let kind = el.map_or("", |e| e.kind.as_str());
    let dash = el.is_some_and(|e| !e.interrupting).then_some("5.5,3");
    match kind {
        "startEvent" => circle(out, (c.x, c.y), r, paint.fill, paint.stroke, 2.0, dash),
        "endEvent" => circle(out, (c.x, c.y), r, paint.fill, paint.stroke, 4.0, None),
        _ => {
            circle(out, (c.x, c.y), r, paint.fill, paint.stroke, 1.5, dash);
            circle(out, (c.x, c.y), r - 3.0, "none", paint.stroke, 1.5, dash);
        }
    }
    let throw = matches!(kind, "endEvent" | "intermediateThrowEvent" | "implicitThrowEvent");
    if let Some(def) = el.and_then(|e| e.event.as_deref()) {
        event_marker(out, c.x, c.y, r, def, throw);
    }
}

/// The marker of an event definition, centred, for an event of radius `r`.
fn event_marker(out: &mut String, cx: f64, cy: f64, r: f64, def: &str, throw: bool) {
    let (fill, inner) = if throw { (INK, "#ffffff") } else { ("none", INK) };
    let pts = |list: &[(f64, f64)]| -> String {
        list.iter()
            .map(|(x, y)| format!("{},{}", n(cx + x * r), n(cy + y * r)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let polygon = |out: &mut String, list: &[(f64, f64)], fill: &str| {
        let _ = write!(
            out,
            r#"<polygon points="{}" fill="{fill}" stroke="{INK}" stroke-width="1" stroke-linejoin="round"/>"#,
            pts(list)
        );
    };
    match def {
        "messageEventDefinition" => {
            let (w, h) = (1.0 * r, 0.7 * r);
            let back = if throw { INK } else { "#ffffff" };
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{back}" stroke="{INK}" stroke-width="1"/><path d="M{},{}L{},{}L{},{}" fill="none" stroke="{inner}" stroke-width="1"/>"#,
                n(cx - w / 2.0),
                n(cy - h / 2.0),
                n(w),
                n(h),
                n(cx - w / 2.0),
                n(cy - h / 2.0),
                n(cx),
                n(cy + h * 0.1),
                n(cx + w / 2.0),
                n(cy - h / 2.0)
            );
        }
        "timerEventDefinition" => {
            circle(out, (cx, cy), r * 0.62, "#ffffff", INK, 1.5, None);
            let _ = write!(
                out,
                r#"<path d="M{},{}L{},{}L{},{}" fill="none" stroke="{INK}" stroke-width="1.5"/>"#,
                n(cx),
                n(cy - r * 0.45),
                n(cx),
                n(cy),
                n(cx + r * 0.3),
                n(cy - r * 0.1)
            );
        }
        "errorEventDefinition" => polygon(
            out,
            &[
                (-0.5, 0.45),
                (-0.18, -0.45),
                (0.1, 0.05),
                (0.5, -0.45),
                (0.18, 0.45),
                (-0.1, -0.05),
            ],
            fill,
        ),
        "signalEventDefinition" => polygon(out, &[(0.0, -0.55), (0.5, 0.35), (-0.5, 0.35)], fill),
        "escalationEventDefinition" => polygon(out, &[(0.0, -0.55), (0.4, 0.45), (0.0, 0.1), (-0.4, 0.45)], fill),
        "linkEventDefinition" => polygon(
            out,
            &[
                (-0.45, -0.15),
                (0.1, -0.15),
                (0.1, -0.4),
                (0.5, 0.0),
                (0.1, 0.4),
                (0.1, 0.15),
                (-0.45, 0.15),
            ],
            fill,
        ),
        "compensateEventDefinition" => {
            polygon(out, &[(-0.55, 0.0), (-0.05, -0.35), (-0.05, 0.35)], fill);
            polygon(out, &[(-0.05, 0.0), (0.45, -0.35), (0.45, 0.35)], fill);
        }
        "conditionalEventDefinition" => {
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff" stroke="{INK}" stroke-width="1"/>"##,
                n(cx - 0.35 * r),
                n(cy - 0.45 * r),
                n(0.7 * r),
                n(0.9 * r)
            );
            let mut d = String::new();
            for k in [-0.25, -0.08, 0.08, 0.25] {
                let _ = write!(d, "M{},{}H{}", n(cx - 0.22 * r), n(cy + k * r), n(cx + 0.22 * r));
            }
            let _ = write!(out, r#"<path d="{d}" fill="none" stroke="{INK}" stroke-width="1"/>"#);
        }
        "cancelEventDefinition" => {
            let _ = write!(
                out,
                r#"<path d="M{a},{a2}L{b},{b2}M{b},{a2}L{a},{b2}" fill="none" stroke="{INK}" stroke-width="{w}"/>"#,
                a = n(cx - 0.35 * r),
                b = n(cx + 0.35 * r),
                a2 = n(cy - 0.35 * r),
                b2 = n(cy + 0.35 * r),
                w = n(0.2 * r)
            );
        }
        "terminateEventDefinition" => circle(out, (cx, cy), r * 0.6, INK, INK, 1.0, None),
        "multiple" => polygon(
            out,
            &[(0.0, -0.5), (0.48, -0.15), (0.3, 0.42), (-0.3, 0.42), (-0.48, -0.15)],
            fill,
        ),
        _ => {}
    }
}

fn gateway(out: &mut String, b: &Bounds, kind: &str, marker_visible: Option<bool>, paint: Paint) {
    let c = b.center();
    let _ = write!(
        out,
        r#"<polygon points="{},{} {},{} {},{} {},{}" fill="{}" stroke="{}" stroke-width="2" stroke-linejoin="round"/>"#,
        n(c.x),
        n(b.y),
        n(b.right()),
        n(c.y),
        n(c.x),
        n(b.bottom()),
        n(b.x),
        n(c.y),
        paint.fill,
        paint.stroke
    );
    let s = b.width.min(b.height);
    let cross = |out: &mut String, k: f64, diagonal: bool, straight: bool| {
        let mut d = String::new();
        if diagonal {
            let a = k * 0.75;
            let _ = write!(
                d,
                "M{},{}L{},{}M{},{}L{},{}",
                n(c.x - a),
                n(c.y - a),
                n(c.x + a),
                n(c.y + a),
                n(c.x + a),
                n(c.y - a),
                n(c.x - a),
                n(c.y + a)
            );
        }
        if straight {
            let _ = write!(
                d,
                "M{},{}H{}M{},{}V{}",
                n(c.x - k),
                n(c.y),
                n(c.x + k),
                n(c.x),
                n(c.y - k),
                n(c.y + k)
            );
        }
        let _ = write!(
            out,
            r#"<path d="{d}" fill="none" stroke="{INK}" stroke-width="{}" stroke-linecap="square"/>"#,
            n(s * 0.07)
        );
    };
    match kind {
        "exclusiveGateway" if marker_visible != Some(false) => cross(out, s * 0.22, true, false),
        "parallelGateway" => cross(out, s * 0.25, false, true),
        "complexGateway" => cross(out, s * 0.25, true, true),
        "inclusiveGateway" => circle(out, (c.x, c.y), s * 0.24, "none", INK, s * 0.05, None),
        "eventBasedGateway" => {
            circle(out, (c.x, c.y), s * 0.27, "none", INK, 1.0, None);
            circle(out, (c.x, c.y), s * 0.22, "none", INK, 1.0, None);
            let r = s * 0.15;
            let pts: Vec<String> = [(0.0, -1.0), (0.95, -0.31), (0.59, 0.81), (-0.59, 0.81), (-0.95, -0.31)]
                .iter()
                .map(|(x, y)| format!("{},{}", n(c.x + x * r), n(c.y + y * r)))
                .collect();
            let _ = write!(
                out,
                r#"<polygon points="{}" fill="none" stroke="{INK}" stroke-width="1.2"/>"#,
                pts.join(" ")
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_drawn_by_their_look() {
        assert_eq!(Look::of("callActivity", false), Look::Call);
        assert_eq!(Look::of("subProcess", true), Look::Expanded);
        assert_eq!(Look::of("subProcess", false), Look::Collapsed);
        assert_eq!(Look::of("eventBasedGateway", false), Look::Gateway);
        assert_eq!(Look::of("somethingNew", false), Look::Other);
        assert!(Look::of("boundaryEvent", false).label_outside());
    }
}
