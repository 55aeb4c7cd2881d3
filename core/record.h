/*
 * core/record.h - the student record: the national basic data set (DOMAIN §4,
 * 72 items including two family members) described once.
 *
 * The catalog below is the single description of every field: its national
 * item number, JSON name (API.md "Student record fields"), SQL column, Chinese
 * label, kind, code table, length, and whether it is a key field or personal
 * information. Validation (here), JSON in and out (api/), SQL binding (db/
 * gets the column list from here), masking and the import template all walk
 * this one table, so adding a field is one line.
 *
 * A record in memory is one string per catalog field (core_record.v), NULL
 * when the field is empty. Family members are fields of their own (member 1:
 * items 49-60, member 2: 61-72); in JSON they are the array `family`.
 *
 * Pure: no I/O. Lookups that need reference data (code tables, the region
 * list) go through a core_codes table the caller built at start.
 */
#ifndef CORE_RECORD_H
#define CORE_RECORD_H

#include "base/arena.h"
#include "base/err.h"

#include <stddef.h>

typedef enum {
    CORE_FK_TEXT = 1, /* free text, 1..max characters, no control characters */
    CORE_FK_CODE,     /* a value of code table `table` */
    CORE_FK_DATE,     /* YYYY-MM-DD, a real date */
    CORE_FK_MONTH,    /* YYYYMM */
    CORE_FK_REGION12, /* 12 digits whose six-digit county part exists */
    CORE_FK_IDNUM,    /* an identity document number; rules depend on the id_type beside it */
    CORE_FK_PHONE,    /* digits only, 7..20 */
    CORE_FK_POSTCODE, /* six digits */
    CORE_FK_EMAIL,
    CORE_FK_URL,     /* http:// or https:// */
    CORE_FK_KM,      /* distance in km: 0..999.9, at most one decimal */
    CORE_FK_GRADE,   /* a grade code (11..16, 21..24, 31..33) */
    CORE_FK_CLASSNO, /* a class number within the grade, 1..99 */
    CORE_FK_DIGITS,  /* digits only, 1..max */
    CORE_FK_PINYIN,  /* Latin letters, spaces and ü/v, 1..max */
    CORE_FK_PHOTO,   /* read-only: the record's photo link */
} core_field_kind;

enum {
    CORE_F_KEY = 1 << 0,      /* key field: changes only through key_field_change */
    CORE_F_PII = 1 << 1,      /* encrypted at rest, masked in ordinary reads */
    CORE_F_READONLY = 1 << 2, /* never taken from input */
};

typedef struct core_field {
    int item;           /* national item number 1..72 */
    int member;         /* 0: the student; 1, 2: family member */
    const char *json;   /* JSON name within the student or the member object */
    const char *column; /* SQL column (PII: base name, see core_record_columns()) */
    const char *label;  /* Chinese label */
    core_field_kind kind;
    const char *table; /* code table of CORE_FK_CODE, else NULL */
    int max;           /* maximum length in characters (text kinds) */
    unsigned flags;    /* CORE_F_* */
} core_field;

#define CORE_NFIELDS 72
#define CORE_FAMILY_MAX 2
#define CORE_FAMILY_FIELDS 12

extern const core_field core_fields[CORE_NFIELDS];

/* Index of a field by member and JSON name, or -1. */
int core_field_index(int member, const char *json);

/* Index of a field by JSON pointer ("/phone", "/family/1/id_number"), or -1. */
int core_field_by_pointer(const char *pointer);

/* The JSON pointer of field `i` into buf: "/phone", "/family/0/phone". */
void core_field_pointer(int i, char *buf, size_t cap);

/* The title of field `i` as a template column shows it: "姓名", "家庭成员1姓名". */
void core_field_title(int i, char *buf, size_t cap);

/* A record: one string per catalog field, NULL when empty. */
typedef struct core_record {
    const char *v[CORE_NFIELDS];
} core_record;

/* Field indexes used by rules (checked against the catalog by the unit tests). */
enum {
    CORE_R_NAME = 0,
    CORE_R_GENDER = 1,
    CORE_R_BIRTH_DATE = 2,
    CORE_R_BIRTHPLACE = 3,
    CORE_R_NATIONALITY = 6,
    CORE_R_ID_TYPE = 7,
    CORE_R_ID_NUMBER = 8,
    CORE_R_PHOTO = 12,
    CORE_R_GRADE = 21,
    CORE_R_CLASS = 22,
    CORE_R_ENROLLED_MONTH = 23,
    CORE_R_PHONE = 30,
    CORE_R_LEFT_BEHIND = 36,
    CORE_R_MIGRANT_CHILD = 37,
    CORE_R_DISTANCE = 45,
    CORE_R_F1 = 48, /* first field of family member 1 */
    CORE_R_F2 = 60, /* first field of family member 2 */
};
/* Offsets within a family member's 12 fields. */
enum {
    CORE_M_NAME = 0,
    CORE_M_RELATION = 1,
    CORE_M_PHONE = 7,
    CORE_M_GUARDIAN = 8,
    CORE_M_ID_TYPE = 9,
    CORE_M_ID_NUMBER = 10,
};

/* ---- reference data ---- */

/*
 * Code tables and the region list in memory, built once at start and
 * read-only afterwards (safe to share between threads). Regions are the
 * table "region" (code -> name).
 */
typedef struct core_codes core_codes;

core_codes *core_codes_new(void);
void core_codes_free(core_codes *c);
/* Add one value (strings copied). Call core_codes_seal() after the last add. */
void core_codes_add(core_codes *c, const char *table, const char *code, const char *label);
void core_codes_seal(core_codes *c);
/* The label of a value, or NULL when the table has no such code. */
const char *core_codes_label(const core_codes *c, const char *table, const char *code);
/* Call fn for every value of `table`, in code order; returns how many. */
size_t core_codes_each(const core_codes *c, const char *table,
                       void (*fn)(void *ctx, const char *code, const char *label), void *ctx);
/* The code of `table` whose label is `label`, or NULL. */
const char *core_codes_by_label(const core_codes *c, const char *table, const char *label);
/* 1 if region code `code6` is in the region table of codes `ctx` (a
   core_codes *): a core_is_org_fn, since placeholder cities are not there. */
int core_codes_is_region(const char *code6, void *ctx);

/* ---- validation ---- */

typedef struct core_record_rules {
    const core_codes *codes;
    int today;                   /* YYYYMMDD: bounds dates */
    const char *const *required; /* JSON names (API.md) that must be present; "family" = member 1 */
    int nrequired;
} core_record_rules;

/*
 * Validate and normalise a whole record in place (new strings in `a`):
 * trims blanks, upper-cases ID letters, converts 15-digit resident IDs,
 * derives gender and birth date from a resident ID when they are empty.
 * Every bad field is added to err as an item (JSON pointer, code, param);
 * returns 0, or APP_EINVAL when any item was added. Warnings that do not
 * reject (an ID whose address code is not in today's region list) set
 * *out_warnings bits (CORE_RECORD_WARN_*), which may be NULL.
 *
 * Rules: every field by its kind, table and length; the student may hold
 * id types 1, 6, 7, 8, 9, A, B, C or none (no id_type and no id_number); a
 * type 1 or C number follows GB 11643 and the gender and birth date agree
 * with it (rule 6: both fields named); a student without a document has a
 * guardian (family member with guardian = 1) who holds one; required
 * fields per `rules`; enrolled_month not before the birth month nor after
 * today.
 */
#define CORE_RECORD_WARN_ID_REGION 1
int core_record_validate(core_record *r, const core_record_rules *rules, app_arena *a,
                         int *out_warnings, app_err *err);

/* 1 if `s` is one or more ASCII digits and nothing else. */
int core_all_digits(const char *s);

/* 1 if the student holds no identity document (id_type empty). */
int core_record_no_document(const core_record *r);

/*
 * The second family member (DOMAIN §4, docs/decisions/0030): when
 * `rules->required` holds "family" and `members` (the region setting
 * family_members_required) is 2, member 2 needs a name, a relation and a
 * phone (for an orphan or a single-parent pupil a relative or a teacher).
 * Adds an item "family_member_required" at /family/1/<field> to `err` per
 * missing field; returns their number. Registration and import call it;
 * edits of existing records do not.
 */
int core_record_family_check(const core_record *r, const core_record_rules *rules, int members,
                             app_err *err);

/*
 * The physical SQL columns of the catalog, in catalog order, for db/: a
 * plain field gives its column; a PII field gives two, "<column>_enc"
 * (ciphertext) and "<column>_mask" (the masked text); the photo gives none.
 * *out_n is set to the count. The array is static.
 */
const char *const *core_record_columns(int *out_n);

/* Key fields that differ between `old` and `new` (both normalised), as a
   bitmask of 1 << field index over the five key fields; 0 when none. */
int core_record_key_changed(const core_record *old, const core_record *new_);

#endif
