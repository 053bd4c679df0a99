/* fuzz_json_fast.c — API documents: the scanner of src/model/jsonscan.c and jansson agree on every
 * input (return code, every error, the document written back); the first byte picks a hint. */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>

#include "model/model_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int hints[8] = {0, 0, 0, 0, 2204, 2207, 3505, 3507};
    int hint = size > 0 ? hints[data[0] & 7] : 0;
    const char *diff = fg__doc_parse_compare((const char *)data, size, hint, NULL);
    if (diff != NULL) {
        fprintf(stderr, "fuzz_json_fast: the %s differs (hint %d)\n", diff, hint);
        abort();
    }
    return 0;
}
