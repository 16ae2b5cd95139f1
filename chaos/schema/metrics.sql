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
-- As in ops: a tenant role also sees only the rows of the tenant it is named after.
CREATE FUNCTION metrics.role_tenant() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN starts_with(current_user::text, 'gauntlet_tenant_')
                THEN substr(current_user::text, 17) END
$$;
CREATE POLICY tenant_role ON metrics.samples AS RESTRICTIVE TO gauntlet_tenants
    USING (tenant_id = metrics.role_tenant());

RESET ROLE;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA metrics TO gauntlet_tenants;
GRANT SELECT ON ALL TABLES IN SCHEMA metrics TO gauntlet_tenants;
ALTER ROLE gauntlet_reader IN DATABASE metrics SET search_path = metrics;
