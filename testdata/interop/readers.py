#!/usr/bin/env python3
"""What the outside zip readers say about each zip: the reader table.

    python3 testdata/interop/readers.py             # probes testdata/zipodd/, writes its readers.tsv
    python3 testdata/interop/readers.py DIR         # probes DIR/*.zip, writes DIR/readers.tsv
    python3 testdata/interop/readers.py --print FILE...   # the rows for these files, on standard output

Four readers, each on its own (Python 3 standard library, Info-ZIP unzip,
a JDK 17+ for interop/ReadersProbe.java):

- unzip:   `unzip -t FILE` (LC_ALL=C). Exit 0 is `ok`; exit 1 (a warning,
           testing completed) is `ok (warning: ...)`; anything else is
           `refuse: exit N: ...`, with the first error line.
- python:  zipfile.ZipFile(FILE), testzip(), then read() of every entry
           (CRC-32 checked): `ok`, or `refuse:` and the exception.
- java-zipfile: java.util.zip.ZipFile, every entry read to its end. ZipFile
           checks neither CRC-32 nor sizes: where the bytes read differ from
           what the central directory declares, the note says so (`ok (...)`).
- java-zipinputstream: ZipInputStream from the first byte, every entry read
           to its end (it checks CRC-32 and sizes). It stops quietly at the
           first bytes that are not a local header: reading fewer entries
           than the central directory lists (as Python or ZipFile read it)
           is a `refuse: reads N of M entries ...`.

A zip entry of a probed archive (a name ending in `.zip`) gets a row of its
own, `FILE!/ENTRY`, with what each reader says about that nested archive as
a file; the row of FILE is about the outer archive only.

The table starts with the tool versions as `#` lines. The same tools on the
same files give the same table.
"""

import os
import re
import subprocess
import sys
import tempfile
import warnings
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(os.path.dirname(HERE), "zipodd")
PROBE = os.path.join(HERE, "ReadersProbe.java")
ENV = dict(os.environ, LC_ALL="C", LANG="C", TZ="UTC")


def clean(text, limit=160):
    """One line of printable ASCII (other characters escaped); a longer one
    is cut after its first sentence, or at `limit` characters."""
    text = " ".join(text.split())
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    if len(text) > limit:
        stop = text.find(". ", 20)
        text = text[: stop + 1] if 0 < stop < limit else text[: limit - 3] + "..."
    return text


def archive_comment(path):
    """The archive comment as unzip prints it (so it can be left out of the reason)."""
    with open(path, "rb") as fh:
        data = fh.read()
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or at + 22 > len(data):
        return ""
    size = int.from_bytes(data[at + 20:at + 22], "little")
    return data[at + 22:at + 22 + size].decode("utf-8", "backslashreplace")


def unzip(path):
    folder, name = os.path.split(os.path.abspath(path))
    run = subprocess.run(["unzip", "-t", name], cwd=folder, env=ENV, capture_output=True)
    text = (run.stdout + run.stderr).decode("utf-8", "backslashreplace")
    comment = archive_comment(path)
    if comment:
        text = text.replace(comment, "", 1)
    tested = [ln for ln in text.splitlines() if re.match(r"^\s+testing: ", ln)]
    passed = [ln for ln in tested if ln.endswith(" OK")]
    lines = [ln for ln in text.splitlines()
             if ln.strip()
             and not ln.startswith("Archive:")
             and ln not in passed
             and not ln.startswith("No errors detected")]
    if run.returncode == 0:
        return "ok"

    def sentence(i):
        # The line and the indented lines that continue it.
        out = [lines[i]]
        for ln in lines[i + 1:]:
            if not ln.startswith(" ") or ln.lstrip().startswith("("):
                break
            out.append(ln)
        return clean(" ".join(out))

    if run.returncode == 1:
        return "ok (warning: %s)" % (sentence(0) if lines else "exit 1")
    first = next((i for i, ln in enumerate(lines)
                  if re.search(r"error|bad CRC|cannot find|not a zip|signature not found|invalid|truncated", ln,
                               re.I) and not ln.startswith("At least one")), 0)
    count = " (%d of %d entries test OK)" % (len(passed), len(tested)) if tested else ""
    return "refuse: exit %d: %s%s" % (run.returncode, sentence(first) if lines else "", count)


def python_zipfile(path):
    """(verdict, entries read or None)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(path) as z:
                bad = z.testzip()
                if bad is not None:
                    return "refuse: testzip: bad CRC-32 or header in %s" % clean(bad), None
                infos = z.infolist()
                for info in infos:
                    z.read(info)
                return "ok", len(infos)
    except Exception as e:  # every failure is a refusal
        return "refuse: %s: %s" % (type(e).__name__, clean(str(e))), None


def java(paths):
    """{(reader, path): (status, count, detail)} for every path, both Java readers."""
    out = {}
    if not paths:
        return out
    run = subprocess.run(["java", PROBE, "both"] + paths, env=ENV, capture_output=True, check=True)
    for line in run.stdout.decode("utf-8", "backslashreplace").splitlines():
        reader, path, status, count, detail = line.split("\t")
        out[(reader, path)] = (status, int(count), detail)
    return out


def versions():
    first = subprocess.run(["unzip", "-v"], env=ENV, capture_output=True).stdout.decode("latin-1").splitlines()[0]
    jv = subprocess.run(["java", "-version"], env=ENV, capture_output=True).stderr.decode("utf-8").splitlines()
    return ["# unzip: " + first.strip(),
            "# python: %s zipfile" % sys.version.split()[0],
            "# java: %s (%s)" % (jv[0].strip(), jv[1].strip() if len(jv) > 1 else "")]


def nested(path):
    """The entries of `path` whose names end in .zip: [(entry name, bytes)]."""
    try:
        with zipfile.ZipFile(path) as z:
            return [(i.filename, z.read(i)) for i in z.infolist() if i.filename.lower().endswith(".zip")]
    except Exception:
        return []


def probe(files):
    """Rows (file, unzip, python, java-zipfile, java-zipinputstream) for
    `files` {label: path}, nested archives included."""
    with tempfile.TemporaryDirectory() as tmp:
        targets = []  # (label, path)
        for label, path in sorted(files.items()):
            targets.append((label, path))
            for k, (entry, data) in enumerate(nested(path)):
                folder = os.path.join(tmp, "%d-%d" % (len(targets), k))
                os.makedirs(folder)
                inner = os.path.join(folder, os.path.basename(entry))
                with open(inner, "wb") as fh:
                    fh.write(data)
                targets.append(("%s!/%s" % (label, entry), inner))
        jv = java([p for _, p in targets])
        rows = []
        for label, path in targets:
            py, py_count = python_zipfile(path)
            zf_status, zf_count, zf_detail = jv[("zipfile", path)]
            if zf_status == "ok":
                zf = "ok (%s)" % clean(zf_detail) if zf_detail else "ok"
            else:
                zf = "refuse: " + clean(zf_detail)
            zis_status, zis_count, zis_detail = jv[("zipinputstream", path)]
            listed = py_count if py_count is not None else (zf_count if zf_status == "ok" else None)
            if zis_status != "ok":
                zis = "refuse: at entry %d: %s" % (zis_count + 1, clean(zis_detail))
            elif listed is not None and zis_count != listed:
                zis = ("refuse: reads %d of %d entries, then stops quietly (no local header where it looks "
                       "for the next one)" % (zis_count, listed))
            else:
                zis = "ok"
            rows.append((label, unzip(path), py, zf, zis))
        return rows


HEADER = ["# readers.tsv: what outside zip readers say about each archive here; written by testdata/interop/readers.py, do not edit",
          "# each verdict is `ok`, `ok (note)` or `refuse: reason`; a FILE!/ENTRY row is about the nested archive ENTRY of FILE"]


def table(rows):
    lines = HEADER + versions() + ["# file\tunzip\tpython\tjava-zipfile\tjava-zipinputstream"]
    lines += ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def main(argv):
    if argv and argv[0] == "--print":
        files = {p: os.path.abspath(p) for p in argv[1:]}
        rows = probe(files)
        sys.stdout.write("\n".join("\t".join(r) for r in rows) + "\n")
        return
    folder = argv[0] if argv else DEFAULT_DIR
    files = {n: os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".zip")}
    rows = probe(files)
    with open(os.path.join(folder, "readers.tsv"), "w") as fh:
        fh.write(table(rows))
    print(len(files), "archives probed;", len(rows), "rows")


if __name__ == "__main__":
    main(sys.argv[1:])
