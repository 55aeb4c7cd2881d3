/*
 * db/school.h - schools and classes.
 */
#ifndef DB_SCHOOL_H
#define DB_SCHOOL_H

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

typedef struct db_school {
    char code[11];
    const char *name;
    char county[7], authority[7], province[7];
    int category;
    const char *system; /* "63" or "54" */
    int closed;
    int version;
    const char *created_at, *updated_at; /* ISO 8601 */
} db_school;

/* 0 with *out_found = 0 when there is no such school. */
int db_school_get(db_conn *c, const char *code, app_arena *a, db_school *out, int *out_found,
                  app_err *err);

#endif
