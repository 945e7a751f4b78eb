//! A tool that holds BPMN in memory (no archive, no file): parse, read the
//! tasks, set one field and one attribute through an editor, and get the new
//! bytes; everything outside the two values stays as it was.
//!
//! ```sh
//! cargo run -p procpatch --example edit_bytes
//! ```

use procpatch::{Document, Status};

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:activiti="http://activiti.org/bpmn">
  <!-- kept as it is -->
  <process id="UsersProcLock" name="Lock user">
    <callActivity id="c1" name="Lock related credentials" calledElement="${processToCall}">
      <extensionElements>
        <activiti:field name="value" expression=""/>
      </extensionElements>
    </callActivity>
  </process>
</definitions>
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let doc = Document::parse(XML.as_bytes())?;
    for p in doc.processes() {
        for t in &p.tasks {
            println!("{} › {} {} at {}", p.selector, t.kind, t.selector, t.position);
        }
    }
    let task = doc
        .processes()
        .iter()
        .flat_map(|p| &p.tasks)
        .find(|t| t.selector.name.as_deref() == Some("Lock related credentials"))
        .ok_or(procpatch::Error::Empty)?;
    let mut editor = doc.editor();
    for (key, value) in [("data pool", "Batch order"), ("@activiti:async", "true")] {
        let change = editor.set(task, key, value)?;
        let verb = match change.status {
            Status::Changed => "changed",
            Status::Inserted => "inserted",
            _ => "kept",
        };
        println!("{key}: {verb}");
    }
    let splices = editor.finish()?;
    let patched = procpatch::apply(XML.as_bytes(), &splices)?;
    print!("{}", String::from_utf8_lossy(&patched));
    Ok(())
}
