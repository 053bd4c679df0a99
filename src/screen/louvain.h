/*
 * louvain.h — communities of a weighted undirected graph (Louvain method), for covisit_group.
 * Internal to src/screen (louvain.c).
 */
#ifndef FG_SCREEN_LOUVAIN_H
#define FG_SCREEN_LOUVAIN_H

#include <stddef.h>
#include <stdint.h>

typedef struct fg__louvain_edge {
    uint32_t a, b; /* nodes 0 … n − 1 */
    double w;      /* weight > 0 */
} fg__louvain_edge_t;

/* The community (0 … ) of each of n nodes into comm[n], from undirected edges given once each
 * (self-loops and weights ≤ 0 ignored), maximising modularity at resolution res (1: Newman's
 * modularity; above 1 favours smaller communities, Reichardt–Bornholdt). 0 or FG_ENOMEM. */
int fg__louvain(uint32_t n, const fg__louvain_edge_t *edges, size_t nedges, double res,
                uint32_t *comm);

#endif
