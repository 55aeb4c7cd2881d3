/*
 * core/request.h - a workflow request as core/ and workflow/ hand it back
 * (core_request, declared in core/student.h as db/student.h's db_request),
 * with the row types its members point to: its steps (db_step), actions
 * (db_action) and the students it is about (db_member, db/request.h). These
 * rows are read-only outside db/ and live in the caller's arena; api/ writes
 * them as JSON through this header instead of including db/ itself.
 */
#ifndef CORE_REQUEST_H
#define CORE_REQUEST_H

#include "core/student.h"
#include "db/request.h"

#endif
