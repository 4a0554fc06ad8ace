#!/usr/bin/python3
"""Runs test/acceptance/run_cases.py (an unchanged copy of the shared runner)
on Debian 12's psycopg 3.1, whose Connection.notifies() takes no `timeout`
(added in psycopg 3.2). The shim below gives notifies(timeout=...) the 3.2
meaning: wait at most that long on the socket and return what arrived."""
import os
import runpy
import select
import sys

import psycopg

_notifies = psycopg.Connection.notifies


def notifies(self, timeout=None, **kwargs):
    if timeout is None:
        return _notifies(self)
    got = []
    self.add_notify_handler(got.append)
    try:
        select.select([self.fileno()], [], [], timeout)
        self.execute("SELECT 1")   # lets psycopg read what arrived
    finally:
        self.remove_notify_handler(got.append)
    return iter(got)


try:
    _notifies(None, timeout=0)
except TypeError as e:
    if "timeout" in str(e):
        psycopg.Connection.notifies = notifies
except Exception:
    pass   # psycopg >= 3.2: its own notifies(timeout=...) is used

sys.argv[0] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_cases.py")
runpy.run_path(sys.argv[0], run_name="__main__")
