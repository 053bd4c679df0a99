/*
 * gen.c — fg_gen_run: the generator's passes, the reference files, truth.csv and manifest.json.
 *
 *   1. the catalogue from kb/nhsa, the region, its institutions and staff;
 *   2. the fraud plan (which persons, institutions and staff take part in which case);
 *   3. the reference files known before the year (institutions, staff, catalogue, suspensions);
 *   4. every person's year, in index order, written as it is made;
 *   5. peer-outlier cases (institution × month), the closing stock, the week buckets read back in
 *      time order into ledger_events.jsonl and inventory.jsonl;
 *   6. truth.csv and manifest.json (counts, and the sha256 of every file, computed while writing).
 */
#include "core/compat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "gen/gen_int.h"

#ifndef FG_VERSION
#define FG_VERSION "0"
#endif

/* ---------------------------------------------------------------- options */

void fg_gen_options_init(fg_gen_options_t *o)
{
    memset(o, 0, sizeof(*o));
    o->scale = FG_GEN_COUNTY;
    o->seed = 1;
    o->year = FG_GEN_DEFAULT_YEAR;
    o->fraud_rate = FG_GEN_DEFAULT_FRAUD_RATE;
    o->encoding = FG_GEN_UTF8;
}

static const char *const scale_names[FG_GEN_SCALE__COUNT] = {"tiny", "county", "city", "province"};

int fg_gen_scale_parse(const char *name)
{
    for (int i = 0; name != NULL && i < FG_GEN_SCALE__COUNT; i++)
        if (strcmp(name, scale_names[i]) == 0)
            return i;
    return -1;
}

const char *fg_gen_scale_name(fg_gen_scale_t s)
{
    return (int)s >= 0 && s < FG_GEN_SCALE__COUNT ? scale_names[s] : "?";
}

static const char *const scen_names[SC__COUNT] = {
#define GEN_SCEN_NAME(n, fam, desc) #n,
    GEN_SCENARIOS(GEN_SCEN_NAME)
#undef GEN_SCEN_NAME
};
static const char *const scen_family[SC__COUNT] = {
#define GEN_SCEN_FAM(n, fam, desc) fam,
    GEN_SCENARIOS(GEN_SCEN_FAM)
#undef GEN_SCEN_FAM
};
static const char *const scen_desc[SC__COUNT] = {
#define GEN_SCEN_DESC(n, fam, desc) desc,
    GEN_SCENARIOS(GEN_SCEN_DESC)
#undef GEN_SCEN_DESC
};

size_t fg_gen_scenario_count(void)
{
    return SC__COUNT;
}

const char *fg_gen_scenario_name(size_t i)
{
    return i < SC__COUNT ? scen_names[i] : NULL;
}

const char *fg__gen_scen_family(int s)
{
    return s >= 0 && s < SC__COUNT ? scen_family[s] : "";
}

const char *fg__gen_scen_desc(int s)
{
    return s >= 0 && s < SC__COUNT ? scen_desc[s] : "";
}

/* ---------------------------------------------------------------- ids */

/* prefix (1 or 2 characters) + the year's last two digits + n in `width` digits. */
static size_t id_text(const char *prefix, size_t plen, int year, uint64_t n, int width, char *out)
{
    memcpy(out, prefix, plen);
    fg__gen_fmt_pad(out + plen, (uint64_t)year % 100, 2);
    fg__gen_fmt_pad(out + plen + 2, n, width);
    size_t len = plen + 2 + (size_t)width;
    out[len] = '\0';
    return len;
}

size_t fg__gen_id_setl(const gen_ctx_t *g, uint64_t n, char *out)
{
    return id_text("S", 1, g->year, n, 10, out);
}

size_t fg__gen_id_mdtrt(const gen_ctx_t *g, uint64_t n, char *out)
{
    return id_text("M", 1, g->year, n, 10, out);
}

size_t fg__gen_id_feedetl(const gen_ctx_t *g, uint64_t n, char *out)
{
    return id_text("F", 1, g->year, n, 11, out);
}

size_t fg__gen_id_invoice(const gen_ctx_t *g, uint64_t n, char *out)
{
    char prov[2];
    fg__gen_fmt_pad(prov, (uint64_t)g->reg.province, 2);
    return id_text(prov, 2, g->year, n, 12, out);
}

/* ---------------------------------------------------------------- files */

static const char *const file_names[GF__COUNT] = {
    [GF_SETL_D] = "setl_d.csv",
    [GF_MDTRT_D] = "mdtrt_d.csv",
    [GF_FEE_LIST_D] = "fee_list_d.csv",
    [GF_DIAG_D] = "setl_list_diag_d.csv",
    [GF_OPRN_D] = "setl_list_oprn_d.csv",
    [GF_PERSONS] = "persons.csv",
    [GF_INSTITUTIONS] = "institutions.csv",
    [GF_STAFF] = "staff.csv",
    [GF_CATALOGUE] = "catalogue.csv",
    [GF_DEATHS] = "deaths.csv",
    [GF_INJURIES] = "injuries.csv",
    [GF_INVOICES] = "invoices.csv",
    [GF_SUSPENSIONS] = "suspensions.csv",
    [GF_SETTLEMENTS] = "settlements.jsonl",
    [GF_INVENTORY] = "inventory.jsonl",
    [GF_LEDGER] = "ledger_events.jsonl",
    [GF_TRUTH] = "truth.csv",
};

static const fg_table_t file_table[GF__TABLES] = {
    FG_TABLE_SETL_D,           FG_TABLE_MDTRT_D, FG_TABLE_FEE_LIST_D,   FG_TABLE_SETL_LIST_DIAG_D,
    FG_TABLE_SETL_LIST_OPRN_D, FG_TABLE_PERSONS, FG_TABLE_INSTITUTIONS, FG_TABLE_STAFF,
    FG_TABLE_CATALOGUE,        FG_TABLE_DEATHS,  FG_TABLE_INJURIES,     FG_TABLE_INVOICES,
    FG_TABLE_SUSPENSIONS,
};

/* Columns written after the model's own (readers ignore them; people read them). */
static const char *const extra_catalogue[] = {"code_source", "limit_source", "limit_text", NULL};
static const char *const extra_institutions[] = {"inst_kind", "chain", "beds", "county_name", NULL};

static int mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return FG_EINVAL;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -errno;
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static const char *kb_dir_default(const fg_gen_options_t *o)
{
    static char buf[4096];
    struct stat st;
    if (o->kb_dir != NULL)
        return o->kb_dir;
    const char *env = getenv("FUNDGUARD_KB");
    if (env != NULL && env[0] != '\0')
        return env;
#ifdef FG_SOURCE_DIR
    snprintf(buf, sizeof(buf), "%s/kb/nhsa", FG_SOURCE_DIR);
    if (stat(buf, &st) == 0)
        return buf;
#endif
    (void)st;
    return "kb/nhsa";
}

/* ---------------------------------------------------------------- reference files */

static const char *inst_kind_name(int k)
{
    static const char *const names[IK__COUNT] = {"hospital3", "hospital2",      "hospital1",
                                                 "clinic",    "pharmacy_chain", "pharmacy_single"};
    return k >= 0 && k < IK__COUNT ? names[k] : "";
}

static void write_institutions(gen_ctx_t *g)
{
    gen_row_t *row = &g->row;
    for (uint32_t i = 0; i < g->reg.ninst; i++) {
        const gen_inst_t *in = &g->reg.inst[i];
        fg__gen_row_begin(row);
        fg__gen_row_str(row, SL_fixmedins_code, in->code);
        fg__gen_row_str(row, SL_fixmedins_name, in->name);
        fg__gen_row_str(row, SL_fixmedins_type, in->kind >= IK_PH_CHAIN ? "2" : "1");
        if (in->hosp_lv[0])
            fg__gen_row_str(row, SL_hosp_lv, in->hosp_lv);
        fg__gen_row_str(row, SL_admdvs, g->reg.counties[in->county].code);
        fg__gen_row_str(row, SL_inst_kind, inst_kind_name(in->kind));
        if (in->chain != GEN_NONE)
            fg__gen_row_str(row, SL_chain, g->reg.chain_names[in->chain]);
        if (in->beds > 0)
            fg__gen_row_u64(row, SL_beds, in->beds);
        fg__gen_row_str(row, SL_county_name, g->reg.counties[in->county].name);
        fg__gen_row_emit(&g->tab[GF_INSTITUTIONS], row);
    }
    g->st.institutions = g->reg.ninst;
}

static void write_staff(gen_ctx_t *g)
{
    gen_row_t *row = &g->row;
    for (uint32_t i = 0; i < g->reg.nstaff; i++) {
        const gen_staff_t *s = &g->reg.staff[i];
        fg__gen_row_begin(row);
        fg__gen_row_str(row, SL_staff_code, s->code);
        fg__gen_row_str(row, SL_staff_name, s->name);
        fg__gen_row_str(row, SL_certno, s->certno);
        fg__gen_row_str(row, SL_role, fg__gen_role_name(s->role));
        fg__gen_row_str(row, SL_fixmedins_code, g->reg.inst[s->inst].code);
        fg__gen_row_str(row, SL_dept_codg, fg__gen_dept_code(s->dept));
        fg__gen_row_emit(&g->tab[GF_STAFF], row);
    }
    g->st.staff = g->reg.nstaff;
}

static void write_catalogue(gen_ctx_t *g)
{
    gen_row_t *row = &g->row;
    for (uint32_t i = 0; i < g->cat.n; i++) {
        const gen_cat_t *it = &g->cat.items[i];
        fg__gen_row_begin(row);
        fg__gen_row_mem(row, SL_med_list_codg, it->code, it->code_len);
        fg__gen_row_str(row, SL_name, cat_name(&g->cat, it));
        fg__gen_row_str(row, SL_list_type,
                        it->kind == CK_DRUG   ? "101"
                        : it->kind == CK_ITEM ? "201"
                                              : "301");
        fg__gen_row_str(row, SL_chrgitm_lv, it->lv == 1 ? "01" : it->lv == 2 ? "02" : "03");
        fg__gen_row_fen(row, SL_pric, it->price);
        fg__gen_row_fen(row, SL_pric_uplmt_amt, it->cap);
        if (it->kind == CK_DRUG) {
            fg__gen_row_u64(row, SL_pack_units, it->pack_units);
            fg__gen_row_u64(row, SL_daily_dose, it->daily_dose);
            fg__gen_row_str(row, SL_trace_required, "1");
        } else {
            if (it->minutes > 0)
                fg__gen_row_u64(row, SL_minutes, it->minutes);
            fg__gen_row_str(row, SL_trace_required, "0");
        }
        fg__gen_row_str(row, SL_code_source, it->synthetic ? "synthetic" : "kb");
        if (it->kb_src != KB_NONE && !it->synthetic)
            fg__gen_row_str(row, SL_limit_source, fg__gen_kb_name(it->kb_src));
        if (it->note != 0)
            fg__gen_row_str(row, SL_limit_text, g->cat.pool + it->note);
        fg__gen_row_emit(&g->tab[GF_CATALOGUE], row);
    }
    g->st.catalogue = g->cat.n;
}

static void write_suspensions(gen_ctx_t *g)
{
    gen_row_t *row = &g->row;
    gen_out_t *cache = &g->tab[GF_SUSPENSIONS].out;
    for (uint32_t i = 0; i < g->reg.nstaff; i++) {
        const gen_staff_t *s = &g->reg.staff[i];
        if (s->susp_begin == FG_DATE_NONE)
            continue;
        fg__gen_row_begin(row);
        fg__gen_row_str(row, SL_subject_type, "staff");
        fg__gen_row_str(row, SL_subject_code, s->code);
        fg__gen_row_str(row, SL_action, s->susp_action == 2 ? "terminate" : "suspend");
        fg__gen_row_date(row, cache, SL_begin_date, s->susp_begin);
        if (s->susp_end != FG_DATE_NONE)
            fg__gen_row_date(row, cache, SL_end_date, s->susp_end);
        fg__gen_row_str(row, SL_reason,
                        s->susp_action == 2 ? "记分满12分，终止医保支付资格"
                                            : "年度记分达到9分以上，暂停医保支付资格");
        fg__gen_row_emit(&g->tab[GF_SUSPENSIONS], row);
        g->st.suspensions++;
    }
    for (uint32_t i = 0; i < g->reg.ninst; i++) {
        const gen_inst_t *in = &g->reg.inst[i];
        if (in->susp_begin == FG_DATE_NONE)
            continue;
        fg__gen_row_begin(row);
        fg__gen_row_str(row, SL_subject_type, "institution");
        fg__gen_row_str(row, SL_subject_code, in->code);
        fg__gen_row_str(row, SL_action, "suspend");
        fg__gen_row_date(row, cache, SL_begin_date, in->susp_begin);
        fg__gen_row_date(row, cache, SL_end_date, in->susp_end);
        fg__gen_row_str(row, SL_reason, "违反服务协议，中止医保协议");
        fg__gen_row_emit(&g->tab[GF_SUSPENSIONS], row);
        g->st.suspensions++;
    }
}

/* ---------------------------------------------------------------- truth */

static void truth_list_setl(gen_ctx_t *g, gen_out_t *w, const uint64_t *ids, int n,
                            size_t (*fmt)(const gen_ctx_t *, uint64_t, char *))
{
    char buf[32];
    int first = 1;
    for (int i = 0; i < n; i++) {
        if (ids[i] == 0)
            continue;
        if (!first)
            out_c(w, ';');
        out_mem(w, buf, fmt(g, ids[i], buf));
        first = 0;
    }
}

static void psn_of(const gen_ctx_t *g, uint32_t idx, char out[24])
{
    gen_profile_t p;
    fg__gen_profile(g, idx, &p);
    fg__gen_psn_no(g, &p, out);
}

static void write_truth(gen_ctx_t *g)
{
    gen_out_t *w = &g->json[GF_TRUTH - GF__TABLES];
    OUT_LIT(w, "scenario,case_id,family,kb_source,psn_no,fixmedins_code,staff_code,setl_id,"
               "mdtrt_id,feedetl_sn,drug_trac_codg,med_list_codg,amount_fen,occurred,detail\n");
    uint64_t num = 0;
    for (uint64_t i = 0; i < g->ncases; i++) {
        const gen_case_t *c = &g->cases[i];
        if (!c->done)
            continue;
        char buf[96];
        num++;
        g->scen_count[c->scen]++;
        out_s(w, scen_names[c->scen]);
        OUT_LIT(w, ",C");
        out_mem(w, buf, fg__gen_fmt_pad(buf, num, 6));
        out_c(w, ',');
        fg__gen_out_csv(w, scen_family[c->scen], strlen(scen_family[c->scen]));
        out_c(w, ',');
        int kb = c->kb;
        if (kb == KB_NONE && c->cat != GEN_NONE && c->scen >= SC_rule_gender_drug &&
            c->scen <= SC_rule_indication)
            kb = g->cat.items[c->cat].kb_src;
        out_s(w, fg__gen_kb_name(kb));
        out_c(w, ',');
        /* persons */
        if (c->group != GEN_NONE) {
            const gen_group_t *gr = &g->groups[c->group];
            for (uint32_t m = 0; m < gr->n; m++) {
                if (m > 0)
                    out_c(w, ';');
                psn_of(g, g->group_members[gr->first + m], buf);
                out_s(w, buf);
            }
        } else {
            int first = 1;
            uint32_t ps[2] = {c->person, c->person2};
            for (int k = 0; k < 2; k++) {
                if (ps[k] == GEN_NONE)
                    continue;
                if (!first)
                    out_c(w, ';');
                psn_of(g, ps[k], buf);
                out_s(w, buf);
                first = 0;
            }
        }
        out_c(w, ',');
        /* institutions */
        if (c->group != GEN_NONE) {
            const gen_group_t *gr = &g->groups[c->group];
            uint32_t seen[16];
            uint32_t nseen = 0;
            for (uint32_t o = 0; o < gr->nocc; o++) {
                uint32_t in = gr->occ_inst[o];
                int dup = in == GEN_NONE;
                for (uint32_t k = 0; k < nseen; k++)
                    dup |= seen[k] == in;
                if (dup)
                    continue;
                if (nseen > 0)
                    out_c(w, ';');
                seen[nseen++] = in;
                out_s(w, g->reg.inst[in].code);
            }
        } else {
            if (c->inst != GEN_NONE)
                out_s(w, g->reg.inst[c->inst].code);
            if (c->inst2 != GEN_NONE && c->inst2 != c->inst) {
                out_c(w, ';');
                out_s(w, g->reg.inst[c->inst2].code);
            }
        }
        out_c(w, ',');
        if (c->staff != GEN_NONE)
            out_s(w, g->reg.staff[c->staff].code);
        out_c(w, ',');
        truth_list_setl(g, w, c->setl, 2, fg__gen_id_setl);
        out_c(w, ',');
        truth_list_setl(g, w, c->mdtrt, 2, fg__gen_id_mdtrt);
        out_c(w, ',');
        for (uint32_t k = 0; k < c->nlines; k++) {
            if (k > 0)
                out_c(w, ';');
            out_mem(w, buf, fg__gen_id_feedetl(g, g->case_lines[c->line_off + k], buf));
        }
        out_c(w, ',');
        if (c->serial != 0 && c->cat != GEN_NONE)
            out_mem(w, buf, fg__gen_trace_code(&g->cat.items[c->cat], c->serial, buf));
        out_c(w, ',');
        if (c->cat != GEN_NONE)
            out_s(w, g->cat.items[c->cat].code);
        out_c(w, ',');
        fg__gen_out_i64(w, c->amount);
        out_c(w, ',');
        if (c->time != FG_TIME_NONE)
            fg__gen_out_time(w, c->time);
        out_c(w, ',');
        /* A sentence for people: what happened, and to which item. */
        char detail[512];
        size_t dn = (size_t)snprintf(detail, sizeof(detail), "%s", scen_desc[c->scen]);
        if (c->cat != GEN_NONE && dn < sizeof(detail))
            dn += (size_t)snprintf(detail + dn, sizeof(detail) - dn, ": %s",
                                   cat_name(&g->cat, &g->cat.items[c->cat]));
        if (c->scen == SC_peer_outlier && c->month >= 0 && dn < sizeof(detail))
            dn += (size_t)snprintf(detail + dn, sizeof(detail) - dn, " (month %02d)", c->month + 1);
        if (c->nsetl > 0 && dn < sizeof(detail))
            dn += (size_t)snprintf(detail + dn, sizeof(detail) - dn, " (%u settlements)", c->nsetl);
        if (dn >= sizeof(detail))
            dn = sizeof(detail) - 1;
        fg__gen_out_csv(w, detail, dn);
        out_c(w, '\n');
        w->rows++;
    }
    g->st.truth_cases = num;
}

static void peer_cases(gen_ctx_t *g)
{
    for (uint32_t i = 0; i < g->reg.ninst; i++) {
        gen_inst_t *in = &g->reg.inst[i];
        if (!in->outlier)
            continue;
        for (int m = 0; m < 12; m++) {
            if (in->excess[m] <= 0)
                continue;
            uint32_t cid = fg__gen_case_new(g, SC_peer_outlier);
            if (cid == GEN_NONE)
                return;
            gen_case_t *c = &g->cases[cid];
            c->inst = i;
            c->amount = in->excess[m];
            c->month = m;
            fg_date_t d;
            fg_date_from_ymd(g->year, m + 1, 1, &d);
            c->time = fg_date_start(d);
            c->done = 1;
        }
    }
}

/* ---------------------------------------------------------------- manifest */

static void jkey(gen_out_t *w, const char *k)
{
    out_c(w, '"');
    out_s(w, k);
    OUT_LIT(w, "\": ");
}

static int write_manifest(gen_ctx_t *g, char sha[GF__COUNT][65], uint64_t *bytes, uint64_t *rows)
{
    gen_out_t w;
    int rc = fg__gen_out_open(&w, g->opt.out_dir, "manifest.json", 0);
    if (rc != 0)
        return rc;
    char buf[64];
    OUT_LIT(&w, "{\n  ");
    jkey(&w, "generator");
    OUT_LIT(&w, "\"fundguard gen\",\n  ");
    jkey(&w, "version");
    fg__gen_out_jstr(&w, FG_VERSION);
    OUT_LIT(&w, ",\n  ");
    jkey(&w, "seed");
    fg__gen_out_u64(&w, g->seed);
    OUT_LIT(&w, ",\n  ");
    jkey(&w, "scale");
    fg__gen_out_jstr(&w, fg_gen_scale_name(g->opt.scale));
    OUT_LIT(&w, ",\n  ");
    jkey(&w, "year");
    fg__gen_out_u64(&w, (uint64_t)g->year);
    OUT_LIT(&w, ",\n  ");
    jkey(&w, "fraud_rate");
    snprintf(buf, sizeof(buf), "%.6g", g->rate);
    out_s(&w, buf);
    OUT_LIT(&w, ",\n  ");
    jkey(&w, "min_cases");
    fg__gen_out_u64(&w, g->min_cases);
    OUT_LIT(&w, ",\n  ");
    jkey(&w, "encoding");
    fg__gen_out_jstr(&w, g->opt.encoding == FG_GEN_GBK ? "gbk" : "utf8");
    OUT_LIT(&w, ",\n  ");
    jkey(&w, "region");
    OUT_LIT(&w, "{\"province\": \"");
    fg__gen_out_u64(&w, (uint64_t)g->reg.province);
    OUT_LIT(&w, "\", \"province_name\": ");
    fg__gen_out_jstr(&w, g->reg.province_name);
    OUT_LIT(&w, ", \"counties\": [");
    for (uint32_t i = 0; i < g->reg.ncounties; i++) {
        if (i > 0)
            OUT_LIT(&w, ", ");
        OUT_LIT(&w, "{\"code\": \"");
        out_s(&w, g->reg.counties[i].code);
        OUT_LIT(&w, "\", \"name\": ");
        fg__gen_out_jstr(&w, g->reg.counties[i].name);
        out_c(&w, '}');
    }
    OUT_LIT(&w, "]},\n  ");
    jkey(&w, "counts");
    struct {
        const char *k;
        uint64_t v;
    } counts[] = {
        {"institutions", g->st.institutions},
        {"staff", g->st.staff},
        {"persons", g->st.persons},
        {"catalogue", g->st.catalogue},
        {"visits", g->st.visits},
        {"settlements", g->st.settlements},
        {"fee_lines", g->st.fee_lines},
        {"diagnoses", g->st.diagnoses},
        {"operations", g->st.operations},
        {"inv_events", g->st.inv_events},
        {"ledger_events", g->st.ledger_events},
        {"invoices", g->st.invoices},
        {"deaths", g->st.deaths},
        {"injuries", g->st.injuries},
        {"suspensions", g->st.suspensions},
        {"truth_cases", g->st.truth_cases},
    };
    out_c(&w, '{');
    for (size_t i = 0; i < FG_ARRAY_LEN(counts); i++) {
        if (i > 0)
            OUT_LIT(&w, ", ");
        fg__gen_out_jstr(&w, counts[i].k);
        OUT_LIT(&w, ": ");
        fg__gen_out_u64(&w, counts[i].v);
    }
    OUT_LIT(&w, "},\n  ");
    jkey(&w, "scenarios");
    out_c(&w, '{');
    for (int s = 0; s < SC__COUNT; s++) {
        if (s > 0)
            OUT_LIT(&w, ", ");
        fg__gen_out_jstr(&w, scen_names[s]);
        OUT_LIT(&w, ": ");
        fg__gen_out_u64(&w, g->scen_count[s]);
    }
    OUT_LIT(&w, "},\n  ");
    jkey(&w, "files");
    OUT_LIT(&w, "[\n");
    for (int f = 0; f < GF__COUNT; f++) {
        OUT_LIT(&w, "    {\"name\": ");
        fg__gen_out_jstr(&w, file_names[f]);
        OUT_LIT(&w, ", \"bytes\": ");
        fg__gen_out_u64(&w, bytes[f]);
        OUT_LIT(&w, ", \"rows\": ");
        fg__gen_out_u64(&w, rows[f]);
        OUT_LIT(&w, ", \"sha256\": \"");
        out_s(&w, sha[f]);
        OUT_LIT(&w, "\"}");
        out_s(&w, f + 1 < GF__COUNT ? ",\n" : "\n");
    }
    OUT_LIT(&w, "  ]\n}\n");
    return fg__gen_out_close(&w, NULL);
}

/* ---------------------------------------------------------------- the run */

static void ctx_free(gen_ctx_t *g)
{
    for (int i = 0; i < GF__TABLES; i++)
        fg__gen_out_abort(&g->tab[i].out);
    for (int i = 0; i < GF__COUNT - GF__TABLES; i++)
        fg__gen_out_abort(&g->json[i]);
    fg__gen_stock_close(&g->stock);
    fg__gen_care_free(g);
    fg__gen_catalogue_free(&g->cat);
    fg__gen_region_free(&g->reg);
    fg_free(g->plan);
    fg_free(g->cases);
    fg_free(g->case_lines);
    fg_free(g->groups);
    fg_free(g->group_members);
    fg_free(g->used);
}

/* Every scenario must have its guaranteed cases: with too few persons (--persons far below the
 * scale's) the planner runs out of suitable ones. Fail before writing anything rather than write
 * a region short of cases. Peer outliers are counted as the care is generated, not planned. */
static int check_plan(const gen_ctx_t *g, fg_error_t *err)
{
    uint32_t planned[SC__COUNT] = {0};
    for (uint64_t i = 0; i < g->ncases; i++)
        planned[g->cases[i].scen]++;
    for (int s = 0; s < SC__COUNT; s++)
        if (s != SC_peer_outlier && planned[s] < g->min_cases)
            return fg_error_set(err, FG_EINVAL, "persons", 0,
                                "%u persons hold only %u of the %u cases of %s; use more persons",
                                g->npersons, planned[s], g->min_cases, scen_names[s]);
    return 0;
}

int fg_gen_run(const fg_gen_options_t *opt, fg_gen_stats_t *stats, fg_error_t *err)
{
    if (opt == NULL || opt->out_dir == NULL || opt->out_dir[0] == '\0')
        return fg_error_set(err, FG_EINVAL, "out", 0, "no output folder");
    if ((int)opt->scale < 0 || opt->scale >= FG_GEN_SCALE__COUNT)
        return fg_error_set(err, FG_EINVAL, "scale", 0, "unknown scale");
    if (opt->year < 2000 || opt->year > 2099)
        return fg_error_set(err, FG_EINVAL, "year", 0, "the year must be 2000…2099");
    if (!(opt->fraud_rate >= 0.0) || opt->fraud_rate > 0.05)
        return fg_error_set(err, FG_EINVAL, "fraud_rate", 0, "the fraud rate must be 0…0.05");
    if (opt->encoding != FG_GEN_UTF8 && opt->encoding != FG_GEN_GBK)
        return fg_error_set(err, FG_EINVAL, "encoding", 0, "unknown encoding");

    gen_ctx_t *g = fg_calloc(1, sizeof(*g));
    if (g == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    /* Outputs not opened yet: nothing for ctx_free to close on an early error. */
    for (int i = 0; i < GF__COUNT; i++) {
        gen_out_t *w = i < GF__TABLES ? &g->tab[i].out : &g->json[i - GF__TABLES];
        w->fd = -1;
        w->cd = (iconv_t)-1;
    }
    int rc = 0;
    g->opt = *opt;
    g->seed = opt->seed;
    g->year = opt->year;
    fg_date_from_ymd(g->year, 1, 1, &g->y0);
    fg_date_t y1;
    fg_date_from_ymd(g->year + 1, 1, 1, &y1);
    g->ndays = y1 - g->y0;
    g->t0 = fg_date_start(g->y0);
    static const uint32_t persons[FG_GEN_SCALE__COUNT] = {2000, 50000, 500000, 5000000};
    g->npersons = opt->persons ? (uint32_t)opt->persons : persons[opt->scale];
    g->min_cases = opt->min_cases ? opt->min_cases : (opt->scale == FG_GEN_TINY ? 4 : 50);
    g->rate = opt->fraud_rate;
    g->next_feedetl = 0;

    rc = mkdirs(opt->out_dir);
    if (rc != 0) {
        fg_error_set(err, rc, "out", 0, "cannot create the folder %s", opt->out_dir);
        goto out;
    }
    fg_kb_t *own_kb = NULL;
    if (opt->kb == NULL)
        rc = fg__gen_kb_load(kb_dir_default(opt), &own_kb, err);
    if (rc == 0)
        rc = fg__gen_catalogue_load(&g->cat, opt->kb != NULL ? opt->kb : own_kb, err);
    fg_kb_free(own_kb);
    if (rc == 0)
        rc = fg__gen_region_build(g, err);
    if (rc == 0)
        rc = fg__gen_plan_build(g, err);
    if (rc == 0)
        rc = check_plan(g, err);
    if (rc == 0)
        rc = fg__gen_care_init(g, err);
    if (rc == 0)
        rc = fg__gen_stock_open(g, err);
    if (rc != 0)
        goto out;

    int gbk = opt->encoding == FG_GEN_GBK;
    for (int i = 0; i < GF__TABLES && rc == 0; i++) {
        const char *const *extra = i == GF_CATALOGUE      ? extra_catalogue
                                   : i == GF_INSTITUTIONS ? extra_institutions
                                                          : NULL;
        rc = fg__gen_table_open(&g->tab[i], opt->out_dir, file_table[i], extra, gbk);
        if (rc != 0)
            fg_error_set(err, rc, file_names[i], 0, "cannot create %s/%s", opt->out_dir,
                         file_names[i]);
    }
    for (int i = GF__TABLES; i < GF__COUNT && rc == 0; i++) {
        rc = fg__gen_out_open(&g->json[i - GF__TABLES], opt->out_dir, file_names[i],
                              i == GF_TRUTH ? gbk : 0);
        if (rc != 0)
            fg_error_set(err, rc, file_names[i], 0, "cannot create %s/%s", opt->out_dir,
                         file_names[i]);
    }
    if (rc != 0)
        goto out;

    write_institutions(g);
    write_staff(g);
    write_catalogue(g);
    write_suspensions(g);

    g->work_total = (uint64_t)g->npersons + (uint64_t)g->stock.nbuckets;
    for (uint32_t p = 0; p < g->npersons; p++) {
        rc = fg__gen_person_year(g, p);
        if (rc != 0) {
            fg_error_set(err, rc, NULL, 0, "generating person %u failed", p);
            goto out;
        }
        if (opt->progress != NULL && (p & 1023) == 1023) {
            g->work_done = p + 1;
            opt->progress(opt->progress_ctx, g->work_done, g->work_total);
        }
        if (g->stock.err != 0) {
            rc = g->stock.err;
            fg_error_set(err, rc, "out", 0, "writing the scratch buckets failed");
            goto out;
        }
    }
    g->work_done = g->npersons;
    peer_cases(g);
    rc = fg__gen_stock_finish(g, err);
    if (rc != 0)
        goto out;
    write_truth(g);

    char sha[GF__COUNT][65];
    uint64_t bytes[GF__COUNT];
    uint64_t rows[GF__COUNT];
    for (int i = 0; i < GF__COUNT && rc == 0; i++) {
        gen_out_t *w = i < GF__TABLES ? &g->tab[i].out : &g->json[i - GF__TABLES];
        rows[i] = w->rows;
        rc = fg__gen_out_close(w, sha[i]);
        bytes[i] = w->bytes;
        if (rc != 0)
            fg_error_set(err, rc, file_names[i], 0, "writing %s failed", file_names[i]);
        g->st.bytes += bytes[i];
    }
    if (rc == 0) {
        rc = write_manifest(g, sha, bytes, rows);
        if (rc != 0)
            fg_error_set(err, rc, "manifest.json", 0, "writing manifest.json failed");
    }
out:
    if (stats != NULL)
        *stats = g->st;
    ctx_free(g);
    fg_free(g);
    return rc;
}
