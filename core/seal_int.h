/*
 * core/seal_int.h - what core/seal.c and core/seal_verify.c share (private
 * to core/; core__ names).
 */
#ifndef CORE_SEAL_INT_H
#define CORE_SEAL_INT_H

#include "base/buf.h"
#include "db/db.h"

/* The fields a seal's hash covers (core/seal.h). */
typedef struct core__seal_fields {
    long long id, first_seq, last_seq;
    const char *upto_xid;
    long long at_us;
    const char *prev_hash, *rows_hash;
} core__seal_fields;

/* SHA-256 of the canonical text of row `row` (columns from col0), built in
   `scratch`. */
void core__seal_row_hash(const db_res *r, int row, int col0, base_buf *scratch,
                         unsigned char out[32]);
/* SHA-256 of a seal's canonical fields. */
void core__seal_hash(const core__seal_fields *s, unsigned char out[32]);
/* Compare two xid8 in decimal text: -1, 0, 1. */
int core__xid_cmp(const char *a, const char *b);

#endif
