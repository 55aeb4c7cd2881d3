/*
 * db/embedded.h - files compiled into the binary by scripts/embed.sh:
 * the SQL migrations, the CSV data files and openapi.yaml. Paths are relative to
 * the repository root. Data is NUL-terminated; len excludes the NUL.
 */
#ifndef DB_EMBEDDED_H
#define DB_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name;
    const unsigned char *data;
    size_t len;
};

/* The table, terminated by an entry whose name is NULL. Sorted by name. */
extern const struct embedded_file embedded_files[];

/* The file of that path, or NULL. */
const struct embedded_file *db_embedded_find(const char *name);

#endif
