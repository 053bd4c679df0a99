/* util.c — helpers shared by the subcommands: usage errors, TTY progress bars. */
#include "core/compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

int fg_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fundguard%s%s: ", cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return FG_EXIT_USAGE;
}

int fg_cli_stderr_is_tty(void)
{
    return isatty(STDERR_FILENO);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fg_progress_init(fg_progress_t *p, const char *label, unsigned long long total)
{
    p->label = label;
    p->total = total;
    p->done = 0;
    p->last_ms = 0;
    p->enabled = fg_cli_stderr_is_tty();
}

static void draw(const fg_progress_t *p)
{
    if (p->total > 0) {
        unsigned long long done = p->done > p->total ? p->total : p->done;
        int width = 30;
        int fill = (int)(done * (unsigned long long)width / p->total);
        fprintf(stderr, "\r%s [", p->label);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %3llu%%", done * 100 / p->total);
    } else {
        fprintf(stderr, "\r%s %llu", p->label, p->done);
    }
    fflush(stderr);
}

void fg_progress_update(fg_progress_t *p, unsigned long long done)
{
    p->done = done;
    if (!p->enabled)
        return;
    long long t = now_ms();
    if (t - p->last_ms < 100)
        return;
    p->last_ms = t;
    draw(p);
}

void fg_progress_finish(fg_progress_t *p)
{
    if (!p->enabled)
        return;
    if (p->total > 0)
        p->done = p->total;
    draw(p);
    fputc('\n', stderr);
}
