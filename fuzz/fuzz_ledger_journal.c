/* fuzz_ledger_journal.c — the journal reader: the input after its first byte is a ledger's journal
 * (no snapshot); with bit 0 of the first byte set every record's checks are forged first, so the
 * record decoder and the replay behind them are reached. ledger_dir_check's properties hold. */
#include "core/compat.h"

#include "ledger/ledger_int.h"
#include "ledger_dir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t *j = malloc(size);
    if (j == NULL)
        return 0;
    memcpy(j, data + 1, size - 1);
    size_t n = size - 1;
    for (size_t off = FG__JHDR_SIZE; (data[0] & 1) && off < n;)
        off = fg__jrec_seal(j + off, n - off) == 0 ? off + (j[off] | (size_t)j[off + 1] << 8) : n;
    ledger_file("journal", j, n);
    ledger_file("snapshot", NULL, 0);
    ledger_dir_check(data[0] & 1);
    free(j);
    return 0;
}
