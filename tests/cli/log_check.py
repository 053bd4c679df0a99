"""log_check.py EXPECT LOG [LOG…] — for tests/cli/serve_log.sh: the server's log, line by line.

Every line of every LOG must be valid UTF-8 and one JSON object (no duplicate keys) whose first
keys are ts (Asia/Shanghai, 2026-12-05T09:30:00.123+08:00), level (debug|info|warn|error) and
event; a "request" line carries method, route, status, duration_us, bytes, key_id, institution and
request_id. EXPECT is a TSV of the requests the suite made (request_id, method, route, status,
key_id, institution; "-" for null): each must have exactly one request line saying so. No
18-character run shaped like a resident ID (17 digits and a digit or X, not inside a longer code)
may appear anywhere in a log, checking or not.

Prints one line per problem and a last line "N lines, M requests matched"; exit 1 on a problem.
"""
import json
import re
import sys

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$")
ID = re.compile(rb"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
LEVELS = {"debug", "info", "warn", "error"}
REQUEST_KEYS = ["method", "route", "status", "duration_us", "bytes", "key_id", "institution",
                "request_id"]


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def line_problem(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not valid UTF-8", None
    try:
        o = json.loads(text, object_pairs_hook=no_duplicates)
    except ValueError as e:
        return "not one JSON object (%s)" % e, None
    if not isinstance(o, dict):
        return "not a JSON object", None
    if list(o)[:3] != ["ts", "level", "event"]:
        return "does not begin with ts, level, event", None
    if not isinstance(o["ts"], str) or not TS.match(o["ts"]):
        return "ts is not ISO-8601 in +08:00: %r" % o["ts"], None
    if o["level"] not in LEVELS:
        return "unknown level %r" % o["level"], None
    if o["event"] == "request":
        missing = [k for k in REQUEST_KEYS if k not in o]
        if missing:
            return "request line without %s" % ", ".join(missing), None
        if not isinstance(o["duration_us"], int) or o["duration_us"] < 0:
            return "duration_us is not a count of microseconds", None
    return None, o


def main():
    expect_path, logs = sys.argv[1], sys.argv[2:]
    problems = 0
    lines = 0
    requests = {}
    for path in logs:
        raw = open(path, "rb").read()
        for m in ID.finditer(raw):
            problems += 1
            print("%s: an unmasked resident-ID-shaped run %s…" % (path, m.group(0)[:4].decode()))
        if raw and not raw.endswith(b"\n"):
            problems += 1
            print("%s: the last line has no newline" % path)
        for no, line in enumerate(raw.split(b"\n")[:-1], 1):
            lines += 1
            why, o = line_problem(line)
            if why:
                problems += 1
                print("%s:%d: %s: %s" % (path, no, why, line[:200]))
            elif o["event"] == "request":
                requests.setdefault(o["request_id"], []).append(o)
    matched = 0
    for row in open(expect_path).read().splitlines():
        rid, method, route, status, key_id, inst = row.split("\t")
        want = {"method": method, "route": None if route == "-" else route, "status": int(status),
                "key_id": None if key_id == "-" else key_id,
                "institution": None if inst == "-" else inst}
        got = requests.get(rid, [])
        if len(got) != 1:
            problems += 1
            print("request %s (%s %s): %d request lines, want 1" % (rid, method, route, len(got)))
            continue
        diff = {k: (got[0].get(k), v) for k, v in want.items() if got[0].get(k) != v}
        if diff:
            problems += 1
            print("request %s: %s" % (rid, ", ".join("%s %r, want %r" % (k, g, w)
                                                      for k, (g, w) in diff.items())))
        else:
            matched += 1
    print("%d lines, %d requests matched" % (lines, matched))
    return 1 if problems or lines == 0 else 0


sys.exit(main())
