#!/usr/bin/env python3
# gen_catalogue.py — write catalogue.inc (the C table) from catalogue.csv (the source).
# Run after editing catalogue.csv: python3 src/rules/gen_catalogue.py; t_rules checks the two agree.
import csv, os
here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, 'catalogue.csv'), encoding='utf-8')))
def c(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'
out = ['/* catalogue.inc — generated from catalogue.csv by gen_catalogue.py; do not edit. */']
for r in rows:
    out.append('FG__RULE(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)' % (
        r['code'], c(r['name']), c(r['family']), c(r['class']), c(r['level']), c(r['stages']),
        c(r['scenes']), c(r['objects']), c(r['tables']), c(r['message'])))
open(os.path.join(here, 'catalogue.inc'), 'w', encoding='utf-8').write('\n'.join(out) + '\n')
