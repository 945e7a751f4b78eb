//! Drawing processes from their DI and the change record page: SVG
//! snapshots (the sample export and corpus files with pools, lanes,
//! gateways and message flows), well-formed XHTML, escaping, nothing loaded
//! from elsewhere, hostile numbers, and the size limits.

use procpatch::archive::{self, Options};
use procpatch::render::{self, ChangeRecord, FileDrawings, Limits, Meta};
use procpatch::{Document, Recipe};
use quick_xml::events::Event;
use quick_xml::NsReader;

use crate::support;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// An SVG with one element per line, for reviewable snapshots.
fn lines(svg: &str) -> String {
    svg.replace("><", ">\n<")
}

/// Every figure of a document, with the built-in recipe's marks when it
/// applies, else none.
fn figures(bytes: &[u8]) -> Vec<render::Figure> {
    let doc = Document::parse(bytes).unwrap();
    let diagram = doc.diagram();
    let marks = match doc.plan(&Recipe::builtin()) {
        Ok(plan) => render::marks(&doc, &plan.report.processes),
        Err(_) => render::Marks::new(),
    };
    (0..diagram.planes.len())
        .filter_map(|i| render::draw(&diagram, i, &marks, "test"))
        .collect()
}

#[test]
fn sample_export_svg_snapshots() {
    for name in ["UsersProcDeactivate", "UsersProcReactivate", "UsersProcLock"] {
        let bytes = support::read(support::fixture(&format!("testdata/bpmn/vendor/{name}.bpmn20.xml")));
        let doc = Document::parse(&bytes).unwrap();
        let plan = doc.plan(&Recipe::builtin()).unwrap();
        let figures = render::figures(&doc, &plan.report);
        assert_eq!(figures.len(), 1, "{name}");
        let f = &figures[0];
        // The two call activities the recipe edits, two values each.
        assert_eq!(f.highlights.len(), 2, "{name}");
        assert_eq!(f.svg.matches(" changed\"").count(), 2, "{name}");
        assert_eq!(f.svg.matches("class=\"pp-badge\"").count(), 2, "{name}");
        insta::assert_snapshot!(format!("svg-vendor-{name}"), lines(&f.svg));
    }
}

#[test]
fn corpus_svg_snapshots_with_pools_lanes_gateways_and_message_flows() {
    let files = [
        (
            "signavio",
            "activiti-engine__api__repository__diagram__testInvoiceProcessSignavio.bpmn",
        ),
        (
            "message-flows",
            "activiti-bpmn-converter__MessageEventDefinitionConverterTest.bpmn",
        ),
        (
            "all-elements",
            "activiti-image-generator__image__ProcessDiagramGeneratorTest.testAllElements.bpmn20.xml",
        ),
    ];
    for (key, file) in files {
        let bytes = support::read(support::corpus_dir().join(file));
        let figures = figures(&bytes);
        assert_eq!(figures.len(), 1, "{file}");
        let svg = &figures[0].svg;
        for kind in ["participant", "Gateway\"", "sequenceFlow", "messageFlow"] {
            assert!(svg.contains(kind), "{file} draws no {kind}");
        }
        insta::assert_snapshot!(format!("svg-corpus-{key}"), lines(svg));
    }
}

#[test]
fn lanes_are_drawn() {
    let bytes = support::read(
        support::corpus_dir().join("activiti-engine__api__repository__diagram__testInvoiceProcessSignavio.bpmn"),
    );
    let svg = &figures(&bytes)[0].svg;
    assert_eq!(svg.matches("class=\"pp-shape pp-lane\"").count(), 5);
    assert!(svg.contains("rotate(-90"), "lane and pool labels run along their strip");
}

/// Every corpus file with DI draws, and each drawing is well-formed XML
/// whose numbers are all finite.
#[test]
fn every_corpus_diagram_draws_as_well_formed_svg() {
    let mut drawn = 0;
    for (name, bytes) in support::corpus() {
        let Ok(doc) = Document::parse(&bytes) else { continue };
        let diagram = doc.diagram();
        for i in 0..diagram.planes.len() {
            let f = render::draw(&diagram, i, &render::Marks::new(), &name).unwrap();
            well_formed(&f.svg);
            finite_numbers(&f.svg, &name);
            drawn += 1;
        }
    }
    assert!(drawn >= 30, "only {drawn} diagrams in the corpus");
}

/// Every number in the SVG's geometry attributes is finite.
fn finite_numbers(svg: &str, what: &str) {
    let mut reader = NsReader::from_str(svg);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                for a in e.attributes().flatten() {
                    let key = a.key.local_name().as_ref().to_string();
                    if !matches!(
                        key.as_str(),
                        "x" | "y" | "width" | "height" | "cx" | "cy" | "r" | "rx" | "ry" | "points" | "d" | "viewBox"
                    ) {
                        continue;
                    }
                    let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap();
                    let numbers = value.replace(|c: char| c.is_ascii_alphabetic() || c == ',', " ");
                    for n in numbers.split_whitespace() {
                        let v: f64 = n.parse().unwrap_or_else(|_| panic!("{what}: {key}={value:?}"));
                        assert!(v.is_finite() && v.abs() < 2e6, "{what}: {key}={value:?}");
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
}

/// Parses `xml` to its end; fails on anything not well-formed. Returns the
/// namespace of each element named `svg` and of the root.
fn well_formed(xml: &str) -> Vec<(String, String)> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().check_end_names = true;
    reader.config_mut().check_comments = true;
    let mut seen = Vec::new();
    let mut depth = 0usize;
    loop {
        match reader.read_resolved_event() {
            Ok((_, Event::Empty(e))) if depth == 0 => panic!("an empty root <{:?}>", e.name()),
            Ok((ns, Event::Start(e) | Event::Empty(e))) => {
                let local = e.local_name().as_ref().to_string();
                let ns = match ns {
                    quick_xml::name::ResolveResult::Bound(n) => n.0.to_string(),
                    _ => String::new(),
                };
                if depth == 0 || local == "svg" {
                    seen.push((local, ns));
                }
                for a in e.attributes() {
                    a.unwrap_or_else(|err| panic!("bad attribute: {err}"));
                }
                depth += 1;
            }
            Ok((_, Event::End(_))) => depth = depth.saturating_sub(1),
            Ok((_, Event::Text(t))) => {
                let _ = t.xml10_content();
            }
            Ok((_, Event::Eof)) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.error_position()),
        }
    }
    seen
}

fn meta() -> Meta {
    let mut meta = Meta::new("apply", "2024-05-17 09:30 UTC");
    meta.version = "0.0.0-test".into();
    meta
}

/// The change record of the sample export, as the CLI builds it.
fn sample_page() -> String {
    let path = support::fixture("testdata/archives/ProcessImport.zip");
    let options = Options::default();
    let plan = archive::plan_file(&path, &Recipe::builtin(), &options).unwrap();
    let limits = Limits::default();
    let mut drawings = FileDrawings::for_report(plan.report(), limits, limits.page_shapes);
    archive::for_each_document(&path, &options, &mut |entry, bytes| drawings.document(entry, bytes)).unwrap();
    let mut page = ChangeRecord::new(meta(), limits);
    page.applied(plan.report(), &drawings);
    page.finish()
}

#[test]
fn change_record_is_well_formed_xhtml_with_svg() {
    let page = sample_page();
    let seen = well_formed(&page);
    assert_eq!(seen[0], ("html".to_string(), XHTML_NS.to_string()));
    let svgs: Vec<_> = seen.iter().filter(|(l, _)| l == "svg").collect();
    assert_eq!(svgs.len(), 3, "the three user processes are drawn");
    assert!(svgs.iter().all(|(_, ns)| ns == SVG_NS));
    // Six edited call activities, twelve values.
    assert_eq!(page.matches("pp-callActivity changed").count(), 6);
    assert_eq!(page.matches("<td class=\"status changed\">").count(), 12);
    assert!(page.contains("2024-05-17 09:30 UTC") && page.contains("0.0.0-test"));
    assert!(page.contains("ae12da04138500ef35b2e6c18a0c55d11829d1a4965bcf98d801141e9b1bf215"));
}

/// No `src`, `href` or CSS `url()` that reaches out, no script at all.
fn assert_loads_nothing(page: &str) {
    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script element");
    assert!(!lower.contains("@import"), "a CSS import");
    let mut reader = NsReader::from_str(page);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                for a in e.attributes().flatten() {
                    let key = a.key.local_name().as_ref().to_ascii_lowercase();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .to_ascii_lowercase();
                    if matches!(
                        key.as_str(),
                        "src" | "href" | "xlink:href" | "action" | "data" | "poster"
                    ) {
                        panic!("<{}> has {key}={value:?}", e.name().as_ref());
                    }
                    assert!(!key.starts_with("on"), "event handler attribute {key}");
                    assert!(!value.contains("url(") || !value.contains("//"), "{key}={value:?}");
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
    for part in lower.split("url(").skip(1) {
        let target = part.split(')').next().unwrap_or_default();
        assert!(!target.contains("http") && !target.contains("//"), "url({target})");
    }
    // Namespace names are the only addresses on the page.
    for (at, _) in lower.match_indices("http") {
        let before = &lower[at.saturating_sub(20)..at];
        assert!(
            before.contains("xmlns") && before.ends_with("=\""),
            "an address: {}",
            &lower[at..at + 40]
        );
    }
}

#[test]
fn change_record_loads_nothing_from_outside() {
    assert_loads_nothing(&sample_page());
    // An inspection of the whole corpus too.
    let options = Options::default();
    let limits = Limits::default();
    let mut page = ChangeRecord::new(Meta::new("inspect", "2024-05-17 09:30 UTC"), limits);
    for path in support::read_dir(support::corpus_dir()) {
        let Ok(inspection) = archive::inspect_file(&path, &options) else {
            continue;
        };
        let mut drawings = FileDrawings::for_inspection(limits, page.budget());
        archive::for_each_document(&path, &options, &mut |e, b| drawings.document(e, b)).unwrap();
        page.inspected(&inspection, &drawings, &Recipe::builtin().labels());
    }
    let page = page.finish();
    well_formed(&page);
    assert_loads_nothing(&page);
}

const HOSTILE_NAMES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI">
  <process id="p&quot;&gt;" name="&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;">
    <startEvent id="s" name="&lt;img src=x onerror=alert(3)&gt;"/>
    <serviceTask id="t&lt;" name="&lt;script&gt;alert(1)&lt;/script&gt;">
      <extensionElements><activiti:field name="value" expression="&lt;b&gt;old&lt;/b&gt;"/></extensionElements>
    </serviceTask>
    <sequenceFlow id="f" name="]]&gt; &amp;amp; &apos;" sourceRef="s" targetRef="t&lt;"/>
  </process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane bpmnElement="p&quot;&gt;">
    <bpmndi:BPMNShape bpmnElement="s"><dc:Bounds x="10" y="20" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape bpmnElement="t&lt;"><dc:Bounds x="100" y="10" width="120" height="60"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge bpmnElement="f"><di:waypoint x="46" y="38"/><di:waypoint x="100" y="38"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>"#;

/// Text from the document or the recipe is text, never markup.
#[test]
fn names_and_values_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("hostile.bpmn20.xml");
    std::fs::write(&file, HOSTILE_NAMES).unwrap();
    let recipe = Recipe::from_toml(
        r#"[[process]]
name = "</title><script>alert(2)</script>"
[[process.task]]
name = "<script>alert(1)</script>"
set = { value = "<img src=x onerror=alert(4)>", "@x" = "'\"&" }
"#,
    )
    .unwrap();
    let options = Options::default();
    let plan = archive::plan_file(&file, &recipe, &options).unwrap();
    let limits = Limits::default();
    let mut drawings = FileDrawings::for_report(plan.report(), limits, limits.page_shapes);
    archive::for_each_document(&file, &options, &mut |e, b| drawings.document(e, b)).unwrap();
    let mut meta = meta();
    // A file name may hold what XML cannot (here U+0001).
    meta.recipe = "<script>recipe</script>\u{1}.toml".into();
    let mut page = ChangeRecord::new(meta, limits);
    page.applied(plan.report(), &drawings);
    page.error("<script>bad</script>.zip", "<script>alert(5)</script>");
    let page = page.finish();

    well_formed(&page);
    assert_loads_nothing(&page);
    let lower = page.to_ascii_lowercase();
    assert!(
        !lower.contains("<script") && !lower.contains("<img"),
        "markup got through"
    );
    // Shown as text, in the diagram (the task's name and tooltip) and the table.
    assert!(page.matches("&lt;script&gt;alert(1)&lt;/script&gt;").count() >= 3);
    assert!(page.contains("&lt;img src=x onerror=alert(4)&gt;"));
    assert!(page.contains("&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(page.contains("&lt;script&gt;alert(5)&lt;/script&gt;"));
    // A control character cannot make the page malformed.
    assert!(page.contains('\u{FFFD}'));
    let text = all_text(&page);
    assert!(text.contains("<script>alert(1)</script>"), "the name reads as typed");
}

/// The page's text with references resolved.
fn all_text(xml: &str) -> String {
    let mut reader = NsReader::from_str(xml);
    let mut out = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Text(t)) => out.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                let name = r.xml10_content();
                out.push_str(match name.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    _ => "'",
                });
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
    out
}

/// Numbers that are not finite, or absurdly large, are left out of the
/// drawing rather than written into it.
#[test]
fn hostile_numbers_cannot_break_the_svg() {
    let xml = HOSTILE_NAMES
        .replace(r#"x="10" y="20""#, r#"x="NaN" y="20""#)
        .replace(r#"x="100" y="10""#, r#"x="1e308" y="10""#)
        .replace(
            r#"<di:waypoint x="46" y="38"/>"#,
            r#"<di:waypoint x="-inf" y="38"/><di:waypoint x="9e9" y="1"/>"#,
        );
    let figures = figures(xml.as_bytes());
    let f = &figures[0];
    well_formed(&f.svg);
    finite_numbers(&f.svg, "hostile");
    assert!(!f.svg.contains("NaN") && !f.svg.contains("e308"));
    // Nothing valid is left to draw but the one waypoint: a tiny picture.
    assert!(
        f.view_box.width < 100.0 && f.view_box.height < 100.0,
        "{:?}",
        f.view_box
    );
}

/// A huge inspection draws diagrams up to the page's limit, then says so.
#[test]
fn page_limit_leaves_diagrams_out_with_a_note() {
    let limits = Limits {
        diagram_shapes: 100,
        page_shapes: 20,
    };
    let options = Options::default();
    let mut page = ChangeRecord::new(Meta::new("inspect", "2024-05-17 09:30 UTC"), limits);
    for name in ["UsersProcDeactivate", "UsersProcReactivate", "UsersProcLock"] {
        let path = support::fixture(&format!("testdata/bpmn/vendor/{name}.bpmn20.xml"));
        let inspection = archive::inspect_file(&path, &options).unwrap();
        let mut drawings = FileDrawings::for_inspection(limits, page.budget());
        archive::for_each_document(&path, &options, &mut |e, b| drawings.document(e, b)).unwrap();
        page.inspected(&inspection, &drawings, &[]);
    }
    let page = page.finish();
    // Five shapes and four flows per process: two processes fit in twenty.
    assert_eq!(page.matches("<svg ").count(), 2);
    assert!(page.contains("1 diagram not drawn: this page draws at most 20 shapes and flows"));
    assert!(page.contains("Not drawn: this page draws at most 20 shapes and flows"));
    well_formed(&page);
}

#[test]
fn a_process_without_di_gets_its_table_and_a_note() {
    let path = support::corpus_dir().join("activiti-bpmn-converter__subprocessmodel-noDI.bpmn");
    let options = Options::default();
    let inspection = archive::inspect_file(&path, &options).unwrap();
    let limits = Limits::default();
    let mut drawings = FileDrawings::for_inspection(limits, limits.page_shapes);
    archive::for_each_document(&path, &options, &mut |e, b| drawings.document(e, b)).unwrap();
    let mut page = ChangeRecord::new(Meta::new("inspect", "2024-05-17 09:30 UTC"), limits);
    page.inspected(&inspection, &drawings, &[]);
    let page = page.finish();
    assert!(page.contains("This process has no diagram (no BPMN DI)"));
    assert!(page.contains("<table class=\"tasks\">"));
    assert!(!page.contains("<svg"));
}
