"""The pg_cron recipe of docs/sql.md ("Scheduled maintenance with pg_cron"), run as
written on a private cluster that preloads pg_cron (Debian's postgresql-15-cron,
installed by scripts/setup.sh --test): the block's jobs are scheduled, then moved to
every minute (pg_cron 1.4 has no finer schedule), and each must run and succeed: the
garbage collection deletes a cycle cut off from the root, the pruning deletes events
older than the retention. A role without CHANGE on @thingsdb that schedules the same
call gets forbidden_err in the job's status. Skipped (and counted so) when pg_cron is
not installed."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
from reliability import PrivateCluster  # noqa: E402

T = tdbtest.Tally()
DB = "tdbcron"
WAIT = 150  # seconds: a job scheduled every minute runs within 60 s; the machine may be slow


def recipe():
    """The sql block after the pg_cron heading of docs/sql.md."""
    with open(os.path.join(tdbtest.ROOT, "docs", "sql.md")) as f:
        text = f.read()
    at = text.index("### Scheduled maintenance with pg_cron")
    block = re.search(r"```sql\n(.*?)```", text[at:], re.S).group(1)
    return [s.strip() for s in block.split(";\n") if s.strip()]


def pg_cron_installed():
    libdir = subprocess.check_output(["pg_config", "--pkglibdir"], text=True).strip()
    return os.path.exists(os.path.join(libdir, "pg_cron.so"))


def wait_runs(c, jobname, n=1):
    """The statuses of the job's first n finished runs (waits up to WAIT seconds)."""
    end = time.time() + WAIT
    while time.time() < end:
        rows = c.execute(
            "SELECT d.status, coalesce(d.return_message, '') FROM cron.job_run_details d "
            "JOIN cron.job j USING (jobid) WHERE j.jobname = %s AND d.status IN "
            "('succeeded', 'failed') ORDER BY d.runid", (jobname,)).fetchall()
        if len(rows) >= n:
            return rows
        time.sleep(2)
    raise AssertionError("job %s did not run within %d s" % (jobname, WAIT))


def test_recipe_runs_and_collects():
    if not pg_cron_installed():
        raise tdbtest.Skip("pg_cron is not installed (scripts/setup.sh --test installs it)")
    # Jobs in background workers: the cluster listens on a private socket only, where
    # pg_cron's own connections (cron.host, localhost by default) would not reach it.
    conf = ("shared_preload_libraries = 'pg_cron'\ncron.database_name = '%s'\n"
            "cron.use_background_workers = on\nmax_worker_processes = 16\n" % DB)
    with PrivateCluster(extra_conf=conf) as cluster:
        with cluster.connect("postgres") as c:
            c.execute("CREATE DATABASE %s" % DB)
        with cluster.connect(DB) as c:
            c.execute("CREATE EXTENSION thingsdb")
            # A cycle cut off from the root, and events of the past.
            c.execute("SELECT tdb_query('a = {}; b = {a: a}; a.b = b; .c = a; nil')")
            c.execute("SELECT tdb_query('.del(\"c\"); nil')")
            things = c.execute("SELECT count(*) FROM thingsdb.things").fetchone()[0]
            events = c.execute("SELECT count(*) FROM thingsdb.events").fetchone()[0]
            assert events > 0, events
            c.execute("ALTER DATABASE %s SET thingsdb.event_retention = '1s'" % DB)
            time.sleep(1.5)
            for stmt in recipe():
                c.execute(stmt)
            jobs = dict(c.execute("SELECT jobname, schedule FROM cron.job").fetchall())
            assert set(jobs) == {"thingsdb-gc", "thingsdb-prune"}, jobs
            # Every minute from now on, so the test does not wait for 03:17.
            for name in jobs:
                c.execute("SELECT cron.alter_job(jobid, schedule => '* * * * *') "
                          "FROM cron.job WHERE jobname = %s", (name,))
            for name in jobs:
                status, msg = wait_runs(c, name)[0]
                assert status == "succeeded", (name, status, msg)
            left = c.execute("SELECT count(*) FROM thingsdb.things").fetchone()[0]
            assert left == things - 2, (things, left)
            assert c.execute("SELECT count(*) FROM thingsdb.events").fetchone()[0] == 0
            # The right is the job owner's: a role without CHANGE on @thingsdb fails.
            c.execute("CREATE ROLE cron_reader LOGIN")
            c.execute("SELECT tdb_query('new_user(\"cron_reader\"); nil', '@thingsdb')")
            c.execute("GRANT USAGE ON SCHEMA cron TO cron_reader")
        with cluster.connect(DB, user="cron_reader") as c:
            c.execute("SELECT cron.schedule('reader-gc', '* * * * *', "
                      "'SELECT tdb_collect_garbage()')")
            status, msg = wait_runs(c, "reader-gc")[0]
            assert status == "failed" and "CHANGE" in msg, (status, msg)


def main():
    T.run(test_recipe_runs_and_collects)
    T.finish()


if __name__ == "__main__":
    main()
