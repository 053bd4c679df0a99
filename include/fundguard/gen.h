/*
 * fundguard/gen.h — the synthetic region generator: a whole region's year of medical insurance,
 * with fraud injected and recorded in a ground truth.
 *
 * No bureau can share real settlement data, so the demo, the tests, the benchmarks and the
 * measurement of detection all run on what this module writes: institutions, staff and persons of a
 * region; a catalogue built from the real national codes of kb/nhsa; a year of outpatient visits,
 * inpatient stays, pharmacy purchases, refunds and e-invoices; the reference feeds (deaths,
 * injuries, suspensions); and every injected fraud case in truth.csv. docs/generator.md describes
 * the distributions and every scenario.
 *
 * Invariants:
 *   - Deterministic: the same options give byte-identical files (manifest.json holds the sha256 of
 *     every file); a different seed gives different files. Every random draw comes from a stream
 *     seeded by (seed, stream, entity), so output never depends on buffer sizes or timing.
 *   - Streamed: persons are generated one at a time and their rows written at once; memory holds
 *     only compact per-entity state (institutions, staff, catalogue, per-person profile bits, the
 *     fraud plan), so a province (5M persons, ~100M fee lines) runs in bounded memory.
 *   - Every trace-coded pack sold was purchased (3503) by the selling institution before the sale,
 *     unless a fraud case says otherwise; normal data breaks none of the national rules it is built
 *     from, so every rule hit on generated data is a truth case.
 */
#ifndef FUNDGUARD_GEN_H
#define FUNDGUARD_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/error.h"
#include "fundguard/kb.h"

typedef enum fg_gen_scale {
    FG_GEN_TINY = 0, /* tests: ~12 institutions, 2,000 persons, ~40k fee lines */
    FG_GEN_COUNTY,   /* ~50 institutions, 50k persons, ~1M fee lines */
    FG_GEN_CITY,     /* ~500 institutions, 500k persons, ~10M fee lines */
    FG_GEN_PROVINCE, /* ~5,000 institutions, 5M persons, ~100M fee lines */
    FG_GEN_SCALE__COUNT
} fg_gen_scale_t;

typedef enum fg_gen_encoding {
    FG_GEN_UTF8 = 0, /* CSV in UTF-8 */
    FG_GEN_GBK /* CSV in GBK (written as its superset GB18030, which every GBK reader reads) */
} fg_gen_encoding_t;

#define FG_GEN_DEFAULT_YEAR       2025
#define FG_GEN_DEFAULT_FRAUD_RATE 0.002

/* Called now and then with work done and total work (both in the same unit). */
typedef void (*fg_gen_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct fg_gen_options {
    const char *out_dir; /* created when missing; files in it are overwritten */
    fg_gen_scale_t scale;
    uint64_t seed;
    int year;                    /* the natural year generated, 2000…2099 */
    double fraud_rate;           /* cases per person per scenario (0 … 0.05), above the minimum */
    fg_gen_encoding_t encoding;  /* of the CSV files; JSON Lines are always UTF-8 */
    const char *kb_dir;          /* the national tables (kb/nhsa); NULL: $FUNDGUARD_KB, then the
                                  * source tree's kb/nhsa, then ./kb/nhsa */
    const fg_kb_t *kb;           /* those tables loaded and sealed (borrowed); NULL: load kb_dir */
    uint64_t persons;            /* 0: the scale's number */
    uint32_t institutions;       /* 0: the scale's number */
    uint32_t min_cases;          /* guaranteed cases per scenario; 0: 50 (4 at tiny scale) */
    fg_gen_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} fg_gen_options_t;

/* What was written (also in manifest.json). */
typedef struct fg_gen_stats {
    uint64_t institutions;
    uint64_t staff;
    uint64_t persons;
    uint64_t catalogue;
    uint64_t visits;      /* mdtrt_d rows */
    uint64_t settlements; /* setl_d rows, refunds included */
    uint64_t fee_lines;   /* fee_list_d rows */
    uint64_t diagnoses;
    uint64_t operations;
    uint64_t inv_events;    /* inventory.jsonl lines */
    uint64_t ledger_events; /* ledger_events.jsonl lines */
    uint64_t invoices;
    uint64_t deaths;
    uint64_t injuries;
    uint64_t suspensions;
    uint64_t truth_cases;
    uint64_t bytes; /* all files */
} fg_gen_stats_t;

/* Defaults: county, seed 1, year 2025, fraud rate FG_GEN_DEFAULT_FRAUD_RATE, UTF-8. */
void fg_gen_options_init(fg_gen_options_t *o);

/* "tiny", "county", "city", "province" → scale; -1 when unknown. */
int fg_gen_scale_parse(const char *name);
const char *fg_gen_scale_name(fg_gen_scale_t s);

/* The fraud scenarios, as truth.csv names them ("trace_dup_same_inst" …), in a fixed order. */
size_t fg_gen_scenario_count(void);
const char *fg_gen_scenario_name(size_t i);

/*
 * Generate a region into opt->out_dir. stats may be NULL.
 * @return 0; FG_EINVAL (bad options, err names the option), FG_ENOTFOUND (kb tables missing),
 *         FG_ENOMEM, FG_EIO or a negated errno (files), FG_ECORRUPT (kb table unreadable).
 * @note Writes only inside out_dir (a scratch folder .gen-tmp/ there is removed at the end).
 */
int fg_gen_run(const fg_gen_options_t *opt, fg_gen_stats_t *stats, fg_error_t *err);

#endif
