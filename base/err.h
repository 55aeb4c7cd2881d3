/*
 * base/err.h - the one error value that travels from db/ up to api/.
 *
 * Fallible functions return int: 0, or a negative APP_E* code (libuv style).
 * Details go into an optional caller-owned app_err. Only api/ chooses an HTTP
 * status and renders text for clients; `slug` is the stable machine word that
 * clients see as problem+json `code`, `field` a JSON pointer (or NULL), and
 * `params` optional message parameters. `detail` is internal (English, logged
 * with the request id) and never sent to a client.
 */
#ifndef BASE_ERR_H
#define BASE_ERR_H

#include <stddef.h>

typedef enum {
    APP_OK = 0,
    APP_EINVAL = -1,     /* bad input: 400/422 */
    APP_ENOTFOUND = -2,  /* 404 */
    APP_ECONFLICT = -3,  /* 409: unique violation, duplicate */
    APP_ESTATE = -4,     /* 409/422: not allowed in the current state */
    APP_EAUTH = -5,      /* 401 */
    APP_EFORBIDDEN = -6, /* 403 */
    APP_ERETRY = -7,     /* serialization failure: retry the transaction */
    APP_EUNAVAIL = -8,   /* 503: database unreachable */
    APP_EINTERNAL = -9,  /* 500 */
    APP_ETOOLARGE = -10, /* 413 */
    APP_EPRECOND = -11,  /* 412: stale version */
} app_code;

#define APP_ERR_MAX_ITEMS 32

/* One offending input item: a JSON pointer and a stable code word. */
typedef struct app_err_item {
    char field[64];
    const char *code; /* static string */
    char param[64];   /* optional message parameter, "" if none */
    int row;          /* 0 when not a row of an upload */
    int column;       /* 0 when not a column of an upload */
} app_err_item;

typedef struct app_err {
    app_code code;
    const char *slug; /* stable code word, static; NULL -> derived from code */
    char sqlstate[6]; /* db only, "" otherwise */
    char field[64];   /* JSON pointer of the offending input, "" if none */
    char param[128];  /* message parameter shown to clients, "" if none */
    char detail[256]; /* internal text: logged, never sent to clients */
    int nitems;
    app_err_item items[APP_ERR_MAX_ITEMS];
} app_err;

/*
 * Set code, slug and an internal detail; returns `c` so callers can write
 * `return app_err_set(err, APP_EINVAL, "invalid_id_number", "...")`.
 * `e` may be NULL. `slug` must be a static string (or NULL).
 */
int app_err_set(app_err *e, app_code c, const char *slug, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set the JSON pointer (copied) of the offending field. `e` may be NULL. */
void app_err_field(app_err *e, const char *field);

/* Set the client-visible message parameter (copied). `e` may be NULL. */
void app_err_param(app_err *e, const char *param);

/*
 * Append an item (for validation that reports every bad field at once).
 * Extra items beyond APP_ERR_MAX_ITEMS are dropped. `code` is static.
 */
void app_err_add(app_err *e, const char *field, const char *code, const char *param);

/* Reset to APP_OK with no items. */
void app_err_clear(app_err *e);

/* A short English name of an app_code ("invalid input", ...). */
const char *app_code_name(app_code c);

#endif
