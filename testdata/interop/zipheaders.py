#!/usr/bin/env python3
"""Dumps the raw headers of a zip file as JSON, independently of procpatch.

For each entry, in central-directory order: every field of the central
record and of the local header, the extra fields (hex), the SHA-256 of the
raw local record (header, data and data descriptor) and of its data, and the
data descriptor (hex). Also the end record and the archive comment.

Usage: zipheaders.py FILE > headers.json
"""

import hashlib
import json
import struct
import sys


def main(path):
    data = open(path, "rb").read()
    eocd = data.rfind(b"PK\x05\x06")
    (_, _, _, _, count, cd_size, cd_off, clen) = struct.unpack("<IHHHHIIH", data[eocd:eocd + 22])
    out = {"comment": data[eocd + 22:eocd + 22 + clen].hex(), "count": count, "entries": []}
    at = cd_off
    for _ in range(count):
        f = struct.unpack("<IHHHHHHIIIHHHHHII", data[at:at + 46])
        (sig, made, need, flags, method, mtime, mdate, crc, csize, usize, n, m, k, disk, iattr, eattr, loff) = f
        name = data[at + 46:at + 46 + n]
        extra = data[at + 46 + n:at + 46 + n + m]
        comment = data[at + 46 + n + m:at + 46 + n + m + k]
        at += 46 + n + m + k
        lf = struct.unpack("<IHHHHHIIIHH", data[loff:loff + 30])
        (lsig, lneed, lflags, lmethod, lmtime, lmdate, lcrc, lcsize, lusize, ln, lm) = lf
        lextra = data[loff + 30 + ln:loff + 30 + ln + lm]
        dstart = loff + 30 + ln + lm
        dend = dstart + csize
        desc = b""
        if flags & 8:
            dlen = 16 if data[dend:dend + 4] == b"PK\x07\x08" else 12
            desc = data[dend:dend + dlen]
        record = data[loff:dend + len(desc)]
        out["entries"].append({
            "name": name.hex(), "made_by": made, "needed": need, "flags": flags, "method": method,
            "mtime": mtime, "mdate": mdate, "crc": crc, "csize": csize, "usize": usize,
            "extra": extra.hex(), "comment": comment.hex(), "disk": disk, "internal_attr": iattr,
            "external_attr": eattr, "offset": loff,
            "local": {"needed": lneed, "flags": lflags, "method": lmethod, "mtime": lmtime, "mdate": lmdate,
                      "crc": lcrc, "csize": lcsize, "usize": lusize, "name": data[loff + 30:loff + 30 + ln].hex(),
                      "extra": lextra.hex()},
            "descriptor": desc.hex(),
            "record_sha256": hashlib.sha256(record).hexdigest(),
            "data_sha256": hashlib.sha256(data[dstart:dend]).hexdigest(),
        })
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
