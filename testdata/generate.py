#!/usr/bin/env python3
"""Generates the procpatch test fixtures under testdata/.

Run from anywhere: `python3 testdata/generate.py [OUT_DIR]` (default: the
directory this script is in). The output is deterministic; a test
(`fixtures_match_generator`) regenerates into a temporary directory and
compares byte for byte with the committed files.

See testdata/README.md for what each fixture is.
"""

import os
import sys
import zipfile

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ACTIVITI = "http://activiti.org/bpmn"
FLOWABLE = "http://flowable.org/bpmn"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
OMGDC = "http://www.omg.org/spec/DD/20100524/DC"
OMGDI = "http://www.omg.org/spec/DD/20100524/DI"

# The three user processes of the table in docs/BRIEF.md. Each has a status service
# task and two batch-order call activities for the related credentials.
PROCESSES = [
    ("UsersProcDeactivate", "Deactivate user", "Deactivate related credentials", "set user status"),
    ("UsersProcReactivate", "Reactivate user", "Reactivate related credentials", "set user status"),
    ("UsersProcLock", "Lock user", "Lock related credentials", "lock user"),
]


class Doc:
    """Lines at indentation levels, joined with the variant's newline."""

    def __init__(self, style):
        self.style = style
        self.lines = []

    def add(self, level, text):
        self.lines.append((level, text))

    def render(self):
        s = self.style
        out = s["nl"].join(s["indent"] * lvl + text for lvl, text in self.lines)
        return out + (s["nl"] if s.get("final_newline", True) else "")


def q(style, value):
    c = style.get("quote", '"')
    return c + value + c


def field(doc, lvl, style, name, value, form):
    """One engine field extension in the given form."""
    p = style["eng"]
    if form == "expr-attr":
        end = "/>" if style.get("self_closing") else "></%sfield>" % p
        doc.add(lvl, '<%sfield name=%s expression=%s%s' % (p, q(style, name), q(style, value), end))
    elif form == "string-attr":
        doc.add(lvl, '<%sfield name=%s stringValue=%s/>' % (p, q(style, name), q(style, value)))
    elif form == "cdata":
        doc.add(lvl, '<%sfield name=%s>' % (p, q(style, name)))
        doc.add(lvl + 1, "<%sstring><![CDATA[%s]]></%sstring>" % (p, value, p))
        doc.add(lvl, "</%sfield>" % p)
    elif form == "text":
        doc.add(lvl, '<%sfield name=%s><%sstring>%s</%sstring></%sfield>' % (p, q(style, name), p, value, p, p))
    elif form == "expr-child":
        doc.add(lvl, '<%sfield name=%s><%sexpression>%s</%sexpression></%sfield>' % (p, q(style, name), p, value, p, p))
    else:
        raise ValueError(form)


def call_activity(doc, lvl, style, ident, name, fields, multi, layout):
    """A batch-order call activity in the vendor's style.

    fields: list of (field name, value, form); layout: "full" (fields and
    activiti:in), "in-only" (extensionElements without fields), "docs" (a
    documentation element and no extensionElements), "empty" (an
    empty-element tag).
    """
    b, p = style["bpmn"], style["eng"]
    open_tag = '<%scallActivity id=%s name=%s calledElement=%s' % (b, q(style, ident), q(style, name), q(style, "${processToCall}"))
    if layout == "empty":
        doc.add(lvl, open_tag + "/>")
        return
    doc.add(lvl, open_tag + ">")
    if layout == "docs":
        doc.add(lvl + 1, "<%sdocumentation>Runs the batch order for each related credential.</%sdocumentation>" % (b, b))
    if layout in ("full", "in-only"):
        doc.add(lvl + 1, "<%sextensionElements>" % b)
        if style.get("comments"):
            doc.add(lvl + 2, "<!-- Task Editor attributes: data pool, sub-process, options -->")
        if layout == "full":
            for fname, value, form in fields:
                field(doc, lvl + 2, style, fname, value, form)
        doc.add(lvl + 2, '<%sin source=%s target=%s/>' % (p, q(style, "userId"), q(style, "userId")))
        doc.add(lvl + 2, '<%sin sourceExpression=%s target=%s/>' % (p, q(style, "${credential}"), q(style, "credential")))
        doc.add(lvl + 1, "</%sextensionElements>" % b)
    if multi and style.get("eng_ns"):
        doc.add(lvl + 1, '<%smultiInstanceLoopCharacteristics isSequential=%s %scollection=%s %selementVariable=%s/>'
                % (b, q(style, "true"), p, q(style, "${credentials}"), p, q(style, "credential")))
    elif multi:
        doc.add(lvl + 1, '<%smultiInstanceLoopCharacteristics isSequential=%s/>' % (b, q(style, "true")))
    doc.add(lvl, "</%scallActivity>" % b)


def process_doc(style, pid, pname, act_name, status_sub, fields_of):
    b, p = style["bpmn"], style["eng"]
    d = Doc(style)
    if style.get("decl", True):
        d.add(0, '<?xml version="1.0" encoding="%s"?>' % style.get("encoding", "UTF-8"))
    if style.get("comments"):
        d.add(0, "<!-- Exported from Identity Manager Admin, Process Import -->")
    ns = ['xmlns%s="%s"' % (":" + b[:-1] if b else "", BPMN)]
    if style.get("eng_ns"):
        ns.append('xmlns:%s="%s"' % (p[:-1], style["eng_ns"]))
    ns += ['xmlns:bpmndi="%s"' % BPMNDI, 'xmlns:omgdc="%s"' % OMGDC, 'xmlns:omgdi="%s"' % OMGDI]
    d.add(0, "<%sdefinitions %s typeLanguage=\"http://www.w3.org/2001/XMLSchema\" "
             "expressionLanguage=\"http://www.w3.org/1999/XPath\" targetNamespace=\"http://www.nexusgroup.com/prime\">"
          % (b, " ".join(ns)))
    d.add(1, '<%sprocess id=%s name=%s isExecutable=%s>' % (b, q(style, pid), q(style, pname), q(style, "true")))
    d.add(2, "<%sdocumentation>%s; with the Shared credentials package, also the related credentials.</%sdocumentation>"
          % (b, pname, b))
    d.add(2, '<%sstartEvent id="startevent1" name="Start"/>' % b)
    d.add(2, '<%sserviceTask id="servicetask1" name="Set user status" %sdelegateExpression="${primeTask}">' % (b, p if style.get("eng_ns") else ""))
    d.add(3, "<%sextensionElements>" % b)
    if style.get("eng_ns"):
        field(d, 4, style, "value", "Users", "expr-attr")
        field(d, 4, style, "param1", status_sub, "expr-attr")
    d.add(3, "</%sextensionElements>" % b)
    d.add(2, "</%sserviceTask>" % b)
    load_fields, load_layout = fields_of("load")
    act_fields, act_layout = fields_of("act")
    call_activity(d, 2, style, "callactivity1", "Load related credentials", load_fields, False, load_layout)
    call_activity(d, 2, style, "callactivity2", act_name, act_fields, True, act_layout)
    d.add(2, '<%sendEvent id="endevent1" name="End"/>' % b)
    flows = [("flow1", "startevent1", "servicetask1"), ("flow2", "servicetask1", "callactivity1"),
             ("flow3", "callactivity1", "callactivity2"), ("flow4", "callactivity2", "endevent1")]
    for fid, src, dst in flows:
        d.add(2, '<%ssequenceFlow id="%s" sourceRef="%s" targetRef="%s"/>' % (b, fid, src, dst))
    d.add(1, "</%sprocess>" % b)
    d.add(1, '<bpmndi:BPMNDiagram id="BPMNDiagram_%s">' % pid)
    d.add(2, '<bpmndi:BPMNPlane bpmnElement="%s" id="BPMNPlane_%s">' % (pid, pid))
    shapes = [("startevent1", 30, 35, 35), ("servicetask1", 110, 105, 55), ("callactivity1", 260, 105, 55),
              ("callactivity2", 410, 105, 55), ("endevent1", 560, 35, 35)]
    for sid, x, w, h in shapes:
        d.add(3, '<bpmndi:BPMNShape bpmnElement="%s" id="BPMNShape_%s">' % (sid, sid))
        d.add(4, '<omgdc:Bounds height="%d.0" width="%d.0" x="%d.0" y="60.0"/>' % (h, w, x))
        d.add(3, "</bpmndi:BPMNShape>")
    for fid, src, dst in flows:
        d.add(3, '<bpmndi:BPMNEdge bpmnElement="%s" id="BPMNEdge_%s">' % (fid, fid))
        d.add(4, '<omgdi:waypoint x="0.0" y="77.0"/>')
        d.add(3, "</bpmndi:BPMNEdge>")
    d.add(2, "</bpmndi:BPMNPlane>")
    d.add(1, "</bpmndi:BPMNDiagram>")
    d.add(0, "</%sdefinitions>" % b)
    return d.render()


def batch_fields(value, param1, form, form1=None):
    return [("value", value, form), ("param1", param1, form1 or form), ("param2", "hideProgressPopup", form)]


# Each variant: the document style, and for each task ("load", "act") the
# fields it already has and its layout.
VARIANTS = {
    # The vendor's own style: default BPMN namespace, activiti: fields in the
    # expression= form with explicit end tags, values not yet chosen.
    "vendor": (
        dict(bpmn="", eng="activiti:", eng_ns=ACTIVITI, indent="  ", nl="\n"),
        lambda t: (batch_fields("", "", "expr-attr"), "full"),
    ),
    # Fields written by the Activiti Designer: <activiti:string> with CDATA,
    # four-space indentation, placeholder values.
    "cdata": (
        dict(bpmn="", eng="activiti:", eng_ns=ACTIVITI, indent="    ", nl="\n"),
        lambda t: (batch_fields("Please select", "Please select", "cdata"), "full"),
    ),
    # Identity Manager 5.0.1 and later: Flowable namespace, bpmn2: prefix,
    # CRLF line endings, comments, single-quoted attributes, self-closing
    # fields.
    "flowable-bpmn2-crlf": (
        dict(bpmn="bpmn2:", eng="flowable:", eng_ns=FLOWABLE, indent="  ", nl="\r\n", comments=True,
             quote="'", self_closing=True),
        lambda t: (batch_fields("", "", "expr-attr"), "full"),
    ),
    # A custom prefix (act:) and every other value form: text <act:string>,
    # stringValue=, <act:expression>. Some values are already right.
    "mixed-forms": (
        dict(bpmn="semantic:", eng="act:", eng_ns=ACTIVITI, indent="  ", nl="\n"),
        lambda t: ([("value", "Batch order" if t == "act" else "Credential", "text"),
                    ("param1", "set credential status" if t == "act" else "load credentials", "string-attr"),
                    ("param2", "${hidePopup}", "expr-child")], "full"),
    ),
    # Fields missing: the load task has extensionElements without fields, the
    # other task has only documentation (Deactivate, Reactivate) or is an
    # empty-element tag (Lock). Tab indentation, no final newline.
    "missing-fields-tabs": (
        dict(bpmn="", eng="activiti:", eng_ns=ACTIVITI, indent="\t", nl="\n", final_newline=False),
        None,
    ),
    # No engine namespace declared at all (a plain BPMN export), no XML
    # declaration: inserting a field must declare one.
    "no-engine-namespace": (
        dict(bpmn="bpmn:", eng="activiti:", eng_ns=None, indent="  ", nl="\n", decl=False),
        lambda t: ([], "docs"),
    ),
}


def missing_layout(pid):
    def fields_of(task):
        if task == "load":
            return ([], "in-only")
        return ([], "empty" if pid == "UsersProcLock" else "docs")
    return fields_of


# A fixed timestamp so that the archives do not depend on the clock.
STAMP = (2024, 5, 17, 9, 30, 0)


def add(z, name, data, compress=zipfile.ZIP_DEFLATED, mode=0o644):
    info = zipfile.ZipInfo(name, date_time=STAMP)
    info.compress_type = compress
    info.create_system = 3  # Unix, so that the permissions below are kept
    info.external_attr = mode << 16
    z.writestr(info, data)


def process_import(variant_dir):
    """The bytes of a process-import archive holding one variant."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for pid, _, _, _ in PROCESSES:
            with open(os.path.join(variant_dir, pid + ".bpmn20.xml"), "rb") as fh:
                add(z, pid + ".bpmn20.xml", fh.read())
        add(z, "export.properties", b"# Identity Manager process export\nformat=1\n", zipfile.ZIP_STORED)
        z.comment = b"Identity Manager process import"
    return buf.getvalue()


def archives(out):
    """testdata/archives: the sample export, and a configuration export that
    holds it nested."""
    folder = os.path.join(out, "archives")
    os.makedirs(folder, exist_ok=True)
    sample = process_import(os.path.join(out, "bpmn", "vendor"))
    with open(os.path.join(folder, "ProcessImport.zip"), "wb") as fh:
        fh.write(sample)
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        add(z, "config/", b"", zipfile.ZIP_STORED, 0o755)
        add(z, "config/settings.xml", b'<?xml version="1.0"?>\n<settings version="5.0"/>\n')
        add(z, "processes/ProcessImport.zip", sample, zipfile.ZIP_STORED)
    with open(os.path.join(folder, "ConfigurationExport.zip"), "wb") as fh:
        fh.write(buf.getvalue())


# The Lock user process in each encoding Identity Manager and BPMN tools
# write, with non-ASCII text in documentation and in field values of every
# form (CDATA, expression=, text).
ENCODINGS = [
    # file, declared encoding, Python codec, byte-order mark, sample text
    ("utf8-bom", "UTF-8", "utf-8", b"\xef\xbb\xbf", "Sperre f\u00fcr Benutzer \u2013 \u201eGr\u00fc\u00dfe\u201c \u20ac \U0001F512"),
    ("utf16le-bom", "UTF-16", "utf-16-le", b"\xff\xfe", "Sperre f\u00fcr Benutzer \u2013 \u201eGr\u00fc\u00dfe\u201c \u20ac \U0001F512"),
    ("utf16be-bom", "UTF-16", "utf-16-be", b"\xfe\xff", "Sperre f\u00fcr Benutzer \u2013 \u201eGr\u00fc\u00dfe\u201c \u20ac \U0001F512"),
    ("iso-8859-1", "ISO-8859-1", "latin-1", b"", "Sperre f\u00fcr Benutzer, Gr\u00fc\u00dfe \u00e0 \u00c5ngstr\u00f6m \u00bd"),
    ("windows-1252", "windows-1252", "cp1252", b"", "Sperre f\u00fcr Benutzer \u2013 \u201eGr\u00fc\u00dfe\u201c \u20ac \u2030"),
    ("us-ascii", "US-ASCII", "ascii", b"", "Sperre fuer Benutzer"),
]


def encodings(out):
    folder = os.path.join(out, "encodings")
    os.makedirs(folder, exist_ok=True)
    for name, label, codec, bom, sample in ENCODINGS:
        text = (
            '<?xml version="1.0" encoding="%s"?>\n'
            '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn">\n'
            '  <process id="UsersProcLock" name="Lock user">\n'
            '    <documentation>%s</documentation>\n'
            '    <callActivity id="c1" name="Lock related credentials" calledElement="${processToCall}">\n'
            '      <extensionElements>\n'
            '        <activiti:field name="value"><activiti:string><![CDATA[%s]]></activiti:string></activiti:field>\n'
            '        <activiti:field name="param1" expression="%s"/>\n'
            '      </extensionElements>\n'
            '    </callActivity>\n'
            '    <callActivity id="c2" name="Load related credentials" calledElement="${processToCall}">\n'
            '      <extensionElements>\n'
            '        <activiti:field name="value"><activiti:string>%s</activiti:string></activiti:field>\n'
            '      </extensionElements>\n'
            '    </callActivity>\n'
            '  </process>\n'
            '</definitions>\n' % (label, sample, sample, sample, sample))
        with open(os.path.join(folder, name + ".bpmn20.xml"), "wb") as fh:
            fh.write(bom + text.encode(codec))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for variant, (style, fields_of) in VARIANTS.items():
        folder = os.path.join(out, "bpmn", variant)
        os.makedirs(folder, exist_ok=True)
        for pid, pname, act_name, status_sub in PROCESSES:
            f = fields_of or missing_layout(pid)
            text = process_doc(style, pid, pname, act_name, status_sub, f)
            with open(os.path.join(folder, pid + ".bpmn20.xml"), "wb") as fh:
                fh.write(text.encode("utf-8"))
    archives(out)
    encodings(out)


if __name__ == "__main__":
    main()
