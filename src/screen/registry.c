/*
 * registry.c — every screening model, in report order: one line each. A model is a const
 * fg__screen_model_t in its own file (m_<name>.c); add it here and in docs/screen.md.
 */
#include "core/compat.h"

#include "screen/screen_int.h"

extern const fg__screen_model_t fg__screen_model_after_death;

const fg__screen_model_t *const fg__screen_models[] = {
    &fg__screen_model_after_death,
};

const size_t fg__screen_nmodels = sizeof(fg__screen_models) / sizeof(fg__screen_models[0]);
