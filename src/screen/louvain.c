/*
 * louvain.c — communities of a weighted undirected graph by the Louvain method (Blondel et al.
 * 2008): move each node to the neighbouring community of the largest modularity gain until none
 * moves, fold the communities into nodes, repeat until a level moves nothing. Deterministic: nodes
 * are visited in index order and ties keep the node where it is. Used by covisit_group.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/error.h"
#include "screen/louvain.h"

typedef struct csr {
    uint32_t n;
    uint32_t *off; /* n + 1 */
    uint32_t *adj;
    double *w;
} csr_t;

static void csr_free(csr_t *g)
{
    fg_free(g->off);
    fg_free(g->adj);
    fg_free(g->w);
    memset(g, 0, sizeof(*g));
}

static int cmp_edge(const void *a, const void *b)
{
    const fg__louvain_edge_t *x = a;
    const fg__louvain_edge_t *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

/* A CSR of n nodes from directed entries e[0..ne) (sorted here, equal pairs merged). */
static int csr_build(csr_t *g, uint32_t n, fg__louvain_edge_t *e, size_t ne)
{
    qsort(e, ne, sizeof(*e), cmp_edge);
    size_t m = 0;
    for (size_t i = 0; i < ne; i++) {
        if (m > 0 && e[m - 1].a == e[i].a && e[m - 1].b == e[i].b)
            e[m - 1].w += e[i].w;
        else
            e[m++] = e[i];
    }
    g->n = n;
    g->off = fg_calloc((size_t)n + 1, sizeof(*g->off));
    g->adj = fg_calloc(m + 1, sizeof(*g->adj));
    g->w = fg_calloc(m + 1, sizeof(*g->w));
    if (g->off == NULL || g->adj == NULL || g->w == NULL) {
        csr_free(g);
        return FG_ENOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        g->off[e[i].a + 1]++;
        g->adj[i] = e[i].b;
        g->w[i] = e[i].w;
    }
    for (uint32_t i = 0; i < n; i++)
        g->off[i + 1] += g->off[i];
    return 0;
}

/* One level: local moves; comm[i] gets the community of node i (0 … *ncomm − 1). Returns the
 * number of moves, or -1 when out of memory. */
static long level(const csr_t *g, double res, uint32_t *comm, uint32_t *ncomm)
{
    uint32_t n = g->n;
    double *k = fg_calloc(n + 1, sizeof(*k));
    double *tot = fg_calloc(n + 1, sizeof(*tot));
    double *wto = fg_calloc(n + 1, sizeof(*wto));
    uint32_t *seen = fg_calloc(n + 1, sizeof(*seen));
    long moves = -1;
    if (k == NULL || tot == NULL || wto == NULL || seen == NULL)
        goto out;
    double m2 = 0;
    for (uint32_t i = 0; i < n; i++) {
        comm[i] = i;
        for (uint32_t e = g->off[i]; e < g->off[i + 1]; e++)
            k[i] += g->w[e];
        tot[i] = k[i];
        m2 += k[i];
    }
    moves = 0;
    if (m2 <= 0)
        goto renumber;
    for (int pass = 0; pass < 64; pass++) {
        long moved = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t ci = comm[i], nseen = 0;
            for (uint32_t e = g->off[i]; e < g->off[i + 1]; e++) {
                uint32_t j = g->adj[e];
                if (j == i)
                    continue;
                uint32_t c = comm[j];
                if (wto[c] == 0)
                    seen[nseen++] = c;
                wto[c] += g->w[e];
            }
            tot[ci] -= k[i];
            uint32_t best = ci;
            double gain = wto[ci] - res * tot[ci] * k[i] / m2;
            for (uint32_t s = 0; s < nseen; s++) {
                uint32_t c = seen[s];
                double gc = wto[c] - res * tot[c] * k[i] / m2;
                if (gc > gain + 1e-12) { /* strictly better: a tie keeps the node where it is */
                    gain = gc;
                    best = c;
                }
            }
            for (uint32_t s = 0; s < nseen; s++)
                wto[seen[s]] = 0;
            wto[ci] = 0;
            tot[best] += k[i];
            if (best != ci) {
                comm[i] = best;
                moved++;
            }
        }
        moves += moved;
        if (moved == 0)
            break;
    }
renumber:
    for (uint32_t i = 0; i <= n; i++)
        seen[i] = UINT32_MAX;
    *ncomm = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (seen[comm[i]] == UINT32_MAX)
            seen[comm[i]] = (*ncomm)++;
        comm[i] = seen[comm[i]];
    }
out:
    fg_free(k);
    fg_free(tot);
    fg_free(wto);
    fg_free(seen);
    return moves;
}

/* The graph of communities: each community a node, weights summed (self-loops kept). */
static int fold(const csr_t *g, const uint32_t *comm, uint32_t ncomm, csr_t *out)
{
    size_t ne = g->off[g->n];
    fg__louvain_edge_t *e = fg_calloc(ne + 1, sizeof(*e));
    if (e == NULL)
        return FG_ENOMEM;
    for (uint32_t i = 0; i < g->n; i++)
        for (uint32_t x = g->off[i]; x < g->off[i + 1]; x++) {
            e[x].a = comm[i];
            e[x].b = comm[g->adj[x]];
            e[x].w = g->w[x];
        }
    int rc = csr_build(out, ncomm, e, ne);
    fg_free(e);
    return rc;
}

int fg__louvain(uint32_t n, const fg__louvain_edge_t *edges, size_t nedges, double res,
                uint32_t *comm)
{
    fg__louvain_edge_t *e = fg_calloc(2 * nedges + 1, sizeof(*e));
    uint32_t *lc = fg_calloc((size_t)n + 1, sizeof(*lc));
    csr_t g = {0};
    int rc = e == NULL || lc == NULL ? FG_ENOMEM : 0;
    size_t ne = 0;
    for (size_t i = 0; i < nedges && rc == 0; i++) {
        if (edges[i].a == edges[i].b || edges[i].w <= 0)
            continue;
        e[ne++] = edges[i];
        e[ne] = edges[i];
        e[ne].a = edges[i].b;
        e[ne++].b = edges[i].a;
    }
    if (rc == 0)
        rc = csr_build(&g, n, e, ne);
    fg_free(e);
    for (uint32_t i = 0; i < n && rc == 0; i++)
        comm[i] = i;
    while (rc == 0) {
        uint32_t nc = 0;
        long moved = level(&g, res, lc, &nc);
        if (moved < 0) {
            rc = FG_ENOMEM;
            break;
        }
        for (uint32_t i = 0; i < n; i++)
            comm[i] = lc[comm[i]];
        if (moved == 0 || nc == g.n)
            break;
        csr_t next = {0};
        rc = fold(&g, lc, nc, &next);
        csr_free(&g);
        g = next;
    }
    csr_free(&g);
    fg_free(lc);
    return rc;
}
