#!/bin/sh
# Enforces the layer rule of docs/ARCHITECTURE.md on #include lines:
#   api/ -> workflow/ -> core/ -> db/   (arrows never point up)
#   formats/  file formats (zip, xml, xlsx, csv, images): base/ only; used by
#             core/, api/ and ctl/
#   base/     error value, arena, buffers, the JSON text writer: the C library
#             only; every layer may use it
# - cairo and pango (PDF, docs/decisions/0029) only in formats/;
# - libpq-fe.h only in db/; h2o and jwt.h only in api/; jansson.h only in
#   api/, ctl/ and workflow/ (workflow reads request payloads with it,
#   docs/decisions/0019); tests/ may include anything.
# - db/ includes base/ only; core/ no workflow/ or api/ header; workflow/ no
#   api/ header.
# - api/ includes of db/ only db/db.h: the connection the worker pool owns and
#   hands to each job; every database access goes through core/ or workflow/
#   (handlers parse, call one function, reply; docs/decisions/0020).
# Prints file:line for each violation and exits 1, or prints "check-layers: ok".
set -eu
cd "$(dirname "$0")/.."

find . \( -path ./build -o -path ./tests -o -path ./.git -o -path ./node_modules \
    -o -path ./var \) -prune -o \( -name '*.c' -o -name '*.h' \) -type f -print |
    sed 's|^\./||' | sort |
    xargs -r grep -nHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' |
    awk '
    BEGIN { split("api workflow core formats db base", d, " "); for (i in d) proj[d[i]] = 1 }
    {
        # file:line:#include <x> or "x"
        split($0, p, ":"); file = p[1]; line = p[2]
        hdr = $0; sub(/^[^<"]*[<"]/, "", hdr); sub(/[>"].*$/, "", hdr)
        while (sub(/^\.\.?\//, "", hdr)) {}      # "../core/x.h" -> core/x.h
        dir = file; sub(/\/.*/, "", dir)
        if (dir == file) dir = "."
        top = hdr; sub(/\/.*/, "", top)
        base = hdr; sub(/.*\//, "", base)

        why = ""
        if (base == "libpq-fe.h" && dir != "db")
            why = "libpq-fe.h outside db/"
        else if ((base == "h2o.h" || top == "h2o") && dir != "api")
            why = "h2o outside api/"
        else if (base == "jwt.h" && dir != "api")
            why = "jwt.h outside api/"
        else if ((top == "pango" || base ~ /^cairo/) && dir != "formats")
            why = "cairo/pango outside formats/"
        else if (base == "jansson.h" && dir != "api" && dir != "ctl" && dir != "workflow")
            why = "jansson.h outside api/, ctl/ and workflow/"
        else if (dir == "base" && (top in proj) && top != "base")
            why = "base/ includes " hdr
        else if (dir == "formats" && (top in proj) && top != "base" && top != "formats")
            why = "formats/ includes " hdr
        else if (dir == "db" && (top == "workflow" || top == "api" || top == "core" ||
                 top == "formats"))
            why = "db/ includes " hdr
        else if (dir == "core" && (top == "workflow" || top == "api"))
            why = "core/ includes " hdr
        else if (dir == "workflow" && top == "api")
            why = "workflow/ includes " hdr
        else if (dir == "api" && top == "db" && hdr != "db/db.h")
            why = "api/ includes " hdr " (only db/db.h; the rest goes through core/)"
        if (why != "") { printf "%s:%s: %s\n", file, line, why; bad = 1 }
    }
    END { exit bad }' || { echo "check-layers: FAILED (see ARCHITECTURE.md)" >&2; exit 1; }

echo "check-layers: ok"
