/*
 * error.h: how the core reports failure.
 *
 * The core library never prints and never exits. A function that can fail
 * returns an lf_status and, when the caller passed an lf_error, leaves a
 * one-line reason there that names the thing and what is wrong with it
 * ("photo.png: PNG header claims 100000x100000 pixels, limit is ..."). The
 * front ends decide how to show it: a line on stderr and an exit code in the
 * headless trainer, a message on screen in the window.
 */
#ifndef LEARNFILTER_ERROR_H
#define LEARNFILTER_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lf_status {
    LF_OK = 0,
    LF_ERR_ARGUMENT, /* a caller passed a value outside the documented range */
    LF_ERR_INPUT,    /* a file or its contents cannot be used: missing, corrupt, wrong kind */
    LF_ERR_IO,       /* reading or writing failed: permissions, full disk */
    LF_ERR_NOMEM,    /* an allocation failed */
    LF_ERR_DIVERGED  /* training produced a non-finite value */
} lf_status;

#define LF_ERROR_MESSAGE_MAX 512

typedef struct lf_error {
    lf_status status;                    /* the same value the failing call returned */
    char message[LF_ERROR_MESSAGE_MAX];  /* one line, no trailing newline */
} lf_error;

/* Records status and a printf-style message in err (which may be NULL) and
 * returns status, so a failing path reads `return lf_fail(err, ...);`. */
lf_status lf_fail(lf_error *err, lf_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears err (may be NULL) to LF_OK and an empty message. */
void lf_error_clear(lf_error *err);

/* A short, constant name for a status ("bad input", "out of memory", ...). */
const char *lf_status_name(lf_status status);

#ifdef __cplusplus
}
#endif
#endif
