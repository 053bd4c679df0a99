/* error.c — names and messages of the error space, and filling fg_error_t. */
#include "core/compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/error.h"
#include "fundguard/utf8.h"

struct errinfo {
    int code;
    const char *name;
    const char *msg;
};

static const struct errinfo errinfo[] = {
#define FG__ERR_INFO(sym, val, name, msg) {(val), (name), (msg)},
    FG_ERRORS(FG__ERR_INFO)
#undef FG__ERR_INFO
};

static const struct errinfo *lookup(int code)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(errinfo); i++)
        if (errinfo[i].code == code)
            return &errinfo[i];
    return NULL;
}

const char *fg_err_name(int code)
{
    if (code == 0)
        return "ok";
    const struct errinfo *e = lookup(code);
    if (e != NULL)
        return e->name;
    if (code < 0 && code > -4096) {
        const char *name = strerrorname_np(-code);
        return name != NULL ? name : "errno";
    }
    return "unknown";
}

const char *fg_strerror(int code)
{
    if (code == 0)
        return "success";
    const struct errinfo *e = lookup(code);
    if (e != NULL)
        return e->msg;
    if (code < 0 && code > -4096)
        return strerrordesc_np(-code) != NULL ? strerrordesc_np(-code) : "system error";
    return "unknown error";
}

/* Copy src into dst[cap]; one that does not fit is cut between characters, never inside one. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = fg_utf8_cut(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int fg_error_set(fg_error_t *err, int code, const char *where, size_t pos, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    err->pos = pos;
    copy_str(err->where, sizeof(err->where), where != NULL ? where : "");
    if (fmt == NULL) {
        copy_str(err->msg, sizeof(err->msg), fg_strerror(code));
    } else {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        if (n < 0)
            err->msg[0] = '\0';
        else if ((size_t)n >= sizeof(err->msg)) /* cut: not inside a character */
            err->msg[fg_utf8_cut(err->msg, sizeof(err->msg) - 1)] = '\0';
    }
    return code;
}

void fg_error_clear(fg_error_t *err)
{
    if (err != NULL)
        memset(err, 0, sizeof(*err));
}

void fg_error_prefix(fg_error_t *err, const char *prefix)
{
    if (err == NULL || prefix == NULL || prefix[0] == '\0')
        return;
    char tmp[sizeof(err->where)];
    const char *sep = (err->where[0] == '\0' || err->where[0] == '[') ? "" : ".";
    size_t np = strlen(prefix);
    size_t ns = strlen(sep);
    size_t nw = strlen(err->where);
    /* Keep the tail (the field itself) when the whole path does not fit. */
    size_t cap = sizeof(tmp) - 1;
    size_t o = 0;
    if (np + ns + nw > cap)
        np = fg_utf8_cut(prefix, cap > ns + nw ? cap - ns - nw : 0);
    memcpy(tmp, prefix, np);
    o = np;
    memcpy(tmp + o, sep, ns);
    o += ns;
    if (nw > cap - o)
        nw = fg_utf8_cut(err->where, cap - o);
    memcpy(tmp + o, err->where, nw);
    o += nw;
    tmp[o] = '\0';
    memcpy(err->where, tmp, o + 1);
}
