/*
 * base/jw.h - a small JSON text writer for hot answers (a student record has
 * about a hundred members; a list page fifty records). Building them as
 * jansson objects and dumping them in insertion order cost more than the
 * database read, so these answers are written straight into an arena buffer.
 * Strings are escaped per RFC 8259; the caller passes valid UTF-8 (values
 * from jansson input or the database, both UTF-8).
 */
#ifndef BASE_JW_H
#define BASE_JW_H

#include "base/arena.h"

#include <stddef.h>

typedef struct jw {
    app_arena *arena;
    char *p;
    size_t n, cap;
    int first; /* no comma before the next member or element */
} jw;

void jw_init(jw *w, app_arena *a);
void jw_raw(jw *w, const char *s, size_t len);
void jw_obj(jw *w);     /* { */
void jw_end(jw *w);     /* } */
void jw_arr(jw *w);     /* [ */
void jw_arr_end(jw *w); /* ] */
/* Members: "key": value. A NULL string is written as null. */
void jw_key(jw *w, const char *key);
void jw_str(jw *w, const char *key, const char *v);
void jw_int(jw *w, const char *key, long long v);
void jw_bool(jw *w, const char *key, int v);
void jw_null(jw *w, const char *key);
/* A member whose value is already JSON text. */
void jw_json(jw *w, const char *key, const char *json);
/* Before an array element (adds the comma). */
void jw_elem(jw *w);
/* A string array element (adds the comma; NULL is written as null). */
void jw_value(jw *w, const char *v);
/* `s` as one JSON string value in the arena, quotes included ("null" for
   NULL): for a value that goes into text another writer builds. */
const char *jw_quote(app_arena *a, const char *s);
/* The text (NUL-terminated, in the arena) and its length. */
const char *jw_text(jw *w, size_t *out_len);

#endif
