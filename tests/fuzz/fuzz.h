/*
 * tests/fuzz/fuzz.h - what the libFuzzer targets share: a row callback that
 * touches every byte of every cell and checks what formats/sheet.h promises,
 * and a check of the reader's answer. A broken promise aborts, which
 * libFuzzer reports as a crash with the input that caused it.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include "base/buf.h"
#include "base/err.h"
#include "formats/sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond);             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

typedef struct fuzz_ctx {
    size_t max_cols; /* the reader's column limit */
    long rows;
    unsigned long sum; /* every byte read, so nothing is optimised away */
} fuzz_ctx;

static inline int
fuzz_row(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    fuzz_ctx *f = ctx;
    (void)err;
    FUZZ_CHECK(row != NULL);
    FUZZ_CHECK(row->row >= 1 && row->row <= FMT_SHEET_MAX_ROWS);
    FUZZ_CHECK(row->ncells <= f->max_cols);
    FUZZ_CHECK(row->ncells == 0 || row->cells != NULL);
    /* ncells is 1 + the last non-empty column */
    FUZZ_CHECK(row->ncells == 0 || row->cells[row->ncells - 1].type != CORE_CELL_EMPTY);
    for (size_t i = 0; i < row->ncells; i++) {
        const core_cell *c = &row->cells[i];
        FUZZ_CHECK(c->s != NULL);
        FUZZ_CHECK(c->type >= CORE_CELL_EMPTY && c->type <= CORE_CELL_ERROR);
        FUZZ_CHECK((c->type == CORE_CELL_EMPTY) == (c->len == 0));
        FUZZ_CHECK((c->flags & ~CORE_CELL_F_LOST_DIGITS) == 0);
        for (size_t k = 0; k < c->len; k++)
            f->sum += (unsigned char)c->s[k];
        FUZZ_CHECK(c->s[c->len] == '\0');
        FUZZ_CHECK(memchr(c->s, '\0', c->len) == NULL);
        FUZZ_CHECK(base_utf8_valid(c->s, c->len));
    }
    f->rows++;
    return 0;
}

/* The reader returned rc with `e`: 0, or a documented failure with its slug. */
static inline void
fuzz_result(int rc, const app_err *e)
{
    FUZZ_CHECK(rc == 0 || rc == APP_EINVAL || rc == APP_ETOOLARGE);
    if (rc != 0) {
        FUZZ_CHECK(e->code == rc);
        FUZZ_CHECK(e->slug != NULL);
    }
}

#endif
