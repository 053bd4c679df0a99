/*
 * cmd_check.c — `fundguard check`: review settlements on the rule base and print decisions.
 *
 *   fundguard check --kb DIR [--kb DIR…] [--ref DIR] [--stage pre|in|post] [--history DIR]
 *                   [--batch FILE.jsonl|-] [--record FILE]
 *   fundguard check --replay FILE
 *
 * One settlement (a check request in API JSON, bare or in the platform envelope) on standard input,
 * or one per line with --batch, which streams one decision line per settlement. Windows reaching
 * back in time use the history: --history DIR keeps it on disk across runs; a batch without it
 * keeps an in-memory history for the run. --record appends, per settlement, a replay record (the
 * input, the stage, the knowledge points, status rows and history it depended on, and the
 * decision); --replay reproduces each recorded decision from its record alone and says whether it
 * is the same.
 *
 * Exit: 0 every settlement passed or was only reminded; 1 something was held or blocked; 2 usage;
 * 3 bad input (or, with --replay, a decision that did not reproduce); 4 internal error.
 */
#include "core/compat.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/buf.h"
#include "fundguard/kb.h"
#include "fundguard/model.h"
#include "fundguard/rules.h"

#define MAX_INPUT (64u << 20)

/* Defined in cmd_kb.c: load every --kb directory, printing the error. */
int fg__cli_kb_load(const char *cmd, char **dirs, int ndirs, fg_kb_t **out);

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: fundguard check --kb DIR [--kb DIR…] [--ref DIR] [--stage pre|in|post]\n"
        "                       [--history DIR] [--batch FILE.jsonl|-] [--record FILE]\n"
        "       fundguard check --replay FILE\n\n"
        "Reviews a settlement (check request JSON: psninfo, fixmedins, mdtrtinfo, diseinfo,\n"
        "feedetail; bare or inside the platform envelope) read from standard input, or one per\n"
        "line of a JSON-lines file with --batch, and prints the decision as one line of JSON:\n"
        "  {\"decision\": pass|remind|hold|block, \"kb_version\", \"rules_version\",\n"
        "   \"lines\": [{\"feedetl_sn\", \"decision\"}], \"hits\": [{\"rule\", \"family\", \"level\",\n"
        "   \"feedetl_sn\", \"amount\" (fen), \"basis\", \"kp\", \"kp_version\", \"message\"}]}\n\n"
        "  --kb DIR       knowledge tables: DIR and DIR/nhsa (national), DIR/local (local)\n"
        "  --ref DIR      status reference files: deaths.csv, persons.csv, suspensions.csv,\n"
        "                 coverage.csv\n"
        "  --stage S      pre (事前: remind), in (事中, default: block/hold), post (事后: clues)\n"
        "  --history DIR  the per-person history, kept in DIR/history.fgh and updated after\n"
        "                 each settlement checked in stage in or post\n"
        "  --batch FILE   one settlement per line ('-' for standard input); decisions stream\n"
        "  --record FILE  append a replay record per settlement (JSON lines)\n"
        "  --replay FILE  reproduce each recorded decision from its record alone\n\n"
        "exit: 0 pass/remind, 1 held or blocked, 2 usage, 3 bad input or a replay that\n"
        "differs, 4 internal error\n");
}

typedef struct opts {
    char *kb[32];
    int nkb;
    const char *ref;
    const char *history;
    const char *batch;
    const char *record;
    const char *replay;
    fg_stage_t stage;
} opts_t;

typedef struct run {
    opts_t o;
    fg_kb_t *kb;
    fg_ref_t *ref;
    fg_history_t *hist;
    fg_review_t *review;
    FILE *record;
    fg_arena_t arena;
    fg_buf_t out;
    int held;      /* something held or blocked */
    int bad_input; /* a settlement did not parse */
} run_t;

static void print_diag(void *ctx, const fg_error_t *e)
{
    const long *line = ctx;
    if (*line > 0)
        fprintf(stderr, "fundguard check: line %ld: %s: %s [%s]\n", *line, e->where, e->msg,
                fg_err_name(e->code));
    else
        fprintf(stderr, "fundguard check: %s: %s [%s]\n", e->where, e->msg, fg_err_name(e->code));
}

/* Append one replay record: the input as text, the stage, the three slices, the decision. */
static int write_record(run_t *r, const char *json, size_t n, fg_stage_t stage, const fg_buf_t *ks,
                        const fg_buf_t *rs, const fg_buf_t *hs, const fg_buf_t *decision)
{
    fg_buf_t b;
    fg_buf_init(&b, 256u << 20);
    int rc = fg_buf_printf(&b, "{\"record\":1,\"stage\":\"%s\",\"input\":", fg_stage_name(stage));
    if (rc == 0)
        rc = fg_buf_append_json_str(&b, json, n);
    if (rc == 0)
        rc = fg_buf_appends(&b, ",\"kb\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(&b, ks->data != NULL ? ks->data : "", ks->len);
    if (rc == 0)
        rc = fg_buf_appends(&b, ",\"ref\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(&b, rs->data != NULL ? rs->data : "", rs->len);
    if (rc == 0)
        rc = fg_buf_appends(&b, ",\"history\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(&b, hs->data != NULL ? hs->data : "", hs->len);
    if (rc == 0)
        rc = fg_buf_appends(&b, ",\"decision\":");
    if (rc == 0)
        rc = fg_buf_append(&b, decision->data, decision->len);
    if (rc == 0)
        rc = fg_buf_appends(&b, "}\n");
    if (rc == 0 && fwrite(b.data, 1, b.len, r->record) != b.len)
        rc = FG_EIO;
    fg_buf_release(&b);
    return rc;
}

/* Check one settlement: prints its decision line. Returns 0, or an exit code for a fatal error. */
static int check_one(run_t *r, const char *json, size_t n, long line)
{
    fg_arena_reset(&r->arena);
    fg_buf_reset(&r->out);
    fg_error_t err;
    fg_doc_t doc;
    fg_diag_t diag = {.report = print_diag, .ctx = &line};
    if (fg_doc_parse(json, n, 0, NULL, &r->arena, &doc, &diag, &err) != 0) {
        r->bad_input = 1;
        if (r->o.batch != NULL) {
            fg_buf_printf(&r->out,
                          "{\"error\":\"%s\",\"line\":%ld,\"message\":", fg_err_name(err.code),
                          line);
            fg_buf_append_json_str(&r->out, err.msg, strlen(err.msg));
            fg_buf_appends(&r->out, "}\n");
            fwrite(r->out.data, 1, r->out.len, stdout);
        }
        return 0;
    }
    if (doc.visit == NULL) {
        fprintf(stderr, "fundguard check: %s%ld%sa check request needs mdtrtinfo\n",
                line > 0 ? "line " : "", line, line > 0 ? ": " : "");
        r->bad_input = 1;
        return 0;
    }
    fg_buf_t ks, rs, hs;
    fg_buf_init(&ks, 64u << 20);
    fg_buf_init(&rs, 16u << 20);
    fg_buf_init(&hs, 64u << 20);
    int rc = 0;
    if (r->record != NULL)
        rc = fg_review_snapshot(r->review, &doc, &ks, &rs, &hs);
    fg_decision_t d;
    if (rc == 0)
        rc = fg_review_check(r->review, &doc, r->o.stage, &r->arena, &d, &err);
    if (rc == 0)
        rc = fg_decision_json(&doc, &d, &r->out);
    if (rc == 0 && r->record != NULL)
        rc = write_record(r, json, n, r->o.stage, &ks, &rs, &hs, &r->out);
    if (rc == 0)
        rc = fg_review_commit(r->review, &doc, &d, &err);
    fg_buf_release(&ks);
    fg_buf_release(&rs);
    fg_buf_release(&hs);
    if (rc != 0) {
        fprintf(stderr, "fundguard check: %s [%s]\n", err.msg[0] ? err.msg : fg_strerror(rc),
                fg_err_name(rc));
        return FG_EXIT_INTERNAL;
    }
    if (d.verdict >= FG_VERDICT_HOLD)
        r->held = 1;
    fg_buf_appendc(&r->out, '\n');
    fwrite(r->out.data, 1, r->out.len, stdout);
    if (r->o.batch != NULL)
        fflush(stdout);
    return 0;
}

static int read_all(FILE *f, fg_buf_t *b)
{
    char chunk[65536];
    for (;;) {
        size_t got = fread(chunk, 1, sizeof(chunk), f);
        if (got == 0)
            break;
        int rc = fg_buf_append(b, chunk, got);
        if (rc != 0)
            return rc;
    }
    return ferror(f) ? FG_EIO : 0;
}

/* Lines of a JSON-lines stream, each checked in turn. */
static int each_line(FILE *f, int (*fn)(void *ctx, const char *s, size_t n, long line), void *ctx)
{
    char *buf = NULL;
    size_t cap = 0;
    long line = 0;
    int ec = 0;
    for (;;) {
        ssize_t got = getline(&buf, &cap, f);
        if (got < 0)
            break;
        line++;
        size_t n = (size_t)got;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        size_t i = 0;
        while (i < n && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        if (i == n)
            continue;
        ec = fn(ctx, buf, n, line);
        if (ec != 0)
            break;
    }
    free(buf);
    return ec;
}

static int batch_line(void *ctx, const char *s, size_t n, long line)
{
    return check_one(ctx, s, n, line);
}

/* ---------------------------------------------------------------- replay */

typedef struct replay_ctx {
    int differ;
    int bad;
    long done;
} replay_ctx_t;

static const char *str_member(json_t *o, const char *key, size_t *n)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) {
        *n = 0;
        return NULL;
    }
    *n = json_string_length(v);
    return json_string_value(v);
}

static int replay_line(void *ctx, const char *s, size_t n, long line)
{
    replay_ctx_t *rc = ctx;
    json_error_t jerr;
    json_t *rec = json_loadb(s, n, 0, &jerr);
    size_t in_n, kb_n, ref_n, hist_n;
    const char *stage_s = rec != NULL && json_is_string(json_object_get(rec, "stage"))
                              ? json_string_value(json_object_get(rec, "stage"))
                              : "";
    const char *input = rec != NULL ? str_member(rec, "input", &in_n) : NULL;
    const char *kb = rec != NULL ? str_member(rec, "kb", &kb_n) : NULL;
    const char *ref = rec != NULL ? str_member(rec, "ref", &ref_n) : NULL;
    const char *hist = rec != NULL ? str_member(rec, "history", &hist_n) : NULL;
    json_t *want = rec != NULL ? json_object_get(rec, "decision") : NULL;
    int stage = fg_stage_parse(stage_s);
    if (rec == NULL || input == NULL || kb == NULL || !json_is_object(want) || stage < 0) {
        fprintf(stderr, "fundguard check: replay line %ld: not a replay record%s%s\n", line,
                rec == NULL ? ": " : "", rec == NULL ? jerr.text : "");
        json_decref(rec);
        rc->bad = 1;
        return 0;
    }
    fg_error_t err;
    fg_replay_t *rp = NULL;
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    fg_buf_t out;
    fg_buf_init(&out, 64u << 20);
    fg_doc_t doc;
    fg_decision_t d;
    long zero = 0;
    fg_diag_t diag = {.report = print_diag, .ctx = &zero};
    int r = fg_replay_new(kb, kb_n, ref != NULL ? ref : "", ref_n, hist != NULL ? hist : "", hist_n,
                          &rp, &err);
    if (r == 0)
        r = fg_doc_parse(input, in_n, 0, NULL, &arena, &doc, &diag, &err);
    if (r == 0)
        r = fg_review_check(fg_replay_review(rp), &doc, (fg_stage_t)stage, &arena, &d, &err);
    if (r == 0)
        r = fg_decision_json(&doc, &d, &out);
    if (r != 0) {
        fprintf(stderr, "fundguard check: replay line %ld: %s [%s]\n", line, err.msg,
                fg_err_name(r));
        rc->bad = 1;
    } else {
        json_t *got = json_loadb(out.data, out.len, 0, &jerr);
        if (got == NULL || !json_equal(got, want)) {
            char *w = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fprintf(stderr,
                    "fundguard check: replay line %ld: the decision differs [%s]\n  recorded:   "
                    "%s\n  reproduced: %s\n",
                    line, fg_err_name(FG_E_REPLAY_DIFFERS), w != NULL ? w : "?", out.data);
            free(w);
            rc->differ = 1;
        }
        json_decref(got);
        fwrite(out.data, 1, out.len, stdout);
        fputc('\n', stdout);
        rc->done++;
    }
    fg_buf_release(&out);
    fg_arena_release(&arena);
    fg_replay_free(rp);
    json_decref(rec);
    return 0;
}

static int replay(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "fundguard check: %s: %s\n", path, strerror(errno));
        return FG_EXIT_INPUT;
    }
    replay_ctx_t ctx = {0};
    each_line(f, replay_line, &ctx);
    if (f != stdin)
        fclose(f);
    fprintf(stderr, "fundguard check: %ld decision%s replayed%s\n", ctx.done,
            ctx.done == 1 ? "" : "s",
            ctx.differ ? ", some differ"
            : ctx.bad  ? ", some records unusable"
                       : ", all identical");
    return ctx.differ || ctx.bad ? FG_EXIT_INPUT : FG_EXIT_OK;
}

/* ---------------------------------------------------------------- main */

static int parse_args(int argc, char **argv, opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->stage = FG_STAGE_IN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            return -1;
        }
        if (v == NULL)
            return fg_cli_usage_error("check", "unknown option or missing value '%s'", a);
        if (strcmp(a, "--kb") == 0 && o->nkb < 32)
            o->kb[o->nkb++] = argv[++i];
        else if (strcmp(a, "--ref") == 0)
            o->ref = argv[++i];
        else if (strcmp(a, "--history") == 0)
            o->history = argv[++i];
        else if (strcmp(a, "--batch") == 0)
            o->batch = argv[++i];
        else if (strcmp(a, "--record") == 0)
            o->record = argv[++i];
        else if (strcmp(a, "--replay") == 0)
            o->replay = argv[++i];
        else if (strcmp(a, "--stage") == 0) {
            int s = fg_stage_parse(argv[++i]);
            if (s < 0)
                return fg_cli_usage_error("check", "--stage is pre, in or post, not '%s'", v);
            o->stage = (fg_stage_t)s;
        } else
            return fg_cli_usage_error("check", "unknown option '%s'", a);
    }
    if (o->replay == NULL && o->nkb == 0)
        return fg_cli_usage_error("check", "--kb DIR is required (see fundguard check --help)");
    return 0;
}

int fg_cmd_check(int argc, char **argv)
{
    run_t r;
    memset(&r, 0, sizeof(r));
    int ec = parse_args(argc, argv, &r.o);
    if (ec != 0)
        return ec < 0 ? FG_EXIT_OK : ec;
    if (r.o.replay != NULL)
        return replay(r.o.replay);

    fg_error_t err;
    ec = fg__cli_kb_load("check", r.o.kb, r.o.nkb, &r.kb);
    if (ec != FG_EXIT_OK)
        return ec;
    if (r.o.ref != NULL) {
        r.ref = fg_ref_new();
        if (r.ref == NULL || fg_ref_load_dir(r.ref, r.o.ref, &err) != 0) {
            fprintf(stderr, "fundguard check: %s\n", r.ref != NULL ? err.msg : "out of memory");
            ec = FG_EXIT_INPUT;
            goto out;
        }
    }
    if (r.o.history != NULL || r.o.batch != NULL) {
        r.hist = fg_history_new();
        if (r.hist == NULL ||
            (r.o.history != NULL && fg_history_open(r.hist, r.o.history, &err) != 0)) {
            fprintf(stderr, "fundguard check: %s\n", r.hist != NULL ? err.msg : "out of memory");
            ec = FG_EXIT_INPUT;
            goto out;
        }
    }
    r.review = fg_review_new(r.kb, r.ref, r.hist);
    if (r.review == NULL) {
        ec = FG_EXIT_INTERNAL;
        goto out;
    }
    if (r.o.record != NULL) {
        r.record = fopen(r.o.record, "ab");
        if (r.record == NULL) {
            fprintf(stderr, "fundguard check: %s: %s\n", r.o.record, strerror(errno));
            ec = FG_EXIT_INPUT;
            goto out;
        }
    }
    fg_arena_init(&r.arena, 0);
    fg_buf_init(&r.out, 64u << 20);
    if (r.o.batch != NULL) {
        FILE *f = strcmp(r.o.batch, "-") == 0 ? stdin : fopen(r.o.batch, "rb");
        if (f == NULL) {
            fprintf(stderr, "fundguard check: %s: %s\n", r.o.batch, strerror(errno));
            ec = FG_EXIT_INPUT;
        } else {
            ec = each_line(f, batch_line, &r);
            if (f != stdin)
                fclose(f);
        }
    } else {
        fg_buf_t in;
        fg_buf_init(&in, MAX_INPUT);
        int rc = read_all(stdin, &in);
        if (rc != 0) {
            fprintf(stderr, "fundguard check: standard input: %s\n", fg_strerror(rc));
            ec = FG_EXIT_INPUT;
        } else {
            ec = check_one(&r, in.data != NULL ? in.data : "", in.len, 0);
        }
        fg_buf_release(&in);
    }
    if (ec == 0)
        ec = r.bad_input ? FG_EXIT_INPUT : r.held ? FG_EXIT_FINDINGS : FG_EXIT_OK;
out:
    if (r.record != NULL && fclose(r.record) != 0 && ec == 0)
        ec = FG_EXIT_INTERNAL;
    fg_buf_release(&r.out);
    fg_arena_release(&r.arena);
    fg_review_free(r.review);
    fg_history_free(r.hist);
    fg_ref_free(r.ref);
    fg_kb_free(r.kb);
    return ec;
}
