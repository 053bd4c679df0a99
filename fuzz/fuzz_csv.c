/* fuzz_csv.c — CSV reader on any bytes (byte 0: encoding, block size 1–8 or 1 MiB), both modes. */
#include "core/compat.h"

#include "fundguard/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fg__csv_set_block_size(size_t n); /* test hook in src/core/csv.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mode = FG_CSV_SKIP; mode <= FG_CSV_FATAL; mode++) {
        fg_csv_options_t opt = {size ? data[0] % 3 : 0, mode, ',', 1, 1, 64, NULL};
        fg_csv_t *csv = NULL;
        fg_csv_row_t row;
        fg_error_t err;
        fg__csv_set_block_size(size ? data[0] / 3 % 9 : 0);
        int rc = fg_csv_open_mem((const char *)data, size, &opt, &csv, &err) == 0;
        for (size_t n = 0; rc == 1 || (mode == FG_CSV_SKIP && rc <= FG_E_CSV_QUOTE); n++) {
            rc = fg_csv_next(csv, &row, &err);
            if (n > size || (rc < 0 && (err.code != rc || !err.msg[0] || err.line < 1)))
                __builtin_trap(); /* no progress, or an error without detail */
            for (size_t i = 0; rc == 1 && i < row.nfields; i++)
                if (row.data[i][row.len[i]] != '\0' || row.line < 1)
                    __builtin_trap(); /* a field not NUL-terminated, a row without a line */
        }
        fg_csv_close(csv);
    }
    return 0;
}
