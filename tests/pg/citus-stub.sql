-- citus-stub.sql — stand-ins for the Citus functions that `xsell store init
-- --citus` calls, for testing on plain PostgreSQL (Citus is not packaged in
-- Debian). Each call is recorded in citus_calls and in a public
-- pg_dist_partition shaped like Citus's (logicalrelid, partmethod 'h' hash
-- or 'n' reference, partkey), which `xsell store info` reads; partkey holds
-- the column name and column_to_column_name returns it as it is.
-- Used by tests/cli/citus.t; see docs/scale-out.md.
CREATE TABLE citus_calls(n serial PRIMARY KEY, call text NOT NULL);
CREATE TABLE pg_dist_partition(logicalrelid regclass, partmethod "char", partkey text);
CREATE FUNCTION create_distributed_table(t regclass, col text,
                                         colocate_with text DEFAULT 'default')
RETURNS void LANGUAGE sql AS $$
  INSERT INTO citus_calls(call)
    VALUES (format('create_distributed_table(%s, %s, %s)', t, col, colocate_with));
  INSERT INTO pg_dist_partition VALUES (t, 'h', col);
$$;
CREATE FUNCTION create_reference_table(t regclass) RETURNS void LANGUAGE sql AS $$
  INSERT INTO citus_calls(call) VALUES (format('create_reference_table(%s)', t));
  INSERT INTO pg_dist_partition VALUES (t, 'n', NULL);
$$;
CREATE FUNCTION column_to_column_name(t regclass, k text) RETURNS text
  LANGUAGE sql AS $$ SELECT k $$;
