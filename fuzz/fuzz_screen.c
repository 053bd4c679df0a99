/* fuzz_screen.c — the screen's row readers over any bytes: NUL-separated parts become setl_d,
 * fee_list_d, mdtrt_d, setl_list_diag_d, deaths, suspensions, ledger_events, inventory of one
 * directory; every model runs; no crash, and a run that succeeds wrote its findings. */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fundguard/screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"setl_d.csv",           "fee_list_d.csv",  "mdtrt_d.csv",
                                    "setl_list_diag_d.csv", "deaths.csv",      "suspensions.csv",
                                    "ledger_events.jsonl",  "inventory.jsonl", "out/findings.jsonl",
                                    "out/summary.json",     "out/.screen-tmp", "out"};
static char dir[64];

static void cleanup(void)
{
    char path[128];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128];
    if (dir[0] == '\0' && (snprintf(dir, sizeof(dir), "/tmp/fuzz-screen-XXXXXX") < 0 ||
                           mkdtemp(dir) == NULL || atexit(cleanup) != 0))
        abort();
    const char *p = (const char *)data, *end = p + size;
    for (size_t i = 0; i < 8; i++) { /* the input files */
        const char *q = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
        size_t n = p < end ? (size_t)((q != NULL ? q : end) - p) : 0;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "wb");
        if (f == NULL || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
            abort();
        p += n + (q != NULL);
    }
    const char *dirs[] = {dir};
    fg_screen_options_t o;
    fg_screen_options_init(&o);
    o.dirs = dirs;
    o.ndirs = 1;
    snprintf(path, sizeof(path), "%s/out", dir);
    o.out_dir = path;
    fg_screen_summary_t *s = NULL;
    fg_error_t err;
    int rc = fg_screen_run(&o, &s, &err);
    snprintf(path, sizeof(path), "%s/out/findings.jsonl", dir);
    if (rc == 0 && access(path, R_OK) != 0)
        abort(); /* a run that succeeded wrote its findings */
    if (rc != 0 && (err.code != rc || err.msg[0] == '\0'))
        abort(); /* an error says what */
    fg_screen_summary_free(s);
    return 0;
}
