//! Speed targets for the XML editor, measured (never asserted in tests):
//!
//! - parse a 150 KB BPMN document (the corpus's largest) in well under 5 ms;
//! - plan and apply the built-in recipe on a vendor process in under 1 ms;
//! - patch the sample process-import archive (read, edit three entries,
//!   recompress, rewrite, verify every entry) in under 5 ms.
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
