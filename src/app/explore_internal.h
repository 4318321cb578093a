/*
 * explore_internal.h: what explore.c and explore_compute.c share and
 * nobody else needs.
 */
#ifndef LEARNFILTER_EXPLORE_INTERNAL_H
#define LEARNFILTER_EXPLORE_INTERNAL_H

#include "explore.h"

/* The repeat counts R steps through: the slides' 1, 2, 3 and 10 times. */
#define EXPLORE_REPEAT_CHOICES 4
extern const int explore_repeats[EXPLORE_REPEAT_CHOICES];

/* An image holding a copy of height x width values. */
lf_status explore_image_from_values(explore_image *img, const char *name, const float *values,
                                    int height, int width, bool is_grid, lf_error *err);

/* Says why something was refused, in s->message. */
void explore_set_message(explore_state *s, const char *text);

/* Moves the lens (LENS_STEP, LENS_BACK) and explains the new position, or
 * toggles play (LENS_PLAY). false with the reason in s->message. */
bool explore_lens_action(explore_state *s, explore_action action);

#endif
