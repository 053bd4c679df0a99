/*
 * cli.h — the fundguard command's internals: one function per subcommand, shared helpers.
 *
 * Exit codes (docs/cli.md): 0 ok, 1 findings present, 2 usage, 3 bad input, 4 internal error.
 */
#ifndef FG_CLI_H
#define FG_CLI_H

#include <stdio.h>

#define FG_EXIT_OK       0
#define FG_EXIT_FINDINGS 1
#define FG_EXIT_USAGE    2
#define FG_EXIT_INPUT    3
#define FG_EXIT_INTERNAL 4

typedef struct fg_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} fg_command_t;

/* Subcommands, each in src/cli/cmd_<name>.c. */
int fg_cmd_validate(int argc, char **argv);
int fg_cmd_id(int argc, char **argv);
int fg_cmd_gen(int argc, char **argv);
int fg_cmd_ledger(int argc, char **argv);
int fg_cmd_check(int argc, char **argv);
int fg_cmd_kb(int argc, char **argv);
int fg_cmd_serve(int argc, char **argv);
int fg_cmd_key(int argc, char **argv);
int fg_cmd_user(int argc, char **argv);
int fg_cmd_audit(int argc, char **argv);
int fg_cmd_screen(int argc, char **argv);

/* The service's store for `key`, `user`, `audit` (cmd_key.c): opened from --data DIR, --db URL or
 * --config FILE among argv (printing any error), and an empty listing buffer for
 * fg__cli_store_done; returns an exit code. */
struct fg_store;
struct fg_buf;
int fg__cli_store_open(const char *cmd, int argc, char **argv, struct fg_store **out,
                       struct fg_buf *listing);
/* Print the listing (when rc is 0; NULL: none), close the store, report an error; the exit
 * code. */
struct fg_error;
int fg__cli_store_done(const char *cmd, struct fg_store *s, struct fg_buf *listing, int rc,
                       const struct fg_error *err);
/* The actor of a change made from the command line, for the store's audit entries:
 * "cli:<unix user>" (the effective user's name, else "cli:uid<N>"). */
const char *fg__cli_actor(void);
/* 1 when argv[i] is --data, --db or --config followed by a value (the caller skips both). */
int fg__cli_store_arg(int argc, char **argv, int i);
/* For a command with verbs: no verb is usage (help on stderr), --help prints help; returns 1 and
 * sets *ec when the command is done. */
int fg__cli_verb_help(int argc, char **argv, void (*help)(FILE *out), int *ec);

/* Print "fundguard <cmd>: message" to stderr and return FG_EXIT_USAGE. */
int fg_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 when stderr is a terminal (progress bars are drawn only then). */
int fg_cli_stderr_is_tty(void);

/* A progress bar on stderr, drawn only on a TTY and at most ~10 times a second. */
typedef struct fg_progress {
    const char *label;
    unsigned long long total; /* 0 when unknown */
    unsigned long long done;
    long long last_ms;
    int enabled;
} fg_progress_t;

void fg_progress_init(fg_progress_t *p, const char *label, unsigned long long total);
void fg_progress_update(fg_progress_t *p, unsigned long long done);
void fg_progress_finish(fg_progress_t *p);

#endif
