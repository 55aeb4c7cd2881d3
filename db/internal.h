/*
 * db/internal.h - helpers shared by the files of db/ (libuv's uv__ rule: the
 * double underscore marks them private to the layer). Nothing outside db/
 * includes this header.
 */
#ifndef DB_INTERNAL_H
#define DB_INTERNAL_H

#include "base/arena.h"
#include "db/db.h"

/* A timestamptz column as the API's UTC text, "YYYY-MM-DDTHH:MI:SSZ". */
#define DB__TS(col) " to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The value of a column copied into `a`, or NULL when it is SQL NULL. */
char *db__dup_or_null(app_arena *a, const db_res *r, int row, int col);

#endif
