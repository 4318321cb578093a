/*
 * headless_reel.c: --reel for the headless trainer. See headless_reel.h.
 */
#include "headless_reel.h"

#include <stdio.h>

int headless_reel_begin(reel_history *reel, lf_trainer *trainer)
{
    const lf_trainer_options *topt = lf_trainer_get_options(trainer);
    if (!lf_layer_options_plain(&topt->layer)) {
        fprintf(stderr, "learnfilter: --reel: the presentation layout shows one gray filter at "
                        "stride 1; record a layer with --gif\n");
        return EXIT_USAGE;
    }
    lf_error err;
    if (reel_history_init(reel, topt->target.height, topt->target.width, &err) != LF_OK) {
        fprintf(stderr, "learnfilter: --reel: %s\n", err.message);
        return EXIT_INPUT;
    }
    reel_history_observe_trainer(reel, trainer, true);
    return EXIT_OK;
}

int headless_reel_end(reel_history *reel, const cli_options *o, lf_trainer *trainer,
                      int file_count)
{
    reel_history_observe_trainer(reel, trainer, true); /* where the run ended */
    reel_options ro = {.width = o->width, .height = o->height, .file_count = file_count,
                       .tolerance = o->tol};
    lf_error err;
    int frames = 0;
    lf_status st = reel_write_trainer(o->reel, reel, trainer, &ro, &frames, &err);
    reel_history_deinit(reel);
    if (st != LF_OK) {
        fprintf(stderr, "learnfilter: --reel: %s\n", err.message);
        return EXIT_INPUT;
    }
    fprintf(stderr, "learnfilter: reel: %s, %d frames, %.0f s\n", o->reel, frames, REEL_SECONDS);
    return EXIT_OK;
}
