/*
 * core/password.c - password policy and one-time passwords.
 */
#include "core/password.h"

#include <assert.h>
#include <string.h>

#define FIELD "/new_password"

/* Look-alikes left out: l and o, I and O, 0 and 1. */
#define LOWER "abcdefghijkmnpqrstuvwxyz"
#define UPPER "ABCDEFGHJKLMNPQRSTUVWXYZ"
#define DIGIT "23456789"
#define SYMBOL "-_.!"

static const char alphabet[] = LOWER UPPER DIGIT SYMBOL;
_Static_assert(sizeof(alphabet) - 1 == 60, "the header promises 60 characters");

static const struct {
    const char *chars;
    unsigned n;
} required[] = {
    {LOWER, sizeof(LOWER) - 1},
    {UPPER, sizeof(UPPER) - 1},
    {DIGIT, sizeof(DIGIT) - 1},
    {SYMBOL, sizeof(SYMBOL) - 1},
};

enum { CLASS_LOWER = 1, CLASS_UPPER = 2, CLASS_DIGIT = 4, CLASS_OTHER = 8 };

/* Code points of valid UTF-8: every byte that is not a continuation byte starts one. */
static size_t
utf8_chars(const char *s, size_t n)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Not <ctype.h>: its answers depend on the locale, the policy's must not. */
static int
classes_of(const char *s, size_t n)
{
    int mask = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 'a' && c <= 'z')
            mask |= CLASS_LOWER;
        else if (c >= 'A' && c <= 'Z')
            mask |= CLASS_UPPER;
        else if (c >= '0' && c <= '9')
            mask |= CLASS_DIGIT;
        else
            mask |= CLASS_OTHER;
    }
    return (mask & 1) + (mask >> 1 & 1) + (mask >> 2 & 1) + (mask >> 3 & 1);
}

static unsigned char
fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int
iequal(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
            return 0;
    return 1;
}

/*
 * A plain O(n*m) scan: the password is capped by the request body limit and
 * the username by its column, and this runs once per password change.
 */
static int
has_username(const char *pw, size_t n, const char *user)
{
    size_t m;

    if (user == NULL || user[0] == '\0')
        return 0;
    m = strlen(user);
    if (m == n && iequal(pw, user, n))
        return 1;
    if (utf8_chars(user, m) < CORE_PASSWORD_USERNAME_MIN || m > n)
        return 0;
    for (size_t i = 0; i + m <= n; i++)
        if (iequal(pw + i, user, m))
            return 1;
    return 0;
}

int
core_password_check(const char *password, const char *username, app_err *err)
{
    const char *pw = password != NULL ? password : "";
    size_t n = strlen(pw);
    int too_short = utf8_chars(pw, n) < CORE_PASSWORD_MIN_CHARS;
    int too_long = n > CORE_PASSWORD_MAX_BYTES;
    int classes = classes_of(pw, n) < CORE_PASSWORD_MIN_CLASSES;
    int user = has_username(pw, n, username);

    if (!too_short && !too_long && !classes && !user)
        return 0;
    /* The detail is logged: it names the rules, never the password. */
    app_err_set(err, APP_EINVAL, "weak_password", "password rejected:%s%s%s%s",
                too_short ? " too short" : "", too_long ? " too long" : "",
                classes ? " too few classes" : "", user ? " contains the username" : "");
    if (too_short)
        app_err_add(err, FIELD, "password_too_short", NULL);
    if (too_long)
        app_err_add(err, FIELD, "password_too_long", NULL);
    if (classes)
        app_err_add(err, FIELD, "password_classes", NULL);
    if (user)
        app_err_add(err, FIELD, "password_contains_username", NULL);
    return APP_EINVAL;
}

/*
 * Divide the 128-bit big-endian number `num` by `radix` in place and return
 * the remainder. Drawing every choice as a mixed-radix digit of one 128-bit
 * number uses about 100 of its bits, so the modulo bias is about 2^-27,
 * where a byte per character would bias by up to 16/256.
 */
static unsigned
draw(unsigned char num[16], unsigned radix)
{
    unsigned rem = 0;

    for (int i = 0; i < 16; i++) {
        unsigned cur = rem * 256 + num[i];

        num[i] = (unsigned char)(cur / radix);
        rem = cur % radix;
    }
    return rem;
}

/* A wipe that the compiler may not drop as a dead store. */
static void
wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;

    while (n--)
        *v++ = 0;
}

void
core_password_generate(char out[CORE_PASSWORD_GEN_LEN + 1], const unsigned char random[16])
{
    unsigned char num[16];
    unsigned char taken[CORE_PASSWORD_GEN_LEN] = {0};

    assert(out != NULL && random != NULL);
    memcpy(num, random, sizeof(num));

    /* One character of each class, at distinct positions ... */
    for (unsigned k = 0; k < sizeof(required) / sizeof(required[0]); k++) {
        unsigned skip = draw(num, CORE_PASSWORD_GEN_LEN - k), p = 0;

        for (;; p++)
            if (!taken[p] && skip-- == 0)
                break;
        taken[p] = 1;
        out[p] = required[k].chars[draw(num, required[k].n)];
    }
    /* ... and the rest from the whole alphabet. */
    for (unsigned p = 0; p < CORE_PASSWORD_GEN_LEN; p++)
        if (!taken[p])
            out[p] = alphabet[draw(num, sizeof(alphabet) - 1)];
    out[CORE_PASSWORD_GEN_LEN] = '\0';
    wipe(num, sizeof(num));
    wipe(taken, sizeof(taken));
}
