/*
 * core/intake.h - the graduate pool (毕业库, docs/decisions/0027): graduates
 * (state graduated) of primary schools, for grade 21, and of junior
 * schools, for grade 31, that schools of the next stage search and claim.
 * The claim itself is the request type intake_claim of workflow/ (its
 * start rules call core_intake_check below).
 *
 * A search names one person: an exact document (id_type, id_number) or an
 * exact name with the birth date; there is no browsing. It sees the
 * graduates of the caller's province (the ministry: every province), and
 * answers them masked (core/mask.h). Every search is audited
 * (`graduate_pool.search`, with how it searched and how many it found,
 * never the values searched).
 */
#ifndef CORE_INTAKE_H
#define CORE_INTAKE_H

#include "core/op.h"
#include "db/db.h"
#include "db/school.h"

/* What a search names: a document, or a name with a birth date. */
typedef struct core_pool_query {
    const char *id_type;   /* default "1" (resident ID) when id_number is given */
    const char *id_number; /* exact */
    const char *name;      /* exact, with birth_date */
    const char *birth_date;
} core_pool_query;

/* One graduate as a search answers it. Strings in the op's arena. */
typedef struct core_pool_hit {
    long long id;                     /* the record: `student` of a claim */
    const char *name;                 /* masked: 李** */
    const char *gender, *birth_date;  /* as stored; "" when none */
    const char *id_number;            /* masked; "" when none */
    const char *student_number;       /* masked (G numbers) */
    const char *school, *school_name; /* the school it graduated from */
    int grade;                        /* the grade it graduated from */
    int intake_grade;                 /* 21 (primary) or 31 (junior) */
} core_pool_hit;

/*
 * Search the pool. School registrars and bureaus may (APP_EFORBIDDEN
 * `forbidden` for other school staff). Bad input: APP_EINVAL with items
 * (`/id_number` invalid_id_number and the document's other codes as
 * POST /students/lookup answers them; `/birth_date` invalid_date;
 * `/name` wrong_type; `/id_number` missing_field when neither a document
 * nor a name and birth date is given, `/birth_date` missing_field for a
 * name alone). *out has at most DB_POOL_MAX hits, in record id order.
 */
int core_pool_search(db_conn *db, const core_op *op, const core_pool_query *q, core_pool_hit **out,
                     int *out_n, app_err *err);

/* The grade a graduate of `grade` enters by intake: 21 after primary
   (11-16), 31 after junior (21-24); 0 for any other. */
int core_intake_grade(int grade);

/*
 * Whether school `sc` (the claiming school, loaded whole) may claim today:
 * APP_ECONFLICT `window_closed` outside the intake window of its
 * competent authority's settings (intake_window; null: any day).
 */
int core_intake_window_check(db_conn *db, const core_op *op, const db_school *sc, app_err *err);

#endif
