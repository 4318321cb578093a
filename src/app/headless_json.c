/*
 * headless_json.c: the JSON object that ends a headless run. See
 * headless_json.h; the fields are listed in the README.
 */
#include "headless_json.h"

#include "json_out.h"

#include <math.h>

#include "learnfilter/trainer.h"

/* "key": number (null for NaN and infinities), then a comma unless last. */
static void json_number(FILE *f, const char *key, double v, int last)
{
    fprintf(f, "\"%s\": ", key);
    json_out_number(f, v);
    fputs(last ? "" : ", ", f);
}

static void json_string(FILE *f, const char *key, const char *v)
{
    fprintf(f, "\"%s\": ", key);
    json_out_string(f, v);
    fputs(", ", f);
}

/* What the best linear filter says: the floor under the loss and, for a
 * kernel, how far from it noisy inputs put the answer. rel_err is measured
 * against the best filter when an operation is the target. */
static void json_best_fit(FILE *f, const app_setup *s)
{
    bool operation = lf_target_is_set(&s->target);
    if (operation)
        json_string(f, "target", s->target.name);
    else
        fputs("\"target\": null, ", f);
    json_string(f, "rel_err_to", operation ? "best linear filter" : "kernel");
    bool known = s->best.values > 0;
    json_number(f, "best_loss", known ? s->best.loss : NAN, 0);
    json_number(f, "best_bias", known ? s->best.bias : NAN, 0);
    json_number(f, "target_mean_square", known ? s->best.target_mean_square : NAN, 0);
    json_number(f, "best_rel_err_to_kernel", s->best_rel_err_to_kernel, 0);
}

/* The layer: filters, channels, stride, pooling, activation. */
static void json_layer(FILE *f, const lf_trainer *t)
{
    const lf_layer_options *l = &lf_trainer_get_options(t)->layer;
    fprintf(f, "\"filters\": %d, \"channels\": %d, \"stride\": %d, \"pool\": %d, ",
            l->filters, l->channels, l->stride, l->pool);
    json_string(f, "activation", lf_activation_name(l->activation));
}

/* Each filter's ||w_f - k_f|| / ||k_f||, as an array (one entry for one
 * filter), beside the overall rel_err. */
static void json_rel_err_per_filter(FILE *f, const lf_trainer *t)
{
    fputs("\"rel_err_per_filter\": [", f);
    for (int i = 0; i < lf_trainer_filters(t); i++) {
        double v = lf_trainer_filter_rel_err(t, i);
        if (isfinite(v))
            fprintf(f, "%s%.6g", i ? ", " : "", v);
        else
            fprintf(f, "%snull", i ? ", " : "");
    }
    fputs("], ", f);
}

void headless_print_json_fields(FILE *out, const headless_report *r)
{
    const app_setup *s = r->setup;
    const cli_options *o = r->options;
    lf_trainer *trainer = s->trainer;
    const lf_trainer_options *topt = lf_trainer_get_options(trainer);
    const lf_figures *fig = lf_trainer_figures(trainer);
    const double wall = r->wall_s, steps_per_s = r->steps_per_s;
    const double steady_steps_per_s = r->steady_steps_per_s;
    const bool diverged = r->diverged;
    json_string(out, "kernel", s->kernel.name);
    fprintf(out, "\"kernel_h\": %d, \"kernel_w\": %d, ", s->kernel.height, s->kernel.width);
    fprintf(out, "\"patches\": %d, \"train_patches\": %d, \"validation_patches\": %d, ",
            s->dataset.patch_count, s->dataset.train_count, s->dataset.validation_count);
    fprintf(out, "\"size\": %d, ", s->dataset.patch_size);
    json_string(out, "optimizer", lf_optimizer_name(topt->settings.optimizer));
    json_number(out, "lr", topt->settings.learning_rate, 0);
    if (topt->settings.optimizer == LF_OPTIMIZER_SGD)
        fprintf(out, "\"momentum\": %.6g, \"nesterov\": %s, ", (double)topt->settings.momentum,
                topt->settings.nesterov ? "true" : "false");
    else if (r->race) /* a race's two objects have the same keys */
        fputs("\"momentum\": null, \"nesterov\": null, ", out);
    fprintf(out, "\"batch\": %d, \"seed\": %llu, ", topt->settings.batch_size,
            (unsigned long long)topt->seed);
    json_string(out, "padding", topt->padding == LF_PADDING_SAME ? "same" : "valid");
    json_string(out, "engine", lf_engine_name(lf_trainer_engine(trainer)));
    fprintf(out, "\"fft\": %s, ", lf_trainer_uses_fft(trainer) ? "true" : "false");
    json_layer(out, trainer);
    json_number(out, "noise", o->noise, 0);
    fprintf(out, "\"threads\": %d, ", o->threads);
    fprintf(out, "\"steps\": %ld, \"epochs\": %d, ", fig->step, fig->epoch);
    json_number(out, "wall_s", wall, 0);
    json_number(out, "steps_per_s", steps_per_s, 0);
    json_number(out, "steady_steps_per_s", steady_steps_per_s, 0);
    json_number(out, "loss", fig->step_loss, 0);
    json_number(out, "train_loss", fig->train_loss, 0);
    json_number(out, "val_loss", fig->val_loss, 0);
    json_number(out, "rel_err", fig->rel_err, 0);
    json_rel_err_per_filter(out, trainer);
    json_best_fit(out, s);
    json_number(out, "tol", topt->tolerance, 0);
    if (fig->converged_step >= 0)
        fprintf(out, "\"converged_step\": %ld, ", fig->converged_step);
    else
        fputs("\"converged_step\": null, ", out);
    if (r->race)
        json_number(out, "converged_s", r->converged_s, 0);
    fprintf(out, "\"converged\": %s, \"diverged\": %s", fig->converged ? "true" : "false",
            diverged ? "true" : "false");
}

void headless_print_json(FILE *out, const headless_report *r)
{
    fputc('{', out);
    headless_print_json_fields(out, r);
    fputs("}\n", out);
}
