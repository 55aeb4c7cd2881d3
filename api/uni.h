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

/*
 * 1 if a signed-in student (core_actor.student_id) may call `route` at all:
 * their account (/me, /me/password, /me/requests), a student record (their
 * own only: core/student_read.c answers 404 for every other) with its
 * history and photo, the structure and calendar of their university, and a
 * request by id (their own only). Every other route answers them 403
 * forbidden before its handler runs (fail closed: the rules of the other
 * routes were written for staff and bureaus).
 */
int api_student_route(const api_route *route);

#endif
