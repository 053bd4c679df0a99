/*
 * t_status.c — the reference status (status.h): the model's records in (deaths, persons,
 * suspensions, coverage, catalogue), from records and from the reference files alike, and the
 * answers the review's checks ask for; the one vocabulary of statuses and its legacy words; the
 * replay slices.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/status.h"
#include "t.h"

static fg_date_t day(const char *s)
{
    fg_date_t d;
    fg_error_t err;
    if (fg_date_parse(s, strlen(s), &d, &err) != 0)
        t_fail(__FILE__, __LINE__, "bad date %s", s);
    return d;
}

static fg_suspension_t suspension(const char *type, const char *code, const char *action,
                                  const char *begin, const char *end)
{
    fg_suspension_t s;
    fg_record_clear(FG_REC_SUSPENSION, &s);
    snprintf(s.subject_type, sizeof(s.subject_type), "%s", type);
    snprintf(s.subject_code, sizeof(s.subject_code), "%s", code);
    snprintf(s.action, sizeof(s.action), "%s", action);
    s.begin_date = day(begin);
    s.end_date = end != NULL ? day(end) : FG_DATE_NONE;
    return s;
}

TEST(status_vocabulary_one_word_per_status)
{
    for (int s = FG_REF_STATUS_NONE + 1; s < FG_REF__STATUSES; s++) {
        const char *name = fg_ref_status_name((fg_ref_status_t)s);
        ASSERT(name[0] != '\0');
        ASSERT_EQ(fg_ref_status_parse(name), s);
    }
    ASSERT_STR_EQ(fg_ref_status_name(FG_REF_SUSPENDED), "suspended");
    ASSERT_STR_EQ(fg_ref_status_name(FG_REF_STATUS_NONE), "");
    ASSERT_EQ(fg_ref_status_parse("pause"), FG_REF_STATUS_NONE);
    ASSERT_EQ(fg_ref_status_parse(""), FG_REF_STATUS_NONE);
    ASSERT_EQ(fg_ref_status_parse(NULL), FG_REF_STATUS_NONE);
}

/* The legacy words (a suspension's action, as suspensions.csv and older stores spell it) read as
 * the status they give, and each status that suspends has its action word back. */
TEST(status_vocabulary_legacy_words)
{
    ASSERT_EQ(fg_ref_status_parse("suspend"), FG_REF_SUSPENDED);
    ASSERT_EQ(fg_ref_status_parse("terminate"), FG_REF_TERMINATED);
    ASSERT_STR_EQ(fg_ref_status_action(FG_REF_SUSPENDED), "suspend");
    ASSERT_STR_EQ(fg_ref_status_action(FG_REF_TERMINATED), "terminate");
    ASSERT_STR_EQ(fg_ref_status_action(FG_REF_ACTIVE), "");
    ASSERT(fg_ref_status_suspends(FG_REF_SUSPENDED));
    ASSERT(fg_ref_status_suspends(FG_REF_TERMINATED));
    ASSERT(!fg_ref_status_suspends(FG_REF_ACTIVE));
    ASSERT(!fg_ref_status_suspends(FG_REF_DECEASED));
}

TEST(status_records_in_answers_out)
{
    fg_ref_t *ref = fg_ref_new();
    ASSERT(ref != NULL);
    /* deaths: the earliest of two; a death without psn_no is not matched */
    fg_death_t d;
    fg_record_clear(FG_REC_DEATH, &d);
    snprintf(d.psn_no, sizeof(d.psn_no), "P001");
    snprintf(d.source, sizeof(d.source), "民政");
    d.die_date = day("2025-05-02");
    ASSERT_OK(fg_ref_add_death(ref, &d, 1));
    d.die_date = day("2025-04-30");
    ASSERT_OK(fg_ref_add_death(ref, &d, 2));
    d.psn_no[0] = '\0';
    ASSERT_OK(fg_ref_add_death(ref, &d, 3));
    const fg_ref_death_t *got = fg_ref_death(ref, "P001");
    ASSERT(got != NULL);
    ASSERT_EQ(got->die_date, day("2025-04-30"));
    ASSERT_UEQ(got->row, 2);
    ASSERT_STR_EQ(got->source, "民政");
    ASSERT(fg_ref_death(ref, "P002") == NULL);
    ASSERT_UEQ(fg_ref_count(ref, "deaths"), 2);
    /* a person: the registry, and a death when it has a die_date */
    ASSERT(!fg_ref_has_registry(ref));
    fg_person_t p;
    fg_record_clear(FG_REC_PERSON, &p);
    snprintf(p.psn_no, sizeof(p.psn_no), "P003");
    p.die_date = day("2025-01-01");
    ASSERT_OK(fg_ref_add_person(ref, &p, 7));
    ASSERT(fg_ref_has_registry(ref));
    ASSERT_UEQ(fg_ref_person_row(ref, "P003"), 7);
    ASSERT_UEQ(fg_ref_person_row(ref, "P001"), 0);
    ASSERT_STR_EQ(fg_ref_death(ref, "P003")->source, "persons");
    /* coverage */
    fg_ref_cover_t c = {
        .insutype = "310", .begin = day("2025-01-01"), .end = FG_DATE_NONE, .row = 1};
    ASSERT_OK(fg_ref_add_cover(ref, "P003", &c));
    size_t probe = 0;
    const fg_ref_cover_t *cv = fg_ref_cover_next(ref, "P003", &probe);
    ASSERT(cv != NULL);
    ASSERT_STR_EQ(cv->insutype, "310");
    ASSERT(fg_ref_cover_next(ref, "P003", &probe) == NULL);
    /* the catalogue: a later record replaces the earlier; an item without a pack size is none */
    fg_catalogue_item_t item;
    fg_record_clear(FG_REC_CATALOGUE, &item);
    snprintf(item.med_list_codg, sizeof(item.med_list_codg), "XA01ABD075A002010100483");
    item.pack_units = 24;
    ASSERT_OK(fg_ref_add_catalogue(ref, &item));
    item.pack_units = 12;
    ASSERT_OK(fg_ref_add_catalogue(ref, &item));
    ASSERT_UEQ(fg_ref_pack_units(ref, "XA01ABD075A002010100483"), 12);
    ASSERT_UEQ(fg_ref_count(ref, "catalogue"), 1);
    snprintf(item.med_list_codg, sizeof(item.med_list_codg), "001202000010000");
    item.pack_units = -1;
    ASSERT_OK(fg_ref_add_catalogue(ref, &item));
    ASSERT_UEQ(fg_ref_pack_units(ref, "001202000010000"), 0);
    fg_ref_free(ref);
}

TEST(status_suspensions_in_force)
{
    fg_ref_t *ref = fg_ref_new();
    fg_suspension_t s = suspension("staff", "D430102000123", "suspend", "2025-03-01", "2025-03-31");
    ASSERT_OK(fg_ref_add_suspension(ref, &s, 1));
    s = suspension("institution", "H43010200012", "terminate", "2025-06-01", NULL);
    ASSERT_OK(fg_ref_add_suspension(ref, &s, 2));
    /* the window, both ends inside */
    ASSERT(fg_ref_susp_on(ref, 0, "D430102000123", day("2025-02-28")) == NULL);
    const fg_ref_susp_t *x = fg_ref_susp_on(ref, 0, "D430102000123", day("2025-03-01"));
    ASSERT(x != NULL);
    ASSERT_EQ(x->status, FG_REF_SUSPENDED);
    ASSERT_UEQ(x->row, 1);
    ASSERT(fg_ref_susp_on(ref, 0, "D430102000123", day("2025-03-31")) != NULL);
    ASSERT(fg_ref_susp_on(ref, 0, "D430102000123", day("2025-04-01")) == NULL);
    /* open-ended; staff and institutions are apart */
    x = fg_ref_susp_on(ref, 1, "H43010200012", day("2030-01-01"));
    ASSERT(x != NULL);
    ASSERT_EQ(x->status, FG_REF_TERMINATED);
    ASSERT(fg_ref_susp_on(ref, 0, "H43010200012", day("2030-01-01")) == NULL);
    /* the status's own word is a suspension's action as well; a word that gives no suspension
     * is refused */
    s = suspension("staff", "D430102000124", "suspended", "2025-03-01", NULL);
    ASSERT_OK(fg_ref_add_suspension(ref, &s, 3));
    ASSERT_EQ(fg_ref_susp_on(ref, 0, "D430102000124", day("2025-03-02"))->status, FG_REF_SUSPENDED);
    s = suspension("staff", "D430102000125", "active", "2025-03-01", NULL);
    ASSERT_ERR(fg_ref_add_suspension(ref, &s, 4), FG_EINVAL);
    ASSERT_UEQ(fg_ref_count(ref, "suspensions"), 3);
    fg_ref_free(ref);
}

/* The reference files give the same answers as the records they hold. */
TEST(status_from_csv_as_from_records)
{
    fg_error_t err;
    fg_ref_t *ref = fg_ref_new();
    const char *susp = "subject_type,subject_code,action,begin_date,end_date,reason\n"
                       "staff,D430102000123,suspend,2025-03-01,2025-03-31,记分\n"
                       "institution,H43010200012,terminate,2025-06-01,,违规\n";
    ASSERT_OK(fg_ref_load_mem(ref, "suspensions.csv", susp, strlen(susp), &err));
    const char *deaths = "psn_no,die_date,source\nP001,2025-04-30,民政\n";
    ASSERT_OK(fg_ref_load_mem(ref, "dir/deaths.csv", deaths, strlen(deaths), &err));
    const char *cat = "med_list_codg,pack_units\nXA01ABD075A002010100483,24\n";
    ASSERT_OK(fg_ref_load_mem(ref, "catalogue.csv", cat, strlen(cat), &err));
    const fg_ref_susp_t *x = fg_ref_susp_on(ref, 0, "D430102000123", day("2025-03-15"));
    ASSERT(x != NULL);
    ASSERT_EQ(x->status, FG_REF_SUSPENDED);
    ASSERT_UEQ(x->row, 1);
    x = fg_ref_susp_on(ref, 1, "H43010200012", day("2026-01-01"));
    ASSERT(x != NULL);
    ASSERT_EQ(x->status, FG_REF_TERMINATED);
    ASSERT_UEQ(x->row, 2);
    ASSERT_EQ(fg_ref_death(ref, "P001")->die_date, day("2025-04-30"));
    ASSERT_UEQ(fg_ref_pack_units(ref, "XA01ABD075A002010100483"), 24);
    /* an empty coverage file is a registry that holds nobody */
    ASSERT(!fg_ref_has_registry(ref));
    ASSERT_OK(fg_ref_load_mem(ref, "coverage.csv", "psn_no,begndate\n", 16, &err));
    ASSERT(fg_ref_has_registry(ref));
    /* strict: a bad row is an error with its file and line */
    const char *bad = "subject_type,subject_code,action,begin_date\nstaff,D430102000123,pause,"
                      "2025-03-01\n";
    ASSERT(fg_ref_load_mem(ref, "suspensions.csv", bad, strlen(bad), &err) != 0);
    ASSERT(strstr(err.msg, "suspensions.csv") != NULL);
    ASSERT_ERR(fg_ref_load_mem(ref, "planets.csv", "a\n", 2, &err), FG_E_KB_TABLE);
    fg_ref_free(ref);
}

/* A slice holds what a decision consulted; read back it answers the same, and a slice written
 * with the action words (every slice so far) still reads. */
TEST(status_slices_round_trip)
{
    fg_error_t err;
    fg_ref_t *ref = fg_ref_new();
    fg_suspension_t s = suspension("institution", "H43010200012", "terminate", "2025-06-01", NULL);
    ASSERT_OK(fg_ref_add_suspension(ref, &s, 5));
    fg_death_t d;
    fg_record_clear(FG_REC_DEATH, &d);
    snprintf(d.psn_no, sizeof(d.psn_no), "P001");
    d.die_date = day("2025-04-30");
    ASSERT_OK(fg_ref_add_death(ref, &d, 3));
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_ref_slice_code(ref, 1, "H43010200012", &b));
    ASSERT(strstr(b.data, "\tterminate\t") != NULL);
    ASSERT_OK(fg_ref_slice_person(ref, "P001", &b));
    fg_ref_t *back = fg_ref_new();
    ASSERT_OK(fg_ref_load_slice(back, b.data, b.len, &err));
    const fg_ref_susp_t *x = fg_ref_susp_on(back, 1, "H43010200012", day("2025-07-01"));
    ASSERT(x != NULL);
    ASSERT_EQ(x->status, FG_REF_TERMINATED);
    ASSERT_UEQ(x->row, 5);
    ASSERT_UEQ(fg_ref_death(back, "P001")->row, 3);
    const char *odd = "susp\t0\tD430102000123\tpause\t2025-03-01\t-\t1\n";
    fg_ref_t *bad = fg_ref_new();
    ASSERT_ERR(fg_ref_load_slice(bad, odd, strlen(odd), &err), FG_E_REPLAY);
    fg_ref_free(bad);
    fg_ref_free(back);
    fg_buf_release(&b);
    fg_ref_free(ref);
}
