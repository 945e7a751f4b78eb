//! One diagram plane as an SVG picture: pools and lanes, sub-processes,
//! flow nodes, flows with their arrowheads, names, and the marks of the
//! tasks a recipe touched. Knows nothing of files or archives.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::shapes::{self, Look, ALREADY_SET, CHANGED, INK, PLAIN};
use super::text::{esc, num as n, width, wrap};
use super::{Figure, Marks};
use crate::diagram::{Bounds, Diagram, Edge, Element, Plane, Point, Shape};

/// Font sizes: names inside shapes, and names outside (events, gateways,
/// flows), as bpmn.io draws them.
const INSIDE: f64 = 12.0;
const OUTSIDE: f64 = 11.0;
/// Line height, in font sizes.
const LEADING: f64 = 1.2;
/// The empty border around the drawing.
const MARGIN: f64 = 12.0;
/// The radius of a change badge.
const BADGE: f64 = 10.0;

/// The smallest rectangle holding everything drawn so far.
#[derive(Default)]
struct Extent(Option<Bounds>);

impl Extent {
    fn add(&mut self, b: Bounds) {
        self.0 = Some(match self.0 {
            Some(a) => a.union(&b),
            None => b,
        });
    }

    fn point(&mut self, p: Point) {
        self.add(Bounds {
            x: p.x,
            y: p.y,
            width: 0.0,
            height: 0.0,
        });
    }
}

/// A name to draw outside its shape, after the flows.
struct Outside {
    text: String,
    center_x: f64,
    top: f64,
    wrap: f64,
}

/// Draws `plane` of `diagram`, marking the tasks in `marks`. `title` names
/// the picture for screen readers.
pub(crate) fn plane(diagram: &Diagram, plane: &Plane, marks: &Marks, title: &str) -> Figure {
    let mut body = String::new();
    let mut extent = Extent::default();
    let mut outside: Vec<Outside> = Vec::new();
    let mut badges: Vec<(String, Bounds, usize)> = Vec::new();
    let mut highlights: Vec<(String, Bounds)> = Vec::new();

    let mut by_element: HashMap<&str, &Shape> = HashMap::new();
    for s in &plane.shapes {
        by_element.entry(s.element.as_str()).or_insert(s);
    }
    // Sub-processes with shapes of their own elements inside: drawn expanded
    // unless the DI says otherwise.
    let containers: HashSet<&str> = plane
        .shapes
        .iter()
        .filter_map(|s| diagram.element(&s.element)?.sub_process.as_deref())
        .collect();
    let look_of = |s: &Shape| {
        let el = diagram.element(&s.element);
        let kind = el.map_or("", |e| e.kind.as_str());
        let expanded = s.expanded.unwrap_or_else(|| containers.contains(s.element.as_str()));
        (el, Look::of(kind, expanded))
    };

    // Back to front: pools, lanes, expanded sub-processes (outer first),
    // groups, flow nodes, boundary events.
    let mut order: Vec<(u8, f64, usize)> = plane
        .shapes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (el, look) = look_of(s);
            let layer = match look {
                Look::Pool => 0,
                Look::Lane => 1,
                Look::Expanded => 2,
                Look::Group => 3,
                _ if el.is_some_and(|e| e.kind == "boundaryEvent") => 5,
                _ => 4,
            };
            let area = if layer == 2 {
                -(s.bounds.width * s.bounds.height)
            } else {
                0.0
            };
            (layer, area, i)
        })
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));

    for (_, _, i) in order {
        let Some(shape) = plane.shapes.get(i) else { continue };
        let (el, look) = look_of(shape);
        let b = shape.bounds;
        extent.add(b);
        let activity = matches!(look, Look::Task | Look::Call | Look::Collapsed | Look::Expanded);
        let mark = marks.get(&shape.element).filter(|_| activity);
        let (paint, state) = match mark {
            Some(m) if m.edits > 0 => (CHANGED, " changed"),
            Some(_) => (ALREADY_SET, " already-set"),
            None => (PLAIN, ""),
        };
        if let Some(m) = mark {
            highlights.push((shape.element.clone(), b));
            if m.edits > 0 {
                badges.push((shape.element.clone(), b, m.edits));
            }
        }
        let kind = el.map_or("unknown", |e| e.kind.as_str());
        let name = el.and_then(|e| e.name.as_deref()).unwrap_or_default();
        let _ = write!(
            body,
            r#"<g class="pp-shape pp-{}{state}" data-element="{}"><title>{}</title>"#,
            class_name(kind),
            esc(&shape.element),
            esc(if name.trim().is_empty() { &shape.element } else { name })
        );
        shapes::body(&mut body, look, shape, el, paint);
        if !name.trim().is_empty() {
            if look.label_outside() {
                outside.push(outside_label(name, shape));
            } else {
                inside_label(&mut body, look, shape, el, name);
            }
        }
        body.push_str("</g>");
    }

    for edge in &plane.edges {
        draw_edge(&mut body, diagram, edge, &by_element, &mut extent, &mut outside);
    }

    for label in &outside {
        let lines = wrap(&label.text, OUTSIDE, label.wrap, 6);
        let height = lines.len() as f64 * OUTSIDE * LEADING;
        let widest = lines.iter().map(|l| width(l, OUTSIDE)).fold(0.0, f64::max);
        extent.add(Bounds {
            x: label.center_x - widest / 2.0,
            y: label.top,
            width: widest,
            height,
        });
        text_block(&mut body, &lines, label.center_x, label.top, OUTSIDE, "middle");
    }

    for (element, b, edits) in &badges {
        let (cx, cy) = (b.right(), b.y);
        extent.add(Bounds {
            x: cx - BADGE,
            y: cy - BADGE,
            width: 2.0 * BADGE,
            height: 2.0 * BADGE,
        });
        let _ = write!(
            body,
            r##"<g class="pp-badge" data-element="{}"><circle cx="{x}" cy="{y}" r="{BADGE}" fill="{}" stroke="#ffffff" stroke-width="1.5"/><text x="{x}" y="{ty}" font-size="11" font-weight="bold" text-anchor="middle" fill="#ffffff">{edits}</text></g>"##,
            esc(element),
            CHANGED.stroke,
            x = n(cx),
            y = n(cy),
            ty = n(cy + 4.0),
        );
    }

    let view = match extent.0 {
        Some(b) => Bounds {
            x: b.x - MARGIN,
            y: b.y - MARGIN,
            width: b.width + 2.0 * MARGIN,
            height: b.height + 2.0 * MARGIN,
        },
        None => Bounds {
            x: 0.0,
            y: 0.0,
            width: 2.0 * MARGIN,
            height: 2.0 * MARGIN,
        },
    };
    let mut svg = String::with_capacity(body.len() + 600);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="pp-diagram" viewBox="{x} {y} {w} {h}" width="{w}" height="{h}" role="img" aria-label="{title}" font-family="Arial, Helvetica, sans-serif"><rect class="pp-canvas" x="{x}" y="{y}" width="{w}" height="{h}" fill="#ffffff"/>"##,
        x = n(view.x),
        y = n(view.y),
        w = n(view.width),
        h = n(view.height),
        title = esc(title),
    );
    svg.push_str(&body);
    svg.push_str("</svg>");
    Figure {
        svg,
        view_box: view,
        shapes: plane.shapes.len(),
        edges: plane.edges.len(),
        highlights,
    }
}

/// A CSS class name from an XML local name: letters and digits only.
fn class_name(kind: &str) -> String {
    kind.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Lines of text, the first one's top at `top`, anchored at `x`.
fn text_block(out: &mut String, lines: &[String], x: f64, top: f64, size: f64, anchor: &str) {
    if lines.is_empty() {
        return;
    }
    let _ = write!(
        out,
        r#"<text class="pp-label" font-size="{}" text-anchor="{anchor}" fill="{INK}">"#,
        n(size)
    );
    for (i, line) in lines.iter().enumerate() {
        let baseline = top + i as f64 * size * LEADING + size * 0.95;
        let _ = write!(out, r#"<tspan x="{}" y="{}">{}</tspan>"#, n(x), n(baseline), esc(line));
    }
    out.push_str("</text>");
}

/// The name of a task, sub-process, pool, lane or annotation, inside it.
fn inside_label(out: &mut String, look: Look, shape: &Shape, el: Option<&Element>, name: &str) {
    let b = shape.bounds;
    let lh = INSIDE * LEADING;
    match look {
        Look::Pool | Look::Lane => {
            let horizontal = shape.horizontal != Some(false);
            let length = if horizontal { b.height } else { b.width };
            let lines = wrap(name, INSIDE, (length - 10.0).max(20.0), 2);
            let block = lines.len() as f64 * lh;
            if horizontal {
                // Rotated a quarter turn, centred in the 30-unit strip.
                let (cx, cy) = (b.x + 15.0, b.center().y);
                let _ = write!(out, r#"<g transform="rotate(-90 {} {})">"#, n(cx), n(cy));
                text_block(out, &lines, cx, cy - block / 2.0, INSIDE, "middle");
                out.push_str("</g>");
            } else {
                text_block(out, &lines, b.center().x, b.y + 15.0 - block / 2.0, INSIDE, "middle");
            }
        }
        Look::Expanded => {
            let lines = wrap(name, INSIDE, (b.width - 10.0).max(20.0), 2);
            text_block(out, &lines, b.center().x, b.y + 5.0, INSIDE, "middle");
        }
        Look::Annotation => {
            let fit = ((b.height - 10.0) / lh).floor().max(1.0) as usize;
            let lines = wrap(name, INSIDE, (b.width - 10.0).max(20.0), fit);
            text_block(out, &lines, b.x + 5.0, b.y + 5.0, INSIDE, "start");
        }
        _ => {
            // Centred above the bottom markers, if it has any.
            let markers = look != Look::Task || el.is_some_and(|e| e.loop_marker.is_some());
            let (top, bottom) = (
                b.y + 2.0,
                b.bottom() - if markers && b.height >= 24.0 { 18.0 } else { 2.0 },
            );
            // The largest size (down to 9) at which the whole name fits.
            let room = (b.width - 10.0).max(20.0);
            let fits = |size: f64| {
                let lines = wrap(name, size, room, usize::MAX);
                (lines.len() as f64 * size * LEADING <= bottom - top).then_some((size, lines))
            };
            let (size, lines) = [INSIDE, 11.0, 10.0].into_iter().find_map(fits).unwrap_or_else(|| {
                let fit = ((bottom - top) / (9.0 * LEADING)).floor().max(1.0) as usize;
                (9.0, wrap(name, 9.0, room, fit))
            });
            let block = lines.len() as f64 * size * LEADING;
            text_block(
                out,
                &lines,
                b.center().x,
                (top + bottom) / 2.0 - block / 2.0,
                size,
                "middle",
            );
        }
    }
}

/// Where the name of an event, gateway or data shape goes: in its DI label
/// bounds, else centred below it.
fn outside_label(name: &str, shape: &Shape) -> Outside {
    match shape.label {
        Some(l) => Outside {
            text: name.to_string(),
            center_x: l.center().x,
            top: l.y,
            wrap: (l.width + 4.0).max(60.0),
        },
        None => Outside {
            text: name.to_string(),
            center_x: shape.bounds.center().x,
            top: shape.bounds.bottom() + 5.0,
            wrap: 90.0,
        },
    }
}

/// The unit vector from `a` to `b` (zero when they coincide).
fn direction(a: Point, b: Point) -> (f64, f64) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    if len > 0.0 {
        (dx / len, dy / len)
    } else {
        (0.0, 0.0)
    }
}

/// Points `along` units from `at` in direction `d`, and `across` to its
/// left.
fn offset(at: Point, d: (f64, f64), along: f64, across: f64) -> String {
    format!(
        "{},{}",
        n(at.x + d.0 * along - d.1 * across),
        n(at.y + d.1 * along + d.0 * across)
    )
}

fn draw_edge(
    out: &mut String,
    diagram: &Diagram,
    edge: &Edge,
    shapes: &HashMap<&str, &Shape>,
    extent: &mut Extent,
    outside: &mut Vec<Outside>,
) {
    let el = diagram.element(&edge.element);
    let kind = el.map_or("unknown", |e| e.kind.as_str());
    let points = match edge.waypoints.as_slice() {
        [_, _, ..] => edge.waypoints.clone(),
        // Too few waypoints: join the shapes of its ends, if it has them.
        _ => match el.and_then(|e| guessed_route(diagram, e, shapes)) {
            Some(route) => route,
            None => return,
        },
    };
    let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
        return;
    };
    let second = points.get(1).copied().unwrap_or(last);
    let before_last = points
        .len()
        .checked_sub(2)
        .and_then(|i| points.get(i))
        .copied()
        .unwrap_or(first);
    for p in &points {
        extent.point(*p);
    }
    let name = el.and_then(|e| e.name.as_deref()).unwrap_or_default();
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        let _ = write!(d, "{}{},{}", if i == 0 { "M" } else { "L" }, n(p.x), n(p.y));
    }
    let _ = write!(
        out,
        r#"<g class="pp-edge pp-{}" data-element="{}"><title>{}</title>"#,
        class_name(kind),
        esc(&edge.element),
        esc(if name.trim().is_empty() { &edge.element } else { name })
    );
    let end = direction(before_last, last);
    let start = direction(first, second);
    let head = |fill: &str, len: f64, half: f64| {
        format!(
            r#"<polygon points="{},{} {} {}" fill="{fill}" stroke="{INK}" stroke-width="1" stroke-linejoin="round"/>"#,
            n(last.x),
            n(last.y),
            offset(last, end, -len, half),
            offset(last, end, -len, -half)
        )
    };
    match kind {
        "sequenceFlow" => {
            let _ = write!(
                out,
                r#"<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.5" stroke-linejoin="round"/>"#
            );
            out.push_str(&head(INK, 10.0, 4.0));
            let source = el.and_then(|e| e.source.as_deref()).and_then(|s| diagram.element(s));
            if source.is_some_and(|s| s.default_flow.as_deref() == Some(edge.element.as_str())) {
                let _ = write!(
                    out,
                    r#"<path d="M{}L{}" fill="none" stroke="{INK}" stroke-width="1.5"/>"#,
                    offset(first, start, 7.0, 5.0),
                    offset(first, start, 15.0, -5.0)
                );
            } else if el.is_some_and(|e| e.conditional) && source.is_some_and(|s| !s.kind.ends_with("Gateway")) {
                let _ = write!(
                    out,
                    r##"<polygon points="{},{} {} {} {}" fill="#ffffff" stroke="{INK}" stroke-width="1"/>"##,
                    n(first.x),
                    n(first.y),
                    offset(first, start, 8.0, 5.0),
                    offset(first, start, 16.0, 0.0),
                    offset(first, start, 8.0, -5.0)
                );
            }
        }
        "messageFlow" => {
            let _ = write!(
                out,
                r##"<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.5" stroke-dasharray="10,11" stroke-linejoin="round"/><circle cx="{}" cy="{}" r="3.5" fill="#ffffff" stroke="{INK}" stroke-width="1"/>"##,
                n(first.x),
                n(first.y)
            );
            out.push_str(&head("#ffffff", 9.0, 4.5));
        }
        "association" | "dataInputAssociation" | "dataOutputAssociation" => {
            let _ = write!(
                out,
                r#"<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.5" stroke-dasharray="0.5,5" stroke-linecap="round"/>"#
            );
            if kind != "association" {
                let _ = write!(
                    out,
                    r#"<path d="M{}L{},{}L{}" fill="none" stroke="{INK}" stroke-width="1.5"/>"#,
                    offset(last, end, -9.0, 5.0),
                    n(last.x),
                    n(last.y),
                    offset(last, end, -9.0, -5.0)
                );
            }
        }
        _ => {
            let _ = write!(
                out,
                r##"<path d="{d}" fill="none" stroke="#868e96" stroke-width="1" stroke-dasharray="4,3"/>"##
            );
        }
    }
    out.push_str("</g>");
    if name.trim().is_empty() {
        return;
    }
    let label = match edge.label {
        Some(l) => Outside {
            text: name.to_string(),
            center_x: l.center().x,
            top: l.y,
            wrap: (l.width + 4.0).max(60.0),
        },
        None => {
            let mid = midpoint(&points);
            let lines = wrap(name, OUTSIDE, 90.0, 6).len() as f64;
            Outside {
                text: name.to_string(),
                center_x: mid.x,
                top: mid.y - lines * OUTSIDE * LEADING - 3.0,
                wrap: 90.0,
            }
        }
    };
    outside.push(label);
}

/// The point halfway along a polyline.
fn midpoint(points: &[Point]) -> Point {
    let total: f64 = points.windows(2).map(|w| segment(w).2).sum();
    let mut left = total / 2.0;
    for w in points.windows(2) {
        let (a, b, len) = segment(w);
        if len > 0.0 && left <= len {
            let t = left / len;
            return Point {
                x: a.x + (b.x - a.x) * t,
                y: a.y + (b.y - a.y) * t,
            };
        }
        left -= len;
    }
    points.first().copied().unwrap_or(Point { x: 0.0, y: 0.0 })
}

fn segment(w: &[Point]) -> (Point, Point, f64) {
    match w {
        [a, b, ..] => (*a, *b, (b.x - a.x).hypot(b.y - a.y)),
        _ => (Point { x: 0.0, y: 0.0 }, Point { x: 0.0, y: 0.0 }, 0.0),
    }
}

/// A route for a flow whose DI has fewer than two waypoints: a straight
/// line between the outlines of its source and target shapes, level when
/// they overlap vertically or horizontally.
fn guessed_route(diagram: &Diagram, el: &Element, shapes: &HashMap<&str, &Shape>) -> Option<Vec<Point>> {
    let from = *shapes.get(el.source.as_deref()?)?;
    let to = *shapes.get(el.target.as_deref()?)?;
    let (a, b) = (from.bounds, to.bounds);
    let overlap = |lo1: f64, hi1: f64, lo2: f64, hi2: f64| {
        let (lo, hi) = (lo1.max(lo2), hi1.min(hi2));
        (lo <= hi).then_some((lo + hi) / 2.0)
    };
    let (p, q) = if let (Some(y), true) = (
        overlap(a.y, a.bottom(), b.y, b.bottom()),
        a.right() <= b.x || b.right() <= a.x,
    ) {
        let (ax, bx) = if a.right() <= b.x {
            (a.right(), b.x)
        } else {
            (a.x, b.right())
        };
        (Point { x: ax, y }, Point { x: bx, y })
    } else if let (Some(x), true) = (
        overlap(a.x, a.right(), b.x, b.right()),
        a.bottom() <= b.y || b.bottom() <= a.y,
    ) {
        let (ay, by) = if a.bottom() <= b.y {
            (a.bottom(), b.y)
        } else {
            (a.y, b.bottom())
        };
        (Point { x, y: ay }, Point { x, y: by })
    } else {
        (a.center(), b.center())
    };
    let kind = |s: &Shape| diagram.element(&s.element).map_or("", |e| e.kind.as_str());
    Some(vec![clip(from, kind(from), p, q), clip(to, kind(to), q, p)])
}

/// Moves `p`, a point on the bounds of `shape` seen from `toward`, onto the
/// outline of a round (event) or diamond (gateway) shape when the line runs
/// level or upright.
fn clip(shape: &Shape, kind: &str, p: Point, toward: Point) -> Point {
    let b = shape.bounds;
    let c = b.center();
    let (rx, ry) = (b.width / 2.0, b.height / 2.0);
    let level = (p.y - toward.y).abs() < f64::EPSILON;
    let upright = (p.x - toward.x).abs() < f64::EPSILON;
    if rx <= 0.0 || ry <= 0.0 || (!level && !upright) {
        return p;
    }
    // How far the outline is from the centre at this height (or width), as
    // a fraction of the half-size.
    let t = if level { (p.y - c.y) / ry } else { (p.x - c.x) / rx };
    let fraction = match Look::of(kind, false) {
        Look::Event => (1.0 - t * t).max(0.0).sqrt(),
        Look::Gateway => (1.0 - t.abs()).max(0.0),
        _ => return p,
    };
    if level {
        Point {
            x: c.x + (p.x - c.x).signum() * rx * fraction,
            y: p.y,
        }
    } else {
        Point {
            x: p.x,
            y: c.y + (p.y - c.y).signum() * ry * fraction,
        }
    }
}
