//! Speed targets for the XML editor, measured (never asserted in tests):
//!
//! - parse a 150 KB BPMN document (the corpus's largest) in well under 5 ms;
//! - plan and apply the built-in recipe on a vendor process in under 1 ms;
//! - patch the sample process-import archive (read, edit three entries,
//!   recompress, rewrite, verify every entry) in under 5 ms;
//! - parse 30,000 prefixed attributes in about the same time whether they
//!   are spread over tags of 8 or all in one tag: the checks for a name
//!   given twice cost linear time (a hostile tag once cost quadratic).
//!
//! Run with `cargo bench -p procpatch-benches`.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use std::path::Path;

fn main() {
    divan::main();
}

fn read(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn largest() -> Vec<u8> {
    read("../testdata/corpus/hist-12bb3b9d__tooling__archetypes__activiti-archetype-unittest__MYBPMN.bpmn")
}

#[divan::bench]
fn parse_150kb(bencher: divan::Bencher) {
    let bytes = largest();
    bencher.counter(divan::counter::BytesCount::new(bytes.len())).bench(|| {
        procpatch::Document::parse(divan::black_box(&bytes))
            .unwrap()
            .processes()
            .len()
    });
}

#[divan::bench]
fn patch_vendor_process(bencher: divan::Bencher) {
    let bytes = read("../testdata/bpmn/vendor/UsersProcDeactivate.bpmn20.xml");
    let recipe = procpatch::Recipe::builtin();
    bencher.bench(|| procpatch::patch(divan::black_box(&bytes), &recipe).unwrap().0.len());
}

#[divan::bench]
fn round_trip_150kb(bencher: divan::Bencher) {
    let bytes = largest();
    bencher.bench(|| {
        let doc = procpatch::Document::parse(divan::black_box(&bytes)).unwrap();
        procpatch::apply(&bytes, &doc.editor().finish().unwrap()).unwrap().len()
    });
}

#[divan::bench]
fn patch_sample_archive(bencher: divan::Bencher) {
    let bytes = read("../testdata/archives/ProcessImport.zip");
    let recipe = procpatch::Recipe::builtin();
    let options = procpatch::archive::Options::default();
    bencher.bench(|| {
        procpatch::archive::patch_archive(divan::black_box(&bytes), &recipe, &options)
            .unwrap()
            .0
            .len()
    });
}

/// 30,000 prefixed attributes with distinct names, `per_tag` to a start
/// tag: the time should not grow with `per_tag` (read the three results as
/// ratios; one tag of 30,000 took 6.8 s before the checks were linear).
#[divan::bench(args = [8, 1_000, 30_000])]
fn parse_30k_attributes(bencher: divan::Bencher, per_tag: usize) {
    const TOTAL: usize = 30_000;
    let mut xml = String::from(
        "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:p=\"urn:p\"><process id=\"x\">",
    );
    for tag in 0..TOTAL / per_tag {
        xml += &format!("<task id=\"t{tag}\"");
        // 30,000 distinct names whatever the tags: each is interned once.
        for a in tag * per_tag..(tag + 1) * per_tag {
            xml += &format!(" p:a{a}=\"v\"");
        }
        xml += "/>";
    }
    xml += "</process></definitions>";
    bencher.counter(divan::counter::ItemsCount::new(TOTAL)).bench(|| {
        procpatch::Document::parse(divan::black_box(xml.as_bytes()))
            .unwrap()
            .text()
            .len()
    });
}
