/* fuzz_router.c — the route table's matcher: the first byte picks a method, the rest is a path.
 * A route found has a pattern that gives the path back with its parameters put in (each one
 * non-empty segment), the method asked unless it matched the path only, and the /metrics name of
 * the path; every path has a /metrics name.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "serve/serve_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    const char *method = methods[size > 0 ? data[0] % 4 : 0];
    char *path = calloc(1, size + 1), *buf = calloc(1, size + 1), *back = calloc(1, 2 * size + 64);
    if (size > 1)
        memcpy(path, data + 1, size - 1);
    const char *params[2] = {NULL, NULL};
    int path_only, n, k = 0;
    size_t at = 0;
    const fg__route_t *r = fg__route_match(method, path, buf, params, &path_only);
    const char *const *names = fg__route_names(&n);
    int idx = fg__route_index(path);
    if (idx < 0 || idx >= n || (r != NULL && strcmp(names[idx], r->name) != 0))
        abort();
    if (r != NULL && !path_only && strcmp(r->method, method) != 0)
        abort();
    for (const char *p = r != NULL ? r->pattern : ""; *p != '\0'; p++) {
        if (*p != '{') {
            back[at++] = *p;
            continue;
        }
        if (params[k] == NULL || params[k][0] == '\0' || strchr(params[k], '/') != NULL)
            abort();
        memcpy(back + at, params[k], strlen(params[k]));
        at += strlen(params[k++]);
        p = strchr(p, '}');
    }
    if (r != NULL && strcmp(back, path) != 0)
        abort();
    free(path), free(buf), free(back);
    return 0;
}
