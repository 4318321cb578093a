/*
 * optimizer.c: SGD with momentum/Nesterov and Adam, following PyTorch's
 * documented update rules. See include/learnfilter/optimizer.h.
 */
#include "learnfilter/optimizer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *lf_optimizer_name(lf_optimizer_kind kind)
{
    return kind == LF_OPTIMIZER_ADAM ? "adam" : "sgd";
}

int lf_optimizer_parse(const char *name)
{
    if (!strcasecmp(name, "sgd"))
        return LF_OPTIMIZER_SGD;
    if (!strcasecmp(name, "adam"))
        return LF_OPTIMIZER_ADAM;
    return -1;
}

int lf_optimizer_state_init(lf_optimizer_state *state, int count)
{
    memset(state, 0, sizeof *state);
    /* One allocation for both moments, so zeroing is one memset. */
    float *memory = calloc((size_t)count * 2, sizeof(float));
    if (!memory)
        return -1;
    state->count = count;
    state->first = memory;
    state->second = memory + count;
    return 0;
}

void lf_optimizer_state_deinit(lf_optimizer_state *state)
{
    if (!state)
        return;
    free(state->first);
    memset(state, 0, sizeof *state);
}

void lf_optimizer_state_zero(lf_optimizer_state *state)
{
    memset(state->first, 0, sizeof(float) * (size_t)state->count * 2);
    state->step = 0;
}

static void sgd_step(float *p, const float *g, float *velocity, int n, float lr, float momentum,
                     bool nesterov)
{
    for (int i = 0; i < n; i++) {
        float v = momentum * velocity[i] + g[i];
        velocity[i] = v;
        float update = nesterov ? g[i] + momentum * v : v;
        p[i] -= lr * update;
    }
}

static void adam_step(float *p, const float *g, float *m, float *v, int n, long t, float lr,
                      float beta1, float beta2, float eps)
{
    double correction1 = 1.0 - pow(beta1, (double)t);
    double correction2 = 1.0 - pow(beta2, (double)t);
    for (int i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        double m_hat = m[i] / correction1;
        double v_hat = v[i] / correction2;
        p[i] -= (float)(lr * m_hat / (sqrt(v_hat) + eps));
    }
}

void lf_optimizer_step(float *params, const float *grads, lf_optimizer_state *state,
                       const lf_train_settings *s)
{
    state->step++;
    if (s->optimizer == LF_OPTIMIZER_ADAM)
        adam_step(params, grads, state->first, state->second, state->count, state->step,
                  s->learning_rate, s->beta1, s->beta2, s->epsilon);
    else
        sgd_step(params, grads, state->first, state->count, s->learning_rate, s->momentum,
                 s->nesterov);
}
