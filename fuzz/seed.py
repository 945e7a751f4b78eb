#!/usr/bin/env python3
"""Seeds the fuzz corpora from the real-world BPMN corpus and the fixtures.

Run from the repository root: `python3 fuzz/seed.py`. Writes
fuzz/corpus/xml_edit/ (each document with three edits: a plain value, one
with markup characters, one with non-ASCII), fuzz/corpus/xml_split/ (each
document to be read in two and in three parts) and fuzz/corpus/archive/
(the sample archives, the hostile zips and the odd zips of issue 10).
"""

import glob
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "testdata", "corpus")


def main():
    xml_dir = os.path.join(ROOT, "fuzz", "corpus", "xml_edit")
    split_dir = os.path.join(ROOT, "fuzz", "corpus", "xml_split")
    zip_dir = os.path.join(ROOT, "fuzz", "corpus", "archive")
    os.makedirs(xml_dir, exist_ok=True)
    os.makedirs(split_dir, exist_ok=True)
    os.makedirs(zip_dir, exist_ok=True)
    docs = sorted(set(glob.glob(os.path.join(CORPUS, "*.bpmn*")) + glob.glob(os.path.join(CORPUS, "*.xml"))))
    if not docs:
        raise SystemExit("no BPMN files in %s" % CORPUS)
    docs += sorted(glob.glob(os.path.join(ROOT, "testdata", "bpmn", "*", "*.xml")))
    docs += sorted(glob.glob(os.path.join(ROOT, "testdata", "encodings", "*.xml")))
    n = 0
    for path in docs:
        data = open(path, "rb").read()
        for key, value in [(0, b"Batch order"), (3, b'a"b<&]]>'), (5, "\u00e9\u20ac".encode())]:
            with open(os.path.join(xml_dir, "seed%04d" % n), "wb") as fh:
                fh.write(bytes([key, len(value)]) + value + data)
            n += 1
        for parts in (0, 1):
            name = "seed%04d-%d" % (n, parts)
            with open(os.path.join(split_dir, name), "wb") as fh:
                fh.write(bytes([parts]) + data)
    zips = sorted(glob.glob(os.path.join(ROOT, "testdata", "archives", "*.zip")))
    zips += sorted(glob.glob(os.path.join(ROOT, "testdata", "hostile", "*.zip")))
    zips += sorted(glob.glob(os.path.join(ROOT, "testdata", "zipodd", "*.zip")))
    for path in zips:
        if os.path.getsize(path) <= 100_000:
            with open(os.path.join(zip_dir, os.path.basename(path)), "wb") as fh:
                fh.write(open(path, "rb").read())
    print("%d xml_edit seeds, %d xml_split seeds, %d archive seeds" % (n, 2 * len(docs), len(zips)))


if __name__ == "__main__":
    main()
