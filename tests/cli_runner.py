"""Run the real `itaku` as a user does, fast: `run_itaku` is `subprocess.run([itaku, *args])`.

Each run is a process of its own with real file descriptors, working directory, environment and
exit status. By default (not on ITAKU_TEST_FORK=0) the second and later runs with one environment
are forked from a server that has imported `itaku.cli` once (itaku_zygote.py), one server per
concurrent run: it saves the interpreter's start and the imports, about half a second a run,
hundreds of times in the suite. test_cli_runner.py shows that both ways give the same status,
stdout and stderr, byte for byte. A run with an environment seen once is a plain subprocess.
"""
from __future__ import annotations

import atexit
import json
import locale
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ITAKU = shutil.which("itaku", path=str(Path(sys.executable).parent)) or "itaku"
ZYGOTE = Path(__file__).with_name("itaku_zygote.py")
MAX_ZYGOTES = 8  # servers per test process (~80 MB each)
FORKING = os.environ.get("ITAKU_TEST_FORK", "1") != "0" and hasattr(os, "fork")


class _Zygote:
    def __init__(self, env: dict[str, str]):
        self.proc = subprocess.Popen([sys.executable, str(ZYGOTE), ITAKU], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, cwd=tempfile.gettempdir(), text=True,
                                     encoding="utf-8")
        self.lock = threading.Lock()
        self.pending = b""  # answer bytes read but not used yet (read unbuffered: select must see them)

    def _answer(self, timeout: float | None) -> dict | None:
        """The server's next answer line, or None if none came within `timeout` seconds."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.pending:
            if timeout is not None and not select.select([fd], [], [], timeout)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                raise BrokenPipeError("the itaku fork server ended")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)

    def run(self, args: list[str], cwd: str, timeout: float | None) -> tuple[int, bytes, bytes]:
        with tempfile.TemporaryDirectory(prefix="itaku-run-") as tmp:
            out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
            out.touch()
            err.touch()
            request = {"argv": args, "cwd": cwd, "stdout": str(out), "stderr": str(err)}
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            pid = self._answer(None)["pid"]
            answer = self._answer(timeout)
            if answer is None:  # as subprocess.run does: kill the run, then raise
                os.kill(pid, signal.SIGKILL)
                self._answer(None)
                raise subprocess.TimeoutExpired([ITAKU, *args], timeout, out.read_bytes(), err.read_bytes())
            return os.waitstatus_to_exitcode(answer["status"]), out.read_bytes(), err.read_bytes()

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - at exit: make sure it is gone
            self.proc.kill()


_zygotes: dict[tuple, list[_Zygote]] = {}  # environment → its servers (one per concurrent run)
_seen: set[tuple] = set()
_registry = threading.Lock()


def _acquire(env: dict[str, str], force: bool = False) -> _Zygote | None:
    """A free server for `env`, locked for the caller: a new one if all are busy; none (unless
    `force`) for an environment seen once or past MAX_ZYGOTES."""
    key = tuple(sorted(env.items()))
    with _registry:
        if key not in _seen and not force:
            _seen.add(key)
            return None
        pool = _zygotes.setdefault(key, [])
        for zygote in pool:
            if zygote.lock.acquire(blocking=False):
                return zygote
        if sum(map(len, _zygotes.values())) >= MAX_ZYGOTES and not force:
            return None
        zygote = _Zygote(env)
        zygote.lock.acquire()
        pool.append(zygote)
        return zygote


def _drop(zygote: _Zygote) -> None:
    with _registry:
        for pool in _zygotes.values():
            if zygote in pool:
                pool.remove(zygote)
    zygote.proc.kill()


@atexit.register
def _close_all() -> None:
    for pool in _zygotes.values():
        for zygote in pool:
            zygote.close()


def _text(data: bytes) -> str:
    """As subprocess's text mode decodes a captured stream."""
    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


def run_itaku(*args: str, cwd: Path | str | None = None, env: dict | None = None, timeout: float | None = 120,
              check: bool = False, text: bool = True, fork: bool | None = None) -> subprocess.CompletedProcess:
    """`subprocess.run([itaku, *args], capture_output=True, stdin=DEVNULL, ...)`: the installed
    console script, with `env` the whole environment (default: this process's). `fork`: True
    forks from a server, False never does, None (default) as the module docstring says."""
    argv, env = [str(a) for a in args], dict(os.environ if env is None else env)
    zygote = _acquire(env, force=bool(fork)) if (FORKING if fork is None else fork) else None
    if zygote is not None:
        try:
            code, out, err = zygote.run(argv, os.path.abspath(cwd or os.getcwd()), timeout)
        except BaseException:  # interrupted or broken mid-run: its answers are out of step, drop it
            _drop(zygote)
            raise
        finally:
            zygote.lock.release()
        result = subprocess.CompletedProcess([ITAKU, *argv], code, _text(out) if text else out,
                                             _text(err) if text else err)
        if check:
            result.check_returncode()
        return result
    return subprocess.run([ITAKU, *argv], capture_output=True, text=text, cwd=cwd, env=env, timeout=timeout,
                          check=check, stdin=subprocess.DEVNULL)
