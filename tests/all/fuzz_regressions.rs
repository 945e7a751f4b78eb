//! Every input the fuzzers ever crashed on (`fuzz/regressions/<target>/`),
//! run through the same checks as the fuzz targets.

#[path = "../../fuzz/checks.rs"]
mod checks;

fn run(target: &str, check: fn(&[u8])) {
    let dir = crate::support::root().join("fuzz/regressions").join(target);
    for path in crate::support::read_dir(&dir) {
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let data = crate::support::read(&path);
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(result.is_ok(), "{} fails again", path.display());
    }
}

#[test]
fn xml_edit_crashers_stay_fixed() {
    run("xml_edit", checks::xml_edit);
}

#[test]
fn archive_crashers_stay_fixed() {
    run("archive", checks::archive);
}

#[test]
fn xml_split_crashers_stay_fixed() {
    run("xml_split", checks::xml_split);
}
