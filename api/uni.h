/*
 * api/uni.h - what api/h_uni.c (universities, docs/decisions/0032) offers the
 * other handlers.
 */
#ifndef API_UNI_H
#define API_UNI_H

#include "api/api.h"
#include "core/op.h"

/* GET /me of a signed-in student: adds "student" (the record with its
   university part) to `me`. Errors of core_uni_me(), in c->err. */
int api_uni_me_json(api_call *c, db_conn *db, const core_op *op, json_t *me);

#endif
