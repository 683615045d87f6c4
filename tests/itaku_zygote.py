"""A fork server for the tests' `itaku` runs (started by cli_runner.py; not a test module).

Started as `python tests/itaku_zygote.py CONSOLE_SCRIPT` with the environment its runs will have,
it imports what the console script imports (`itaku.cli`) once, then reads one JSON request a line
on stdin: {"argv": [...], "cwd": ..., "stdout": path, "stderr": path}. For each it forks a child
that does what the console script does in a process of its own: stdin from /dev/null, stdout and
stderr to the two files, the working directory, `sys.argv`, `itaku.cli.main()`, the exit status of
`sys.exit(main())` (atexit handlers run, streams flushed). It answers {"pid": ...} at once, then
{"status": ...} (the raw wait status) when the child ends. What it saves is the interpreter's start
and the imports: about half a second a run.
"""
from __future__ import annotations

import atexit
import json
import os
import sys
import traceback

SCRIPT = sys.argv[1]
sys.path[0] = os.path.dirname(SCRIPT)  # what the console script's own sys.path[0] would be

from itaku.cli import main  # noqa: E402  (after sys.path is the console script's)

REQUESTS = os.fdopen(os.dup(0), "r", encoding="utf-8")
ANSWERS = os.fdopen(os.dup(1), "w", encoding="utf-8")
_null = os.open(os.devnull, os.O_RDWR)
os.dup2(_null, 0)
os.dup2(_null, 1)


def _exit_code(exc: SystemExit) -> int:
    """The interpreter's handling of SystemExit: None is 0, an int itself, anything else printed, 1."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _child(request: dict) -> None:
    code = 1
    try:
        os.chdir(request["cwd"])
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY | os.O_TRUNC),
                                (2, request["stderr"], os.O_WRONLY | os.O_TRUNC)):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        sys.argv = [SCRIPT, *request["argv"]]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except BaseException:  # noqa: BLE001 - as an uncaught exception: its traceback, status 1
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed or broken stream: the status still counts
                code = code or 120
        os._exit(code)


def serve() -> None:
    for line in REQUESTS:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            REQUESTS.close()
            ANSWERS.close()
            _child(request)
        ANSWERS.write(json.dumps({"pid": pid}) + "\n")
        ANSWERS.flush()
        _, status = os.waitpid(pid, 0)
        ANSWERS.write(json.dumps({"status": status}) + "\n")
        ANSWERS.flush()


if __name__ == "__main__":
    serve()
