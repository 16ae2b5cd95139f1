-- The ops database: what the orchestrator's tools read, and the audit log they append to.
-- Run as a superuser in database `ops`. Tables belong to gauntlet_owner (NOLOGIN), so
-- FORCE ROW LEVEL SECURITY binds even the owner; only superusers bypass it (the seeder).
CREATE SCHEMA ops AUTHORIZATION gauntlet_owner;
SET ROLE gauntlet_owner;

CREATE TABLE ops.tenants (
    tenant_id   text PRIMARY KEY,
    name        text NOT NULL,
    plan        text NOT NULL
);
CREATE TABLE ops.services (
    tenant_id   text NOT NULL REFERENCES ops.tenants,
    service     text NOT NULL,
    tier        text NOT NULL,
    owner_team  text NOT NULL,
    PRIMARY KEY (tenant_id, service)
);
CREATE TABLE ops.hosts (
    tenant_id   text NOT NULL,
    host_id     text NOT NULL,
    service     text NOT NULL,
    region      text NOT NULL,
    status      text NOT NULL,
    PRIMARY KEY (tenant_id, host_id),
    FOREIGN KEY (tenant_id, service) REFERENCES ops.services
);
CREATE TABLE ops.deployments (
    tenant_id     text NOT NULL,
    deployment_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service       text NOT NULL,
    version       text NOT NULL,
    status        text NOT NULL,
    deployed_at   timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, service) REFERENCES ops.services
);
CREATE TABLE ops.incidents (
    tenant_id   text NOT NULL,
    incident_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service     text NOT NULL,
    severity    text NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3')),
    status      text NOT NULL CHECK (status IN ('open', 'resolved')),
    title       text NOT NULL,
    opened_at   timestamptz NOT NULL,
    resolved_at timestamptz,
    FOREIGN KEY (tenant_id, service) REFERENCES ops.services
);
-- The topology graph: `service` calls `depends_on`.
CREATE TABLE ops.service_dependencies (
    tenant_id   text NOT NULL,
    service     text NOT NULL,
    depends_on  text NOT NULL,
    PRIMARY KEY (tenant_id, service, depends_on),
    FOREIGN KEY (tenant_id, service) REFERENCES ops.services,
    FOREIGN KEY (tenant_id, depends_on) REFERENCES ops.services (tenant_id, service)
);
-- Append-only: one row per orchestrated request, exactly once per tenant. The key is
-- (tenant_id, request_id): a tenant can neither squat nor probe another tenant's ids.
-- The row id is random: a counter shared by every tenant would show each tenant, in the
-- gaps between its own ids, how many requests the others made.
CREATE TABLE ops.audit_log (
    audit_id    uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    request_id  text NOT NULL,
    tenant_id   text NOT NULL,
    action      text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, request_id)
);
-- Big rows on demand (a bandwidth-throttle scenario reads these); empty by default.
CREATE TABLE ops.host_events (
    tenant_id   text NOT NULL,
    event_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host_id     text NOT NULL,
    ts          timestamptz NOT NULL,
    payload     text NOT NULL
);
CREATE INDEX incidents_open ON ops.incidents (tenant_id, service) WHERE status = 'open';
CREATE INDEX deployments_latest ON ops.deployments (tenant_id, service, deployed_at DESC);

-- The tenant a role speaks for: `gauntlet_tenant_<id>` speaks for `<id>`; any other role
-- for none (NULL). Stable, so it is computed once per query and an index can use it.
CREATE FUNCTION ops.role_tenant() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN starts_with(current_user::text, 'gauntlet_tenant_')
                THEN substr(current_user::text, 17) END
$$;

-- Two keys must agree before a row shows: the transaction's `app.tenant_id` (every
-- role), and, for the tenant roles, the role itself (a restrictive policy, ANDed in).
DO $$
DECLARE tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['tenants', 'services', 'hosts', 'deployments', 'incidents',
                               'service_dependencies', 'audit_log', 'host_events'] LOOP
        EXECUTE format('ALTER TABLE ops.%I ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('ALTER TABLE ops.%I FORCE ROW LEVEL SECURITY', tbl);
        EXECUTE format('CREATE POLICY tenant_isolation ON ops.%I '
                       'USING (tenant_id = current_setting(''app.tenant_id'', true)) '
                       'WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', tbl);
        EXECUTE format('CREATE POLICY tenant_role ON ops.%I AS RESTRICTIVE TO gauntlet_tenants '
                       'USING (tenant_id = ops.role_tenant())', tbl);
    END LOOP;
END $$;

RESET ROLE;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- Tenants read through their own roles (members of gauntlet_tenants); the login role
-- gauntlet_reader holds no table grant at all and only switches into a tenant's role.
GRANT USAGE ON SCHEMA ops TO gauntlet_tenants, gauntlet_auditor;
GRANT SELECT ON ALL TABLES IN SCHEMA ops TO gauntlet_tenants;
-- ON CONFLICT (tenant_id, request_id) needs SELECT on the arbiter columns, nothing more.
GRANT INSERT, SELECT (tenant_id, request_id) ON ops.audit_log TO gauntlet_auditor;
ALTER ROLE gauntlet_reader IN DATABASE ops SET search_path = ops;
