/* fuzz_kb_row.c — knowledge tables on any bytes: byte 0 picks the table (or a replay slice). */
#include "core/compat.h"

#include "fundguard/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"batch1-drug-gender.names.csv",
                                    "batch1-drug-gender.codes.csv",
                                    "batch1-item-gender.csv",
                                    "batch1-item-age.csv",
                                    "batch2-item-surgery-group.csv",
                                    "batch6-drug-payment-course.names.csv",
                                    "batch7-item-duplicate-charge.csv",
                                    "batch8-1-item-frequency.csv",
                                    "batch8-3-item-course.csv",
                                    "batch8-4-item-period-frequency.csv",
                                    "price-cap.csv",
                                    "indication.csv",
                                    "max-quantity.csv",
                                    "bundle.csv",
                                    "diagnosis-sex-age.csv",
                                    "nocode-stock.csv",
                                    "frequent-visits.csv",
                                    "params.csv"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t pick = data[0] % (FG_ARRAY_LEN(names) + 1);
    fg_kb_t *kb = fg_kb_new();
    fg_error_t err = {0};
    int rc = pick == FG_ARRAY_LEN(names)
                 ? fg_kb_load_slice(kb, (const char *)data + 1, size - 1, &err)
                 : fg_kb_load_mem(kb, names[pick], (const char *)data + 1, size - 1, &err);
    if (rc == 0 && pick < FG_ARRAY_LEN(names))
        rc = fg_kb_seal(kb, &err);
    if (rc > 0 || (rc < 0 && (err.code == 0 || err.msg[0] == '\0')))
        __builtin_trap(); /* an error without its code and message */
    fg_kb_free(kb);
    return 0;
}
