"""Where the build's reports run: local worker processes, or a Dask cluster.

An executor runs ``fn(job, *args)`` for every job and yields ``(job, result)`` as each
finishes; a job that could not finish yields a :class:`TaskLost` instead of a result, so
the build fails that report (with the message) and goes on with the others.

* :class:`LocalExecutor` (the default): ``workers`` processes, each taking one report at a
  time; kernels come from a :class:`~kpianalysis.kernels.KernelServer` started on first use,
  and the workers are forked from its template too (set ``KPIANALYSIS_NO_KERNEL_SERVER=1``
  for workers started as new interpreters and ordinary kernel processes).
  A report that runs longer than ``timeout`` seconds has its worker (and so its kernel)
  killed; a worker that dies fails only the report it was building, and a new worker takes
  over. Workers are replaced after ``max_tasks`` reports, so memory stays flat.
* :class:`DaskExecutor`: the same jobs on a ``dask.distributed`` cluster (the optional
  ``dask`` extra). Workers need the package, and the data root and output folders at the
  same paths as the machine that runs the build (a shared file system); each job runs in
  the build's working directory, one report at a time per worker process, inside a
  one-worker :class:`LocalExecutor` of that process: the same timeout and the same handling
  of a report process that dies as in a local build, without losing the Dask worker.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import multiprocessing.connection
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["DaskExecutor", "ExecutorError", "LocalExecutor", "TaskLost", "make_executor"]

#: The build's kernel arguments (:func:`kpianalysis.build._run`): the ready kernels use them.
KERNEL_ARGS = ("--IPKernelApp.log_level=CRITICAL",)


class ExecutorError(RuntimeError):
    """The executor cannot run at all (e.g. an unreachable Dask scheduler); one line."""


class TaskLost(Exception):
    """A job that did not finish: its worker died, it timed out, or its task failed."""


def _worker_main(conn: multiprocessing.connection.Connection) -> None:
    """A worker process: run each ``(fn, job, args)`` received, send back the result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build stops its workers itself
    while True:
        try:
            message = conn.recv()
        except EOFError:
            break
        if message is None:
            break
        fn, job, args = message
        try:
            result: Any = fn(job, *args)
        except Exception as exc:
            result = TaskLost(f"{type(exc).__name__}: {exc}")
        conn.send(result)
        del result
        _release_memory()
    conn.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # every output is written atomically; skip the slow interpreter teardown


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (None elsewhere, e.g. musl or macOS)."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _release_memory() -> None:
    """After a report: collect its garbage and give the freed heap back to the system, so a
    worker holds what one report needs, not the largest report it ever built (with the
    template's objects frozen, see :mod:`kpianalysis.kernels`, a collection copies none of
    the pages it shares with the template)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _forked_worker_main(address: str) -> None:
    """A worker (forked from the kernel server's template, or a new interpreter): connect
    back to the build at ``address`` and run its jobs."""
    import socket
    from multiprocessing.connection import Connection

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(address)
    conn = Connection(sock.detach())
    conn.send(os.getpid())
    _worker_main(conn)


def _spawned_worker_main() -> None:
    """Entry point of a worker started as a new interpreter: ``-c … ADDRESS SYS_PATH_JSON``."""
    address, path = sys.argv[1], json.loads(sys.argv[2])
    sys.path[:] = [*path, *(p for p in sys.path if p not in path)]
    _forked_worker_main(address)


def _accept(listener: Any, pid: int, alive: Callable[[], bool]) -> Any:
    """The connection of the worker ``pid`` that was just started, once it says hello."""
    from multiprocessing.connection import Connection

    deadline = time.monotonic() + 120  # a new interpreter imports the stack first
    listener.settimeout(0.2)
    while True:
        try:
            sock, _ = listener.accept()
            break
        except TimeoutError:
            if not alive():
                raise ExecutorError(f"a build worker (pid {pid}) exited before it started; "
                                    f"see its error above") from None
            if time.monotonic() > deadline:  # pragma: no cover
                raise ExecutorError(f"a build worker (pid {pid}) did not start in 120 s"
                                    ) from None
    sock.settimeout(None)
    conn = Connection(sock.detach())
    hello = conn.recv()
    if hello != pid:  # pragma: no cover - another process on our private socket
        raise ExecutorError(f"unexpected worker {hello!r} (expected pid {pid})")
    return conn


def _catalogs(jobs: Sequence[Any]) -> list[str]:
    """The catalog files the jobs' notebooks read (their ``catalog_path`` parameter)."""
    return sorted({str(p) for j in jobs
                   if (p := getattr(j, "parameters", {}).get("catalog_path"))})


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by signal {signal.Signals(-code).name}"
        return f"killed by signal {-code}"
    return f"exit status {code}"


class _Worker:
    """A worker started as a new interpreter (when no kernel server runs).

    Started with :mod:`subprocess`, not :mod:`multiprocessing`, so that a daemonic process
    (a Dask worker under its nanny) can run one too.
    """

    def __init__(self, listener: Any) -> None:
        from .kernels import SERVER_ENV

        code = f"from {__name__} import _spawned_worker_main; _spawned_worker_main()"
        env = {k: v for k, v in os.environ.items() if k != SERVER_ENV}  # ordinary kernels
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, listener.getsockname(), json.dumps(sys.path)],
            stdin=subprocess.DEVNULL, env=env)
        self.pid = self.process.pid
        self.conn = _accept(listener, self.pid, self.alive)
        self.job: Any = None
        self.started = 0.0
        self.done = 0

    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_description(self) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=1)
        return _describe_exit(self.process.returncode)

    def stop(self, kill: bool = False) -> None:
        if kill and self.alive():
            self.process.kill()
        else:
            with contextlib.suppress(OSError, BrokenPipeError):
                self.conn.send(None)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.process.kill()
            self.process.wait()
        self.conn.close()


class _ForkedWorker(_Worker):
    """A worker forked from the kernel server's template: everything is already imported."""

    def __init__(self, server: Any, listener: Any) -> None:
        from .kernels import server_request

        self.server = server
        self.pid = int(server_request(server.address, {
            "op": "worker", "target": f"{__name__}:_forked_worker_main",
            "address": listener.getsockname(), "server": server.address,
            "owner": os.getpid(), "cwd": os.getcwd(), "path": sys.path})["pid"])
        self.conn = _accept(listener, self.pid, self.alive)
        self.job = None
        self.started = 0.0
        self.done = 0

    def alive(self) -> bool:
        from .kernels import _alive

        return _alive(self.pid)

    def exit_description(self) -> str:
        from .kernels import server_request

        for _ in range(20):
            code = server_request(self.server.address, {"op": "exit", "pid": self.pid})["code"]
            if code is not None:
                return _describe_exit(code)
            time.sleep(0.05)
        return "exit status unknown"

    def stop(self, kill: bool = False) -> None:
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        else:
            with contextlib.suppress(OSError, BrokenPipeError):
                self.conn.send(None)
        self.conn.close()


class LocalExecutor:
    """Run jobs in ``workers`` local processes, each report in a fresh kernel.

    Parameters
    ----------
    workers : int
        Reports built at once.
    timeout : float, optional
        Seconds a report may take before its worker and kernel are killed (None: no limit).
    kernel_name : str
        The Jupyter kernel the reports run in; ready kernels from a kernel server stand in
        for it when it runs the build's own Python (:func:`~kpianalysis.kernels.pool_serves`).
    max_tasks : int
        Reports a worker builds before it is replaced by a fresh one.
    keep_ready : bool
        Keep ``workers`` kernels ready whatever the jobs of each :meth:`map` call (an executor
        that is given one job at a time, as on a Dask worker); by default the kernel server
        forks no more kernels than the jobs still to run.
    """

    def __init__(self, workers: int = 1, timeout: float | None = None,
                 kernel_name: str = "python3", max_tasks: int = 100,
                 keep_ready: bool = False) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.workers, self.timeout, self.max_tasks = workers, timeout, max_tasks
        self.kernel_name, self.keep_ready = kernel_name, keep_ready
        self._pool: list[_Worker] = []
        self._server: Any = None
        self._listener: Any = None
        self._folder: Path | None = None
        weakref.finalize(self, LocalExecutor._stop_all, self._pool)

    @staticmethod
    def _stop_all(pool: list[_Worker]) -> None:  # if close() was never called
        for worker in pool:
            worker.stop(kill=True)

    def _start(self, jobs: Sequence[Any]) -> None:
        """Start the kernel server (unless turned off, or the kernel is not ours) and the
        socket, in a private (0700) folder, the workers connect back to."""
        import socket

        from .kernels import KernelServer, pool_serves

        if not os.environ.get("KPIANALYSIS_NO_KERNEL_SERVER") and pool_serves(self.kernel_name):
            self._server = KernelServer(kernel_args=KERNEL_ARGS, ahead=self.workers,
                                        catalogs=_catalogs(jobs),
                                        expect=None if self.keep_ready else len(jobs)).start()
            folder = self._server.folder
        else:
            folder = self._folder = Path(tempfile.mkdtemp(prefix="kpianalysis-workers-"))
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(folder / "workers"))
        self._listener.listen(16)

    def map(self, fn: Callable[..., Any], jobs: Sequence[Any], *args: Any
            ) -> Iterator[tuple[Any, Any]]:
        """Run ``fn(job, *args)`` for each job; yield ``(job, result or TaskLost)``.

        ``fn`` must be a module-level function (it is sent to the workers by name).
        """
        todo = deque(jobs)
        if not todo:
            return
        if self._listener is None:
            self._start(jobs)
        elif self._server is not None and not self.keep_ready:
            self._server.expect(len(todo))
        busy: list[_Worker] = []
        while todo or busy:
            while todo and len(busy) < self.workers:
                worker = self._idle_worker(busy)
                worker.job, worker.started = todo.popleft(), time.monotonic()
                worker.conn.send((fn, worker.job, args))
                busy.append(worker)
            ready = multiprocessing.connection.wait([w.conn for w in busy],
                                                    timeout=self._next_deadline(busy))
            now = time.monotonic()
            for worker in list(busy):
                job = worker.job
                result: Any
                if worker.conn in ready or worker.conn.poll():
                    try:
                        result = worker.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is not None:
                        worker.done += 1
                        busy.remove(worker)
                        worker.job = None
                        self._retire_if_used_up(worker)
                        yield job, result
                        continue
                if worker.conn in ready or not worker.alive():  # EOF: it died
                    result = TaskLost(f"the worker process building this report died "
                                      f"({worker.exit_description()}); the other reports "
                                      f"went on")
                elif self.timeout is not None and now - worker.started > self.timeout:
                    result = TaskLost(f"timed out after {self.timeout:g} s (the kernel was "
                                      f"stopped; raise --timeout if the report needs longer)")
                else:
                    continue
                busy.remove(worker)
                self._pool.remove(worker)
                worker.stop(kill=True)  # its kernel is killed by the kernel server
                yield job, result

    def _next_deadline(self, busy: list[_Worker]) -> float | None:
        if self.timeout is None:
            return None
        left = min(w.started + self.timeout for w in busy) - time.monotonic()
        return max(0.05, left)

    def _idle_worker(self, busy: list[_Worker]) -> _Worker:
        for worker in self._pool:
            if worker not in busy and worker.alive():
                return worker
        for worker in [w for w in self._pool if w not in busy]:  # dead idle workers
            self._pool.remove(worker)
            worker.stop(kill=True)
        worker = (_ForkedWorker(self._server, self._listener) if self._server is not None
                  else _Worker(self._listener))
        self._pool.append(worker)
        return worker

    def _retire_if_used_up(self, worker: _Worker) -> None:
        if worker.done >= self.max_tasks:
            self._pool.remove(worker)
            worker.stop()

    def close(self) -> None:
        """Stop the workers and the kernel server."""
        for worker in self._pool:
            worker.stop(kill=not worker.alive() or worker.job is not None)
        self._pool.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_DIR_LOCK = threading.Lock()
#: Per Dask worker process: one local executor (one forked worker, its kernel server) per
#: build directory, kernel and timeout, kept between the build's tasks.
_TASK_RUNNERS: OrderedDict[tuple[str, str, float | None], LocalExecutor] = OrderedDict()
#: At most this many of them (each holds a kernel template) per Dask worker process.
_KEEP_RUNNERS = 2


def _run_in_dir(cwd: str, kernel_name: str, timeout: float | None, fn: Callable[..., Any],
                job: Any, *args: Any) -> Any:
    """A Dask task: ``fn(job, *args)`` in the build's working directory.

    The report runs in a worker process of a one-worker :class:`LocalExecutor` owned by this
    Dask worker process (kernels from its own kernel server), so a report over ``timeout`` or
    a report process that dies is lost alone, with the local build's message, and the Dask
    worker goes on with the next task. Returns the result or a :class:`TaskLost`.
    """
    with _DIR_LOCK:  # the working directory is per process: one report at a time
        before = os.getcwd()
        os.chdir(cwd)
        try:
            key = (cwd, kernel_name, timeout)
            runner = _TASK_RUNNERS.get(key)
            if runner is None:
                runner = _TASK_RUNNERS[key] = LocalExecutor(
                    1, timeout=timeout, kernel_name=kernel_name, keep_ready=True)
                if len(_TASK_RUNNERS) > _KEEP_RUNNERS:  # the least recently used goes
                    _TASK_RUNNERS.popitem(last=False)[1].close()
            _TASK_RUNNERS.move_to_end(key)
            return next(iter(runner.map(fn, [job], *args)))[1]
        finally:
            os.chdir(before)


class DaskExecutor:
    """Run jobs on a ``dask.distributed`` cluster.

    Parameters
    ----------
    scheduler : str
        The scheduler's address (``tcp://host:8786``), or a ``distributed.Client``.
    kernel_name : str
        The Jupyter kernel the reports run in.
    timeout : float, optional
        Seconds a report may take (None: no limit); a report over it is lost alone, its
        report process and kernel killed on the Dask worker, which goes on.
    connect_timeout : float
        Seconds to wait for the scheduler.

    Raises
    ------
    ExecutorError
        One line naming the address when the scheduler cannot be reached, or when
        ``dask.distributed`` is not installed.
    """

    def __init__(self, scheduler: Any, kernel_name: str = "python3",
                 timeout: float | None = None, connect_timeout: float = 10.0) -> None:
        try:
            import distributed
        except ImportError:
            raise ExecutorError("--executor dask needs dask.distributed: "
                                "pip install 'kpianalysis[dask]'") from None
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.kernel_name, self.timeout = kernel_name, timeout
        if isinstance(scheduler, distributed.Client):
            self.client, self._own = scheduler, False
            return
        try:
            self.client = distributed.Client(str(scheduler), timeout=connect_timeout,
                                             set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: "
                                f"{first}") from None
        self._own = True

    def map(self, fn: Callable[..., Any], jobs: Sequence[Any], *args: Any
            ) -> Iterator[tuple[Any, Any]]:
        """Submit every job; yield ``(job, result or TaskLost)`` as each finishes."""
        import uuid

        from distributed import as_completed

        cwd = os.getcwd()
        futures = {}
        for job in jobs:
            key = f"kpianalysis-{getattr(job, 'name', 'job')}-{uuid.uuid4().hex[:8]}"
            future = self.client.submit(_run_in_dir, cwd, self.kernel_name, self.timeout, fn,
                                        job, *args,
                                        key=key, pure=False)
            futures[future] = job
        for future in as_completed(list(futures)):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # KilledWorker, a lost connection …
                result = TaskLost(f"the Dask task failed: {type(exc).__name__}: {exc}")
            yield job, result

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        if self._own:
            self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_executor(name: str = "local", workers: int = 1, timeout: float | None = None,
                  scheduler: Any = None, kernel_name: str = "python3"
                  ) -> LocalExecutor | DaskExecutor:
    """The executor named on the command line (``local`` or ``dask``).

    Raises
    ------
    ExecutorError
        ``dask`` without a scheduler address, or a scheduler that cannot be reached.
    ValueError
        An unknown executor name.
    """
    if name == "local":
        return LocalExecutor(workers, timeout=timeout, kernel_name=kernel_name)
    if name == "dask":
        if not scheduler:
            raise ExecutorError("--executor dask needs --scheduler ADDRESS "
                                "(e.g. tcp://scheduler:8786)")
        return DaskExecutor(scheduler, kernel_name=kernel_name, timeout=timeout)
    raise ValueError(f"unknown executor {name!r}; choose local or dask")
