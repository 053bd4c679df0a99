/* fuzz_json_doc.c — API documents: no crash; a valid doc written and parsed again writes the same.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "fundguard/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fg_arena_t arena;
    fg_doc_t doc[2];
    fg_buf_t w[2];
    fg_arena_init(&arena, 0);
    fg_buf_init(&w[0], 1 << 24);
    fg_buf_init(&w[1], 1 << 24);
    if (fg_doc_parse((const char *)data, size, 0, NULL, &arena, &doc[0], NULL, NULL) == 0 &&
        (fg_json_write_doc(&doc[0], &w[0]) != 0 ||
         fg_doc_parse(w[0].data, w[0].len, 0, NULL, &arena, &doc[1], NULL, NULL) != 0 ||
         fg_json_write_doc(&doc[1], &w[1]) != 0 || w[0].len != w[1].len ||
         memcmp(w[0].data, w[1].data, w[0].len) != 0))
        abort();
    fg_buf_release(&w[0]);
    fg_buf_release(&w[1]);
    fg_arena_release(&arena);
    return 0;
}
