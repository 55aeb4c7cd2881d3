/*
 * core/refdata.h - the reference data reads of API.md "Regions and code
 * tables": regions (GB/T 2260) with their ancestors and children, the
 * national code tables, and the check of an ID number against the region
 * list. Public data: no jurisdiction applies and nothing is written.
 *
 * The rows are db/refdata.h's (db_region, db_code_table, db_code_value),
 * handed back through this header; rows, arrays and strings live in
 * op->arena. No transaction is opened. Errors besides those listed:
 * APP_EUNAVAIL, APP_EINTERNAL from db/.
 */
#ifndef CORE_REFDATA_H
#define CORE_REFDATA_H

#include "base/err.h"
#include "core/idnum.h"
#include "core/op.h"
#include "db/db.h"
#include "db/refdata.h"

/*
 * Region `code` in (*out)[0] followed by its ancestors, nearest first, the
 * ministry root included (*out_n of them). APP_ENOTFOUND region_not_found
 * when there is no such region or `code` is the ministry root.
 */
int core_region_get(db_conn *db, const core_op *op, const char *code, db_region **out, int *out_n,
                    app_err *err);

/*
 * Up to `limit` children of `parent` ("000000": the provinces) with a code
 * after `after` ("" from the start), by code; *out_more = 1 when there are
 * more. APP_ENOTFOUND region_not_found, field /query/parent, when a first
 * page is empty because `parent` is no region.
 */
int core_region_children(db_conn *db, const core_op *op, const char *parent, const char *after,
                         int limit, db_region **out, int *out_n, int *out_more, app_err *err);

/* Every code table with its number of values. */
int core_code_tables(db_conn *db, const core_op *op, db_code_table **out, int *out_n, app_err *err);

/* One code table and its values in display order. APP_ENOTFOUND when there is none. */
int core_code_table_get(db_conn *db, const core_op *op, const char *name, db_code_table *out_table,
                        db_code_value **out, int *out_n, app_err *err);

/*
 * Parse and check ID number `number` (`len` bytes) as core_idnum_parse()
 * does, on `today` (YYYYMMDD), with the region list of the database (a
 * database failure while asking does not warn). Its problems carry field
 * /id_number. *out_region_name is the full name of its region, province
 * first ("河南省郑州市中原区"), or NULL when the region is not in the list.
 */
int core_idnum_check(db_conn *db, const core_op *op, const char *number, size_t len, int today,
                     core_idnum *out, const char **out_region_name, app_err *err);

#endif
