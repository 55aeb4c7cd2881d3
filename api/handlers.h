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

/* Shared list helpers (api/h_regions.c): ?limit= (default 50, max 500). */
int api_list_limit(api_call *c, int *out_limit);

#endif
