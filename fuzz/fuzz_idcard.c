/* fuzz_idcard.c — resident IDs (and every other kind): normalised output checks again unchanged. */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "fundguard/codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fg_idcard_t a;
    fg_idcard_t b;
    char out[FG_ID_NORM_MAX];
    char again[FG_ID_NORM_MAX];

    if (fg_idcard_parse((const char *)data, size, &a, NULL) == 0 &&
        (fg_idcard_parse(a.id, strlen(a.id), &b, NULL) != 0 || strcmp(a.id, b.id) != 0 ||
         a.birth != b.birth || a.sex != b.sex || fg_idcard_check_char(a.id) != a.id[17] ||
         strcmp(a.masked, b.masked) != 0 || strlen(a.masked) != 18))
        abort();
    for (int k = 0; k < FG_ID__COUNT; k++)
        if (fg_id_check(k, (const char *)data, size, out, sizeof(out), NULL) == 0 &&
            (fg_id_check(k, out, strlen(out), again, sizeof(again), NULL) != 0 ||
             strcmp(out, again)))
            abort();
    return 0;
}
