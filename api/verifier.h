/*
 * api/verifier.h - client of the external identity verifier (DOMAIN rule 23):
 * the population register's service that says whether a name and an ID number
 * belong together.
 *
 * When XUEJI_VERIFIER_URL is set (http:// or https://host[:port][/path])
 * xueji POSTs one JSON request per check and reads one JSON answer over
 * HTTP/1.1, through libcurl's easy API (docs/decisions/0021): one connection
 * per check ("Connection: close"), https verified against the system's CA
 * certificates (peer and host name), redirects not followed, no proxy (not
 * even one named by http_proxy/https_proxy in the environment), so none is
 * needed in front of an https:// service.
 *
 * api_verifier_check blocks (up to its timeout): call it on DB worker threads,
 * never on a loop thread. An api_verifier is immutable after api_verifier_new,
 * so any number of threads may share one. The first api_verifier_new
 * initialises libcurl (curl_global_init): call it at start, before threads
 * (api/registry.c does). Nothing here logs, and no error detail ever holds
 * the ID number or text sent by the verifier.
 */
#ifndef API_VERIFIER_H
#define API_VERIFIER_H

#include "base/err.h"

typedef enum {
    API_VERIFY_PASSED,
    API_VERIFY_ID_NOT_FOUND,
    API_VERIFY_NAME_MISMATCH,
    API_VERIFY_CANCELLED,
    API_VERIFY_MIGRATING,
    API_VERIFY_DUPLICATE_POPULATION,
    API_VERIFY_UNAVAILABLE,
} api_verify_result;

typedef struct api_verifier api_verifier;

/* Largest response (status lines, headers and body) the client reads. */
#define API_VERIFIER_MAX_RESPONSE (64 * 1024)

/*
 * Parse `url` once, at start. Accepted: http(s)://host[:port][/path[?query]],
 * scheme in any case, host a name, an IPv4 address or a bracketed IPv6
 * address; port 1-65535 (default 80, or 443 for https); path default "/".
 * Refused (NULL, err APP_EINVAL with slug "bad_verifier_url" and a detail
 * saying why): any other scheme, user info, a fragment, spaces or control
 * characters, an empty host, a bad port, a path over 1024 bytes, or libcurl
 * failing to initialise. `timeout_ms` bounds each check and must be 1 to
 * 600000 (else the same error). `err` may be NULL. The result is freed with
 * api_verifier_free. The URL is not resolved here.
 */
api_verifier *api_verifier_new(const char *url, int timeout_ms, app_err *err);

/* Free `v` (may be NULL). No check may be running on it. */
void api_verifier_free(api_verifier *v);

/*
 * POST {"name":..,"id_type":..,"id_number":..,"gender":..,"birth_date":..}
 * (Content-Type: application/json) and read the answer
 * {"result":"passed"|"id_not_found"|"name_mismatch"|"cancelled"|"migrating"
 *  |"duplicate_population"} (other members are ignored). Returns the result.
 *
 * Any transport failure (TLS included), the timeout, a non-2xx status (a
 * redirect too), a body that is not such a JSON object, an unknown result
 * word, conflicting Content-Length headers, a transfer coding other than
 * chunked, or a response over API_VERIFIER_MAX_RESPONSE (counted as it
 * arrives, or refused at once from its Content-Length) gives
 * API_VERIFY_UNAVAILABLE and fills `err` (APP_EUNAVAIL, slug
 * "verifier_unavailable", detail saying why, without the ID number or any
 * text of the answer); on every other result `err` is left untouched. `err`
 * may be NULL.
 *
 * Time: resolving the host name (libcurl's threaded resolver), connecting,
 * the TLS handshake, sending and receiving together take at most the
 * timeout given to api_verifier_new.
 *
 * `name`, `id_type` and `id_number` are required (NULL gives
 * API_VERIFY_UNAVAILABLE without a request); `gender` and `birth_date` may be
 * NULL (sent as JSON null). Strings must be UTF-8, else
 * API_VERIFY_UNAVAILABLE. Thread-safe; allocates nothing that outlives the
 * call. The request buffers holding the ID number are wiped before they are
 * freed.
 */
api_verify_result api_verifier_check(api_verifier *v, const char *name, const char *id_type,
                                     const char *id_number, const char *gender,
                                     const char *birth_date, app_err *err);

/* "passed", "id_not_found", "name_mismatch", "cancelled", "migrating",
   "duplicate_population", "unavailable"; "unavailable" for out-of-range values
   too. Static strings. */
const char *api_verify_result_name(api_verify_result r);

#endif
