/*
 * config.c — the options of `fundguard serve`: one table drives defaults, validation, the config
 * file, the flags, --help and the sample file in docs/operations.md.
 */
#include "core/compat.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/log.h"
#include "fundguard/serve.h"

#define TEXT(field) offsetof(fg_serve_config_t, field), sizeof(((fg_serve_config_t *)0)->field)
#define INT(field)  offsetof(fg_serve_config_t, field), 0

typedef struct option {
    fg_serve_option_t o;
    size_t offset; /* of the member */
    size_t size;   /* text: capacity; integer: 0 */
} option_t;

static const option_t options[] = {
    {{"listen", 0, "127.0.0.1", 0, 63, "address to listen on (IPv4)"}, TEXT(listen)},
    {{"port", 1, "8080", 0, 65535, "TCP port; 0 picks a free one (see port_file)"}, INT(port)},
    {{"data", 0, "fundguard-data", 0, FG_SERVE_PATH_MAX - 1,
      "data directory: fundguard.db (SQLite store), ledger/ and history/"},
     TEXT(data)},
    {{"db", 0, "", 0, FG_SERVE_PATH_MAX - 1,
      "store: empty for SQLite in the data directory, or postgresql://user@host/db"},
     TEXT(db)},
    {{"ledger", 0, "", 0, FG_SERVE_PATH_MAX - 1,
      "traceability ledger: empty for the embedded ledger in the data directory's ledger/, a "
      "directory, or postgresql://user@host/db (several servers may share one)"},
     TEXT(ledger)},
    {{"kb", 0, "kb", 0, FG_SERVE_PATH_MAX - 1,
      "knowledge base directories, comma-separated (as fundguard check --kb)"},
     TEXT(kb)},
    {{"ref", 0, "", 0, FG_SERVE_PATH_MAX - 1,
      "reference directory (deaths.csv, persons.csv, suspensions.csv, catalogue.csv); empty: "
      "none"},
     TEXT(ref)},
    {{"pseudonym_key_file", 0, "", 0, FG_SERVE_PATH_MAX - 1,
      "file holding the key of resident-ID pseudonyms (certno_hash): 64 hex digits; empty: the "
      "public development key, which protects nothing (warned at start)"},
     TEXT(pseudonym_key_file)},
    {{"port_file", 0, "", 0, FG_SERVE_PATH_MAX - 1, "write the bound port to this file"},
     TEXT(port_file)},
    {{"workers", 1, "0", 0, 256, "worker threads; 0 means one per core"}, INT(workers)},
    {{"max_body", 1, "8388608", 1024, 268435456, "largest request body in bytes (413 beyond)"},
     INT(max_body)},
    {{"json_depth", 1, "32", 2, 256, "deepest JSON nesting accepted (400 beyond)"},
     INT(json_depth)},
    {{"max_items", 1, "10000", 1, 1000000, "most fee lines or events in one document"},
     INT(max_items)},
    {{"max_connections", 1, "1024", 1, 65536, "open connections at once"}, INT(max_connections)},
    {{"conn_timeout", 1, "30", 1, 3600, "seconds an idle or slow connection is kept"},
     INT(conn_timeout)},
    {{"rate", 1, "0", 0, 1000000, "requests per second per API key (429 beyond); 0 off"},
     INT(rate)},
    {{"burst", 1, "100", 1, 1000000, "requests a key may make at once before the rate applies"},
     INT(burst)},
    {{"signin_user_failures", 1, "10", 0, 1000000,
      "failed sign-ins of one officer name within signin_window that lock the name for "
      "signin_lockout (429 auth.rate_limited, known and unknown names alike); 0 off"},
     INT(signin_user_failures)},
    {{"signin_addr_failures", 1, "50", 0, 1000000,
      "failed sign-ins from one client address within signin_window that lock the address's "
      "sign-ins for signin_lockout (API keys are not affected); 0 off"},
     INT(signin_addr_failures)},
    {{"signin_window", 1, "900", 1, 86400, "seconds a failed sign-in is remembered"},
     INT(signin_window)},
    {{"signin_lockout", 1, "900", 1, 86400,
      "seconds a locked name or address is refused without a password check"},
     INT(signin_lockout)},
    {{"shutdown_grace", 1, "10", 0, 600, "seconds to finish requests in flight on SIGTERM"},
     INT(shutdown_grace)},
    {{"ledger_fsync", 0, "batch", 0, 7,
      "ledger journal fsync policy: batch | always | off (each request is synced before it is "
      "answered)"},
     TEXT(ledger_fsync)},
    {{"ledger_expect_codes", 1, "0", 0, 4000000000,
      "trace codes to size the ledger's index for at start (0: grow as codes arrive; growing "
      "costs about a fifth of ingest time)"},
     INT(ledger_expect_codes)},
    {{"log_level", 0, "", 0, 7,
      "least level of the log lines written: debug | info | warn | error | off; empty: info (or "
      "fundguard --log-level)"},
     TEXT(log_level)},
    {{"log_file", 0, "", 0, FG_SERVE_PATH_MAX - 1,
      "append the log lines (one JSON object each) to this file, opened again on SIGHUP and on "
      "a knowledge-base reload; empty: stderr"},
     TEXT(log_file)},
};

const fg_serve_option_t *fg_serve_options(size_t *n)
{
    static fg_serve_option_t table[FG_ARRAY_LEN(options)];
    for (size_t i = 0; i < FG_ARRAY_LEN(options); i++)
        table[i] = options[i].o;
    *n = FG_ARRAY_LEN(options);
    return table;
}

static int set(fg_serve_config_t *c, const option_t *op, const char *value, fg_error_t *err)
{
    char *base = (char *)c + op->offset;
    if (!op->o.is_int) {
        size_t n = strlen(value);
        if (n > (size_t)op->o.max)
            return fg_error_set(err, FG_E_CONFIG, op->o.name, 0,
                                "%s is at most %" PRId64 " characters", op->o.name, op->o.max);
        if (strcmp(op->o.name, "ledger_fsync") == 0 && strcmp(value, "batch") != 0 &&
            strcmp(value, "always") != 0 && strcmp(value, "off") != 0)
            return fg_error_set(err, FG_E_CONFIG, op->o.name, 0,
                                "ledger_fsync is batch, always or off, not '%s'", value);
        if (strcmp(op->o.name, "log_level") == 0 && n > 0 && fg_log_level_parse(value) < 0)
            return fg_error_set(err, FG_E_CONFIG, op->o.name, 0,
                                "log_level is debug, info, warn, error or off, not '%s'", value);
        memcpy(base, value, n + 1);
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < op->o.min || v > op->o.max)
        return fg_error_set(err, FG_E_CONFIG, op->o.name, 0,
                            "%s is a whole number from %" PRId64 " to %" PRId64 ", not '%s'",
                            op->o.name, op->o.min, op->o.max, value);
    int64_t iv = v;
    memcpy(base, &iv, sizeof(iv));
    return 0;
}

void fg_serve_config_defaults(fg_serve_config_t *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < FG_ARRAY_LEN(options); i++)
        set(c, &options[i], options[i].o.dflt, NULL);
}

int fg_serve_config_set(fg_serve_config_t *c, const char *name, const char *value, fg_error_t *err)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(options); i++) {
        const char *n = options[i].o.name;
        size_t k = 0;
        /* Flags spell '_' as '-': accept both. */
        while (n[k] != '\0' && (name[k] == n[k] || (name[k] == '-' && n[k] == '_')))
            k++;
        if (n[k] == '\0' && name[k] == '\0')
            return set(c, &options[i], value, err);
    }
    return fg_error_set(err, FG_E_CONFIG, name, 0, "unknown option '%s'", name);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

int fg_serve_config_file(fg_serve_config_t *c, const char *path, fg_error_t *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return fg_error_set(err, FG_E_CONFIG, path, 0, "%s: %s", path, strerror(errno));
    char line[2 * FG_SERVE_PATH_MAX];
    long no = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        no++;
        char *s = trim(line);
        if (s[0] == '\0' || s[0] == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            rc = fg_error_set(err, FG_E_CONFIG, path, 0, "%s: line %ld: expected key = value", path,
                              no);
            break;
        }
        *eq = '\0';
        fg_error_t e;
        rc = fg_serve_config_set(c, trim(s), trim(eq + 1), &e);
        if (rc != 0)
            fg_error_set(err, rc, e.where, 0, "%s: line %ld: %s", path, no, e.msg);
    }
    fclose(f);
    return rc;
}

int fg_serve_config_sample(fg_buf_t *out)
{
    int rc = fg_buf_appends(out, "# fundguard serve configuration: key = value; flags "
                                 "(--key value) override it.\n");
    for (size_t i = 0; i < FG_ARRAY_LEN(options) && rc == 0; i++) {
        const fg_serve_option_t *o = &options[i].o;
        rc = fg_buf_printf(out, "\n# %s\n", o->help);
        if (rc == 0 && o->is_int)
            rc = fg_buf_printf(out, "# range %" PRId64 " … %" PRId64 "\n", o->min, o->max);
        if (rc == 0)
            rc = fg_buf_printf(out, "%s = %s\n", o->name, o->dflt);
    }
    return rc;
}
