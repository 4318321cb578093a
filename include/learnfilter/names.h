/*
 * names.h: matching what a user typed against a list of names.
 *
 * Kernel names and command-line options are matched without regard to
 * case, and a near miss ("sobelx", "--kernal") is answered with the name
 * the user most likely meant. The distance is the Levenshtein edit
 * distance (insertions, deletions, substitutions), counted without case.
 */
#ifndef LEARNFILTER_NAMES_H
#define LEARNFILTER_NAMES_H

#ifdef __cplusplus
extern "C" {
#endif

#define LF_NAME_MAX_COMPARED 64 /* longer words are never near anything */

/* Edit distance between a and b, ignoring ASCII case. Words longer than
 * LF_NAME_MAX_COMPARED count as far from everything (a large value). */
int lf_name_distance(const char *a, const char *b);

/* The name among names[0..count) closest to word when it is a near miss:
 * at most 2 edits, and fewer than half of word's length, so a short word
 * is not "corrected" into an unrelated one. NULL when nothing is that
 * close, or when word matches a name exactly (ignoring case). Ties go to
 * the earlier name. */
const char *lf_name_closest(const char *word, const char *const *names, int count);

#ifdef __cplusplus
}
#endif
#endif
