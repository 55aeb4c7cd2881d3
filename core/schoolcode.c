/*
 * core/schoolcode.c - school identifiers.
 */
#include "core/schoolcode.h"

#include "core/region.h"

#include <assert.h>
#include <string.h>

#define SLUG "invalid_school_code"

static const struct {
    int category;
    const char *label;
} categories[] = {
    {11, "幼儿园"},       {21, "小学"},     {22, "成人小学"},     {31, "初级中学"},
    {32, "职业初中"},     {33, "成人初中"}, {34, "高级中学"},     {35, "成人高中"},
    {36, "中等职业学校"}, {37, "工读学校"}, {41, "普通高等学校"}, {42, "成人高等学校"},
    {51, "特殊教育学校"}, {91, "其他"},     {92, "其他"},         {93, "其他"},
};

static int
fail(app_err *err, const char *reason, const char *detail)
{
    app_err_set(err, APP_EINVAL, SLUG, "%s", detail);
    app_err_param(err, reason);
    return APP_EINVAL;
}

const char *
core_school_category_label(int category)
{
    for (size_t i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
        if (categories[i].category == category)
            return categories[i].label;
    return NULL;
}

int
core_school_code_parse(const char *in, size_t len, core_school_code *out, app_err *err)
{
    assert(in != NULL || len == 0);
    assert(out != NULL);
    if (len != 10)
        return fail(err, "length", "school code is not 10 characters long");
    for (size_t i = 0; i < 10; i++)
        if (in[i] < '0' || in[i] > '9')
            return fail(err, "chars", "school code has a non-digit");

    int category = (in[0] - '0') * 10 + (in[1] - '0');
    int province = (in[2] - '0') * 10 + (in[3] - '0');
    if (core_school_category_label(category) == NULL)
        return fail(err, "category", "school code has an unknown category");
    if (!core_region_province_valid(province))
        return fail(err, "province", "school code has an unknown province");

    memcpy(out->code, in, 10);
    out->code[10] = '\0';
    out->category = category;
    out->province = province;
    return 0;
}

int
core_school_is_university(int category)
{
    return category == 41 || category == 42;
}
