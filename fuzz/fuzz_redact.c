/* fuzz_redact.c — documents at rest: for any JSON text jansson accepts, fg_json_redact_ids
 * succeeds, its output is JSON again, and no member whose name ends in certno or cert_no holds a
 * resident ID.
 */
#include "core/compat.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/codes.h"
#include "fundguard/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_id(json_t *v)
{
    const char *k;
    json_t *x;
    fg_idcard_t id;
    fg_error_t e;
    size_t i;
    json_object_foreach(v, k, x)
    {
        size_t n = strlen(k), s = json_string_length(x);
        int cert = (n >= 6 && strcmp(k + n - 6, "certno") == 0) ||
                   (n >= 7 && strcmp(k + n - 7, "cert_no") == 0);
        if (cert && json_is_string(x) && fg_idcard_parse(json_string_value(x), s, &id, &e) == 0)
            abort();
        no_id(x);
    }
    json_array_foreach(v, i, x) no_id(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long line, col;
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    fg_buf_t b;
    fg_error_t err;
    fg_buf_init(&b, size * 8 + 1024);
    int rc = fg_json_redact_ids((const char *)data, size, &b, &err);
    if (in != NULL && !fg_json_depth_exceeds((const char *)data, size, 500, &line, &col)) {
        json_t *out = rc == 0 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
        if (out == NULL)
            abort();
        no_id(out);
        json_decref(out);
    }
    json_decref(in);
    fg_buf_release(&b);
    return 0;
}
