/*
 * optimizer.h: SGD (with momentum and Nesterov) and Adam.
 *
 * The update rules are the ones PyTorch documents for torch.optim.SGD
 * (dampening 0, no weight decay) and torch.optim.Adam (no weight decay, no
 * amsgrad), so a run can be compared with a PyTorch run step by step:
 *
 *   SGD:  v = momentum * v + g
 *         p -= lr * (nesterov ? g + momentum * v : v)
 *   Adam: m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  t += 1
 *         p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 */
#ifndef LEARNFILTER_OPTIMIZER_H
#define LEARNFILTER_OPTIMIZER_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lf_optimizer_kind {
    LF_OPTIMIZER_SGD = 0,
    LF_OPTIMIZER_ADAM
} lf_optimizer_kind;

/* Everything that says how a kernel is trained. lf_settings_for_kernel gives
 * the defaults; front ends override single fields from the user's options. */
typedef struct lf_train_settings {
    lf_optimizer_kind optimizer;
    float learning_rate;
    float momentum;    /* SGD only */
    bool nesterov;     /* SGD only */
    float beta1;       /* Adam only; 0.9 */
    float beta2;       /* Adam only; 0.999 */
    float epsilon;     /* Adam only; 1e-8 */
    int batch_size;    /* patches per step */
} lf_train_settings;

/* "sgd" / "adam" and back; lf_optimizer_parse takes them in any case and
 * returns -1 for anything else. */
const char *lf_optimizer_name(lf_optimizer_kind kind);
int lf_optimizer_parse(const char *name);

/* Optimizer memory for n parameters, in one allocation. */
typedef struct lf_optimizer_state {
    int count;       /* parameters */
    long step;       /* updates taken, Adam's t */
    float *first;    /* SGD velocity, or Adam's m */
    float *second;   /* Adam's v */
} lf_optimizer_state;

/* Allocates zeroed state; returns 0 on success, -1 when out of memory. */
int lf_optimizer_state_init(lf_optimizer_state *state, int count);
void lf_optimizer_state_deinit(lf_optimizer_state *state);
/* Forgets the moments and the step count, as a fresh optimizer. */
void lf_optimizer_state_zero(lf_optimizer_state *state);

/* One update of params from grads with the settings' optimizer. */
void lf_optimizer_step(float *params, const float *grads, lf_optimizer_state *state,
                       const lf_train_settings *settings);

#ifdef __cplusplus
}
#endif
#endif
