-- The metrics database: time series, a separate upstream for the metrics tool.
CREATE SCHEMA metrics AUTHORIZATION gauntlet_owner;
SET ROLE gauntlet_owner;

CREATE TABLE metrics.samples (
    tenant_id text NOT NULL,
    service   text NOT NULL,
    metric    text NOT NULL,
    ts        timestamptz NOT NULL,
    value     double precision NOT NULL
);
CREATE INDEX samples_series ON metrics.samples (tenant_id, service, metric, ts);

ALTER TABLE metrics.samples ENABLE ROW LEVEL SECURITY;
ALTER TABLE metrics.samples FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metrics.samples
    USING (tenant_id = current_setting('app.tenant_id', true));

RESET ROLE;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- The tenant is a setting, so no caller may change settings from inside a query: tools
-- set it with SET LOCAL in their own statement, and user SQL runs one statement at a time.
REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC;
GRANT USAGE ON SCHEMA metrics TO gauntlet_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA metrics TO gauntlet_reader;
ALTER ROLE gauntlet_reader IN DATABASE metrics SET search_path = metrics;
