/*
 * api/problem.c - the only place where an app_err becomes an HTTP status and
 * RFC 9457 problem+json, in Chinese (default) or English (Accept-Language: en).
 * Internal details (SQL errors, paths) are logged with the request id, never sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/log.h"

typedef struct problem {
    const char *slug;
    int status;
    const char *zh, *en;
} problem;

/* Slugs are the stable `code` of API.md; add one line per new error. */
static const problem problems[] = {
    {"route_not_found", 404, "请求的地址不存在", "No such resource path"},
    {"not_found", 404, "资源不存在", "Resource not found"},
    {"region_not_found", 404, "行政区划代码不存在", "No such region code"},
    {"code_table_not_found", 404, "代码表不存在", "No such code table"},
    {"method_not_allowed", 405, "该地址不支持此请求方法", "Method not allowed on this resource"},
    {"malformed_json", 400, "请求体不是合法的 JSON", "The request body is not valid JSON"},
    {"invalid_parameter", 400, "请求参数不合法", "Invalid request parameter"},
    {"invalid_cursor", 400, "分页游标无效", "Invalid pagination cursor"},
    {"invalid_idempotency_key", 400, "Idempotency-Key 无效（1 至 255 个字符）",
     "Invalid Idempotency-Key (1 to 255 characters)"},
    {"body_too_large", 413, "请求体过大", "Request body too large"},
    {"unsupported_media_type", 415, "请求体须为 application/json",
     "The request body must be application/json"},
    {"validation_failed", 422, "数据校验未通过", "Validation failed"},
    {"invalid_id_number", 422, "身份证件号不正确", "Invalid ID number"},
    {"invalid_region_code", 422, "行政区划代码不正确", "Invalid region code"},
    {"invalid_school_code", 422, "学校标识码不正确", "Invalid school code"},
    {"invalid_student_number", 422, "学籍号不正确", "Invalid student number"},
    {"missing_field", 422, "缺少必填字段", "A required field is missing"},
    {"wrong_type", 422, "字段类型不正确", "A field has the wrong type"},
    {"idempotency_key_reused", 422, "Idempotency-Key 已用于另一个请求",
     "This Idempotency-Key was used for a different request"},
    {"idempotency_in_progress", 409, "相同 Idempotency-Key 的请求正在处理",
     "A request with this Idempotency-Key is still in progress"},
    {"invalid_credentials", 401, "用户名或密码错误", "Wrong username or password"},
    {"invalid_token", 401, "访问令牌无效，请重新登录", "Invalid access token; log in again"},
    {"token_expired", 401, "访问令牌已过期，请刷新或重新登录", "Access token expired; refresh or log in"},
    {"token_revoked", 401, "访问令牌已失效，请重新登录", "Access token revoked; log in again"},
    {"account_inactive", 401, "账户已停用、冻结或锁定，请重新登录",
     "The account is disabled, frozen or locked"},
    {"invalid_refresh_token", 401, "刷新令牌无效或已过期，请重新登录",
     "Invalid or expired refresh token; log in again"},
    {"refresh_token_reused", 401, "刷新令牌被重复使用，已注销该登录，请重新登录",
     "Refresh token reused: the session was revoked; log in again"},
    {"invalid_client", 401, "客户端凭据错误", "Wrong client credentials"},
    {"unsupported_grant_type", 400, "不支持的 grant_type", "Unsupported grant_type"},
    {"account_locked", 423, "登录失败次数过多，账户已临时锁定",
     "Too many failed logins: the account is locked for a while"},
    {"account_disabled", 403, "账户已停用，请联系上级管理员",
     "The account is disabled; ask your superior administrator"},
    {"account_frozen", 403, "账户长期未使用已冻结，请联系上级管理员解冻",
     "The account was frozen after long disuse; ask your superior administrator"},
    {"password_change_required", 403, "请先修改密码", "You must change your password first"},
    {"weak_password", 422, "密码不符合要求", "The password does not meet the policy"},
    {"password_too_short", 422, "密码至少 10 个字符", "At least 10 characters"},
    {"password_too_long", 422, "密码过长（最多 128 字节）", "Too long (at most 128 bytes)"},
    {"password_classes", 422, "密码须包含大写字母、小写字母、数字、符号中的至少三类",
     "Use at least three of: upper case, lower case, digits, symbols"},
    {"password_contains_username", 422, "密码不能与用户名相同或包含用户名",
     "The password must not be or contain the username"},
    {"password_reused", 422, "新密码不能与旧密码相同", "The new password must differ from the old"},
    {"wrong_password", 422, "原密码错误", "The old password is wrong"},
    {"username_taken", 409, "用户名已存在", "The username is taken"},
    {"conflict", 409, "与现有数据冲突", "Conflicts with existing data"},
    {"invalid_state", 409, "当前状态不允许此操作", "Not allowed in the current state"},
    {"unauthenticated", 401, "未登录或登录已失效", "Missing or invalid credentials"},
    {"forbidden", 403, "无权执行此操作", "Not allowed"},
    {"precondition_failed", 412, "数据已被他人修改，请刷新后重试",
     "The resource changed since it was read; reload and retry"},
    {"rate_limited", 429, "请求过于频繁，请稍后再试", "Too many requests; retry later"},
    {"database_unavailable", 503, "服务暂不可用（数据库无法连接），请稍后再试",
     "Service unavailable (database unreachable); retry later"},
    {"not_ready", 503, "服务尚未就绪", "Service not ready"},
    {"internal_error", 500, "服务器内部错误", "Internal server error"},
};

/* Reasons and item codes: extra text after the title, by the code word in param. */
static const struct {
    const char *slug, *param, *zh, *en;
} reasons[] = {
    {"invalid_id_number", "length", "应为 18 位（或旧版 15 位）", "must be 18 (or legacy 15) characters"},
    {"invalid_id_number", "chars", "只能由数字组成，最后一位可为 X", "digits only; the last may be X"},
    {"invalid_id_number", "checksum", "校验位错误", "the check digit is wrong"},
    {"invalid_id_number", "birth_date", "出生日期无效", "the birth date is not valid"},
    {"invalid_id_number", "region", "地址码的省级代码不存在", "the address code has no valid province"},
    {"invalid_region_code", "length", "位数不正确", "wrong length"},
    {"invalid_region_code", "chars", "只能由数字组成", "digits only"},
    {"invalid_region_code", "province", "省级代码不存在", "no such province"},
    {"invalid_school_code", "length", "应为 10 位数字", "must be 10 digits"},
    {"invalid_school_code", "chars", "只能由数字组成", "digits only"},
    {"invalid_school_code", "category", "学校类别代码不存在", "unknown school category"},
    {"invalid_school_code", "province", "省级代码不存在", "no such province"},
};

static const problem *
find(const app_err *err)
{
    const char *slug = err->slug;
    if (slug == NULL) {
        switch (err->code) {
        case APP_EINVAL: slug = "validation_failed"; break;
        case APP_ENOTFOUND: slug = "not_found"; break;
        case APP_ECONFLICT: slug = "conflict"; break;
        case APP_ESTATE: slug = "invalid_state"; break;
        case APP_EAUTH: slug = "unauthenticated"; break;
        case APP_EFORBIDDEN: slug = "forbidden"; break;
        case APP_EUNAVAIL: slug = "database_unavailable"; break;
        case APP_ETOOLARGE: slug = "body_too_large"; break;
        case APP_EPRECOND: slug = "precondition_failed"; break;
        default: slug = "internal_error"; break;
        }
    }
    for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
        if (strcmp(problems[i].slug, slug) == 0)
            return &problems[i];
    return NULL;
}

static int
status_of_code(app_code c)
{
    switch (c) {
    case APP_EINVAL: return 422;
    case APP_ENOTFOUND: return 404;
    case APP_ECONFLICT: return 409;
    case APP_ESTATE: return 409;
    case APP_EAUTH: return 401;
    case APP_EFORBIDDEN: return 403;
    case APP_EUNAVAIL: return 503;
    case APP_ETOOLARGE: return 413;
    case APP_EPRECOND: return 412;
    default: return 500;
    }
}

int
api_problem_status(const app_err *err)
{
    const problem *p = find(err);
    return p ? p->status : status_of_code(err->code);
}

static const char *
reason_text(const char *slug, const char *param, int en)
{
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (strcmp(reasons[i].slug, slug) == 0 && strcmp(reasons[i].param, param) == 0)
            return en ? reasons[i].en : reasons[i].zh;
    return NULL;
}

/* Message for an item or for the whole problem: title, then reason when known. */
static char *
message(api_call *c, const char *slug, const char *param, int en)
{
    app_err tmp = {0};
    tmp.slug = slug;
    const problem *p = find(&tmp);
    const char *title = p ? (en ? p->en : p->zh) : slug;
    const char *why = param && *param ? reason_text(slug, param, en) : NULL;
    if (why != NULL)
        return app_arena_printf(c->arena, en ? "%s: %s" : "%s：%s", title, why);
    return app_arena_strdup(c->arena, title);
}

void
api_problem_render(api_call *c)
{
    app_err *err = &c->err;
    const problem *p = find(err);
    int status = p ? p->status : status_of_code(err->code);
    const char *slug = p ? p->slug : (err->slug ? err->slug : "internal_error");
    int en = c->lang_en;

    if (status >= 500)
        api_log(API_LOG_ERROR, slug, c->request_id, err->detail);
    else if (err->detail[0] && api_log_enabled(API_LOG_DEBUG))
        api_log(API_LOG_DEBUG, slug, c->request_id, err->detail);

    json_t *o = json_object();
    json_object_set_new(o, "type", json_sprintf("https://xueji.example/problems/%s", slug));
    const char *title = p ? (en ? p->en : p->zh) : (en ? "Error" : "错误");
    json_object_set_new(o, "title", json_string(title));
    json_object_set_new(o, "status", json_integer(status));
    char *detail = status >= 500 ? app_arena_strdup(c->arena, title)
                                 : message(c, slug, err->param, en);
    if (strcmp(slug, "malformed_json") == 0 && err->param[0]) {
        int line = 0, col = 0, pos = 0;
        sscanf(err->param, "%d:%d:%d", &line, &col, &pos);
        detail = app_arena_printf(c->arena,
                                  en ? "%s (line %d, column %d, byte %d)"
                                     : "%s（第 %d 行第 %d 列，第 %d 字节处）",
                                  title, line, col, pos);
    }
    json_object_set_new(o, "detail", json_string(detail));
    json_object_set_new(o, "code", json_string(slug));
    json_object_set_new(o, "instance", json_string(c->path ? c->path : "/"));
    json_object_set_new(o, "request_id", json_string(c->request_id));

    json_t *items = json_array();
    if (err->nitems > 0) {
        for (int i = 0; i < err->nitems; i++) {
            const app_err_item *it = &err->items[i];
            json_t *e = json_object();
            json_object_set_new(e, "field", json_string(it->field));
            json_object_set_new(e, "code", json_string(it->code));
            json_object_set_new(e, "message", json_string(message(c, it->code, it->param, en)));
            if (it->row > 0)
                json_object_set_new(e, "row", json_integer(it->row));
            if (it->column > 0)
                json_object_set_new(e, "column", json_integer(it->column));
            json_array_append_new(items, e);
        }
    } else if (err->field[0]) {
        json_t *e = json_object();
        json_object_set_new(e, "field", json_string(err->field));
        json_object_set_new(e, "code", json_string(slug));
        json_object_set_new(e, "message", json_string(detail));
        json_array_append_new(items, e);
    }
    json_object_set_new(o, "errors", items);

    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    c->status = status;
    c->content_type = "application/problem+json; charset=utf-8";
    c->out = app_arena_strdup(c->arena, s ? s : "{}");
    c->out_len = strlen(c->out);
    free(s);
    c->failed = 0;
}
