/* fuzz_ledger_event.c — the ledger's event scanner (src/ledger/event.c): any bytes as a JSON event
 * line and, split at the first newline, as a CSV header and row. An error carries a code and a
 * message; an accepted event written as a history record (fg_ledger_record_json) reads back as
 * the same event. */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const fg_ledger_event_t *a, const fg_ledger_event_t *b)
{
    return a->type == b->type && a->time == b->time && a->units == b->units &&
           a->pack_units == b->pack_units && a->trdn == b->trdn && !strcmp(a->code, b->code) &&
           !strcmp(a->inst, b->inst) && !strcmp(a->med_list, b->med_list) &&
           !strcmp(a->setl_id, b->setl_id) && !strcmp(a->feedetl_sn, b->feedetl_sn) &&
           !strcmp(a->psn_no, b->psn_no);
}

/* An event parsed with rc: an error is explained; an event survives its record's round trip. */
static void check(int rc, const fg_error_t *err, const fg_ledger_event_t *ev)
{
    if (rc != 0) {
        if (err->code == 0 || err->msg[0] == '\0')
            abort();
        return;
    }
    fg_ledger_history_t h;
    fg_ledger_event_t back;
    fg_error_t e2;
    fg_buf_t b;
    memset(&h, 0, sizeof(h));
    h.event = *ev;
    fg_buf_init(&b, 1u << 20);
    if (fg_ledger_record_json(&h, &b) != 0 ||
        fg_ledger_event_parse_json(b.data, b.len, &back, &e2) != 0 || !same(ev, &back)) {
        fprintf(stderr, "fuzz_ledger_event: the record %s does not read back\n", b.data);
        abort();
    }
    fg_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    fg_ledger_event_t ev;
    fg_ledger_csv_t csv;
    fg_error_t err;
    check(fg_ledger_event_parse_json(s, size, &ev, &err), &err, &ev);
    const char *nl = memchr(s, '\n', size);
    if (nl == NULL || fg_ledger_csv_header(&csv, s, (size_t)(nl - s), &err) != 0)
        return 0;
    size_t rest = size - (size_t)(nl + 1 - s);
    check(fg_ledger_event_parse_csv(&csv, nl + 1, rest, &ev, &err), &err, &ev);
    return 0;
}
