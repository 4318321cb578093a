/*
 * error.c: filling in lf_error. See include/learnfilter/error.h.
 */
#include "learnfilter/error.h"

#include <stdarg.h>
#include <stdio.h>

lf_status lf_fail(lf_error *err, lf_status status, const char *format, ...)
{
    if (err) {
        err->status = status;
        va_list args;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
        /* Messages quote file names and file contents, which may hold a
         * newline or a terminal escape; the promise is one printable line. */
        for (char *p = err->message; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    }
    return status;
}

void lf_error_clear(lf_error *err)
{
    if (err) {
        err->status = LF_OK;
        err->message[0] = '\0';
    }
}

const char *lf_status_name(lf_status status)
{
    switch (status) {
    case LF_OK: return "ok";
    case LF_ERR_ARGUMENT: return "bad argument";
    case LF_ERR_INPUT: return "bad input";
    case LF_ERR_IO: return "input/output error";
    case LF_ERR_NOMEM: return "out of memory";
    case LF_ERR_DIVERGED: return "diverged";
    }
    return "unknown error";
}
