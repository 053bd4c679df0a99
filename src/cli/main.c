/*
 * main.c — `fundguard`: dispatch to subcommands. Exit codes: 0 ok, 1 findings present, 2 usage,
 * 3 bad input, 4 internal error (docs/cli.md).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/log.h"

static const fg_command_t commands[] = {
    {"validate", "check input files (extraction tables, API JSON, reference files)",
     fg_cmd_validate},
    {"id", "check and normalise identifiers (trace codes, national codes, resident IDs)",
     fg_cmd_id},
    {"gen", "generate a synthetic region with injected fraud and its ground truth", fg_cmd_gen},
    {"ledger", "the drug traceability ledger: apply events, query a code, stats, verify",
     fg_cmd_ledger},
    {"check", "review settlements on the national rule base (事前/事中/事后 decisions)",
     fg_cmd_check},
    {"screen", "post-event screening (事后监管): every big-data model over a region's data",
     fg_cmd_screen},
    {"kb", "the knowledge base: load and count the national and local tables", fg_cmd_kb},
    {"serve", "the HTTP API: checks, settlements, inventory, trace codes, alerts", fg_cmd_serve},
    {"key", "API keys of the service: add, list, revoke", fg_cmd_key},
    {"user", "officer accounts of the service: add, passwd, list", fg_cmd_user},
    {"audit", "the service's hash-chained audit trail: verify, list", fg_cmd_audit},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: fundguard [--log-level debug|info|warn|error] <command> [args]\n"
            "       fundguard --help | --version\n\n"
            "Fundguard (医保基金智能监管引擎) guards medical-insurance funds: a drug traceability\n"
            "ledger, review on the national rule base, and the supervision record.\n\n"
            "commands:\n");
    for (size_t i = 0; i < FG_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`fundguard <command> --help` describes a command.\n"
                 "exit codes: 0 ok, 1 findings present, 2 usage, 3 bad input, 4 internal error\n");
}

int main(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return FG_EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("fundguard %s\n", FG_VERSION);
            return FG_EXIT_OK;
        }
        if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            int l = fg_log_level_parse(argv[i + 1]);
            if (l < 0)
                return fg_cli_usage_error(NULL, "unknown log level '%s'", argv[i + 1]);
            fg_log_set_level((fg_log_level_t)l);
            i += 2;
            continue;
        }
        usage(stderr);
        return fg_cli_usage_error(NULL, "unknown option '%s'", argv[i]);
    }
    if (i >= argc) {
        usage(stderr);
        return FG_EXIT_USAGE;
    }
    for (size_t c = 0; c < FG_ARRAY_LEN(commands); c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].run(argc - i, argv + i);
    usage(stderr);
    return fg_cli_usage_error(NULL, "unknown command '%s'", argv[i]);
}
