/*
 * t_history.c — the per-person history (history.h): a settlement's records in (visit, person,
 * fee lines, the lines not paid, the 无码库 stock drawn on), the person's entries and the stock
 * used out; idempotence, refund lines on their original's day, the journal across a restart, and
 * the replay slices.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/history.h"
#include "fundguard/kb.h"
#include "t.h"

static fg_time_t at(const char *s)
{
    fg_time_t t;
    fg_error_t err;
    if (fg_time_parse(s, strlen(s), &t, &err) != 0)
        t_fail(__FILE__, __LINE__, "bad time %s", s);
    return t;
}

/* A settlement of three fee lines (the third reverses the first) at H43010200012. */
typedef struct settlement {
    fg_doc_t doc;
    fg_visit_t visit;
    fg_person_t person;
    fg_fee_line_t fees[3];
} settlement_t;

static void settlement(settlement_t *s, const char *mdtrt_id, const char *med_type)
{
    memset(s, 0, sizeof(*s));
    fg_record_clear(FG_REC_VISIT, &s->visit);
    fg_record_clear(FG_REC_PERSON, &s->person);
    snprintf(s->visit.mdtrt_id, sizeof(s->visit.mdtrt_id), "%s", mdtrt_id);
    snprintf(s->visit.psn_no, sizeof(s->visit.psn_no), "P001");
    snprintf(s->visit.fixmedins_code, sizeof(s->visit.fixmedins_code), "H43010200012");
    snprintf(s->visit.med_type, sizeof(s->visit.med_type), "%s", med_type);
    s->visit.begntime = at("2025-07-01 08:00:00");
    snprintf(s->person.psn_no, sizeof(s->person.psn_no), "P001");
    const char *sn[] = {"F1", "F2", "F3"};
    for (int i = 0; i < 3; i++) {
        fg_fee_line_t *f = &s->fees[i];
        fg_record_clear(FG_REC_FEE_LINE, f);
        snprintf(f->feedetl_sn, sizeof(f->feedetl_sn), "%s", sn[i]);
        snprintf(f->med_list_codg, sizeof(f->med_list_codg), "XA01ABD075A002010100483");
        f->cnt = 2 * FG_QTY_ONE;
        f->fee_ocur_time = at("2025-07-01 09:00:00");
    }
    snprintf(s->fees[2].init_feedetl_sn, sizeof(s->fees[2].init_feedetl_sn), "F1");
    s->fees[2].cnt = -2 * FG_QTY_ONE;
    s->doc.visit = &s->visit;
    s->doc.person = &s->person;
    s->doc.fees = s->fees;
    s->doc.nfees = 3;
}

TEST(history_settlement_in_entries_out)
{
    fg_error_t err;
    fg_history_t *h = fg_history_new();
    settlement_t s;
    settlement(&s, "M1", "21");
    const uint8_t skip[3] = {0, 1, 0}; /* F2 was blocked: not paid, not remembered */
    const fg_qty_t nocode[3] = {FG_QTY_ONE, 0, 0};
    ASSERT_OK(fg_history_add_settlement(h, &s.doc, skip, nocode, &err));
    const fg_hist_entry_t *e;
    size_t n = fg_history_person(h, "P001", &e);
    ASSERT_UEQ(n, 3); /* the visit marker, F1, F3 */
    ASSERT_UEQ(e[0].code, 0);
    ASSERT_EQ(e[0].qty, FG_KB_SCENE_INPATIENT);
    ASSERT_EQ(e[0].time, at("2025-07-01 08:00:00"));
    ASSERT_UEQ(e[0].id, fg_history_line_id("M1", ""));
    ASSERT_UEQ(e[1].id, fg_history_line_id("M1", "F1"));
    ASSERT_UEQ(e[1].code, fg_kb_code_hash("XA01ABD075A002010100483", 23));
    ASSERT_EQ(e[1].qty, 2 * FG_QTY_ONE);
    ASSERT_UEQ(e[1].visit, fg_history_h32("M1"));
    ASSERT_UEQ(e[1].inst, fg_history_h32("H43010200012"));
    ASSERT_UEQ(e[2].id, fg_history_line_id("M1", "F3"));
    ASSERT_EQ(e[2].qty, -2 * FG_QTY_ONE);
    ASSERT_EQ(fg_history_time_of(h, "P001", e[1].id), at("2025-07-01 09:00:00"));
    ASSERT_EQ(fg_history_time_of(h, "P001", fg_history_line_id("M1", "F2")), FG_TIME_NONE);
    ASSERT_EQ(fg_history_nocode_used(h, "H43010200012", "XA01ABD075A002010100483"), FG_QTY_ONE);
    ASSERT_EQ(fg_history_nocode_used(h, "H43010200013", "XA01ABD075A002010100483"), 0);
    /* the same settlement again changes nothing */
    ASSERT_OK(fg_history_add_settlement(h, &s.doc, skip, NULL, &err));
    ASSERT_UEQ(fg_history_person(h, "P001", &e), 3);
    ASSERT_UEQ(fg_history_npersons(h), 1);
    ASSERT_UEQ(fg_history_nentries(h), 3);
    fg_history_free(h);
}

/* A refund line is remembered on the day of the line it reverses, whenever it comes. */
TEST(history_refund_on_the_original_day)
{
    fg_error_t err;
    fg_history_t *h = fg_history_new();
    settlement_t s;
    settlement(&s, "M1", "11");
    s.doc.nfees = 1; /* F1 on 07-01 */
    ASSERT_OK(fg_history_add_settlement(h, &s.doc, NULL, NULL, &err));
    settlement_t r;
    settlement(&r, "M1", "11");
    r.fees[0] = r.fees[2]; /* F3 reverses F1, on 07-09 */
    r.fees[0].fee_ocur_time = at("2025-07-09 10:00:00");
    r.doc.nfees = 1;
    ASSERT_OK(fg_history_add_settlement(h, &r.doc, NULL, NULL, &err));
    fg_time_t t = fg_history_time_of(h, "P001", fg_history_line_id("M1", "F3"));
    ASSERT_EQ(t, at("2025-07-01 09:00:00"));
    const fg_hist_entry_t *e;
    ASSERT_UEQ(fg_history_person(h, "P001", &e), 3);
    ASSERT_EQ(e[0].qty, FG_KB_SCENE_OUTPATIENT);
    fg_history_free(h);
}

TEST(history_journal_survives_a_restart)
{
    fg_error_t err;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/hist", t_tmpdir());
    fg_history_t *h = fg_history_new();
    ASSERT_OK(fg_history_open(h, dir, &err));
    settlement_t s;
    settlement(&s, "M1", "41");
    const fg_qty_t nocode[3] = {0, 3 * FG_QTY_ONE, 0};
    ASSERT_OK(fg_history_add_settlement(h, &s.doc, NULL, nocode, &err));
    fg_history_free(h);
    h = fg_history_new();
    ASSERT_OK(fg_history_open(h, dir, &err));
    const fg_hist_entry_t *e;
    ASSERT_UEQ(fg_history_person(h, "P001", &e), 4);
    ASSERT_EQ(e[0].qty, FG_KB_SCENE_PHARMACY);
    ASSERT_EQ(fg_history_nocode_used(h, "H43010200012", "XA01ABD075A002010100483"), 3 * FG_QTY_ONE);
    fg_history_free(h);
}

TEST(history_slices_round_trip)
{
    fg_error_t err;
    fg_history_t *h = fg_history_new();
    settlement_t s;
    settlement(&s, "M1", "21");
    const fg_qty_t nocode[3] = {FG_QTY_ONE, 0, 0};
    ASSERT_OK(fg_history_add_settlement(h, &s.doc, NULL, nocode, &err));
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_buf_appends(&b, "P\tP001\n"));
    const char *codes[] = {"XA01ABD075A002010100483"};
    ASSERT_OK(fg_history_slice(h, "P001", "H43010200012", codes, 1, &b));
    fg_history_t *back = fg_history_new();
    ASSERT_OK(fg_history_load_slice(back, b.data, b.len, &err));
    const fg_hist_entry_t *e, *f;
    size_t n = fg_history_person(h, "P001", &e);
    ASSERT_UEQ(fg_history_person(back, "P001", &f), n);
    ASSERT(memcmp(e, f, n * sizeof(*e)) == 0);
    ASSERT_EQ(fg_history_nocode_used(back, "H43010200012", "XA01ABD075A002010100483"), FG_QTY_ONE);
    ASSERT_ERR(fg_history_load_slice(back, "X\t1\n", 4, &err), FG_E_REPLAY);
    fg_history_free(back);
    fg_buf_release(&b);
    fg_history_free(h);
}
