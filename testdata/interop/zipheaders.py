#!/usr/bin/env python3
"""Dumps the raw headers of a zip file as JSON, independently of procpatch.

For each entry, in central-directory order: every field of the central
record (sizes and offset from the zip64 field where it holds them) and of the
local header, the extra fields (hex), the SHA-256 of the
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
    zip64 = None
    if data[eocd - 20:eocd - 16] == b"PK\x06\x07":
        rec = struct.unpack("<Q", data[eocd - 12:eocd - 4])[0]
        (count, cd_size, cd_off) = struct.unpack("<QQQ", data[rec + 32:rec + 56])
        zip64 = {"record_offset": rec}
    out = {"comment": data[eocd + 22:eocd + 22 + clen].hex(), "count": count, "zip64": zip64 is not None,
           "entries": []}
    at = cd_off
    for _ in range(count):
        f = struct.unpack("<IHHHHHHIIIHHHHHII", data[at:at + 46])
        (sig, made, need, flags, method, mtime, mdate, crc, csize, usize, n, m, k, disk, iattr, eattr, loff) = f
        name = data[at + 46:at + 46 + n]
        extra = data[at + 46 + n:at + 46 + n + m]
        comment = data[at + 46 + n + m:at + 46 + n + m + k]
        at += 46 + n + m + k
        # zip64 extended information: the values whose 32-bit fields are full.
        # `extra_masked` is the extra field with those values zeroed, so that
        # an entry that moved can be compared with the original.
        masked = bytearray(extra)
        i = 0
        while i + 4 <= len(extra):
            (eid, esize) = struct.unpack("<HH", extra[i:i + 4])
            if eid == 1:
                vals = list(struct.unpack("<%dQ" % (esize // 8), extra[i + 4:i + 4 + esize - esize % 8]))
                if usize == 0xFFFFFFFF and vals:
                    usize = vals.pop(0)
                if csize == 0xFFFFFFFF and vals:
                    csize = vals.pop(0)
                if loff == 0xFFFFFFFF and vals:
                    loff = vals.pop(0)
                masked[i + 4:i + 4 + esize] = bytes(esize)
            i += 4 + esize
        lf = struct.unpack("<IHHHHHIIIHH", data[loff:loff + 30])
        (lsig, lneed, lflags, lmethod, lmtime, lmdate, lcrc, lcsize, lusize, ln, lm) = lf
        lextra = data[loff + 30 + ln:loff + 30 + ln + lm]
        dstart = loff + 30 + ln + lm
        dend = dstart + csize
        desc = b""
        if flags & 8:
            # 8-byte sizes in the descriptor when the local header has zip64.
            wide, j = False, 0
            while j + 4 <= len(lextra):
                (eid, esize) = struct.unpack("<HH", lextra[j:j + 4])
                wide = wide or eid == 1
                j += 4 + esize
            signed = data[dend:dend + 4] == b"PK\x07\x08"
            dlen = (4 if signed else 0) + 4 + (16 if wide else 8)
            desc = data[dend:dend + dlen]
        lmasked = bytearray(lextra)
        j = 0
        while j + 4 <= len(lextra):
            (eid, esize) = struct.unpack("<HH", lextra[j:j + 4])
            if eid == 1:
                lmasked[j + 4:j + 4 + esize] = bytes(esize)
            j += 4 + esize
        record = data[loff:dend + len(desc)]
        out["entries"].append({
            "name": name.hex(), "made_by": made, "needed": need, "flags": flags, "method": method,
            "mtime": mtime, "mdate": mdate, "crc": crc, "csize": csize, "usize": usize,
            "extra": extra.hex(), "extra_masked": bytes(masked).hex(), "comment": comment.hex(), "disk": disk, "internal_attr": iattr,
            "external_attr": eattr, "offset": loff,
            "local": {"needed": lneed, "flags": lflags, "method": lmethod, "mtime": lmtime, "mdate": lmdate,
                      "crc": lcrc, "csize": lcsize, "usize": lusize, "name": data[loff + 30:loff + 30 + ln].hex(),
                      "extra": lextra.hex(), "extra_masked": bytes(lmasked).hex()},
            "descriptor": desc.hex(),
            "record_sha256": hashlib.sha256(record).hexdigest(),
            "data_sha256": hashlib.sha256(data[dstart:dend]).hexdigest(),
        })
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
