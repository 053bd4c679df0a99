/* ledger_dir.h — what the ledger's file fuzz targets share: the input's files written into a
 * scratch directory, then the checks every such directory must pass (ledger_dir_check). */
#ifndef FG_FUZZ_LEDGER_DIR_H
#define FG_FUZZ_LEDGER_DIR_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fundguard/ledger.h"

/* The scratch directory (made once per process; the files are replaced at every input). */
static const char *ledger_dir(void)
{
    static char dir[64];
    if (dir[0] == '\0') {
        snprintf(dir, sizeof(dir), "%s/fgfuzz-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (mkdtemp(dir) == NULL)
            abort();
    }
    return dir;
}

/* Write (or, with p NULL, remove) dir/name. */
static void ledger_file(const char *name, const uint8_t *p, size_t n)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", ledger_dir(), name);
    unlink(path);
    if (p == NULL)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) != 0)
        abort();
}

static void need_error(const char *what, int rc, const fg_error_t *err)
{
    if (rc != 0 && (err->code == 0 || err->msg[0] == '\0')) {
        fprintf(stderr, "%s: error %d without a code or message\n", what, rc);
        abort();
    }
}

static int count_record(void *ctx, const fg_ledger_history_t *h)
{
    fg_ledger_t *lg = ((void **)ctx)[0];
    uint64_t *n = ((void **)ctx)[1];
    fg_ledger_code_state_t st;
    fg_error_t err;
    (*n)++;
    /* Every code in the records answers a query, or says clearly why not. */
    int rc = fg_ledger_query(lg, h->event.code, &st, NULL, NULL, &err);
    need_error("query", rc, &err);
    return 0;
}

/* Verify the directory, open it read-only, dump it, query every code: no crash, every error with
 * a code and a message; a directory that verifies sound opens — unless its checksums were forged
 * (then the replay or the snapshot's reader may still refuse it, with FG_E_LEDGER_JOURNAL or
 * FG_E_LEDGER_SNAPSHOT) — and one that opens dumps as many records as it counts (unless forged: a
 * forged snapshot may claim any count). */
static void ledger_dir_check(int forged)
{
    uint64_t records = 0, bad = 0, torn = 0, dumped = 0;
    fg_error_t err;
    fg_ledger_t *lg = NULL;
    fg_ledger_options_t opt = {.read_only = 1};
    int rv = fg_ledger_verify(ledger_dir(), NULL, &records, &bad, &torn, &err);
    need_error("verify", rv, &err);
    int ro = fg_ledger_open(ledger_dir(), &opt, &lg, NULL, &err);
    need_error("open", ro, &err);
    if (rv == 0 && ro != 0 &&
        (!forged || (ro != FG_E_LEDGER_JOURNAL && ro != FG_E_LEDGER_SNAPSHOT))) {
        fprintf(stderr, "verify found the ledger sound, open refused it: %s\n", err.msg);
        abort();
    }
    if (ro != 0)
        return;
    fg_ledger_stats_t st;
    fg_ledger_stats(lg, &st);
    void *ctx[2] = {lg, &dumped};
    int rd = fg_ledger_dump(lg, count_record, ctx, &err);
    need_error("dump", rd, &err);
    if (rd == 0 && !forged && dumped != st.events) {
        fprintf(stderr, "dump gave %llu records, stats count %llu\n", (unsigned long long)dumped,
                (unsigned long long)st.events);
        abort();
    }
    fg_ledger_close(lg, NULL);
}

#endif
