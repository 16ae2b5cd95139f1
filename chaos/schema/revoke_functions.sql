-- Functions no tenant may run, revoked from PUBLIC in each database (function privileges
-- are per database). Found in pg_proc by name, so every overload and every function a
-- newer Postgres adds under the same names is covered, not only the ones listed by hand.
-- Superusers keep them (the harness's faults and checks run as one).
--
--   runs SQL given as text  ts_stat, ts_rewrite, *_to_xml*, dblink*
--   reaches other sessions  pg_cancel_backend, pg_terminate_backend, pg_notify, advisory
--                           locks (session locks outlive the transaction and fill the
--                           lock table), pg_stat_get_* (counts and query text of all
--                           tenants; pg_stat_activity is built on them), pg_stat_reset*
--   re-points the tenant    set_config (the tenant is a setting)
--   reads the server        file functions (pg_read_*file, pg_ls_*, pg_stat_file),
--                           large objects (lo_*, loread, lowrite), pg_current_logfile
-- pg_sleep stays: statement_timeout bounds it like any other slow query.
DO $$
DECLARE fn regprocedure;
BEGIN
    FOR fn IN
        SELECT p.oid::regprocedure FROM pg_proc AS p
        WHERE p.proname IN ('ts_stat', 'ts_rewrite', 'pg_cancel_backend',
                            'pg_terminate_backend', 'pg_notify', 'set_config',
                            'pg_stat_file', 'pg_current_logfile', 'loread', 'lowrite')
           OR p.proname LIKE '%advisory%'
           OR p.proname LIKE 'pg\_stat\_get\_%'
           OR p.proname LIKE 'pg\_stat\_reset%'
           OR p.proname LIKE '%\_to\_xml%'
           OR p.proname LIKE 'pg\_read\_%file'
           OR p.proname LIKE 'pg\_ls\_%'
           OR p.proname LIKE 'pg\_file\_%'
           OR p.proname LIKE 'lo\_%'
           OR p.proname LIKE 'dblink%'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END $$;
