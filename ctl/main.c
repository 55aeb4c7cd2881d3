/*
 * ctl/main.c - xuejictl, the administrator's command line.
 *
 *   xuejictl migrate             apply pending migrations
 *   xuejictl check-id NUMBER     validate a resident ID number (GB 11643) offline
 *   xuejictl demo [--students N] load the demo province (idempotent), and
 *                                generated students up to N
 *   xuejictl rekey [--batch N]   re-encrypt personal data under the current key
 *   xuejictl audit verify        check the sealed audit trail (ADR 0023)
 *   xuejictl audit pubkey        the public key of XUEJI_AUDIT_SIGNING_KEY
 *   xuejictl lottery-verify ...  re-run a selection round's published draw
 *   xuejictl tokens ...          access tokens of a university's students,
 *                                minted offline (the selection bench)
 *   xuejictl gen-import ...      a file of new valid students in the import
 *                                template's layout (benchmarks, tests)
 *
 * Reads XUEJI_DATABASE_URL like xuejid, and for students the data keys
 * (XUEJI_DATA_KEY, XUEJI_DATA_KEYS_OLD, or their _FILE forms) as xuejid does.
 * The commands are in the other files of ctl/ (ctl/ctl.h).
 */
#include "ctl/ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(FILE *out);

/* xuejictl tokens --school CODE --out FILE [--ttl S] */
static int
tokens(int argc, char **argv)
{
    const char *school = NULL, *out = NULL;
    long long ttl = 900;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--school") == 0)
            school = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0)
            out = argv[i + 1];
        else if (strcmp(argv[i], "--ttl") == 0)
            ttl = strtoll(argv[i + 1], NULL, 10);
        else
            return usage(stderr);
    }
    if (argc % 2 != 0 || ttl < 60 || ttl > 900)
        return usage(stderr);
    return ctl_cmd_tokens(school, out, (int)ttl);
}

static int
usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  xuejictl migrate           apply pending migrations (XUEJI_DATABASE_URL)\n"
            "  xuejictl check-id NUMBER   validate a resident ID number offline\n"
            "  xuejictl demo              load the demo province: schools, classes,\n"
            "                             accounts (XUEJI_DATABASE_URL; idempotent)\n"
            "      --students N           and generated enrolled students until the demo\n"
            "                             schools hold N (tops up: a rerun adds none)\n"
            "      --jobs J               loader threads and connections (default 2)\n"
            "      --print-sample K       print K loaded students: id, number, school\n"
            "  xuejictl rekey [--batch N] re-encrypt every student row under the current\n"
            "                             key XUEJI_DATA_KEY (old keys: XUEJI_DATA_KEYS_OLD),\n"
            "                             then the stored files (uploads, evidence, photos)\n"
            "  xuejictl audit verify      check every audit row's hash and every seal's\n"
            "                             signature, link and range (public key:\n"
            "                             XUEJI_AUDIT_PUBLIC_KEY, comma-separated, or that of\n"
            "                             XUEJI_AUDIT_SIGNING_KEY); exit 1 naming what failed\n"
            "  xuejictl audit pubkey      print the public key of XUEJI_AUDIT_SIGNING_KEY\n"
            "  xuejictl lottery-verify --round ID | --file FILE\n"
            "                             re-run the published lottery of a pre-selection\n"
            "                             round (from the database, or a saved answer of\n"
            "                             GET .../selection-rounds/{id}/draw); exit 1 on a\n"
            "                             mismatch\n"
            "  xuejictl gen-import --rows N --school CODE --format csv|xlsx\n"
            "                             N new valid students of school CODE in the\n"
            "                             import template's layout, on stdout\n"
            "      --grade G              their grade (default 14)\n"
            "      --classes A-B          their classes, in turn (default 91-98)\n"
            "      --out FILE             write FILE instead of stdout\n"
            "  xuejictl tokens --school CODE --out FILE [--ttl S]\n"
            "                             an access token of every student account of\n"
            "                             university CODE, signed with XUEJI_JWT_SECRET as\n"
            "                             xuejid signs one (S seconds, default and at most\n"
            "                             900), each with its own session: lines\n"
            "                             \"STUDENT_ID TOKEN\" in FILE (mode 0600)\n");
    return out == stdout ? 0 : 2;
}

db_conn *
ctl_connect(app_err *err)
{
    const char *url = getenv("XUEJI_DATABASE_URL");
    return db_conn_open(url ? url : "postgresql:///xueji", err);
}

double
ctl_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A whole number option value from 0 to max, or -1. */
static long long
number_arg(const char *s, long long max)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return *s && *end == '\0' && v >= 0 && v <= max ? v : -1;
}

/* xuejictl demo [--students N] [--jobs J] [--print-sample K] */
static int
demo(int argc, char **argv)
{
    long long students = 0, jobs = 2, sample = 0;
    for (int i = 2; i < argc; i += 2) {
        long long *v = strcmp(argv[i], "--students") == 0       ? &students
                       : strcmp(argv[i], "--jobs") == 0         ? &jobs
                       : strcmp(argv[i], "--print-sample") == 0 ? &sample
                                                                : NULL;
        if (v == NULL || i + 1 >= argc || (*v = number_arg(argv[i + 1], 100000000)) < 0)
            return usage(stderr);
    }
    if (sample > CTL_DEMO_SAMPLE_MAX || jobs < 1 || jobs > 8) {
        fprintf(stderr, "xuejictl: demo: --jobs 1..8, --print-sample up to %d\n",
                CTL_DEMO_SAMPLE_MAX);
        return 2;
    }
    return ctl_cmd_demo(students, (int)jobs, (int)sample);
}

/* xuejictl rekey [--batch N] */
static int
rekey(int argc, char **argv)
{
    long long batch = 1000;
    if (argc == 4 && strcmp(argv[2], "--batch") == 0)
        batch = number_arg(argv[3], 100000);
    else if (argc != 2)
        return usage(stderr);
    if (batch < 1)
        return usage(stderr);
    return ctl_cmd_rekey((int)batch);
}

/* xuejictl gen-import --rows N --school CODE --format csv|xlsx [--grade G]
   [--classes A-B] [--out FILE] */
static int
gen_import(int argc, char **argv)
{
    long long rows = -1, grade = 14;
    int first = 91, last = 98;
    const char *school = NULL, *format = NULL, *out_path = NULL;
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc)
            return usage(stderr);
        const char *v = argv[i + 1];
        if (strcmp(argv[i], "--rows") == 0)
            rows = number_arg(v, 1048575);
        else if (strcmp(argv[i], "--grade") == 0)
            grade = number_arg(v, 99);
        else if (strcmp(argv[i], "--school") == 0)
            school = v;
        else if (strcmp(argv[i], "--format") == 0)
            format = v;
        else if (strcmp(argv[i], "--out") == 0)
            out_path = v;
        else if (strcmp(argv[i], "--classes") == 0) {
            int n = 0;
            if (sscanf(v, "%d-%d%n", &first, &last, &n) != 2 || v[n] != '\0')
                return usage(stderr);
        } else
            return usage(stderr);
    }
    if (rows < 0 || grade < 0 || school == NULL || format == NULL ||
        (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) || first < 1 || last > 99 ||
        first > last) {
        fprintf(stderr, "xuejictl: gen-import: --rows N (up to 1048575), --school CODE, "
                        "--format csv|xlsx; --classes A-B within 1-99\n");
        return 2;
    }
    return ctl_cmd_gen_import(rows, school, format, (int)grade, first, last, out_path);
}

/* xuejictl lottery-verify --round ID | --file FILE */
static int
lottery_verify(int argc, char **argv)
{
    if (argc != 4)
        return usage(stderr);
    if (strcmp(argv[2], "--file") == 0)
        return ctl_cmd_lottery_verify(0, argv[3]);
    long long round = number_arg(argv[3], 999999999999999999LL);
    if (strcmp(argv[2], "--round") != 0 || round < 1)
        return usage(stderr);
    return ctl_cmd_lottery_verify(round, NULL);
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "migrate") == 0)
        return ctl_cmd_migrate();
    if (strcmp(argv[1], "check-id") == 0 && argc == 3)
        return ctl_cmd_check_id(argv[2]);
    if (strcmp(argv[1], "demo") == 0)
        return demo(argc, argv);
    if (strcmp(argv[1], "rekey") == 0)
        return rekey(argc, argv);
    if (strcmp(argv[1], "lottery-verify") == 0)
        return lottery_verify(argc, argv);
    if (strcmp(argv[1], "gen-import") == 0)
        return gen_import(argc, argv);
    if (strcmp(argv[1], "tokens") == 0)
        return tokens(argc, argv);
    if (strcmp(argv[1], "audit") == 0 && argc == 3 && strcmp(argv[2], "verify") == 0)
        return ctl_cmd_audit_verify();
    if (strcmp(argv[1], "audit") == 0 && argc == 3 && strcmp(argv[2], "pubkey") == 0)
        return ctl_cmd_audit_pubkey();
    return usage(stderr);
}
