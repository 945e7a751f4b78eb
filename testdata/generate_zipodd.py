#!/usr/bin/env python3
"""Generates testdata/zipodd/: odd but (mostly) readable zips, one oddity each.

Run: `python3 testdata/generate_zipodd.py [OUT_DIR]` (default: testdata/).
Writes `zipodd/<case>.zip` and `zipodd/cases.tsv` with one line per case:

    name <TAB> file <TAB> what it is

Issue 10: archives that unzip, Python's zipfile and Java's ZipFile accept
(or refuse) and procpatch handles differently. Every top-level case holds the
Lock user process (`UsersProcLock.bpmn20.xml`, deflated, so the built-in
recipe finds something to edit) and `notes.txt` (stored), and is odd in
exactly one way. Every odd case also comes nested (`nested-<case>.zip`): a
plain outer archive with the Lock user process, `notes.txt` and
`processes/ProcessImport.zip`, the odd archive built from the Deactivate
and Reactivate user processes and `notes.txt`. A few cases exist only
nested (damaged inner archives, 70,000 entries with a wrapped count).

`python3 testdata/generate_zipodd.py --wrapped-count FILE` writes the
70,000-entry archive at the top level instead (5.7 MB of stored headers,
too big to commit; the nested one is deflated in its outer archive).

What each reader says about each file is in `zipodd/readers.tsv`, written by
`interop/readers.py`; what procpatch should do is in `zipodd/DECISIONS.md`.

Deterministic and independent of the zlib version: the records are written
here field by field, and deflated data comes from the small fixed-Huffman
encoder below (zlib only checks it). One control is made by Info-ZIP `zip`
(3.0, its own deflate; fixed file times and modes, `TZ=UTC`) and one by
Python's `zipfile` (stored entries only).
"""

import calendar
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in testdata/
from generate_hostile import STAMP, put, vendor  # noqa: E402  (fixed time, struct.pack_into, the vendor processes)

DOS_DATE = ((STAMP[0] - 1980) << 9) | (STAMP[1] << 5) | STAMP[2]
DOS_TIME = (STAMP[3] << 11) | (STAMP[4] << 5) | (STAMP[5] // 2)
NOTES = b"Exported from Identity Manager.\n" * 20  # 640 bytes: more than the 512 procpatch sniffs

# ---------------------------------------------------------------------------
# Deflate (RFC 1951), one block with the fixed Huffman codes and a greedy
# LZ77 match finder: deterministic, whatever zlib the machine has.

_LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
             163, 195, 227, 258]
_LEN_EXTRA = [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4 + [0]
_DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
              3073, 4097, 6145, 8193, 12289, 16385, 24577]
_DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]


def _rev(code, n):
    return int(format(code, "0%db" % n)[::-1], 2)


def _lit_code(sym):
    if sym < 144:
        return _rev(0x30 + sym, 8), 8
    if sym < 256:
        return _rev(0x190 + sym - 144, 9), 9
    if sym < 280:
        return _rev(sym - 256, 7), 7
    return _rev(0xC0 + sym - 280, 8), 8


_LIT = [_lit_code(s) for s in range(288)]
_LEN = [None] * 259  # length -> (Huffman code then extra bits, bit count)
for _i, _base in enumerate(_LEN_BASE):
    for _x in range(1 << _LEN_EXTRA[_i]):
        _l = _base + _x
        if _l <= 258 and (_l < 258 or _i == 28):
            _c, _n = _LIT[257 + _i]
            _LEN[_l] = (_c | (_x << _n), _n + _LEN_EXTRA[_i])
_DIST = [None] * 32769
for _i, _base in enumerate(_DIST_BASE):
    for _x in range(1 << _DIST_EXTRA[_i]):
        if _base + _x <= 32768:
            _DIST[_base + _x] = (_rev(_i, 5) | (_x << 5), 5 + _DIST_EXTRA[_i])


def deflate(data):
    """Raw deflate of `data` (one final fixed-Huffman block)."""
    data = bytes(data)
    n = len(data)
    out = bytearray()
    acc, nacc = 0b011, 3  # BFINAL=1, BTYPE=01
    head = {}
    i = 0
    while i < n:
        length = 0
        if i + 3 <= n:
            key = data[i:i + 3]
            cand = head.get(key)
            head[key] = i
            if cand is not None and i - cand <= 32768:
                most = min(258, n - i)
                length = 3
                while length + 16 <= most and data[cand + length:cand + length + 16] == data[i + length:i + length + 16]:
                    length += 16
                while length < most and data[cand + length] == data[i + length]:
                    length += 1
        if length >= 3:
            code, bits = _LEN[length]
            dcode, dbits = _DIST[i - cand]
            acc |= (code | (dcode << bits)) << nacc
            nacc += bits + dbits
            for j in range(i + length - 2, i + length):  # the match's last positions
                head[data[j:j + 3]] = j
            i += length
        else:
            code, bits = _LIT[data[i]]
            acc |= code << nacc
            nacc += bits
            i += 1
        while nacc >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nacc -= 8
    code, bits = _LIT[256]
    acc |= code << nacc
    nacc += bits
    while nacc > 0:
        out.append(acc & 0xFF)
        acc >>= 8
        nacc -= 8
    assert zlib.decompress(bytes(out), -15) == data
    return bytes(out)


# ---------------------------------------------------------------------------
# Zip records, field by field.

class Member:
    """One entry. The central record is written from the fields; the local
    header from the same fields unless a `local_*` override is set."""

    def __init__(self, name, data, method=zipfile.ZIP_DEFLATED, packed=None):
        self.name = name.encode("utf-8") if isinstance(name, str) else name
        self.flags = 0x800 if any(b > 0x7F for b in self.name) else 0
        self.method = method
        self.data = data
        self.packed = packed if packed is not None else (deflate(data) if method == zipfile.ZIP_DEFLATED else data)
        self.crc = zlib.crc32(data)
        self.size = len(data)
        self.csize = len(self.packed)
        self.local_name = None
        self.local_flags = None
        self.zip64 = False       # zip64 extra fields in both headers
        self.z64_local = None    # (size, csize) written in the local zip64 field, if not the real ones
        self.z64_central = None  # (size, csize) written in the central zip64 field
        self.z64_offset = None   # a local-header offset written in the central zip64 field


def _z64_extra(*values):
    return struct.pack("<HH", 1, 8 * len(values)) + b"".join(struct.pack("<Q", v) for v in values)


def local_header(m):
    name = m.local_name if m.local_name is not None else m.name
    flags = m.local_flags if m.local_flags is not None else m.flags
    if m.zip64:
        size, csize = m.z64_local or (m.size, m.csize)
        extra = _z64_extra(size, csize)
        s32, c32, version = 0xFFFFFFFF, 0xFFFFFFFF, 45
    else:
        extra, s32, c32, version = b"", m.size, m.csize, 20 if m.method == zipfile.ZIP_DEFLATED else 10
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, version, flags, m.method, DOS_TIME, DOS_DATE, m.crc, c32, s32,
                       len(name), len(extra)) + name + extra


def central_header(m, offset):
    if m.zip64:
        size, csize = m.z64_central or (m.size, m.csize)
        values = [size, csize] + ([m.z64_offset] if m.z64_offset is not None else [])
        extra = _z64_extra(*values)
        s32, c32, version = 0xFFFFFFFF, 0xFFFFFFFF, 45
        off32 = 0xFFFFFFFF if m.z64_offset is not None else offset
    else:
        extra, s32, c32, off32 = b"", m.size, m.csize, offset
        version = 20 if m.method == zipfile.ZIP_DEFLATED else 10
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 30, version, m.flags, m.method, DOS_TIME, DOS_DATE,
                       m.crc, c32, s32, len(m.name), len(extra), 0, 0, 0, 0o100644 << 16, off32) + m.name + extra


def end_record(count, cd_size, cd_off, comment=b"", disk=0, disk_cd=0):
    """The end record; a count over 65,535 wraps, as writers without zip64 do."""
    count &= 0xFFFF
    return struct.pack("<IHHHHIIH", 0x06054B50, disk, disk_cd, count, count, cd_size, cd_off, len(comment)) + comment


def zip64_end(count, cd_size, cd_off, rec_off):
    rec = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (3 << 8) | 45, 45, 0, 0, count, count, cd_size, cd_off)
    loc = struct.pack("<IIQI", 0x07064B50, 0, rec_off, 1)
    return rec + loc


def build(members, comment=b"", prefix=b"", base=None, zip64=None, between=b"", trailing=b""):
    """An archive of `members`.

    prefix:   bytes before the first entry (a stub or a marker);
    base:     what offsets are counted from: None = the file start (offsets
              include the prefix, as `zip -A` fixes them), 0 = the archive
              start (the prefix is not counted);
    zip64:    None, or which end-record fields hold 0xFFFF/0xFFFFFFFF with a
              zip64 end record and locator: a set of "offset", "size",
              "counts", "disks";
    between:  bytes between the central directory and the end records;
    trailing: bytes after the end record and its comment.
    """
    shift = len(prefix) if base is None else base
    body = bytearray()
    offsets = []
    for m in members:
        offsets.append(shift + len(body))
        body += local_header(m) + m.packed
    cd = b"".join(central_header(m, off) for m, off in zip(members, offsets))
    cd_off = shift + len(body)
    tail = bytearray()
    n = len(members)
    if zip64 is None:
        tail += end_record(n, len(cd), cd_off, comment)
    else:
        rec_off = cd_off + len(cd) + len(between)
        tail += zip64_end(n, len(cd), cd_off, rec_off)
        tail += end_record(0xFFFF if "counts" in zip64 else n,
                           0xFFFFFFFF if "size" in zip64 else len(cd),
                           0xFFFFFFFF if "offset" in zip64 else cd_off,
                           comment,
                           0xFFFF if "disks" in zip64 else 0,
                           0xFFFF if "disks" in zip64 else 0)
    return bytearray(prefix + body + cd + between + tail + trailing)


# ---------------------------------------------------------------------------
# The archives' contents.

def lock_members():
    """The top-level contents: the Lock user process and a stored note."""
    return [Member("UsersProcLock.bpmn20.xml", vendor("UsersProcLock")),
            Member("notes.txt", NOTES, zipfile.ZIP_STORED)]


def inner_members():
    """A nested archive's contents: the other two user processes and a note."""
    return [Member("UsersProcDeactivate.bpmn20.xml", vendor("UsersProcDeactivate")),
            Member("UsersProcReactivate.bpmn20.xml", vendor("UsersProcReactivate")),
            Member("notes.txt", NOTES, zipfile.ZIP_STORED)]


def zip64_members(members):
    for m in members:
        m.zip64 = True
    return members


NESTED = "processes/ProcessImport.zip"


def outer(inner_bytes, method=zipfile.ZIP_STORED):
    """A plain archive holding the Lock user process, a note and `inner_bytes`
    as `processes/ProcessImport.zip`."""
    return build(lock_members() + [Member(NESTED, bytes(inner_bytes), method)])


def elf_stub(size=4096):
    """A self-extractor stub: an ELF header and deterministic filler."""
    rnd = random.Random(10)
    head = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + struct.pack("<HHI", 2, 62, 1)
    text = b"\x00This is a self-extracting archive; run it, or open it with unzip.\x00"
    fill = bytes(rnd.randrange(256) for _ in range(size - len(head) - len(text)))
    return (head + fill[: size // 2] + text + fill[size // 2:]).replace(b"PK", b"PX")


# Each odd case is a function from the members to the archive's bytes, so the
# same oddity is built at the top level (from lock_members) and nested (from
# inner_members). (name, function, what it is)
ODD = []


def odd(name, what):
    def register(fn):
        ODD.append((name, fn, what))
        return fn
    return register


@odd("trailing-nul-padding", "the archive, then NUL bytes to a 4096-byte boundary (block padding after a transfer)")
def _(ms):
    z = build(ms)
    return z + b"\x00" * (-len(z) % 4096 or 4096)


TRAILER = b"\r\n-- end of process export --"


@odd("trailing-text", "the archive (no comment), then %d bytes of text after the end record" % len(TRAILER))
def _(ms):
    return build(ms, trailing=TRAILER)


@odd("trailing-after-comment", "a 31-byte archive comment, then 16 more bytes: the comment length is shorter than what follows")
def _(ms):
    return build(ms, comment=b"Identity Manager process export", trailing=b"\x00" * 8 + b"TRAILER!")


@odd("trailing-comment-past-end", "the end record's comment length (40) runs 9 bytes past the end of the file")
def _(ms):
    z = build(ms, comment=b"Identity Manager process export")
    return put(z, z.rfind(b"PK\x05\x06") + 20, "<H", 40)


@odd("trailing-after-zip64", "a zip64 archive (zip64 end record and locator, end record offset 0xFFFFFFFF), then %d bytes after it"
     % len(TRAILER + b"\r\n\x00\x00"))
def _(ms):
    return build(zip64_members(ms), zip64={"offset"}, trailing=TRAILER + b"\r\n\x00\x00")


@odd("prefix-sfx-adjusted", "a 4 KiB ELF self-extractor stub before the archive; offsets count from the file start (as `zip -A` fixes them)")
def _(ms):
    return build(ms, prefix=elf_stub())


@odd("prefix-sfx-unadjusted", "a 4 KiB ELF self-extractor stub before the archive; offsets count from the archive start (stub not counted)")
def _(ms):
    return build(ms, prefix=elf_stub(), base=0)


@odd("prefix-sfx-zip64-adjusted", "the 4 KiB stub before a zip64 archive; offsets (and the locator's) count from the file start")
def _(ms):
    return build(zip64_members(ms), prefix=elf_stub(), zip64={"offset"})


@odd("prefix-sfx-zip64-unadjusted", "the 4 KiB stub before a zip64 archive; offsets (and the locator's) count from the archive start")
def _(ms):
    return build(zip64_members(ms), prefix=elf_stub(), base=0, zip64={"offset"})


@odd("prefix-split-marker", "the PK\\x07\\x08 split-archive marker before the first entry; offsets count it (as Info-ZIP `zip -s` writes a one-part split archive)")
def _(ms):
    return build(ms, prefix=b"PK\x07\x08")


@odd("prefix-split-marker-unadjusted", "the PK\\x07\\x08 split-archive marker before the first entry; offsets do not count it")
def _(ms):
    return build(ms, prefix=b"PK\x07\x08", base=0)


@odd("locator-sig-in-name", "the last entry's name ends with the zip64 locator signature and 16 NUL bytes (disk 0, record at byte 0, 0 disks), so they sit 20 bytes before the end record; no 0xFFFF/0xFFFFFFFF field, no zip64")
def _(ms):
    ms[-1].name = b"notes-PK\x06\x07" + struct.pack("<IQI", 0, 0, 0)
    return build(ms)


@odd("locator-sig-in-name-one-disk", "as locator-sig-in-name, but the 'total disks' bytes say 1 (disk 0, record at byte 0, 1 disk)")
def _(ms):
    ms[-1].name = b"notes-PK\x06\x07" + struct.pack("<IQI", 0, 0, 1)
    return build(ms)


@odd("locator-sig-in-name-printable", "as locator-sig-in-name, but the 16 bytes after the signature are text (the 'disk' fields are neither 0 nor 1)")
def _(ms):
    ms[-1].name = b"notes-PK\x06\x07-lock-user-p.txt"
    return build(ms)


@odd("zip64-disks-ffff", "a zip64 archive whose end record has 0xFFFF in both disk fields; the zip64 end record says disk 0")
def _(ms):
    return build(zip64_members(ms), zip64={"offset", "disks"})


@odd("zip64-counts-ffff", "an archive whose end record has 0xFFFF entry counts, the real size and offset, and a zip64 end record with the real counts")
def _(ms):
    return build(ms, zip64={"counts"})


@odd("zip64-all-ffff", "a zip64 archive whose end record has 0xFFFF counts and 0xFFFFFFFF size and offset (every value in the zip64 end record)")
def _(ms):
    return build(zip64_members(ms), zip64={"counts", "size", "offset"})


@odd("zip64-csize-huge", "a zip64 archive; notes.txt's zip64 fields (local and central) give a compressed size of 0xFFFFFFFFFFFFFFF0")
def _(ms):
    ms = zip64_members(ms)
    huge = (ms[-1].size, 0xFFFFFFFFFFFFFFF0)
    ms[-1].z64_local = ms[-1].z64_central = huge
    return build(ms, zip64={"offset"})


@odd("zip64-usize-huge", "a zip64 archive; notes.txt's zip64 fields (local and central) give an uncompressed size of 0xFFFFFFFFFFFFFFF0")
def _(ms):
    ms = zip64_members(ms)
    huge = (0xFFFFFFFFFFFFFFF0, ms[-1].csize)
    ms[-1].z64_local = ms[-1].z64_central = huge
    return build(ms, zip64={"offset"})


@odd("zip64-offset-huge", "a zip64 archive; notes.txt's central zip64 field gives a local-header offset of 0xFFFFFFFFFFFFFFF0")
def _(ms):
    ms = zip64_members(ms)
    ms[-1].z64_offset = 0xFFFFFFFFFFFFFFF0
    return build(ms, zip64={"offset"})


def _inflates_more(m, crc_of_all):
    """`m`'s data deflated with 64 more bytes than its headers declare."""
    more = m.data + b"\n" * 64
    m.method = zipfile.ZIP_DEFLATED
    m.packed = deflate(more)
    m.csize = len(m.packed)
    m.crc = zlib.crc32(more if crc_of_all else m.data)


@odd("inflate-more-bpmn", "the (first) BPMN entry inflates to 64 bytes (newlines) more than its declared size; the CRC is of all the inflated bytes")
def _(ms):
    _inflates_more(ms[0], crc_of_all=True)
    return build(ms)


@odd("inflate-more-notes", "notes.txt (deflated here) inflates to 64 bytes more than declared; the CRC is of all the inflated bytes")
def _(ms):
    _inflates_more(ms[-1], crc_of_all=True)
    return build(ms)


@odd("inflate-more-notes-crc-declared", "notes.txt (deflated here) inflates to 64 bytes more than declared; the CRC is of the declared bytes only")
def _(ms):
    _inflates_more(ms[-1], crc_of_all=False)
    return build(ms)


@odd("gap-before-end-record", "one NUL byte between the central directory and the end record (offset and size exact)")
def _(ms):
    return build(ms, between=b"\x00")


@odd("cp437-local-utf8-central", "notes.txt renamed Notizen-\u00dcbersicht.txt: local name in CP437 (no UTF-8 flag), central name in UTF-8 (flag set): same text")
def _(ms):
    _cp437_local(ms[-1], "Notizen-\u00dcbersicht.txt")
    return build(ms)


@odd("cp437-local-utf8-central-bpmn", "the (first) BPMN entry renamed with \u00c4nderung: local name in CP437 (no UTF-8 flag), central name in UTF-8 (flag set)")
def _(ms):
    _cp437_local(ms[0], ms[0].name.decode().replace(".bpmn20.xml", "-\u00c4nderung.bpmn20.xml"))
    return build(ms)


def _cp437_local(m, text):
    m.name = text.encode("utf-8")
    m.flags = 0x800
    m.local_name = text.encode("cp437")
    m.local_flags = 0


def many_members(members, total=70000):
    """`members`, then empty stored entries with 3-character names up to
    `total` entries: built with no zip64, the end record's 16-bit counts wrap
    (70,000 - 65,536 = 4,464)."""
    alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
    out = list(members)
    for k in range(total - len(members)):
        name = bytes([alphabet[k >> 12], alphabet[(k >> 6) & 63], alphabet[k & 63]])
        out.append(Member(name, b"", zipfile.ZIP_STORED))
    return out


# Cases that exist only nested: (name, inner archive bytes, outer method, what)
def nested_only():
    good = build(inner_members())
    bad = bytearray(good)
    notes = bad.find(NOTES)
    bad[notes + 5] ^= 0xFF
    wrapped = build(many_members([Member("UsersProcDeactivate.bpmn20.xml", vendor("UsersProcDeactivate"))]))
    rnd = random.Random(11)
    return [
        ("nested-plain", good, zipfile.ZIP_STORED, "control: a plain nested archive"),
        ("nested-truncated", good[: len(good) // 2], zipfile.ZIP_STORED,
         "the nested archive cut in half (no central directory, no end record)"),
        ("nested-bad-crc", bad, zipfile.ZIP_STORED, "one byte of the nested archive's notes.txt flipped: a CRC mismatch inside"),
        ("nested-garbage", b"PK\x03\x04" + bytes(rnd.randrange(256) for _ in range(2000)), zipfile.ZIP_STORED,
         "a local header signature, then 2000 random bytes"),
        ("nested-70000-entries", wrapped, zipfile.ZIP_DEFLATED,
         "a nested archive (deflated in the outer one) of 70,000 entries (a BPMN process and 69,999 empty ones) "
         "with no zip64: the end record's 16-bit counts wrapped to %d" % (70000 & 0xFFFF)),
    ]


def infozip_zip64():
    """Info-ZIP `zip -X -fz` of the Lock user process and notes.txt."""
    tmp = tempfile.mkdtemp()
    try:
        stamp = calendar.timegm(STAMP + (0, 0, 0))
        for name, data in (("UsersProcLock.bpmn20.xml", vendor("UsersProcLock")), ("notes.txt", NOTES)):
            path = os.path.join(tmp, name)
            with open(path, "wb") as fh:
                fh.write(data)
            os.chmod(path, 0o644)
            os.utime(path, (stamp, stamp))
        env = dict(os.environ, TZ="UTC", LC_ALL="C")
        subprocess.run(["zip", "-X", "-fz", "-q", "out.zip", "UsersProcLock.bpmn20.xml", "notes.txt"],
                       cwd=tmp, env=env, check=True)
        with open(os.path.join(tmp, "out.zip"), "rb") as fh:
            return fh.read()
    finally:
        shutil.rmtree(tmp)


def python_force_zip64():
    """Python's zipfile, stored entries written with force_zip64 (zip64
    fields in the local headers only)."""
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in (("UsersProcLock.bpmn20.xml", vendor("UsersProcLock")), ("notes.txt", NOTES)):
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            with z.open(info, "w", force_zip64=True) as fh:
                fh.write(data)
    return buf.getvalue()


def cases():
    out = [
        ("control-plain", build(lock_members()), "control: the Lock user process (deflated) and notes.txt (stored)"),
        ("control-zip64", build(zip64_members(lock_members()), zip64={"offset"}),
         "control: the same as zip64 (zip64 fields in every header, zip64 end record and locator, end record offset 0xFFFFFFFF)"),
        ("control-zip64-infozip", infozip_zip64(), "control: Info-ZIP zip 3.0 `zip -X -fz` of the same two files"),
        ("control-python-force-zip64", python_force_zip64(),
         "control: Python zipfile, both entries stored with force_zip64 (zip64 fields in the local headers only)"),
    ]
    for name, fn, what in ODD:
        out.append((name, fn(lock_members()), what))
    for name, fn, what in ODD:
        out.append(("nested-" + name, outer(fn(inner_members())), "nested %s: %s" % (NESTED, what)))
    for name, inner, method, what in nested_only():
        out.append((name, outer(inner, method), "nested %s: %s" % (NESTED, what)))
    return out


def main():
    if sys.argv[1:2] == ["--wrapped-count"]:
        # Too big to commit (76 bytes of headers per entry, 5.7 MB): a test
        # that wants it at the top level makes it in a temporary folder.
        with open(sys.argv[2], "wb") as fh:
            fh.write(bytes(build(many_members(lock_members()))))
        return
    root = sys.argv[1] if len(sys.argv) > 1 else HERE
    out = os.path.join(root, "zipodd")
    os.makedirs(out, exist_ok=True)
    lines = []
    for name, data, what in cases():
        with open(os.path.join(out, name + ".zip"), "wb") as fh:
            fh.write(bytes(data))
        lines.append("\t".join([name, name + ".zip", what]))
    with open(os.path.join(out, "cases.tsv"), "w") as fh:
        fh.write("# name\tfile\twhat it is\n" + "\n".join(lines) + "\n")
    print(len(lines), "cases")


if __name__ == "__main__":
    main()
