/*
 * names.c: case-blind edit distance and "did you mean". See
 * include/learnfilter/names.h.
 */
#include "learnfilter/names.h"

#include <ctype.h>
#include <string.h>

#define FAR_AWAY 1000

int lf_name_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > LF_NAME_MAX_COMPARED || m > LF_NAME_MAX_COMPARED)
        return FAR_AWAY;
    /* One row of the dynamic-programming table at a time. */
    int row[LF_NAME_MAX_COMPARED + 1];
    for (size_t j = 0; j <= m; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diagonal = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int above = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            int best = diagonal + (same ? 0 : 1);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diagonal = above;
            row[j] = best;
        }
    }
    return row[m];
}

const char *lf_name_closest(const char *word, const char *const *names, int count)
{
    const char *best = NULL;
    int best_distance = FAR_AWAY;
    for (int i = 0; i < count; i++) {
        int d = lf_name_distance(word, names[i]);
        if (d == 0)
            return NULL; /* an exact match is not a near miss */
        if (d < best_distance) {
            best_distance = d;
            best = names[i];
        }
    }
    int len = (int)strlen(word);
    return best && best_distance <= 2 && 2 * best_distance < len ? best : NULL;
}
