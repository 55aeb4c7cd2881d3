/*
 * api/handlers.h - route handlers (see the table in api/router.c).
 */
#ifndef API_HANDLERS_H
#define API_HANDLERS_H

#include "api/api.h"

/* api/h_system.c */
void h_healthz(api_call *c);
void h_readyz(api_call *c);
void h_metrics(api_call *c);
void h_openapi(api_call *c);

/* api/h_regions.c */
void h_regions_list(api_call *c);
void h_region_get(api_call *c);
void h_code_tables(api_call *c);
void h_code_table_get(api_call *c);
void h_id_number_validate(api_call *c);

/* api/h_auth.c */
void h_login(api_call *c);
void h_refresh(api_call *c);
void h_logout(api_call *c);
void h_me(api_call *c);
void h_me_password(api_call *c);
void api_auth_init(void);
struct api_config;
int api_bootstrap_admin(const struct api_config *cfg, db_conn *db, app_err *err);

/* Shared helpers (api/h_auth.c): a string member of the JSON body, or NULL with
   missing_field / wrong_type recorded on the call (only the first problem). */
const char *api_body_string(api_call *c, const char *name, int required);
/* Append an audit row for the caller (in the job's transaction when one is open);
   a failure is left in c->err (check c->err.code when the write must not be lost). */
void api_audit(api_call *c, db_conn *db, const char *action, const char *target_type,
               const char *target_id, const char *detail_json);
/* The school's name, or NULL (worker). */
const char *api_school_name(db_conn *db, const char *code, app_arena *a);

/* Shared list helpers (api/h_regions.c): ?limit= (default 50, max 500). */
int api_list_limit(api_call *c, int *out_limit);

#endif
