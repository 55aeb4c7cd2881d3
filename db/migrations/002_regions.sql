-- Region codes (GB/T 2260, NBS 2023 edition): ministry, provinces, cities, counties.
-- Data built by scripts/gen-regions.sh (see docs/decisions/0002-region-hierarchy.md).
CREATE TABLE region (code char(6) PRIMARY KEY, name text NOT NULL, level text NOT NULL CHECK (level IN ('ministry','province','city','county')), parent char(6) REFERENCES region(code), edition int NOT NULL DEFAULT 2023, retired boolean NOT NULL DEFAULT false);
\copy region (code, name, level, parent) from 'db/data/regions.csv' with (format csv, header true)
CREATE INDEX region_parent_idx ON region (parent, code);
