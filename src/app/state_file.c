/*
 * state_file.c: --resume and --save-state for the headless trainer.
 * See state_file.h.
 */
#include "state_file.h"

#include <stdio.h>
#include <string.h>

#include "learnfilter/state.h"

/* --resume: the trainer continues the state in path, with its kernel (or
 * a layer's bank) and settings; the rest of the run (movies, weight files,
 * the JSON) then speaks of that kernel. */
lf_status app_resume_state(app_setup *setup, const char *path, lf_error *err)
{
    lf_state *state = lf_state_create();
    if (!state)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for a training state");
    lf_status st = lf_state_read(state, path, err);
    if (st == LF_OK)
        st = lf_trainer_restore_state(setup->trainer, state, err);
    if (st == LF_OK)
        setup->kernel = lf_trainer_get_options(setup->trainer)->target;
    else if (st == LF_ERR_INPUT && !strstr(err->message, path)) {
        char reason[LF_ERROR_MESSAGE_MAX];
        snprintf(reason, sizeof reason, "%s", err->message); /* lf_fail writes err */
        lf_fail(err, st, "--resume %s: %.400s", path, reason);
    }
    lf_state_destroy(state);
    return st;
}

/* --save-state: the whole training state at the end of the run. */
lf_status app_save_state(lf_trainer *trainer, const char *path, lf_error *err)
{
    lf_state *state = lf_state_create();
    if (!state)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for a training state");
    lf_status st = lf_trainer_save_state(trainer, state, err);
    if (st == LF_OK)
        st = lf_state_write(state, path, err);
    lf_state_destroy(state);
    return st;
}
