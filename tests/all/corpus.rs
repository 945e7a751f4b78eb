//! Edits over the real-world corpus: a field and a plain attribute of a
//! task in every file that has one, then byte-level and read-back checks.

use procpatch::{Document, Status};

use crate::support;

/// A value that exercises every escape: markup, both quotes, a CDATA
/// terminator, non-ASCII (a reference in Latin-1 and ASCII documents),
/// tab and line break.
const VALUE: &str = "procpatch <&> \"q\" 'a' ]]> é € \ttab\nline";
const ATTR: &str = "Renamed & \"quoted\" — task";

/// What one edit did, for the summary snapshot.
struct Edited {
    field: bool,
}

/// Edits the first task of the file that has a uniquely named field (or
/// else its first task), checks the output, and applies again.
fn edit_file(name: &str, bytes: &[u8]) -> Option<Edited> {
    let doc = Document::parse(bytes).ok()?;
    let mut target = None;
    for (pi, p) in doc.processes().iter().enumerate() {
        for (ti, t) in p.tasks.iter().enumerate() {
            let unique = t
                .fields
                .iter()
                .find(|f| f.value.is_some() && t.fields.iter().filter(|g| g.name == f.name).count() == 1);
            match (unique, &target) {
                (Some(f), None | Some((_, _, None))) => target = Some((pi, ti, Some(f.name.clone()))),
                (None, None) => target = Some((pi, ti, None)),
                _ => {}
            }
        }
    }
    let (pi, ti, field) = target?;
    let task = &doc.processes()[pi].tasks[ti];
    let attr = if task.selector.name.is_some() { "name" } else { "id" };
    let mut editor = doc.editor();
    if let Some(f) = &field {
        let c = editor.set(task, f, VALUE).unwrap();
        assert_eq!(c.status, Status::Changed, "{name}");
    }
    editor.set(task, &format!("@{attr}"), ATTR).unwrap();
    let splices = editor.finish().unwrap();
    let out = procpatch::apply(bytes, &splices).unwrap();
    support::assert_only_spans_changed(bytes, &out, &splices);

    let again = Document::parse(&out).unwrap_or_else(|e| panic!("{name}: output does not parse: {e}"));
    let t2 = &again.processes()[pi].tasks[ti];
    if let Some(f) = &field {
        let read = t2.fields.iter().find(|g| &g.name == f).unwrap();
        assert_eq!(read.value.as_deref(), Some(VALUE), "{name}: field {f}");
        let before = task.fields.iter().find(|g| &g.name == f).unwrap();
        assert_eq!(read.form, before.form, "{name}: the form changed");
    }
    let a = t2.attributes.iter().find(|a| a.name == attr).unwrap();
    assert_eq!(a.value, ATTR, "{name}: @{attr}");

    // The same edit on the output changes nothing.
    let mut editor = again.editor();
    if let Some(f) = &field {
        assert_eq!(editor.set(t2, f, VALUE).unwrap().status, Status::AlreadySet);
    }
    assert_eq!(
        editor.set(t2, &format!("@{attr}"), ATTR).unwrap().status,
        Status::AlreadySet
    );
    assert!(editor.finish().unwrap().is_empty(), "{name}: not idempotent");
    Some(Edited { field: field.is_some() })
}

#[test]
fn corpus_field_and_attribute_edits_touch_only_their_spans() {
    let mut with_field = Vec::new();
    let mut attribute_only = 0;
    for (name, bytes) in support::corpus() {
        match edit_file(&name, &bytes) {
            Some(Edited { field: true }) => with_field.push(name),
            Some(Edited { field: false }) => attribute_only += 1,
            None => {}
        }
    }
    // Every corpus file with a field extension on a task was edited. (Two
    // more corpus files have fields, on a message event definition and an
    // execution listener: not tasks, so not targets.)
    insta::assert_snapshot!(with_field.join("\n"));
    assert!(
        attribute_only >= 30,
        "only {attribute_only} files had tasks without fields"
    );
}

#[test]
fn corpus_field_insertion_keeps_documents_well_formed() {
    let mut inserted = 0;
    for (name, bytes) in support::corpus() {
        let Ok(doc) = Document::parse(&bytes) else {
            continue;
        };
        let Some(task) = doc.processes().iter().flat_map(|p| &p.tasks).next() else {
            continue;
        };
        let mut editor = doc.editor();
        let c = editor.set(task, "procpatchInserted", VALUE).unwrap();
        assert_eq!(c.status, Status::Inserted);
        let splices = editor.finish().unwrap();
        let out = procpatch::apply(&bytes, &splices).unwrap();
        support::assert_only_spans_changed(&bytes, &out, &splices);
        let again = Document::parse(&out).unwrap_or_else(|e| panic!("{name}: {e}"));
        let t = again.processes().iter().flat_map(|p| &p.tasks).next().unwrap();
        let f = t.fields.iter().find(|f| f.name == "procpatchInserted").unwrap();
        assert_eq!(f.value.as_deref(), Some(VALUE), "{name}");
        // And again: nothing more to do.
        let mut editor = again.editor();
        assert_eq!(
            editor.set(t, "procpatchInserted", VALUE).unwrap().status,
            Status::AlreadySet
        );
        assert!(editor.finish().unwrap().is_empty());
        inserted += 1;
    }
    assert!(inserted >= 45, "only {inserted} corpus files had a task");
}

/// A recipe that sets `key` on `task` of `process`, naming each by name
/// where it has one.
fn recipe_for(process: &procpatch::Process, task: &procpatch::Task, key: &str) -> Option<procpatch::Recipe> {
    let sel = |s: &procpatch::Selector| match (&s.name, &s.id) {
        (Some(n), _) => Some(format!("name = {}", serde_json::to_string(n).ok()?)),
        (None, Some(i)) => Some(format!("id = {}", serde_json::to_string(i).ok()?)),
        (None, None) => None,
    };
    let toml = format!(
        "[[process]]\n{}\nall = true\n[[process.task]]\n{}\nall = true\nset = {{ {key} = \"procpatch\" }}\n",
        sel(&process.selector)?,
        sel(&task.selector)?
    );
    procpatch::Recipe::from_toml(&toml).ok()
}

/// `patch` reads only the processes a recipe names with their tasks;
/// planning on a document read in full must give the same bytes, report
/// and errors, for every process of every corpus file.
#[test]
fn corpus_patch_reading_only_named_processes_equals_a_full_read() {
    let mut compared = 0;
    for (name, bytes) in support::corpus() {
        let Ok(doc) = Document::parse(&bytes) else {
            continue;
        };
        for process in doc.processes() {
            for (task, key) in process.tasks.iter().flat_map(|t| {
                let field = t.fields.first().map(|f| f.name.clone());
                [(t, "procpatchInserted".to_string())]
                    .into_iter()
                    .chain(field.map(|f| (t, f)))
            }) {
                let Some(recipe) = recipe_for(process, task, &key) else {
                    continue;
                };
                let full = (|| {
                    let plan = doc.plan(&recipe).map_err(|e| e.to_string())?;
                    procpatch::check_found(&doc, &plan.report, &recipe).map_err(|e| e.to_string())?;
                    let out = plan.apply(&bytes).map_err(|e| e.to_string())?;
                    Ok::<_, String>((out, plan.report))
                })();
                let partial = procpatch::patch(&bytes, &recipe).map_err(|e| e.to_string());
                match (full, partial) {
                    (Ok((a, ra)), Ok((b, rb))) => {
                        assert!(a == b, "{name}: {key} on {}: bytes differ", task.selector);
                        assert_eq!(
                            serde_json::to_string(&ra).unwrap(),
                            serde_json::to_string(&rb).unwrap(),
                            "{name}"
                        );
                    }
                    (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
                    (a, b) => panic!("{name}: {key} on {}: {a:?} against {b:?}", task.selector),
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 200, "only {compared} edits compared");
}
