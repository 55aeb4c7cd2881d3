/*
 * api/log.h - one JSON object per line on stderr. Never a body, token or PII:
 * callers pass only fixed messages, ids and internal error details.
 */
#ifndef API_LOG_H
#define API_LOG_H

enum { API_LOG_ERROR = 0, API_LOG_WARN = 1, API_LOG_INFO = 2, API_LOG_DEBUG = 3 };

void api_log_set_level(int level);
int api_log_enabled(int level);
/* {"ts":..,"level":..,"msg":msg,"request_id":rid?,"detail":detail?} */
void api_log(int level, const char *msg, const char *request_id, const char *detail);
/* Access line: method, route, status, duration, request id. */
void api_log_access(const char *method, const char *route, int status, double ms,
                    const char *request_id);

#endif
