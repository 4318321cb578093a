/*
 * apply.h: --apply, one sliding-window operation on one image (apply.c).
 */
#ifndef LEARNFILTER_APPLY_H
#define LEARNFILTER_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* Applies --apply to the one --images input and writes --output (or prints
 * the result). Returns the program's exit code; errors are one line on
 * stderr. */
int apply_run(const cli_options *options);

/* The scale a result is drawn on: signed (diverging, +-limit) when any
 * value is negative, otherwise gray from 0 to limit (at least 1, so
 * intensities keep their scale). */
void apply_scale(const float *values, size_t count, float *limit, bool *is_signed);
/* The colour of one value on that scale. */
void apply_color(float value, float limit, bool is_signed, uint8_t rgb[3]);

#endif
