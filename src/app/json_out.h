/*
 * json_out.h: the two JSON values the program's outputs write by hand
 * (the headless JSON line, --stats, --layout-out): a string, escaped, and
 * a number, which JSON cannot hold as NaN or infinity, so those are null.
 */
#ifndef LEARNFILTER_JSON_OUT_H
#define LEARNFILTER_JSON_OUT_H

#include <stdio.h>

/* s in double quotes: quotes, backslashes and control bytes escaped, UTF-8
 * as it is; NULL is written as an empty string. */
void json_out_string(FILE *f, const char *s);

/* v with 6 significant digits, or null when it is not finite. */
void json_out_number(FILE *f, double v);

#endif
