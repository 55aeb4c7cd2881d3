/*
 * core/demo.h - synthetic, realistic student records for the demo province
 * and for benchmarks (`xuejictl demo --students N`).
 *
 * A generated student sits in a given class: the birth date fits the grade
 * in the school's system (grade 1 children are 6 on 08-31 of their first
 * school year), the resident ID number (GB 11643) has the school's county as
 * its address code, the birth date, a sequence whose parity gives the gender
 * and a correct check digit; names come from tables of common surnames and
 * given-name characters; the two family members (father, mother) hold ID
 * numbers of adults born 1975-1992. Every record passes
 * core_record_validate().
 *
 * Uniqueness of the students' ID numbers is the allocator's business
 * (core_demo_ids): it knows the numbers already stored (from their masks)
 * and hands out each (county, birth date, sequence) once.
 *
 * Pure: no I/O. The random generator is a per-thread value; the allocator
 * may be shared by threads (it locks).
 */
#ifndef CORE_DEMO_H
#define CORE_DEMO_H

#include "core/record.h"

#include <stdint.h>

/* A small fast PRNG (splitmix64); not for secrets. */
typedef struct core_demo_rng {
    uint64_t s;
} core_demo_rng;

void core_demo_rng_seed(core_demo_rng *r, uint64_t seed);
/* Uniform in 0..n-1 (n >= 1). */
uint32_t core_demo_rand(core_demo_rng *r, uint32_t n);

/* The school year `today` (YYYYMMDD) falls in: the year of its September. */
int core_demo_school_year(int today);

/*
 * Years of schooling (1..12) of `grade` in a school of `system` ("63" or
 * "54"; anything else counts as "63"): 11-16 are 1-6, 21-24 follow the
 * primary years (6 in "63", 5 in "54"), 31-33 are 10-12. 0 for a grade that
 * does not exist in that system.
 */
int core_demo_schooling_year(int grade, const char *system);

/*
 * The birth dates (YYYYMMDD, inclusive) of a child in year `schooling` (1..12)
 * during school year `school_year`: born from (Y-6-s)-09-01 to (Y-5-s)-08-31
 * for Y = school_year, s = schooling, so that grade 1 children are 6 on 08-31
 * of their first school year (and not yet 7).
 */
void core_demo_birth_window(int schooling, int school_year, int *out_from, int *out_until);

/* ---- the ID number allocator ---- */

typedef struct core_demo_ids core_demo_ids;

/*
 * An allocator for the address codes `counties` (n 6-digit strings, copied;
 * 1 <= n <= 64) and birth dates from `first_ymd` to `last_ymd`. Free with
 * core_demo_ids_free(). Aborts on out of memory.
 */
core_demo_ids *core_demo_ids_new(const char *const *counties, int n, int first_ymd, int last_ymd);
void core_demo_ids_free(core_demo_ids *ids); /* ids may be NULL */

/*
 * Mark a stored number as taken, from what its mask shows: the first four
 * characters of the address code, the birth date and the three sequence
 * digits (characters 15-17). Every county sharing the prefix loses that
 * sequence on that day, so a generated number never equals a stored one.
 * Dates outside the allocator's range are ignored.
 */
void core_demo_ids_mark(core_demo_ids *ids, const char *prefix4, int birth_ymd, int seq);

/*
 * Take a free sequence (0..999; odd for gender 1, even for 2) of county
 * `county` on `birth_ymd`. Returns it, or -1 when that day is full or the
 * county or date is not the allocator's. Thread-safe.
 */
int core_demo_ids_take(core_demo_ids *ids, const char *county, int birth_ymd, int gender);

/* ---- students ---- */

/* Where a generated student goes. */
typedef struct core_demo_class {
    char school[11];
    char county[7]; /* the school's county: the ID numbers' address code while it
                       lasts, then a migrant family's hometown (core/demo.c) */
    char system[3]; /* "63" or "54" */
    int category;   /* the school code's first two digits (51: special education) */
    int grade, number;
} core_demo_class;

/* A generated student: the record and the storage its strings point into. */
typedef struct core_demo_student {
    core_record rec;
    char student_number[20]; /* "G" + the ID number (rule 9) */
    size_t used;
    char buf[1536];
} core_demo_student;

/*
 * Make one enrolled student of class `k` in school year `school_year`
 * (core_demo_school_year of today), taking its ID number from `ids`.
 * Returns 0, or -1 when the allocator has no free number left for the
 * cohort (every birth date of the grade is full in that county and in each
 * hometown county of the migrant families).
 */
int core_demo_student_make(core_demo_rng *rng, core_demo_ids *ids, const core_demo_class *k,
                           int school_year, core_demo_student *out);

#endif
