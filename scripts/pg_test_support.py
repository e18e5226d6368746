"""What the PostgreSQL end-to-end scripts share (cli_tests.py, pg_serve_e2e.py): finding psql and
naming a database on the throwaway server of EMAIL_AUDIT_TEST_POSTGRES_URL."""
import glob
import shutil
import urllib.parse


def psql_binary():
    """psql on PATH, else the newest of Debian's /usr/lib/postgresql/*/bin; None when there is none."""
    found = shutil.which("psql")
    if found:
        return found
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), reverse=True):
        return candidate
    return None


def with_database(url, name):
    """The URL of database `name` on the server of `url` (its path replaced, host= and the rest kept)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
