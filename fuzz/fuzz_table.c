/* fuzz_table.c — fee_list_d over any bytes: no crash; every refused row was reported. */
#include "core/compat.h"

#include <stdlib.h>

#include "fundguard/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fg_csv_t *csv = NULL;
    fg_table_reader_t *r = NULL;
    fg_diag_t diag = {NULL, NULL, 0};
    fg_fee_line_t fee;
    if (fg_csv_open_mem((const char *)data, size, NULL, &csv, NULL) == 0 &&
        fg_table_open_csv(FG_TABLE_FEE_LIST_D, csv, FG_CSV_SKIP, &diag, &r, NULL) == 0) {
        int rc = fg_table_next(r, &fee);
        for (; rc > 0; rc = fg_table_next(r, &fee))
            if (fee.feedetl_sn[0] == '\0' || fee.fee_ocur_time == FG_TIME_NONE)
                abort(); /* a record handed out has its required fields */
        if (fg_table_bad_rows(r) > diag.count || (rc < 0 && diag.count == 0))
            abort(); /* every refused row was reported */
    }
    fg_table_close(r);
    fg_csv_close(csv);
    return 0;
}
