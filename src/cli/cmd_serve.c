/*
 * cmd_serve.c — `fundguard serve`: the HTTP API over the engine (include/fundguard/serve.h).
 *
 *   fundguard serve [--config FILE] [--OPTION VALUE …] [--print-config]
 *
 * Every option of the table (listen, port, data, db, kb, ref, workers, max_body, …) may be set in
 * the config file (`key = value`) or as a flag (--max-body 1048576); flags win. SIGTERM or SIGINT
 * stops it gracefully: no new connections, requests in flight finish, the ledger journal is synced
 * and the store closed, exit 0. SIGHUP opens the log file again (after a rotation). What it does
 * is in its log: one JSON object a line (start, every request, reload, shutdown, errors; see
 * docs/operations.md), on stderr unless log_file says otherwise.
 *
 * Exit: 0 stopped by a signal; 2 usage or a bad option; 3 the data, store or knowledge base cannot
 * be opened; 4 internal error.
 */
#include "core/compat.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/log.h"
#include "fundguard/serve.h"

static void help(FILE *out)
{
    fprintf(out, "usage: fundguard serve [--config FILE] [--OPTION VALUE …] [--print-config]\n\n"
                 "Serves the HTTP API (docs/openapi.yaml) until SIGTERM or SIGINT, then finishes\n"
                 "the requests in flight, syncs the ledger and exits 0; SIGHUP opens log_file\n"
                 "again. Logs one JSON object a line (docs/operations.md). Options (config-file\n"
                 "key or --flag; '-' and '_' are the same in flags):\n\n");
    size_t n;
    const fg_serve_option_t *o = fg_serve_options(&n);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "  --%-16s %s (default: %s", o[i].name, o[i].help,
                o[i].dflt[0] ? o[i].dflt : "none");
        if (o[i].is_int)
            fprintf(out, "; %lld … %lld", (long long)o[i].min, (long long)o[i].max);
        fprintf(out, ")\n");
    }
    fprintf(out, "\n  --config FILE      read options from FILE first\n"
                 "  --print-config     print a sample config file with every default and exit\n\n"
                 "exit: 0 stopped by a signal, 2 usage, 3 cannot open data/store/kb, 4 internal\n");
}

static int write_port(const char *path, unsigned port)
{
    char tmp[FG_SERVE_PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -errno;
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return -errno;
    return 0;
}

int fg_cmd_serve(int argc, char **argv)
{
    fg_serve_config_t c;
    fg_serve_config_defaults(&c);
    fg_error_t err;
    /* The config file first, then the flags over it. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            help(stdout);
            return FG_EXIT_OK;
        }
        if (strcmp(argv[i], "--print-config") == 0) {
            fg_buf_t b;
            fg_buf_init(&b, 1 << 20);
            fg_serve_config_sample(&b);
            fwrite(b.data, 1, b.len, stdout);
            fg_buf_release(&b);
            return FG_EXIT_OK;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc &&
            fg_serve_config_file(&c, argv[i + 1], &err) != 0)
            return fg_cli_usage_error("serve", "%s", err.msg);
    }
    for (int i = 1; i < argc; i += 2) {
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc)
            return fg_cli_usage_error("serve", "unknown option or missing value '%s'", argv[i]);
        if (strcmp(argv[i], "--config") == 0)
            continue;
        if (fg_serve_config_set(&c, argv[i] + 2, argv[i + 1], &err) != 0)
            return fg_cli_usage_error("serve", "%s", err.msg);
    }
    /* Signals are taken by this thread alone (sigwait); the workers inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    fg_server_t *s = NULL;
    uint16_t port = 0;
    int rc = fg_server_new(&c, &s, &port, &err);
    if (rc != 0) {
        fprintf(stderr, "fundguard serve: %s [%s]\n", err.msg[0] ? err.msg : fg_strerror(rc),
                fg_err_name(rc));
        return rc == FG_E_CONFIG ? FG_EXIT_USAGE : FG_EXIT_INPUT;
    }
    if (c.port_file[0] != '\0' && write_port(c.port_file, port) != 0)
        fprintf(stderr, "fundguard serve: cannot write %s\n", c.port_file);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        fg_server_reopen_log(s);
    fg_log_line_t l;
    if (fg_log_begin(&l, FG_LOG_INFO, "shutdown")) {
        fg_log_str(&l, "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        fg_log_int(&l, "grace_s", c.shutdown_grace);
        fg_log_end(&l);
    }
    fg_server_stop(s);
    rc = fg_server_free(s, &err);
    if (fg_log_begin(&l, rc == 0 ? FG_LOG_INFO : FG_LOG_ERROR, "stop")) {
        fg_log_bool(&l, "ok", rc == 0);
        if (rc != 0)
            fg_log_str(&l, "error", fg_err_name(rc));
        fg_log_end(&l);
    }
    if (rc != 0) {
        fprintf(stderr, "fundguard serve: on close: %s [%s]\n", err.msg, fg_err_name(rc));
        return FG_EXIT_INTERNAL;
    }
    return FG_EXIT_OK;
}
