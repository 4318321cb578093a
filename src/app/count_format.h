/*
 * count_format.h: whole numbers as the window and its notices print them,
 * with thousands separators ("30,695"), which a class reads off a projector
 * at a glance. One routine for the status line, the notices, the pace line,
 * the race's lead and the "why slow" figures.
 */
#ifndef LF_COUNT_FORMAT_H
#define LF_COUNT_FORMAT_H

#include <stddef.h>

/* Writes n with a ',' between groups of three digits into out (size bytes,
 * always terminated; cut short rather than overrun when out is too small). */
void count_format(char *out, size_t size, long long n);

#endif
