/*
 * state_file.h: a run's training state to and from a file, for the
 * headless trainer's --save-state and --resume (the format: state.h).
 */
#ifndef LEARNFILTER_STATE_FILE_H
#define LEARNFILTER_STATE_FILE_H

#include "learnfilter/error.h"
#include "learnfilter/trainer.h"
#include "setup.h"

/* Puts setup's trainer in the state saved in path, with that state's
 * kernel or bank and settings (setup->kernel follows); a layer's state
 * goes only into a trainer of the same layer (state.h). A message for a
 * state on other data or of another layer names the file. LF_ERR_INPUT,
 * LF_ERR_IO, LF_ERR_NOMEM. */
lf_status app_resume_state(app_setup *setup, const char *path, lf_error *err);

/* Writes the trainer's whole training state to path (atomically). */
lf_status app_save_state(lf_trainer *trainer, const char *path, lf_error *err);

#endif
