#!/usr/bin/env python3
"""Generates testdata/hostile/: bad inputs, each with the command that runs it.

Run: `python3 testdata/generate_hostile.py [OUT_DIR]` (default: testdata/).
Writes `hostile/<case>.<ext>` and `hostile/cases.tsv` with one line per case:

    name <TAB> input file <TAB> arguments <TAB> what it is

In the arguments, `{in}` is the input, `{out}` the output path and `{dir}`
this folder (for recipes). Deterministic: fixed timestamps, a seeded PRNG,
and only the stored method or hand-made deflate streams whose bytes do not
depend on the zlib version (`zlib.compress` at a fixed level is stable for
these small inputs; the test compares entries, not bytes).
"""

import io
import os
import random
import struct
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = (2024, 5, 17, 9, 30, 0)
APPLY = "apply {in} -o {out}"


def vendor(name="UsersProcLock"):
    with open(os.path.join(HERE, "bpmn", "vendor", name + ".bpmn20.xml"), "rb") as fh:
        return fh.read()


def zipped(entries, comment=b""):
    """A zip of (name, data, method) entries with fixed metadata."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = method
            info.create_system = 3
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
        z.comment = comment
    return bytearray(buf.getvalue())


def base():
    """The Lock user process (deflated) and a stored text file."""
    return zipped([("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED),
                   ("notes.txt", b"Exported from Identity Manager.\n" * 4, zipfile.ZIP_STORED)])


def find(data, sig, nth=0):
    at = -1
    for _ in range(nth + 1):
        at = data.find(sig, at + 1)
    return at


def eocd(data):
    return data.rfind(b"PK\x05\x06")


def central(data, nth=0):
    return find(data, b"PK\x01\x02", nth)


def local(data, nth=0):
    return find(data, b"PK\x03\x04", nth)


def put(data, at, fmt, *values):
    struct.pack_into(fmt, data, at, *values)
    return data


def xml(body, decl='<?xml version="1.0" encoding="UTF-8"?>\n'):
    return (decl + '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:activiti="http://activiti.org/bpmn">\n' + body + "\n</definitions>\n")


def lock_process(task_body='', extra_tasks='', decl='<?xml version="1.0" encoding="UTF-8"?>\n'):
    return xml('  <process id="UsersProcLock" name="Lock user">\n'
               '    <callActivity id="c1" name="Lock related credentials">' + task_body + '</callActivity>\n'
               '    <callActivity id="c2" name="Load related credentials"/>\n' + extra_tasks +
               '  </process>', decl)


def field(name, inner):
    return '<extensionElements><activiti:field name="%s">%s</activiti:field></extensionElements>' % (name, inner)


CASES = []


def case(name, ext, data, args=APPLY, what=""):
    CASES.append((name, name + ext, bytes(data) if not isinstance(data, str) else data.encode("utf-8"), args, what))


def zip_damage():
    b = base()
    case("zip-truncated-half", ".zip", b[: len(b) // 2], what="archive cut in half")
    case("zip-truncated-central", ".zip", put(base(), eocd(b) + 12, "<I", 5000), what="central directory size past the end")
    cd = central(b)
    case("zip-central-offset-past-end", ".zip", put(base(), eocd(b) + 16, "<I", 10 ** 6), what="central directory offset past the end")
    bad = base()
    lo = local(bad, 1)  # notes.txt, stored: flip a data byte
    bad[lo + 30 + len("notes.txt") + 3] ^= 0xFF
    case("zip-bad-crc-untouched", ".zip", bad, what="CRC mismatch in an untouched entry (found while verifying)")
    late = zipped([("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED),
                   ("manual.txt", b"Identity Manager process export, manual section.\n" * 80, zipfile.ZIP_STORED)])
    late[local(late, 1) + 30 + len("manual.txt") + 3000] ^= 0xFF
    case("zip-bad-crc-found-verifying", ".zip", late,
         what="CRC mismatch deep in an untouched entry: only reading it whole (the output check) finds it")
    bad = base()
    bad[local(bad) + 30 + len("UsersProcLock.bpmn20.xml") + 40] ^= 0x55
    case("zip-bad-crc-bpmn", ".zip", bad, what="corrupt deflate data in the BPMN entry")
    bad = base()
    bad[local(bad, 1)] = ord("X")
    case("zip-bad-local-signature", ".zip", bad, what="local header signature damaged")
    bad = base()
    bad[local(bad) + 30] = ord("u")
    case("zip-local-central-name", ".zip", bad, what="local header name differs from the central one")
    bad = base()
    put(bad, local(bad) + 14, "<I", 0x12345678)
    case("zip-local-central-crc", ".zip", bad, what="local header CRC differs from the central one")
    bad = base()
    csize = struct.unpack_from("<I", bad, central(bad) + 20)[0]
    put(bad, central(bad) + 20, "<I", csize + 40)
    put(bad, local(bad) + 18, "<I", csize + 40)
    case("zip-overlapping-entries", ".zip", bad, what="first entry's data runs into the second")
    bad = base()
    put(bad, central(bad, 1) + 42, "<I", 0)
    case("zip-two-entries-one-offset", ".zip", bad, what="two central records point at one local header")
    b2 = base()
    case("zip-comment-past-end", ".zip", put(b2, eocd(b2) + 20, "<H", 500), what="archive comment length past the end")
    case("zip-entry-count-lies", ".zip", put(base(), eocd(b) + 10, "<H", 7), what="end record counts 7 entries")
    b3 = base()
    put(b3, eocd(b3) + 4, "<H", 1)
    case("zip-multi-disk", ".zip", b3, what="spanned archive (disk number 1)")
    case("empty-file", ".zip", b"", what="0 bytes")
    rnd = random.Random(7)
    case("not-a-zip", ".dat", bytes(rnd.randrange(256) for _ in range(600)), what="random bytes, like an encrypted export")
    case("zip-only-signature", ".zip", b"PK\x03\x04", what="a local signature and nothing else")
    # zip64: a locator that points to no record, and a record that lies.
    b4 = base()
    e = eocd(b4)
    loc = struct.pack("<IIQI", 0x07064B50, 0, 999999, 1)
    case("zip64-locator-points-nowhere", ".zip", b4[:e] + loc + b4[e:], what="zip64 locator to a missing record")
    b5 = base()
    e = eocd(b5)
    cd_off = struct.unpack_from("<I", b5, e + 16)[0]
    cd_size = struct.unpack_from("<I", b5, e + 12)[0]
    rec = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 2, 2, cd_size, cd_off + 777)
    rec_at = e
    loc = struct.pack("<IIQI", 0x07064B50, 0, rec_at, 1)
    tail = bytearray(b5[e:])
    put(tail, 16, "<I", 0xFFFFFFFF)
    case("zip64-record-lies-offset", ".zip", b5[:e] + rec + loc + tail, what="zip64 record's central-directory offset is wrong")
    b6 = base()
    c = central(b6)
    put(b6, c + 20, "<I", 0xFFFFFFFF)
    case("zip64-size-without-field", ".zip", b6, what="compressed size 0xFFFFFFFF with no zip64 field")


def entry_problems():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        import warnings
        warnings.simplefilter("ignore")
        for data in (vendor(), vendor()):
            info = zipfile.ZipInfo("UsersProcLock.bpmn20.xml", date_time=STAMP)
            z.writestr(info, data)
    case("zip-duplicate-names", ".zip", buf.getvalue(), what="two entries with one name")
    b = base()
    put(b, central(b, 1) + 8, "<H", 1)
    put(b, local(b, 1) + 6, "<H", 1)
    case("zip-zipcrypto-entry", ".zip", b, what="traditional (ZipCrypto) encrypted entry")
    b = base()
    put(b, central(b, 1) + 10, "<H", 99)
    put(b, local(b, 1) + 8, "<H", 99)
    case("zip-aes-entry", ".zip", b, what="AES encrypted entry (method 99)")
    # A BPMN entry in a method procpatch reads but cannot write back.
    case("zip-bzip2-bpmn", ".zip", zipped([("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_BZIP2)]),
         what="BPMN entry compressed with bzip2: editing it is refused")
    case("zip-lzma-bpmn", ".zip", zipped([("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_LZMA)]),
         what="BPMN entry compressed with LZMA: editing it is refused")
    b = zipped([("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_STORED)])
    put(b, central(b) + 10, "<H", 93)
    put(b, local(b) + 8, "<H", 93)
    z = zipped([("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED),
                ("payload.zst", b"(\xb5/\xfd" + bytes(range(64)), zipfile.ZIP_STORED)])
    put(z, central(z, 1) + 10, "<H", 93)
    put(z, local(z, 1) + 8, "<H", 93)
    case("zip-zstd-untouched", ".zip", z, what="an untouched zstd entry (method 93) is copied byte for byte")
    case("zip-zstd-bpmn", ".zip", b, what="BPMN entry marked zstd (method 93): unreadable, so nothing to edit")
    signed = zipped([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\nName: UsersProcLock.bpmn20.xml\r\nSHA-256-Digest: x\r\n\r\n", zipfile.ZIP_DEFLATED),
                     ("META-INF/SIGNER.SF", b"Signature-Version: 1.0\r\n\r\n", zipfile.ZIP_DEFLATED),
                     ("META-INF/SIGNER.EC", b"\x30\x80", zipfile.ZIP_STORED),
                     ("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED)])
    case("zip-signed", ".zip", signed, what="signed JAR layout (.SF + .EC), no --strip-signature")


def bombs():
    body = b"<a>" + b" " * (8 << 20) + b"</a>"
    case("bomb-ratio-xml", ".zip", zipped([("bomb.xml", body, zipfile.ZIP_DEFLATED),
                                           ("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED)]),
         what="8 MiB of XML that deflates about 1000:1")
    inner = zipped([("UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED)])
    for level in range(5):
        inner = zipped([("nested%d.zip" % level, bytes(inner), zipfile.ZIP_STORED)])
    case("bomb-nested-depth", ".zip", inner, what="archives nested 6 deep")
    b = base()
    put(b, central(b) + 24, "<I", 0xFFFFFFF0)
    case("bomb-declared-size-lies", ".zip", b, what="central directory declares a 4 GiB uncompressed size")
    rnd = random.Random(3)
    block = " ".join("".join(rnd.choice("abcdefghij") for _ in range(rnd.randrange(3, 9))) for _ in range(4000))
    big = "<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'>" + block * 48 + "</definitions>"
    case("entry-over-size-limit", ".zip", zipped([("big.bpmn20.xml", big.encode(), zipfile.ZIP_DEFLATED)]),
         args=APPLY + " --max-entry-size 1", what="a 1.1 MiB BPMN entry (ratio under the bomb limit) with --max-entry-size 1 (MiB)")


def names():
    for nm, label in [("../../etc/UsersProcLock.bpmn20.xml", "traversal"), ("/etc/UsersProcLock.bpmn20.xml", "absolute"),
                      ("C:\\Windows\\UsersProcLock.bpmn20.xml", "drive-letter")]:
        case("name-" + label, ".zip", zipped([(nm, vendor(), zipfile.ZIP_DEFLATED)]),
             what="entry named %r: edited and copied by name bytes, never used as a path" % nm)
    b = zipped([("Prozess-\u00c4nderung.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED)])
    # Rewrite the UTF-8 name as CP437 bytes (one more character keeps the
    # length: "\u00c4" is two bytes in UTF-8, one in CP437) and clear the
    # UTF-8 flag.
    old = "Prozess-\u00c4nderung.bpmn20.xml".encode("utf-8")
    new = "Prozess-\u00c4nderung_.bpmn20.xml".encode("cp437")
    out = bytearray(bytes(b).replace(old, new))
    for at in (local(out) + 6, central(out) + 8):
        flags = struct.unpack_from("<H", out, at)[0]
        put(out, at, "<H", flags & ~0x800)
    case("name-cp437", ".zip", out, what="non-UTF-8 (CP437) entry name")


MALFORMED = [
    ("unclosed-root", lock_process()[:-16]),
    ("mismatched-end", lock_process().replace("</process>", "</proces>")),
    ("attr-unquoted", lock_process().replace('id="c1"', "id=c1")),
    ("attr-lt-in-value", lock_process().replace('id="c1"', 'id="c<1"')),
    ("attr-duplicate", lock_process().replace('id="c1"', 'id="c1" id="c9"')),
    ("attr-no-value", lock_process().replace('id="c1"', "id")),
    ("junk-after-root", lock_process() + "<extra/>"),
    ("text-before-root", "junk" + lock_process()),
    ("comment-double-dash", lock_process().replace("<process", "<!-- a -- b --><process")),
    ("cdata-unterminated", lock_process(field("value", "<activiti:string><![CDATA[x</activiti:string>"))),
    ("bad-char-ref", lock_process(field("value", "<activiti:string>&#0;</activiti:string>"))),
    ("surrogate-char-ref", lock_process(field("value", "<activiti:string>&#xD800;</activiti:string>"))),
    ("unterminated-ref", lock_process(field("value", "<activiti:string>a &amp b</activiti:string>"))),
    ("unbound-prefix", lock_process().replace("<callActivity id=\"c2\"", "<x:callActivity id=\"c2\"").replace(
        "name=\"Load related credentials\"/>", "name=\"Load related credentials\"></x:callActivity>")),
    ("bad-element-name", lock_process().replace("<process", "<1process").replace("</process>", "</1process>")),
    ("lt-in-text", lock_process(field("value", "<activiti:string>a < b</activiti:string>"))),
    ("bad-pi", lock_process().replace("<process", "<?xml version='1.0'?><process")),
    ("eof-in-tag", lock_process()[: lock_process().index('name="Lock user"') + 8]),
    ("not-bpmn-root", '<?xml version="1.0"?>\n<process-export><process name="Lock user"/></process-export>\n'),
    ("bpmn-wrong-namespace", lock_process().replace("http://www.omg.org/spec/BPMN/20100524/MODEL", "http://example.com/bpmn")),
]


def xml_cases():
    for name, text in MALFORMED:
        case("xml-" + name, ".bpmn20.xml", text, what="malformed XML: " + name)
    # The same damage inside an archive: the error names the entry.
    case("zip-xml-malformed", ".zip", zipped([("UsersProcLock.bpmn20.xml", MALFORMED[1][1].encode(), zipfile.ZIP_DEFLATED)]),
         what="malformed BPMN inside an archive")
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE definitions [\n <!ENTITY lol "lol">\n' +
              "".join(' <!ENTITY lol%d "%s">\n' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10)) +
              ']>\n')
    case("xml-billion-laughs-in-value", ".bpmn20.xml",
         laughs + lock_process(field("value", "<activiti:string>&lol9;</activiti:string>")).split("\n", 1)[1],
         what="billion laughs: the entity is never expanded; in a target value it is refused")
    case("xml-billion-laughs-elsewhere", ".bpmn20.xml",
         laughs + lock_process().split("\n", 1)[1].replace("<process", "<documentation>&lol9;</documentation><process", 1),
         what="billion laughs outside any target: nothing expanded, the edit goes ahead")
    xxe = ('<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
           lock_process(field("value", "<activiti:string>&xxe;</activiti:string>")).split("\n", 1)[1])
    case("xml-xxe-in-value", ".bpmn20.xml", xxe, what="external entity in a target value: never fetched, refused")
    case("xml-unknown-entity-attr", ".bpmn20.xml",
         lock_process('<extensionElements><activiti:field name="value" expression="&nope;"/></extensionElements>'),
         what="unknown entity in an expression= value")
    lie = lock_process(field("value", "<activiti:string>Gr\u00fc\u00dfe</activiti:string>")).encode("latin-1")
    case("xml-encoding-lies", ".bpmn20.xml", lie, what="declares UTF-8, holds Latin-1 bytes")
    case("xml-utf16-declared-ascii-bytes", ".bpmn20.xml",
         lock_process(decl='<?xml version="1.0" encoding="UTF-16"?>\n'), what="declares UTF-16, written in ASCII")
    u16 = b"\xff\xfe" + lock_process(decl='<?xml version="1.0" encoding="UTF-16"?>\n').encode("utf-16-le")
    case("xml-utf16-truncated", ".bpmn20.xml", u16[:-3], what="UTF-16 cut in the middle of a character")
    case("xml-unsupported-encoding", ".bpmn20.xml", lock_process(decl='<?xml version="1.0" encoding="EBCDIC-CP-US"?>\n'),
         what="an encoding procpatch does not read")
    deep = "<x>" * 10000 + "</x>" * 10000
    case("xml-deep-10000", ".bpmn20.xml", xml('  <process id="p" name="Deep">' + deep + "</process>"),
         what="10,000 nested elements: no stack overflow; no recipe process, so nothing found")
    deeper = "<x>" * 20000 + "</x>" * 20000
    case("xml-deep-20000", ".bpmn20.xml", xml('  <process id="p" name="Deep">' + deeper + "</process>"),
         what="20,000 nested elements: over the depth limit")
    case("xml-control-char", ".bpmn20.xml", lock_process(field("value", "<activiti:string>a\x01b</activiti:string>")),
         what="a control character XML forbids")


def targets():
    two = zipped([("a/UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED),
                  ("b/UsersProcLock.bpmn20.xml", vendor(), zipfile.ZIP_DEFLATED)])
    case("target-process-in-two-entries", ".zip", two, what="Lock user in two entries")
    case("target-two-tasks-same-name", ".bpmn20.xml",
         lock_process(extra_tasks='    <serviceTask id="c3" name="Lock related credentials"/>\n'),
         what="two tasks named Lock related credentials")
    case("target-field-twice", ".bpmn20.xml",
         lock_process('<extensionElements><activiti:field name="value" expression="a"/>'
                      '<activiti:field name="value" expression="b"/></extensionElements>'),
         what="field value present twice on one task")
    case("target-both-label-fields", ".bpmn20.xml",
         lock_process('<extensionElements><activiti:field name="dataPool" expression="a"/>'
                      '<activiti:field name="value" expression="b"/></extensionElements>'),
         what="label data pool with both value and dataPool present: the first of the label's list (value) is edited")
    case("target-task-missing", ".bpmn20.xml", lock_process().replace("Load related credentials", "Load related credential"),
         what="task name off by one letter")
    case("target-nothing-found", ".bpmn20.xml", lock_process().replace('name="Lock user"', 'name="Unlock user"'),
         what="no process of the recipe (Unlock user only looks like Lock user)")
    case("target-process-typo", ".bpmn20.xml", lock_process().replace('name="Lock user"', 'name="Lock users"'),
         what="the recipe's Lock user is absent while Lock users is there: a typo, not an absent process")
    case("target-process-twice-in-file", ".bpmn20.xml",
         xml('  <process id="a" name="Lock user"/>\n  <process id="b" name="Lock user"/>'),
         what="two processes named Lock user in one document")
    recipes = {
        "recipe-not-toml": "[[process]\nname = 'x'\n",
        "recipe-unknown-key": "[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Lock related credentials\"\nvalue = \"x\"\n",
        "recipe-unknown-label": "[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Lock related credentials\"\nset = { \"data pol\" = \"x\" }\n",
        "recipe-no-process": "description = \"empty\"\n",
        "recipe-bad-attribute": "[[process]]\nname = \"Lock user\"\n[[process.task]]\nname = \"Lock related credentials\"\nset = { \"@a b\" = \"x\" }\n",
        "recipe-task-unnamed": "[[process]]\nname = \"Lock user\"\n[[process.task]]\nset = { value = \"x\" }\n",
    }
    for name, text in recipes.items():
        with open(os.path.join(OUT, name + ".toml"), "w") as fh:
            fh.write(text)
        case(name, ".bpmn20.xml", vendor(), args="apply --recipe {dir}/%s.toml {in} -o {out}" % name,
             what="recipe: " + name[len("recipe-"):].replace("-", " "))
    case("output-is-input", ".bpmn20.xml", vendor(), args="apply {in} -o {in}", what="output path is the input")


OUT = None


def main():
    global OUT
    root = sys.argv[1] if len(sys.argv) > 1 else HERE
    OUT = os.path.join(root, "hostile")
    os.makedirs(OUT, exist_ok=True)
    zip_damage()
    entry_problems()
    bombs()
    names()
    xml_cases()
    targets()
    lines = []
    for name, file, data, args, what in CASES:
        with open(os.path.join(OUT, file), "wb") as fh:
            fh.write(data)
        lines.append("\t".join([name, file, args, what]))
    with open(os.path.join(OUT, "cases.tsv"), "w") as fh:
        fh.write("# name\tinput\targuments\twhat it is\n" + "\n".join(lines) + "\n")
    print(len(CASES), "cases")


if __name__ == "__main__":
    main()
