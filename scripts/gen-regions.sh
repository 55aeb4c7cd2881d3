#!/bin/sh
# Builds db/data/regions.csv (code,name,level,parent) from the NBS 2023 region
# files in shared/data/regions (provinces.csv, cities.csv, areas.csv).
# Usage: gen-regions.sh [SRCDIR] [OUTFILE]   (run from the repo root)
# See docs/decisions/0002-region-hierarchy.md for the rules applied here.
set -eu

src=${1:-../shared/data/regions}
out=${2:-db/data/regions.csv}
tmp="$out.tmp"
trap 'rm -f "$tmp" "$tmp.body"' EXIT

# City rows that are only groupings, not real cities: they get no row and
# their counties hang directly under the province.
placeholders='市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划'

awk -F, -v ph="$placeholders" '
    # Inputs are code,"name",... with no comma or quote inside a name (checked
    # here), so names need no quoting in the output either.
    FNR == 1 { file++; next }
    {
        if (NF < 2 || $2 !~ /^"[^"]*"$/) {
            printf "gen-regions: %s:%d: unexpected line\n", FILENAME, FNR > "/dev/stderr"
            bad = 1; exit 1
        }
        name = substr($2, 2, length($2) - 2)
    }
    function emit(code, level, parent) { print code "," name "," level "," parent }
    file == 1 { emit($1 "0000", "province", "000000") }
    file == 2 {
        if (name ~ "^(" ph ")$") skip[$1] = 1
        else emit($1 "00", "city", $3 "0000")
    }
    file == 3 {
        parent = ($3 in skip) ? $4 "0000" : $3 "00"
        # Cities without counties (东莞, 中山, 儋州) repeat the city code as a
        # county row: the city row already stands for it.
        if ($1 == $3 "00") next
        emit($1, "county", parent)
    }
    END { if (bad) exit 1 }
' "$src/provinces.csv" "$src/cities.csv" "$src/areas.csv" > "$tmp.body"

# Sorted by code, parents come before their children.
{
    echo 'code,name,level,parent'
    echo '000000,教育部,ministry,'
    LC_ALL=C sort -t, -k1,1 "$tmp.body"
} > "$tmp"

# Sanity checks: 6-digit unique codes, every parent present.
awk -F, 'NR > 1 {
        if ($1 !~ /^[0-9][0-9][0-9][0-9][0-9][0-9]$/ || ($1 in code)) { print "gen-regions: bad or duplicate code " $1 > "/dev/stderr"; bad = 1 }
        code[$1] = 1; parent[$1] = $4
    }
    END {
        for (c in parent) if (parent[c] != "" && !(parent[c] in code)) { print "gen-regions: " c " has unknown parent " parent[c] > "/dev/stderr"; bad = 1 }
        exit bad
    }' "$tmp"

mv "$tmp" "$out"
echo "gen-regions: wrote $out ($(($(wc -l < "$out") - 1)) rows)" >&2
