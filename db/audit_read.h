/*
 * db/audit_read.h - reading the audit trail (table audit, migrations 004 and
 * 014) newest first, with the seal each row belongs to (table audit_seal).
 * Only reads: core/audit.h writes the rows, the sealer seals them. No rules
 * here: core/audit_read.c decides the scope and hands it in as `org` or
 * `region_like`.
 *
 * The statement is put together from fixed fragments for the filters that
 * are present, every value a $n parameter, and run unprepared so that
 * PostgreSQL plans it for the values at hand (a generic plan of "actor IS
 * NULL OR actor_id = $1" would read no index). Strings read back are in
 * the caller's arena.
 */
#ifndef DB_AUDIT_READ_H
#define DB_AUDIT_READ_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* One audit row. Strings may be NULL (SQL NULL); ids 0 for NULL. */
typedef struct db_audit_row {
    long long id;
    long long actor_id; /* 0: the system or a service client */
    long long seq;      /* the sealer's sequence number; 0: not yet sealed */
    long long seal_id;  /* the seal whose range holds seq; 0: none */
    const char *at;     /* "YYYY-MM-DDTHH:MI:SSZ" */
    const char *actor_org, *action, *target_type, *target_id;
    const char *ip, *user_agent, *request_id;
    const char *detail_json; /* the stored jsonb as text, never NULL */
    const char *hash;        /* the row's content hash (hex) */
} db_audit_row;

/* Which rows: every member that is set narrows the answer (AND). */
typedef struct db_audit_query {
    long long before;     /* ids below this; 0: from the newest */
    long long actor_id;   /* 0: any actor */
    long long student_id; /* 0: any; else rows whose target is this student
                             or a request it is a member of (request_member) */
    const char *action;   /* NULL: any */
    int has_from, has_to;
    long long from_epoch, to_epoch; /* at >= from, at < to (Unix seconds) */
    const char *org;                /* scope: actor_org equals this (NULL: no) */
    const char *region_like;        /* scope: actor_org is a region code LIKE this,
                                       or a school whose authority is LIKE this */
    int limit;                      /* rows at most, 1.. */
} db_audit_query;

/*
 * The rows `q` selects, newest (highest id) first, into *out (*out_n of
 * them, in `a`). Errors: APP_EUNAVAIL, APP_EINTERNAL from db/db.h.
 */
int db_audit_list(db_conn *c, const db_audit_query *q, app_arena *a, db_audit_row **out, int *out_n,
                  app_err *err);

#endif
