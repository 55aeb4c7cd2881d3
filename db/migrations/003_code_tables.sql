-- National and house code tables (DOMAIN.md section 4 and others): one row per table in
-- code_table, one row per value in code_value. Data in db/data/code_table*.csv.
CREATE TABLE code_table (name text PRIMARY KEY, label text NOT NULL, source text NOT NULL);
CREATE TABLE code_value (table_name text NOT NULL REFERENCES code_table(name), code text NOT NULL, label text NOT NULL, sort int NOT NULL, PRIMARY KEY (table_name, code));
\copy code_table (name, label, source) from 'db/data/code_table_index.csv' with (format csv, header true)
\copy code_value (table_name, code, label, sort) from 'db/data/code_tables.csv' with (format csv, header true)
