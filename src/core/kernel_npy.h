/*
 * kernel_npy.h: reading the float arrays of a NumPy .npy file, for kernels
 * (2-D) and banks of kernels (3-D and 4-D). Internal to the core.
 */
#ifndef LEARNFILTER_KERNEL_NPY_H
#define LEARNFILTER_KERNEL_NPY_H

#include <stddef.h>

#include "learnfilter/error.h"

#define LF_NPY_MAX_DIMS 8

/* Reads a version 1, 2 or 3 .npy of '<f4' '>f4' '<f8' or '>f8', C or
 * Fortran order, with min_dims..max_dims dimensions, into out (capacity
 * floats) in C order; dims receives the shape (LF_NPY_MAX_DIMS entries) and
 * *ndim its length. The last two dimensions (a kernel's height and width)
 * are each at most LF_KERNEL_MAX_SIDE, and the whole array at most capacity
 * values. Values too large for a float become infinite (the caller refuses
 * non-finite weights). LF_ERR_INPUT with the reason, naming the file. */
lf_status lf_npy_read_f32(float *out, size_t capacity, long *dims, int *ndim, int min_dims,
                          int max_dims, const unsigned char *bytes, size_t size, const char *name,
                          lf_error *err);

#endif
