/* fuzz_trace.c — trace codes: no crash, errors are well formed, parse→key→parse gives the key. */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "fundguard/codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fg_trace_code_t a;
    fg_trace_code_t b;
    fg_error_t err;
    char g[15];

    if (fg_trace_parse((const char *)data, size, &a, &err) != 0) {
        if (err.code >= 0 || err.msg[0] == '\0' || err.pos > size + 1)
            abort(); /* every error has a code, a message and a position inside the input */
        return 0;
    }
    if (fg_trace_parse(a.key, strlen(a.key), &b, &err) != 0 || strcmp(a.key, b.key) != 0 ||
        a.form != b.form || strcmp(a.serial, b.serial) != 0)
        abort();
    if (a.form == FG_TRACE_GS1 && (fg_gtin_check(a.gtin, 14, g, NULL) != 0 || strcmp(g, a.gtin)))
        abort();
    return 0;
}
