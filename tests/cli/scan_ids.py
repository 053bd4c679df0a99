"""scan_ids.py TMP DATA [FILE…] — for tests/cli/serve_lib.sh scan_at_rest.

The resident IDs a serve suite sent: every 18-character run (17 digits and a digit or X, not part
of a longer code) whose ISO 7064 MOD 11-2 check character holds, in the body files listed in
TMP/sent and the JSON files under TMP (outside DATA). Then the raw bytes of every file under DATA
and of each FILE given are searched for each of them. Prints where one is found (masked) and a
last line "sent N resident IDs, scanned M files"; exit 1 when one is found or none was sent.
"""
import os
import re
import sys

ID = re.compile(rb"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def checks(s):
    total = sum(int(chr(c)) * w for c, w in zip(s[:17], WEIGHTS))
    return b"10X98765432"[total % 11] == s.upper()[17]


def files_under(d):
    for root, _, names in os.walk(d):
        for n in names:
            yield os.path.join(root, n)


def main():
    tmp, data, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    listed = os.path.join(tmp, "sent")
    sources = open(listed).read().split("\n") if os.path.exists(listed) else []
    sources += [p for p in files_under(tmp) if p.endswith(".json") and not p.startswith(data)]
    sent = set()
    for p in sources:
        if p and os.path.isfile(p):
            raw = open(p, "rb").read()
            sent.update(m.group(0).upper() for m in ID.finditer(raw) if checks(m.group(0)))
    kept = list(files_under(data)) + [p for p in extra if os.path.isfile(p)]
    found = 0
    for p in kept:
        raw = open(p, "rb").read().upper()
        for i in sorted(sent):
            if i in raw:
                found += 1
                print("%s holds %s" % (os.path.relpath(p, tmp), (i[:4] + b"*" * 10 + i[14:]).decode()))
    print("sent %d resident IDs, scanned %d files" % (len(sent), len(kept)))
    return 1 if found or not sent else 0


sys.exit(main())
