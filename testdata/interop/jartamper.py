#!/usr/bin/env python3
"""Makes a broken copy of a signed JAR, the way an edit after signing would.

Usage: jartamper.py IN OUT ACTION [ARG]

Actions:
  change ENTRY        ENTRY's content edited: its first expression="" becomes
                      expression="Batch order" (a data pool set), or, when it
                      has none, a comment is appended
  add NAME            a new BPMN entry NAME appended
  remove ENTRY        ENTRY left out
  manifest            one character of the first digest value in
                      META-INF/MANIFEST.MF changed
  sf                  one character of the first entry digest in the .SF
                      changed (a Name section's, not a header's)
  swap-block OTHER    the signature block replaced by the block of the same
                      name from the signed archive OTHER
  truncate-block      the signature block cut to half its length

Entries are copied in order with their names, times, methods and
permissions, and the archive comment is kept; deflated entries are
compressed again by Python's zlib (their content is unchanged), so compare
contents, not raw records, with the input.
"""

import sys
import zipfile


def other_char(b):
    """A base64 character other than b."""
    return b"B" if b != b"B" else b"C"


def main(src, out, action, *args):
    zin = zipfile.ZipFile(src)
    infos = zin.infolist()
    names = [i.filename for i in infos]
    sfs = [n for n in names if n.startswith("META-INF/") and n.upper().endswith(".SF")]
    blocks = [n for n in names if n.startswith("META-INF/") and n.rsplit(".", 1)[-1].upper() in ("RSA", "DSA", "EC")]
    if action in ("sf", "swap-block", "truncate-block") and (len(sfs) != 1 or len(blocks) != 1):
        sys.exit(f"{src}: expected one .SF and one block, found {sfs} and {blocks}")
    if action in ("change", "remove") and args[0] not in names:
        sys.exit(f"{src}: no entry {args[0]}")
    done = False
    with zipfile.ZipFile(out, "w") as zout:
        for info in infos:
            data = zin.read(info)
            name = info.filename
            if action == "change" and name == args[0]:
                if b'expression=""' in data:
                    data = data.replace(b'expression=""', b'expression="Batch order"', 1)
                else:
                    data += b"<!-- changed after signing -->\n"
                done = True
            elif action == "remove" and name == args[0]:
                done = True
                continue
            elif action == "manifest" and name == "META-INF/MANIFEST.MF":
                i = data.index(b"-Digest: ") + len(b"-Digest: ")
                data = data[:i] + other_char(data[i:i + 1]) + data[i + 1:]
                done = True
            elif action == "sf" and name == sfs[0]:
                i = data.index(b"-Digest: ", data.index(b"\nName: ")) + len(b"-Digest: ")
                data = data[:i] + other_char(data[i:i + 1]) + data[i + 1:]
                done = True
            elif action == "swap-block" and name == blocks[0]:
                data = zipfile.ZipFile(args[0]).read(name)
                done = True
            elif action == "truncate-block" and name == blocks[0]:
                data = data[:len(data) // 2]
                done = True
            zout.writestr(info, data)
        if action == "add":
            added = zipfile.ZipInfo(args[0], date_time=(2024, 5, 17, 9, 30, 0))
            added.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(added, b'<?xml version="1.0" encoding="UTF-8"?>\n'
                          b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>\n')
            done = True
        zout.comment = zin.comment
    if not done:
        sys.exit(f"{src}: nothing to do for {action} {args}")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
