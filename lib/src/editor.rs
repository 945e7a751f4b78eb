//! Setting values on tasks, collected as edits and turned into splices.

use crate::bpmn::{Field, Form, Slot, Task};
use crate::charset::Charset;
use crate::document::Document;
use crate::error::Error;
use crate::escape::{self, Unrepresentable};
use crate::insert::{self, prefix_of, TextEdit};
use crate::ns::Engine;
use crate::recipe::{Key, Recipe, RecipeError};
use crate::report::{Change, Status};
use crate::splice::Splice;
use crate::tree::{ElemId, Tree};

/// Collects value changes for one document and produces its splices.
///
/// ```
/// let xml = br#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
///     xmlns:activiti="http://activiti.org/bpmn">
///   <process id="p" name="P">
///     <serviceTask id="t" name="T">
///       <extensionElements>
///         <activiti:field name="value" expression="old"/>
///       </extensionElements>
///     </serviceTask>
///   </process>
/// </definitions>"#;
/// let doc = procpatch::Document::parse(xml)?;
/// let task = &doc.processes()[0].tasks[0];
/// let mut editor = doc.editor();
/// let change = editor.set(task, "data pool", "Batch order")?;
/// assert_eq!(change.status, procpatch::Status::Changed);
/// let out = procpatch::apply(xml, &editor.finish()?)?;
/// assert_eq!(out, String::from_utf8_lossy(xml).replace("\"old\"", "\"Batch order\"").into_bytes());
/// # Ok::<(), procpatch::Error>(())
/// ```
#[derive(Debug)]
pub struct Editor<'d, 'a> {
    doc: &'d Document<'a>,
    /// Labels and the default engine; its processes are unused.
    keys: Recipe,
    edits: Vec<TextEdit>,
    /// Fields to insert, per task, in the order they were asked for.
    new_fields: Vec<(&'d Task, Vec<(String, String)>)>,
    /// Attributes to insert, per element: name and value.
    new_attrs: Vec<(ElemId, Vec<(String, String)>)>,
    /// (task element, field or `@attribute`) already set by this editor.
    touched: Vec<(ElemId, String)>,
    /// Engine namespaces to declare on the root element: prefix and engine.
    declarations: Vec<(String, Engine)>,
}

impl<'d, 'a> Editor<'d, 'a> {
    pub(crate) fn new(doc: &'d Document<'a>, recipe: &Recipe) -> Self {
        Editor {
            doc,
            keys: Recipe {
                labels: recipe.labels.clone(),
                engine: recipe.engine,
                ..Recipe::default()
            },
            edits: Vec::new(),
            new_fields: Vec::new(),
            new_attrs: Vec::new(),
            touched: Vec::new(),
            declarations: Vec::new(),
        }
    }

    /// Sets `key` (a label, a field name, `@attribute` or
    /// `@engine:attribute`) to `value` on `task`, which must come from this
    /// editor's document. Returns what changes; nothing is written until
    /// [`Editor::finish`].
    ///
    /// # Errors
    ///
    /// A key that is neither a label nor a field nor an attribute, a task from
    /// another document, a field present twice, a value set twice, or a value
    /// that cannot be read or written.
    pub fn set(&mut self, task: &'d Task, key: &str, value: &str) -> Result<Change, Error> {
        if !self.doc.owns(task) {
            return Err(Error::ForeignTask {
                task: task.selector.clone(),
            });
        }
        let resolved = self.keys.key(key).map_err(|message| {
            Error::Recipe(RecipeError::Invalid {
                at: format!("task {}", task.selector),
                message,
            })
        })?;
        let change = |target: String, form, old: Option<String>, status, position| Change {
            key: key.to_string(),
            target: Some(target),
            form: Some(form),
            old,
            new: value.to_string(),
            status,
            position: Some(position),
        };
        match resolved {
            Key::Attribute { engine, name } => {
                let qualified = match engine {
                    Some(e) => format!("{}:{name}", e.conventional_prefix()),
                    None => name.clone(),
                };
                let target = format!("@{qualified}");
                self.touch(task, &target, key)?;
                match task
                    .attributes
                    .iter()
                    .find(|a| a.engine == engine && a.name == qualified)
                {
                    Some(a) if a.value == value && !matches!(a.slot, Slot::Unreadable(_)) => Ok(change(
                        target,
                        Form::XmlAttribute,
                        Some(a.value.clone()),
                        Status::AlreadySet,
                        a.position,
                    )),
                    Some(a) => {
                        let edit = self.write(&a.slot, value, key)?;
                        self.edits.push(edit);
                        Ok(change(
                            target,
                            Form::XmlAttribute,
                            Some(a.value.clone()),
                            Status::Changed,
                            a.position,
                        ))
                    }
                    None => {
                        // Checked now so the error names the key; escaped
                        // in `finish`, once the quote character is known.
                        escape::attribute(value, b'"', self.doc.charset()).map_err(|c| unrepresentable(key, c))?;
                        let qname = match engine {
                            Some(e) => format!("{}:{name}", self.attribute_prefix(task.elem, e)),
                            None => name,
                        };
                        self.queue_attr(task.elem, qname, value.to_string());
                        Ok(change(
                            target,
                            Form::XmlAttribute,
                            None,
                            Status::Inserted,
                            task.position,
                        ))
                    }
                }
            }
            Key::Field(names) => {
                let found = names.iter().find_map(|n| {
                    let same: Vec<&Field> = task.fields.iter().filter(|f| &f.name == n).collect();
                    (!same.is_empty()).then_some(same)
                });
                match found.as_deref() {
                    Some([f]) => {
                        self.touch(task, &f.name, key)?;
                        if f.value.as_deref() == Some(value) {
                            return Ok(change(
                                f.name.clone(),
                                f.form,
                                f.value.clone(),
                                Status::AlreadySet,
                                f.position,
                            ));
                        }
                        let edit = self.write(&f.slot, value, key)?;
                        self.edits.push(edit);
                        Ok(change(
                            f.name.clone(),
                            f.form,
                            f.value.clone(),
                            Status::Changed,
                            f.position,
                        ))
                    }
                    Some(many) => Err(Error::DuplicateField {
                        task: task.selector.clone(),
                        field: many.first().map(|f| f.name.clone()).unwrap_or_default(),
                        positions: many.iter().map(|f| f.position).collect(),
                    }),
                    None => {
                        // A key resolves to one or more names (recipes are
                        // validated so); none is an error, never `name=""`.
                        let name = names.first().cloned().ok_or_else(|| {
                            Error::Recipe(crate::recipe::RecipeError::Invalid {
                                at: format!("key \"{key}\""),
                                message: "names no field".into(),
                            })
                        })?;
                        self.touch(task, &name, key)?;
                        // Checked now so the error names the key.
                        escape::cdata(value, self.doc.charset()).map_err(|c| unrepresentable(key, c))?;
                        match self.new_fields.iter_mut().find(|(t, _)| std::ptr::eq(*t, task)) {
                            Some((_, list)) => list.push((name.clone(), value.to_string())),
                            None => self.new_fields.push((task, vec![(name.clone(), value.to_string())])),
                        }
                        Ok(change(
                            name,
                            NewField::like(self.doc.tree(), &task.fields).form(),
                            None,
                            Status::Inserted,
                            task.position,
                        ))
                    }
                }
            }
        }
    }

    /// Refuses a second edit of one value.
    fn touch(&mut self, task: &Task, target: &str, key: &str) -> Result<(), Error> {
        let entry = (task.elem, target.to_string());
        if self.touched.contains(&entry) {
            return Err(Error::SetTwice {
                task: task.selector.clone(),
                target: target.to_string(),
                key: key.to_string(),
            });
        }
        self.touched.push(entry);
        Ok(())
    }

    fn queue_attr(&mut self, elem: ElemId, name: String, value: String) {
        match self.new_attrs.iter_mut().find(|(e, _)| *e == elem) {
            Some((_, list)) => list.push((name, value)),
            None => self.new_attrs.push((elem, vec![(name, value)])),
        }
    }

    /// The prefix for a new attribute of `elem` in `engine`'s namespace: one
    /// bound to it in scope, or else one declared on the root element.
    fn attribute_prefix(&mut self, elem: ElemId, engine: Engine) -> String {
        // The default namespace does not apply to attributes.
        match self.doc.tree().prefix_for(elem, engine.namespace()) {
            Some(p) if !p.is_empty() => p,
            _ => self.declare(engine),
        }
    }

    /// The prefix this editor declares on the root element for `engine`'s
    /// namespace: the engine's conventional prefix, or that with a number
    /// if some element already declares it.
    fn declare(&mut self, engine: Engine) -> String {
        if let Some((p, _)) = self.declarations.iter().find(|(_, e)| *e == engine) {
            return p.clone();
        }
        let base = engine.conventional_prefix();
        let taken = |p: &str| self.declarations.iter().any(|(d, _)| d == p) || self.doc.tree().declares(p);
        let prefix = std::iter::once(base.to_string())
            .chain((2..).map(|n| format!("{base}{n}")))
            .find(|p| !taken(p))
            .unwrap_or_else(|| base.to_string());
        self.declarations.push((prefix.clone(), engine));
        prefix
    }

    /// The edit that writes `value` into `slot`, in the slot's form.
    fn write(&self, slot: &Slot, value: &str, key: &str) -> Result<TextEdit, Error> {
        let (tree, text, charset) = (self.doc.tree(), self.doc.text(), self.doc.charset());
        let err = |c| unrepresentable(key, c);
        match slot {
            Slot::Attribute { span, quote } => Ok(TextEdit {
                range: span.clone(),
                markup: escape::attribute(value, *quote, charset).map_err(err)?,
            }),
            Slot::Content { span, cdata } => Ok(TextEdit {
                range: span.clone(),
                markup: if *cdata {
                    escape::cdata(value, charset)
                } else {
                    escape::text(value, charset)
                }
                .map_err(err)?,
            }),
            Slot::Missing { elem } => {
                let el = tree.get(*elem).ok_or_else(|| Error::Internal("lost element".into()))?;
                let data = escape::cdata(value, charset).map_err(err)?;
                let inner = if el.local() == "field" {
                    let p = prefix_of(el.qname());
                    format!("<{p}string>{data}</{p}string>")
                } else {
                    data
                };
                insert::fill(tree, text, *elem, &inner)
                    .ok_or_else(|| Error::Internal("element without a place for content".into()))
            }
            Slot::Unreadable(e) => Err((**e).clone()),
        }
    }

    /// The splices for everything set, in the document's encoding.
    ///
    /// # Errors
    ///
    /// A place to insert that cannot be found, or edits that overlap (a bug in
    /// procpatch, reported as [`Error::Internal`] instead of a damaged document);
    /// a value the encoding cannot carry.
    pub fn finish(mut self) -> Result<Vec<Splice>, Error> {
        let (tree, text, charset) = (self.doc.tree(), self.doc.text(), self.doc.charset());
        let new_fields = std::mem::take(&mut self.new_fields);
        for (task, list) in &new_fields {
            // A prefix bound where the fields go, for the engine of the
            // task's own fields (else any engine); else a new declaration on
            // the root element.
            let scope = task.extensions.unwrap_or(task.elem);
            let engines: &[Engine] = match task.fields.first() {
                Some(f) => &[f.engine][..],
                None => &Engine::ALL[..],
            };
            let prefix = match engines.iter().find_map(|e| tree.prefix_for(scope, e.namespace())) {
                Some(p) if p.is_empty() => String::new(),
                Some(p) => format!("{p}:"),
                None => format!("{}:", self.declare(self.keys.engine.unwrap_or(Engine::Activiti))),
            };
            let style = NewField::like(tree, &task.fields);
            let items = list
                .iter()
                .map(|(name, value)| {
                    style
                        .markup(&prefix, name, value, charset)
                        .map_err(|c| unrepresentable(name, c))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let last_field = task.fields.last().map(|f| f.elem);
            let edit = insert::fields(tree, text, task.elem, task.extensions, last_field, &items)
                .ok_or_else(|| Error::Internal(format!("no place to insert fields into task {}", task.selector)))?;
            self.edits.push(edit);
        }
        for (prefix, engine) in std::mem::take(&mut self.declarations) {
            self.queue_attr(0, format!("xmlns:{prefix}"), engine.namespace().to_string());
        }
        for (elem, attrs) in std::mem::take(&mut self.new_attrs) {
            let quote = insert::attribute_quote(tree, elem);
            let attrs = attrs
                .into_iter()
                .map(|(name, value)| {
                    let escaped = escape::attribute(&value, quote, charset).map_err(|c| unrepresentable(&name, c))?;
                    Ok((name, escaped))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let edit = insert::attributes(tree, text, elem, &attrs)
                .ok_or_else(|| Error::Internal("no place to insert an attribute".into()))?;
            self.edits.push(edit);
        }
        let original = self.doc.bytes();
        let splices: Vec<Splice> = self.edits.iter().map(|e| self.doc.splice(e)).collect();
        // Check for overlaps before narrowing the splices.
        crate::splice::check(original.len(), &splices)?;
        Ok(splices.into_iter().map(|s| s.minimize(original)).collect())
    }
}

/// How a new field is written: like the task's other fields when they all
/// agree on a form, else as a `string` child in CDATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NewField {
    /// `<P:field name="K"><P:string><![CDATA[V]]></P:string></P:field>`.
    CData,
    /// `<P:field name="K"><P:string>V</P:string></P:field>`.
    Text,
    /// `<P:field name="K" expression="V"/>` or `stringValue="V"`, in
    /// `quote`, with an end tag (`></P:field>`) when `end_tag`.
    Attribute { expression: bool, quote: u8, end_tag: bool },
}

impl NewField {
    /// The form shared by `fields`. For the attribute forms, the quote
    /// character and the end-tag style are copied when all fields agree on
    /// them; otherwise `"` and an empty-element tag.
    fn like(tree: &Tree, fields: &[Field]) -> NewField {
        let style = |f: &Field| match (f.form, &f.slot) {
            (Form::String { cdata: false }, Slot::Content { .. }) => Some(NewField::Text),
            (Form::String { cdata: true }, Slot::Content { .. } | Slot::Missing { .. }) => Some(NewField::CData),
            (Form::ExpressionAttribute | Form::StringValueAttribute, Slot::Attribute { quote, .. }) => {
                Some(NewField::Attribute {
                    expression: f.form == Form::ExpressionAttribute,
                    quote: *quote,
                    end_tag: tree.get(f.elem).is_some_and(|el| el.end().is_some()),
                })
            }
            _ => None,
        };
        let mut styles = fields.iter().map(style);
        let Some(Some(mut out)) = styles.next() else {
            return NewField::CData;
        };
        for next in styles {
            match (next, &mut out) {
                (Some(a), b) if a == *b => {}
                (
                    Some(NewField::Attribute {
                        expression,
                        quote,
                        end_tag,
                    }),
                    NewField::Attribute {
                        expression: e,
                        quote: q,
                        end_tag: t,
                    },
                ) if expression == *e => {
                    // A disagreement falls back to the default for good.
                    if quote != *q {
                        *q = b'"';
                    }
                    if end_tag != *t {
                        *t = false;
                    }
                }
                _ => return NewField::CData,
            }
        }
        out
    }

    /// The form reported for a field written this way.
    fn form(self) -> Form {
        match self {
            NewField::CData => Form::String { cdata: true },
            NewField::Text => Form::String { cdata: false },
            NewField::Attribute { expression: true, .. } => Form::ExpressionAttribute,
            NewField::Attribute { expression: false, .. } => Form::StringValueAttribute,
        }
    }

    /// The markup of field `name` with `value`, its elements under `prefix`
    /// (with its colon, or empty).
    fn markup(self, prefix: &str, name: &str, value: &str, charset: Charset) -> Result<String, Unrepresentable> {
        match self {
            NewField::CData | NewField::Text => {
                let name = escape::attribute(name, b'"', charset)?;
                let data = if self == NewField::CData {
                    escape::cdata(value, charset)?
                } else {
                    escape::text(value, charset)?
                };
                Ok(format!(
                    "<{prefix}field name=\"{name}\"><{prefix}string>{data}</{prefix}string></{prefix}field>"
                ))
            }
            NewField::Attribute {
                expression,
                quote,
                end_tag,
            } => {
                let q = char::from(quote);
                let name = escape::attribute(name, quote, charset)?;
                let value = escape::attribute(value, quote, charset)?;
                let attr = if expression { "expression" } else { "stringValue" };
                let close = if end_tag {
                    format!("></{prefix}field>")
                } else {
                    "/>".to_string()
                };
                Ok(format!("<{prefix}field name={q}{name}{q} {attr}={q}{value}{q}{close}"))
            }
        }
    }
}

fn unrepresentable(key: &str, c: Unrepresentable) -> Error {
    Error::UnrepresentableChar {
        key: key.to_string(),
        code: c.0 as u32,
    }
}
