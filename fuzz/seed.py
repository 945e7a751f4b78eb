#!/usr/bin/env python3
"""Seeds the fuzz corpora from the real-world BPMN corpus and the fixtures.

Run from the repository root: `python3 fuzz/seed.py`. Writes
fuzz/corpus/xml_edit/ (each document with three edits: a plain value, one
with markup characters, one with non-ASCII), fuzz/corpus/xml_split/ (each
document to be read in two and in three parts) and fuzz/corpus/archive/
(the sample archives, the hostile zips and the odd zips of issue 10, and
`blocks.zip`: a document whose deflate stream has many blocks, so that an
edit keeps the old stream's blocks around it).
"""

import glob
import os
import struct
import zipfile
import zlib

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
    with open(os.path.join(zip_dir, "blocks.zip"), "wb") as fh:
        fh.write(blocks_zip())
    print("%d xml_edit seeds, %d xml_split seeds, %d archive seeds" % (n, 2 * len(docs), len(zips)))


def blocks_zip():
    """The sample's Lock process with 40 KiB of comment after it, deflated
    with a full flush every 2 KiB (a block boundary, an empty stored block
    at any place within a byte), as the one entry of a zip."""
    sample = zipfile.ZipFile(os.path.join(ROOT, "testdata", "archives", "ProcessImport.zip"))
    doc = sample.read("UsersProcLock.bpmn20.xml")
    words, x = [], 7
    while sum(map(len, words)) < 40 * 1024:
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        words.append(bytes(97 + (x >> (8 + 5 * k)) % 26 for k in range(2 + (x >> 60) % 8)) + b" ")
    doc += b"\n<!-- " + b"".join(words) + b" -->\n"
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = b""
    for at in range(0, len(doc), 2048):
        data += c.compress(doc[at : at + 2048]) + c.flush(zlib.Z_FULL_FLUSH)
    data += c.flush()
    name = b"UsersProcLock.bpmn20.xml"
    crc = zlib.crc32(doc)
    fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(data), len(doc))
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
    central = b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end


if __name__ == "__main__":
    main()
