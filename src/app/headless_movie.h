/*
 * headless_movie.h: the headless trainer's kernel movie (--gif, --video).
 *
 * A frame of the kernel at the start and after every epoch, every
 * --gif-every steps, or at log-spaced steps with --tol, plus one where the
 * run stopped if that fell between frames. Frames are drawn here and
 * encoded on the recorder's thread while training goes on; the recorder
 * waits rather than drops, so every frame is kept. --gif-layout full draws
 * the window's whole layout instead (scene.h).
 */
#ifndef LEARNFILTER_HEADLESS_MOVIE_H
#define LEARNFILTER_HEADLESS_MOVIE_H

#include <stdbool.h>

#include "cli.h"
#include "learnfilter/trainer.h"
#include "movie.h"
#include "recorder.h"
#include "scene.h"
#include "setup.h"

/* How long the last frame of a movie holds before it loops, so the
 * converged kernel is seen and not just glimpsed. */
#define MOVIE_LAST_FRAME_SECONDS 2.0

/* The most frames a movie gets (5 minutes at 10 a second): one tiny patch
 * makes an epoch a step, and a frame per epoch would grow without end.
 * Later frames are left out, except the one where the run stopped. */
#define MOVIE_MAX_FRAMES 3000

/* The kernel movie: its frame painter and up to two recorders (GIF, MP4). */
typedef struct headless_movie {
    movie *painter;    /* the kernel layout, or */
    scene *full;       /* the window's layout */
    int file_count;    /* photographs, for the full layout's footer */
    double start;      /* when training began, for its steps/s */
    recorder *outputs[2];
    int output_count;
    long frames;       /* frames drawn */
    long left_out;     /* frames not drawn past MOVIE_MAX_FRAMES */
    long last_left_out; /* the step of the last of those */
    long last_step;    /* step of the last frame, -1 before the first */
    int fps;
} headless_movie;

/* Opens the movie's painter and recorders for o's outputs; on failure
 * everything opened is closed again. */
lf_status headless_movie_open(headless_movie *hm, const cli_options *o, const app_setup *setup,
                              lf_error *err);
/* Whether frames fall at log-spaced steps (--tol without --epochs or --gif-every). */
bool headless_movie_log_spaced(const cli_options *o);
/* Whether a frame is due at f's step; moves *next_log on. */
bool headless_movie_frame_due(const cli_options *o, const lf_figures *f, long *next_log);
void headless_movie_add_frame(headless_movie *hm, lf_trainer *trainer, bool by_epoch, bool is_last);
/* Finishes and closes the files; false (with a message printed) when one failed. */
bool headless_movie_finish(headless_movie *hm, const cli_options *o);

#endif
