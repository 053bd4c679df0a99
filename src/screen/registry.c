/*
 * registry.c — every screening model, in report order: one line each. A model is a const
 * fg__screen_model_t in its own file (m_<name>.c); add it here and in docs/screen.md.
 */
#include "core/compat.h"

#include "screen/screen_int.h"

extern const fg__screen_model_t fg__screen_model_trace_duplicate;
extern const fg__screen_model_t fg__screen_model_trace_reflow;
extern const fg__screen_model_t fg__screen_model_sale_unpurchased;
extern const fg__screen_model_t fg__screen_model_stock_mismatch;
extern const fg__screen_model_t fg__screen_model_after_death;
extern const fg__screen_model_t fg__screen_model_care_during_stay;
extern const fg__screen_model_t fg__screen_model_readmission;
extern const fg__screen_model_t fg__screen_model_frequent_visits;
extern const fg__screen_model_t fg__screen_model_quantity_excess;
extern const fg__screen_model_t fg__screen_model_injury_third_party;
extern const fg__screen_model_t fg__screen_model_invoice_duplicate;
extern const fg__screen_model_t fg__screen_model_peer_outlier;
extern const fg__screen_model_t fg__screen_model_covisit_group;
extern const fg__screen_model_t fg__screen_model_staff_overload;
extern const fg__screen_model_t fg__screen_model_staff_suspended;
extern const fg__screen_model_t fg__screen_model_institution_suspended;
extern const fg__screen_model_t fg__screen_model_rule;

/* one model a line, in the order of the report */
/* clang-format off */
const fg__screen_model_t *const fg__screen_models[] = {
    &fg__screen_model_trace_duplicate,
    &fg__screen_model_trace_reflow,
    &fg__screen_model_sale_unpurchased,
    &fg__screen_model_stock_mismatch,
    &fg__screen_model_after_death,
    &fg__screen_model_care_during_stay,
    &fg__screen_model_readmission,
    &fg__screen_model_frequent_visits,
    &fg__screen_model_quantity_excess,
    &fg__screen_model_injury_third_party,
    &fg__screen_model_invoice_duplicate,
    &fg__screen_model_peer_outlier,
    &fg__screen_model_covisit_group,
    &fg__screen_model_staff_overload,
    &fg__screen_model_staff_suspended,
    &fg__screen_model_institution_suspended,
    &fg__screen_model_rule,
};
/* clang-format on */

const size_t fg__screen_nmodels = sizeof(fg__screen_models) / sizeof(fg__screen_models[0]);
