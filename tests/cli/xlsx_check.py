#!/usr/bin/env python3
"""xlsx_check.py FINDINGS.XLSX FINDINGS.JSONL SUMMARY.JSON — read a findings.xlsx back as a reader does (a zip
of XML: python3's zipfile and ElementTree, nothing else) and hold it to findings.jsonl: a sheet per
model that has findings, named by the model's Chinese name (summary.json's name_zh), its header row in Chinese with a 金额（元） column,
one row per finding, the amounts' sum equal to the findings' fen exactly, the amount cells in the
number format "0.00", the header row frozen and the column widths set. Prints one line per
problem and exits 1 when there is any; prints a summary line and exits 0 otherwise.
"""
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET
from decimal import Decimal

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
AMOUNT_HEADER = "金额（元）"


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def text_of(el):
    return "".join(t.text or "" for t in el.iter("{%s}t" % NS["m"]))


def read_book(path):
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append(text_of(si))
    rels = {
        r.get("Id"): r.get("Target")
        for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).findall("p:Relationship", NS)
    }
    styles = ET.fromstring(z.read("xl/styles.xml"))
    fmts = {f.get("numFmtId"): f.get("formatCode") for f in styles.iter("{%s}numFmt" % NS["m"])}
    fmts.setdefault("2", "0.00")  # the built-in format 2 is "0.00"
    xfs = [x.get("numFmtId") for x in styles.find("m:cellXfs", NS).findall("m:xf", NS)]
    sheets = {}
    book = ET.fromstring(z.read("xl/workbook.xml"))
    for s in book.find("m:sheets", NS).findall("m:sheet", NS):
        target = rels[s.get("{%s}id" % NS["r"])].lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        root = ET.fromstring(z.read(target))
        rows = []
        for row in root.iter("{%s}row" % NS["m"]):
            cells = {}
            for c in row.findall("m:c", NS):
                t = c.get("t")
                v = c.find("m:v", NS)
                if t == "s":
                    val = shared[int(v.text)]
                elif t == "inlineStr":
                    val = text_of(c)
                elif v is not None:
                    # the cell holds a double (libxlsxwriter writes 17 digits: 749.0599999999999);
                    # a reader shows its shortest round-trip decimal, which is what must be exact
                    val = Decimal(repr(float(v.text)))
                else:
                    val = None
                fmt = fmts.get(xfs[int(c.get("s", "0"))]) if xfs else None
                cells[col_index(c.get("r"))] = (val, fmt)
            rows.append(cells)
        pane = root.find("m:sheetViews/m:sheetView/m:pane", NS)
        frozen = pane is not None and pane.get("state") == "frozen" and pane.get("ySplit") == "1"
        cols = root.find("m:cols", NS)
        widths = cols is not None and all(c.get("width") for c in cols.findall("m:col", NS))
        sheets[s.get("name")] = {"rows": rows, "frozen": frozen, "widths": widths}
    return sheets


def main():
    xlsx, jsonl, summary = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(summary, encoding="utf-8") as f:
        zh = {m["model"]: m["name_zh"] for m in json.load(f)["models"]}
    if "汇总" not in read_book(xlsx):
        print("no 汇总 sheet")
        return 1
    want = {}
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                n, fen = want.get(d["model"], (0, 0))
                want[d["model"]] = (n + 1, fen + int(d.get("amount", 0)))
    sheets = read_book(xlsx)
    problems = []
    for model, (count, fen) in sorted(want.items()):
        sh = sheets.get(zh.get(model, model))
        if sh is None:
            problems.append(f"{model}: no sheet (sheets: {', '.join(sheets)})")
            continue
        header = {i: v for i, (v, _) in sh["rows"][0].items()} if sh["rows"] else {}
        names = [header[i] for i in sorted(header)]
        if not names or not all(isinstance(h, str) and re.search(r"[\u4e00-\u9fff]", h) for h in names):
            problems.append(f"{model}: header row not all Chinese: {names}")
        amount_col = next((i for i, h in header.items() if h == AMOUNT_HEADER), None)
        if amount_col is None:
            problems.append(f"{model}: no {AMOUNT_HEADER} column in {names}")
            continue
        data = sh["rows"][1:]
        if len(data) != count:
            problems.append(f"{model}: {len(data)} rows, findings.jsonl has {count}")
        total = Decimal(0)
        for r, cells in enumerate(data, start=2):
            val, fmt = cells.get(amount_col, (None, None))
            if not isinstance(val, Decimal):
                problems.append(f"{model}: row {r}: amount {val!r} is not a number")
                continue
            if fmt != "0.00":
                problems.append(f"{model}: row {r}: amount format {fmt!r}, want '0.00'")
            if val != val.quantize(Decimal("0.01")):
                problems.append(f"{model}: row {r}: amount {val} has more than 2 decimals")
            total += val
        if total * 100 != fen:
            problems.append(f"{model}: amounts sum to {total} yuan, findings.jsonl to {fen} fen")
        if not sh["frozen"]:
            problems.append(f"{model}: header row not frozen")
        if not sh["widths"]:
            problems.append(f"{model}: column widths not set")
    for p in problems[:40]:
        print(p)
    if problems:
        return 1
    print(f"xlsx ok: {len(want)} model sheets, {sum(n for n, _ in want.values())} rows, "
          f"{sum(f for _, f in want.values())} fen, {len(sheets)} sheets in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
