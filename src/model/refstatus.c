/*
 * refstatus.c — the one vocabulary of reference statuses (model.h fg_ref_status_t): the status
 * words of the store and the API, and the action words of a suspension that give them.
 */
#include "core/compat.h"

#include <string.h>

#include "fundguard/model.h"

static const char *const names[FG_REF__STATUSES] = {
    [FG_REF_STATUS_NONE] = "",        [FG_REF_ACTIVE] = "active",
    [FG_REF_SUSPENDED] = "suspended", [FG_REF_TERMINATED] = "terminated",
    [FG_REF_ALIVE] = "alive",         [FG_REF_DECEASED] = "deceased",
    [FG_REF_LISTED] = "listed",       [FG_REF_DELISTED] = "delisted"};

const char *fg_ref_status_name(fg_ref_status_t s)
{
    return s > FG_REF_STATUS_NONE && s < FG_REF__STATUSES ? names[s] : "";
}

fg_ref_status_t fg_ref_status_parse(const char *word)
{
    if (word == NULL || word[0] == '\0')
        return FG_REF_STATUS_NONE;
    for (int s = FG_REF_STATUS_NONE + 1; s < FG_REF__STATUSES; s++)
        if (strcmp(word, names[s]) == 0)
            return (fg_ref_status_t)s;
    if (strcmp(word, "suspend") == 0)
        return FG_REF_SUSPENDED;
    if (strcmp(word, "terminate") == 0)
        return FG_REF_TERMINATED;
    return FG_REF_STATUS_NONE;
}

const char *fg_ref_status_action(fg_ref_status_t s)
{
    return s == FG_REF_SUSPENDED ? "suspend" : s == FG_REF_TERMINATED ? "terminate" : "";
}

int fg_ref_status_suspends(fg_ref_status_t s)
{
    return s == FG_REF_SUSPENDED || s == FG_REF_TERMINATED;
}
