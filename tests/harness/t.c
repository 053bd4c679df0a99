/* t.c — the runner behind t.h: registration, fork per test, summary line. */
#define _GNU_SOURCE
#include "t.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_MAX 4096

struct t_case {
    const char *name;
    t_fn fn;
    const char *file;
    int line;
};

static struct t_case cases[T_MAX];
static size_t ncases;
static char tmpdir[256];

void t_register(const char *name, t_fn fn, const char *file, int line)
{
    if (ncases == T_MAX) {
        fprintf(stderr, "t: too many tests (raise T_MAX)\n");
        abort();
    }
    cases[ncases].name = name;
    cases[ncases].fn = fn;
    cases[ncases].file = file;
    cases[ncases].line = line;
    ncases++;
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    exit(1);
}

const char *t_path(const char *rel)
{
    static char buf[4][1024];
    static int slot;
    char *out = buf[slot++ & 3];
    snprintf(out, sizeof(buf[0]), "%s/%s", FG_SOURCE_DIR, rel);
    return out;
}

static void rm_tmpdir(void)
{
    if (tmpdir[0] != '\0') {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "t: could not remove %s\n", tmpdir);
    }
}

const char *t_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof(tmpdir), "%s/fgtest.XXXXXX", base ? base : "/tmp");
        if (mkdtemp(tmpdir) == NULL)
            t_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
        atexit(rm_tmpdir);
    }
    return tmpdir;
}

char *t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        t_fail(__FILE__, __LINE__, "open %s: %s", path, strerror(errno));
    size_t cap = 4096;
    size_t n = 0;
    char *data = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            data = realloc(data, cap);
        }
        if (data == NULL)
            t_fail(__FILE__, __LINE__, "out of memory");
        size_t got = fread(data + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    data[n] = '\0';
    if (len != NULL)
        *len = n;
    return data;
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (fnmatch(argv[i], name, 0) == 0)
            return 1;
    return 0;
}

static int run_one(const struct t_case *c, int nofork)
{
    if (nofork) {
        c->fn();
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "t: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        tmpdir[0] = '\0';
        c->fn();
        exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) != 0;
    fprintf(stderr, "  killed by signal %d\n", WTERMSIG(status));
    return 1;
}

int main(int argc, char **argv)
{
    int nofork = getenv("T_NOFORK") != NULL;
    size_t passed = 0;
    size_t failed = 0;
    for (size_t i = 0; i < ncases; i++) {
        const struct t_case *c = &cases[i];
        if (!selected(c->name, argc, argv))
            continue;
        int bad = run_one(c, nofork);
        printf("%s %s\n", bad ? "FAIL" : "ok  ", c->name);
        if (bad) {
            printf("     at %s:%d\n", c->file, c->line);
            failed++;
        } else {
            passed++;
        }
        fflush(stdout);
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed != 0 || passed == 0;
}
