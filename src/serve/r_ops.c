/*
 * r_ops.c — the operator's endpoints, open to every caller: GET /healthz and GET /metrics
 * (Prometheus text: requests by route and status, durations, the service's counters and gauges).
 */
#include "core/compat.h"

#include <string.h>

#include "serve/serve_int.h"

int fg__r_healthz(fg__req_t *c, fg_buf_t *out)
{
    char version[FG_SERVICE_VERSION_MAX];
    fg_service_kb_version(c->s->svc, version);
    fg_buf_printf(out, "{\"status\":\"ok\",\"store\":\"%s\",\"kb_version\":",
                  fg_service_store_backend(c->s->svc));
    fg_buf_append_json_str(out, version, strlen(version));
    fg_buf_appendc(out, '}');
    return 200;
}

/* Requests by route and status, and the duration histogram. */
static void http_metrics(const fg__metrics_t *m, fg_buf_t *out)
{
    int nnames;
    const char *const *names = fg__route_names(&nnames);
    fg_buf_appends(out, "# HELP fundguard_http_requests_total HTTP requests answered, by route and "
                        "status\n# TYPE fundguard_http_requests_total counter\n");
    for (int r = 0; r < nnames; r++)
        for (int k = 0; k < FG__STATUSES; k++) {
            unsigned long n = atomic_load(&m->requests[r][k]);
            if (n == 0)
                continue;
            if (fg__status_counted(k) != 0)
                fg_buf_printf(out,
                              "fundguard_http_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
                              names[r], fg__status_counted(k), n);
            else
                fg_buf_printf(out,
                              "fundguard_http_requests_total{route=\"%s\",status=\"other\"} %lu\n",
                              names[r], n);
        }
    fg_buf_appends(out, "# HELP fundguard_http_request_duration_seconds time to answer a request\n"
                        "# TYPE fundguard_http_request_duration_seconds histogram\n");
    for (int b = 0; b < FG__BUCKETS; b++) {
        if (b == FG__BUCKETS - 1)
            fg_buf_appends(out, "fundguard_http_request_duration_seconds_bucket{le=\"+Inf\"}");
        else
            fg_buf_printf(out, "fundguard_http_request_duration_seconds_bucket{le=\"%g\"}",
                          fg__bucket_ms[b] / 1000.0);
        fg_buf_printf(out, " %lu\n", atomic_load(&m->le[b]));
    }
    fg_buf_printf(out,
                  "fundguard_http_request_duration_seconds_sum %.6f\n"
                  "fundguard_http_request_duration_seconds_count %lu\n",
                  (double)atomic_load(&m->micros) / 1e6, atomic_load(&m->count));
}

int fg__r_metrics(fg__req_t *c, fg_buf_t *out)
{
    fg_server_t *s = c->s;
    c->rs->content_type = "text/plain; version=0.0.4";
    http_metrics(&s->m, out);
    fg_service_stats_t st;
    fg_service_stats(s->svc, &st);
    fg_buf_printf(out,
                  "# TYPE fundguard_http_inflight gauge\nfundguard_http_inflight %ld\n"
                  "# TYPE fundguard_checks_total counter\nfundguard_checks_total %lu\n"
                  "# TYPE fundguard_settlements_total counter\nfundguard_settlements_total %lu\n"
                  "# TYPE fundguard_ledger_events_total counter\n"
                  "fundguard_ledger_events_total %lu\n"
                  "# TYPE fundguard_alerts_total counter\nfundguard_alerts_total %lu\n"
                  "# TYPE fundguard_kb_reloads_total counter\nfundguard_kb_reloads_total %lu\n",
                  atomic_load(&s->m.inflight), st.checks, st.settlements, st.ledger_events,
                  st.alerts, st.reloads);
    fg_buf_printf(out,
                  "# HELP fundguard_auth_password_checks_total argon2id verifications of officer "
                  "passwords (unknown names included)\n"
                  "# TYPE fundguard_auth_password_checks_total counter\n"
                  "fundguard_auth_password_checks_total %llu\n",
                  (unsigned long long)st.password_checks);
    fg_buf_printf(out,
                  "# TYPE fundguard_ledger_codes gauge\nfundguard_ledger_codes %llu\n"
                  "# TYPE fundguard_store_alerts gauge\nfundguard_store_alerts %lld\n"
                  "# TYPE fundguard_store_findings gauge\nfundguard_store_findings %lld\n"
                  "# TYPE fundguard_kb_info gauge\nfundguard_kb_info{version=",
                  (unsigned long long)st.ledger_codes, (long long)st.store_alerts,
                  (long long)st.store_findings);
    /* A label value is a quoted string with \" \\ \n escapes, as in JSON: the same writer. */
    char version[FG_SERVICE_VERSION_MAX];
    fg_service_kb_version(s->svc, version);
    fg_buf_append_json_str(out, version, strlen(version));
    fg_buf_appends(out, "} 1\n");
    return 200;
}
