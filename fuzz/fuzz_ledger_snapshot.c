/* fuzz_ledger_snapshot.c — the snapshot reader: the input is a mode byte, a 4-byte little-endian
 * journal length, that journal, then the snapshot; with bit 0 of the mode set the snapshot is
 * taken as one block's bytes and its checksum appended, so the reader behind it is reached (a
 * snapshot whose index points anywhere in the journal). ledger_dir_check's properties hold. */
#include "core/compat.h"

#include "fundguard/hash.h"
#include "ledger_dir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    size_t jn =
        (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 | (size_t)data[4] << 24;
    jn = jn < size - 5 ? jn : size - 5;
    const uint8_t *snap = data + 5 + jn;
    size_t sn = size - 5 - jn;
    uint8_t *s = sn <= (1u << 20) ? malloc(sn + 8) : NULL;
    if (s == NULL)
        return 0;
    memcpy(s, snap, sn);
    uint64_t h = fg_hash64_seed(s, sn, 0);
    if (data[0] & 1)
        memcpy(s + sn, &h, 8);
    ledger_file("journal", data + 5, jn);
    ledger_file("snapshot", s, sn + ((data[0] & 1) ? 8 : 0));
    ledger_dir_check(data[0] & 1);
    free(s);
    return 0;
}
