#!/usr/bin/env bash
# `fundguard gen`: usage errors, a small region that validates, determinism through manifest.json.
source "$(dirname "$0")/lib.sh"

small() { # small DIR SEED [more options]: a tiny region of 2,000 persons
    local dir=$1 seed=$2
    shift 2
    "$FG" gen --out "$dir" --scale tiny --seed "$seed" --persons 2000 "$@"
}

# ---- usage: exit 2, nothing on stdout
expect "no options is usage" 2 "" -- "$FG" gen
expect "missing --seed is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county
expect "unknown scale is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale planet --seed 1
expect "seed not a number is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county --seed -1
expect "seed overflow is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county \
    --seed 18446744073709551616
expect "year out of range is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county --seed 1 \
    --year 1999
expect "fraud rate too high is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county --seed 1 \
    --fraud-rate 0.5
expect "unknown encoding is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county --seed 1 \
    --encoding latin1
expect "too few persons is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county --seed 1 \
    --persons 10
expect "unknown option is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county --seed 1 --fast 1
expect "option without value is usage" 2 "" -- "$FG" gen --out "$TMP/u" --scale county --seed
expect_grep "help is exit 0 on stdout" 0 '^usage: fundguard gen' 1 -- "$FG" gen --help
if [ ! -e "$TMP/u" ]; then ok "usage errors write nothing"; else bad "usage errors write nothing"; fi
expect_grep "too few persons for the cases is usage" 2 'use more persons' 1 -- \
    bash -c '"$0" gen --out "$1" --scale county --seed 1 --persons 1000 2>&1' "$FG" "$TMP/few"
if [ -z "$(ls -A "$TMP/few" 2>/dev/null)" ]; then ok "too few persons writes no file"; else
    bad "too few persons writes no file" "$(ls "$TMP/few")"; fi
expect_grep "missing kb is bad input" 3 '.' 0 -- \
    "$FG" gen --out "$TMP/nokb" --scale tiny --seed 1 --persons 200 --kb "$TMP/no-such-kb"

# ---- a small region: every file there, and every one validates
expect_grep "small region" 0 '^generated tiny \(seed 1, year 2025\) into .*: .* 2000 persons, ' 1 -- \
    small "$TMP/a" 1
if [ ! -s "$TMP/stderr" ]; then ok "no progress bar when stderr is not a terminal"; else
    bad "no progress bar when stderr is not a terminal" "$(head -c 300 "$TMP/stderr")"; fi
files=(setl_d.csv mdtrt_d.csv fee_list_d.csv setl_list_diag_d.csv setl_list_oprn_d.csv
    persons.csv institutions.csv staff.csv catalogue.csv deaths.csv injuries.csv invoices.csv
    suspensions.csv truth.csv settlements.jsonl inventory.jsonl ledger_events.jsonl)
missing=""
for f in "${files[@]}" manifest.json; do [ -s "$TMP/a/$f" ] || missing="$missing $f"; done
if [ -z "$missing" ]; then ok "every file written"; else bad "every file written" "missing:$missing"; fi
[ -e "$TMP/a/.gen-tmp" ] && bad "scratch folder removed" || ok "scratch folder removed"
expect_grep "small region validates" 0 '^validate: 17 files, [0-9]+ records, 0 errors$' 1 -- \
    bash -c '"$0" validate "$@" 2>&1' "$FG" "${files[@]/#/$TMP/a/}"

# every scenario has at least the tiny scale's 4 cases
short=$(tail -n +2 "$TMP/a/truth.csv" | cut -d, -f1 | sort | uniq -c | awk '$1 < 4')
nscen=$(tail -n +2 "$TMP/a/truth.csv" | cut -d, -f1 | sort -u | wc -l)
if [ -z "$short" ] && [ "$nscen" -ge 30 ]; then
    ok "truth: $nscen scenarios, each >= 4 cases"
else
    bad "truth: every scenario >= 4 cases" "$nscen scenarios; short: $short"
fi

# ---- determinism: the manifest's sha256 are the files', and repeat with the seed
manifest_sums() { # "sha256  name" lines from a manifest.json
    sed -n 's/.*{"name": "\([^"]*\)".*"sha256": "\([0-9a-f]*\)".*/\2  \1/p' "$1/manifest.json"
}
if [ "$(manifest_sums "$TMP/a" | wc -l)" = 17 ] && (cd "$TMP/a" && manifest_sums . | sha256sum -c --quiet -); then
    ok "manifest sha256 match the files"
else
    bad "manifest sha256 match the files"
fi
small "$TMP/b" 1 >/dev/null 2>&1
if cmp -s "$TMP/a/manifest.json" "$TMP/b/manifest.json"; then
    ok "same seed: identical manifest"
else
    bad "same seed: identical manifest" "$(diff "$TMP/a/manifest.json" "$TMP/b/manifest.json" | head -5)"
fi
# The same bytes as every other build (gcc or clang, optimised or not): the sums of this region are
# committed. An intended change of the output updates them: FG_UPDATE_GOLDEN=1 bash tests/cli/gen.sh.
golden="$(dirname "$0")/../data/gen/tiny-2000-seed1.sha256"
if [ -n "${FG_UPDATE_GOLDEN:-}" ]; then
    (cd "$TMP/a" && sha256sum $(ls | grep -v manifest.json) manifest.json) >"$golden"
fi
if (cd "$TMP/a" && sha256sum -c --quiet -) <"$golden" >"$TMP/golden.out" 2>&1; then
    ok "same bytes as the committed sums (gcc or clang build)"
else
    bad "same bytes as the committed sums (gcc or clang build)" "$(head -5 "$TMP/golden.out")"
fi
small "$TMP/c" 2 >/dev/null 2>&1
ndiff=$(diff <(manifest_sums "$TMP/a") <(manifest_sums "$TMP/c") | grep -c '^<')
# Every file but catalogue.csv (made from the national codes alone) differs with the seed.
if [ "$ndiff" = 16 ]; then ok "other seed: 16 files differ"; else bad "other seed: 16 files differ" "$ndiff differ"; fi

# ---- GBK: CSVs decode to the UTF-8 ones; JSON Lines unchanged
small "$TMP/g" 1 --encoding gbk >/dev/null 2>&1
gbk_bad=""
for f in "${files[@]}"; do
    case $f in
    *.csv) iconv -f GB18030 -t UTF-8 "$TMP/g/$f" | cmp -s - "$TMP/a/$f" || gbk_bad="$gbk_bad $f" ;;
    *) cmp -s "$TMP/g/$f" "$TMP/a/$f" || gbk_bad="$gbk_bad $f" ;;
    esac
done
if [ -z "$gbk_bad" ]; then ok "gbk decodes to the utf8 files"; else bad "gbk decodes to the utf8 files" "$gbk_bad"; fi
expect_grep "gbk region validates" 0 '^validate: 17 files, [0-9]+ records, 0 errors$' 1 -- \
    bash -c '"$0" validate "$@" 2>&1' "$FG" "${files[@]/#/$TMP/g/}"

finish
