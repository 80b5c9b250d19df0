"""Ready kernels for the report build: a fork server that hands out fresh, pre-imported kernels.

Starting a Python kernel and importing the analysis stack in it (pandas, numpy, scipy,
matplotlib, jsonschema, IPython, ipykernel and this package) costs about 2 CPU-seconds,
more than most reports spend on their own work. The build therefore starts one *template*
process (:class:`KernelServer`) that imports all of that once, and then forks a new kernel
for every report:

* every report still runs in its own kernel process, started from a clean namespace (the
  shell is created in the child, after the fork; nothing has been executed in it);
* ``ahead`` kernels are kept ready (forked and listening) so a report does not wait for one;
* kernels talk to the build over IPC sockets in a private (0700) temporary folder, with a
  random HMAC key, so there is no TCP port and no "running without encryption" warning;
* the template starts no thread and no ZeroMQ context before it forks (checked before each
  fork), so the children start from a consistent state;
* a kernel whose owner (the build process or worker that took it) has died is killed, and
  every kernel dies with the template (``parent_handle``) and the template with the build.

Papermill is given :func:`kernel_manager_class`: when a server is running
(:data:`SERVER_ENV` names its socket) the manager takes a kernel from it, otherwise it starts
an ordinary kernel over IPC. Kernels from the server run the interpreter of the build, so the
server is only used when the requested kernel spec runs that interpreter
(:func:`pool_serves`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["SERVER_ENV", "KernelServer", "KernelServerError", "kernel_manager_class",
           "pool_serves", "server_request"]

#: Environment variable naming the socket of the running kernel server (inherited by workers).
SERVER_ENV = "KPIANALYSIS_KERNEL_SERVER"

#: Modules the template imports once; every kernel forked from it has them loaded.
PRELOAD = ("numpy", "pandas", "scipy.stats", "matplotlib", "matplotlib.figure",
           "matplotlib.backends.backend_agg", "jsonschema", "yaml", "pyarrow", "pyarrow.parquet",
           "IPython", "IPython.display", "ipykernel.kernelapp", "ipykernel.ipkernel",
           "ipykernel.zmqshell", "kpianalysis")
#: What the build's workers (forked from the template too) use to run and export a report.
WORKER_PRELOAD = ("papermill", "nbclient", "nbformat", "nbconvert", "jupyter_client.manager",
                  "kpianalysis.build", "kpianalysis.html_export", "kpianalysis.executors")
#: What every kernel imports while it starts (the debugger's pydevd alone costs 0.06 CPU-s and
#: 4 MiB per kernel), preloaded when this version of ipykernel has it.
KERNEL_START_PRELOAD = ("ipykernel.debugger", "IPython.core.completerlib",
                        "IPython.core.debugger", "IPython.core.oinspect",
                        "IPython.extensions.storemagic", "sqlite3", "tornado.platform.asyncio",
                        "tornado.locks", "tornado.queues")
#: Package modules not preloaded (generators, command-line entry points).
_SKIP = ("kpianalysis.sample_data", "kpianalysis.__main__")
_INLINE = "module://matplotlib_inline.backend_inline"


class KernelServerError(RuntimeError):
    """The kernel server could not start or could not give a kernel."""


def _receive_line(conn: socket.socket) -> bytes:
    """One newline-ended message (the protocol's unit), or what came before the peer closed."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def server_request(address: str, message: dict[str, Any], timeout: float = 600.0
                   ) -> dict[str, Any]:
    """Send one request to the kernel server at ``address`` (a socket path); return its reply.

    Raises
    ------
    KernelServerError
        The server is not running, did not answer within ``timeout`` s, or refused.
    """
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(address)
            conn.sendall(json.dumps(message).encode("utf-8") + b"\n")
            data = _receive_line(conn)
    except OSError as exc:
        raise KernelServerError(f"kernel server at {address} did not answer: {exc}") from None
    if not data:
        raise KernelServerError(f"kernel server at {address} closed the connection")
    reply = json.loads(data)
    if "error" in reply:
        raise KernelServerError(f"kernel server: {reply['error']}")
    return reply


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process took the pid
        return False
    try:  # a zombie has exited
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


# --- the template process ------------------------------------------------------------------


def _preload(catalogs: Sequence[str] = ()) -> int:
    """Import the analysis stack and every package module a report may use, and load the
    catalogs the reports will read (``""``: the packaged one); return the modules loaded."""
    import importlib
    import pkgutil

    os.environ.setdefault("MPLBACKEND", _INLINE)  # what ipykernel sets before any import
    from kpianalysis._schemas import _jsonschema

    _jsonschema()  # jsonschema without its IRI grammars (seconds of CPU), before nbformat's
    for name in (*PRELOAD, *WORKER_PRELOAD):
        importlib.import_module(name)
    # pydevd warns on stderr, once per process, that frozen modules may hide breakpoints: the
    # report kernels are never debugged
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for name in KERNEL_START_PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    import kpianalysis

    for info in pkgutil.walk_packages(kpianalysis.__path__, "kpianalysis."):
        if not info.name.startswith(_SKIP):
            importlib.import_module(info.name)
    from kpianalysis.catalog import load_catalog
    from kpianalysis.html_export import warm_up
    from kpianalysis.labels import known_agencies

    warm_up()
    known_agencies()  # the packaged catalog's agencies, parsed once

    for path in dict.fromkeys(["", *catalogs]):  # cached by content (catalog._LOADED)
        with contextlib.suppress(Exception):  # a bad catalog: each report says why
            load_catalog(path or None)
    return len(sys.modules)


def _fork_safe() -> str:
    """Why forking now would be unsafe ("" when it is safe): threads or a ZeroMQ context."""
    import threading

    if threading.active_count() != 1:
        return f"{threading.active_count()} threads are running in the template"
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        return "a ZeroMQ context exists in the template"
    return ""


def _kernel_argv(argv: Sequence[str]) -> list[str]:
    """Kernel arguments in a canonical order, with no history file unless one is asked for
    (nbclient asks for ``:memory:``: no sqlite file shared by parallel kernels)."""
    out = [str(a) for a in argv]
    if not any(a.startswith("--HistoryManager.hist_file") for a in out):
        out.append("--HistoryManager.hist_file=:memory:")
    return sorted(out)


class _Template:
    """The fork server's state (runs in the template process only)."""

    def __init__(self, folder: Path, cwd: str, argv: list[str], ahead: int,
                 catalogs: Sequence[str] = ()) -> None:
        self.folder, self.cwd, self.ahead, self.catalogs = folder, cwd, ahead, list(catalogs)
        self.argv = _kernel_argv(argv)
        self.ready: deque[tuple[int, dict[str, Any]]] = deque()
        self.owners: dict[int, int] = {}  # kernel pid → pid of the process that took it
        self.exits: dict[int, int] = {}  # pid → wait status of forked processes that ended
        self.expected: int | None = None  # kernels the build still needs (None: unknown)
        self.count = 0
        self.selector = selectors.DefaultSelector()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    def fork_worker(self, target: str, address: str, server: str, cwd: str,
                    path: Sequence[str]) -> int:
        """A build worker running ``target`` (``module:function``, called with ``address``
        where the build waits for it), in the build's ``cwd`` and ``sys.path``; its pid."""
        unsafe = _fork_safe()
        if unsafe:
            raise KernelServerError(f"refusing to fork: {unsafe}")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                self._leave_server()
                os.environ[SERVER_ENV] = server
                os.chdir(cwd)
                sys.path[:] = [*path, *(p for p in sys.path if p not in path)]
                import importlib

                module, _, function = target.partition(":")
                getattr(importlib.import_module(module), function)(address)
                code = 0
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        return pid

    def _leave_server(self) -> None:
        """In a forked child: drop the server's sockets and stdin (the build's lifeline)."""
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.selector.close()
        self.listener.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)

    def fork(self, cwd: str, argv: Sequence[str]) -> tuple[int, dict[str, Any]]:
        """A new kernel listening on fresh IPC sockets; its pid and connection info."""
        unsafe = _fork_safe()
        if unsafe:
            raise KernelServerError(f"refusing to fork: {unsafe}")
        self.count += 1
        info = {"transport": "ipc", "ip": str(self.folder / f"k{self.count}"),
                "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "hb_port": 4,
                "control_port": 5, "key": secrets.token_hex(32),
                "signature_scheme": "hmac-sha256", "kernel_name": "python3"}
        path = self.folder / f"k{self.count}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(info, fh)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the kernel
            code = 1
            stderr = os.dup(2)  # ipykernel captures fd 2; a start-up error must still show
            try:
                self._become_kernel(path, cwd, argv)
                code = 0
            except BaseException:  # never return into the server loop
                import traceback

                os.write(stderr, f"kpianalysis kernel {os.getpid()} failed to start:\n"
                                 f"{traceback.format_exc()}".encode())
            finally:
                os._exit(code)
        return pid, info

    def _become_kernel(self, path: Path, cwd: str, argv: Sequence[str]) -> None:
        self._leave_server()
        os.chdir(cwd)
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(["-f", str(path), f"--IPKernelApp.parent_handle={os.getppid()}",
                        *argv])
        app.start()

    def take(self, request: dict[str, Any]) -> dict[str, Any]:
        cwd = str(request.get("cwd") or self.cwd)
        argv = _kernel_argv(request.get("argv") or [])
        while self.ready and (cwd, argv) == (self.cwd, self.argv):
            pid, info = self.ready.popleft()
            if _alive(pid):
                break
        else:
            pid, info = self.fork(cwd, argv)
        self.owners[pid] = int(request.get("owner") or 0)
        if self.expected is not None:
            self.expected = max(0, self.expected - 1)
        return {"pid": pid, "connection": info}

    def refill(self) -> None:
        """Keep ``ahead`` kernels ready, but no more than the build still expects to need."""
        want = self.ahead if self.expected is None else min(self.ahead, self.expected)
        while len(self.ready) < want:
            self.ready.append(self.fork(self.cwd, self.argv))

    def reap_orphans(self) -> None:
        """Kill kernels whose owner died (a worker killed on timeout, or crashed)."""
        for pid, owner in list(self.owners.items()):
            if not _alive(pid):
                del self.owners[pid]
            elif owner and not _alive(owner):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                del self.owners[pid]

    def handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = _receive_line(conn)
            if not data.endswith(b"\n"):  # the client went away mid-request
                return
            request = json.loads(data)
            try:
                if request.get("op") == "take":
                    reply = self.take(request)
                elif request.get("op") == "worker":
                    pid = self.fork_worker(str(request["target"]), str(request["address"]),
                                           str(request["server"]), str(request["cwd"]),
                                           list(request["path"]))
                    self.owners[pid] = int(request.get("owner") or 0)
                    reply = {"pid": pid}
                elif request.get("op") == "expect":
                    self.expected = max(0, int(request["kernels"]))
                    reply = {"expected": self.expected}
                elif request.get("op") == "exit":
                    self.reap()
                    reply = {"code": self.exits.get(int(request["pid"]))}
                elif request.get("op") == "status":
                    import threading

                    reply = {"pid": os.getpid(), "threads": threading.active_count(),
                             "modules": len(sys.modules), "ready": len(self.ready),
                             "frozen": gc.get_freeze_count(), "gc": gc.isenabled(),
                             "forked": self.count, "unsafe": _fork_safe()}
                else:
                    reply = {"error": f"unknown request {request.get('op')!r}"}
            except Exception as exc:
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            conn.sendall(json.dumps(reply).encode("utf-8") + b"\n")

    def reap(self, block: bool = False) -> None:
        """Collect exited children (so their CPU time is counted in the template's)."""
        while True:
            try:
                pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.exits[pid] = os.waitstatus_to_exitcode(status)

    def kill_all(self) -> None:
        for pid in [*self.owners, *(p for p, _ in self.ready)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.reap(block=True)

    def serve(self, address: str) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # stopped by the build, not by Ctrl-C
        self.listener.bind(address + ".binding")
        self.listener.listen(64)
        os.rename(address + ".binding", address)  # it appears only once it accepts
        gc.disable()  # no collection while importing: fewer half-empty pages to share
        _preload(self.catalogs)
        gc.collect()
        gc.freeze()  # the children's collections never visit (so never copy) these objects
        gc.enable()
        self.selector.register(self.listener, selectors.EVENT_READ, "listener")
        self.selector.register(0, selectors.EVENT_READ, "lifeline")
        try:
            while True:
                self.refill()
                for key, _ in self.selector.select(timeout=0.5):
                    if key.data == "lifeline":
                        if not os.read(0, 4096):  # the build closed the pipe or died
                            return
                    else:
                        conn, _ = self.listener.accept()
                        self.handle(conn)
                self.reap()
                self.reap_orphans()
        finally:
            self.kill_all()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)  # skip tearing down the preloaded modules


def _serve_main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the template process (started by :class:`KernelServer`)."""
    import argparse

    parser = argparse.ArgumentParser(prog="kpianalysis kernel server")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--ahead", type=int, default=1)
    parser.add_argument("--catalog", action="append", default=[])
    parser.add_argument("--expect", type=int, default=None)
    parser.add_argument("kernel_args", nargs="*")
    args = parser.parse_args(argv)
    folder = Path(args.socket).parent
    template = _Template(folder, args.cwd, list(args.kernel_args), args.ahead, args.catalog)
    template.expected = args.expect
    template.serve(args.socket)


# --- the build side --------------------------------------------------------------------------


class KernelServer:
    """Start (and stop) the template process; while it runs, :data:`SERVER_ENV` names it.

    Parameters
    ----------
    cwd : path, optional
        Working directory of the ready kernels (default: the current one).
    kernel_args : sequence of str
        Extra kernel command-line arguments of the ready kernels (a request with other
        arguments gets a kernel forked for it).
    ahead : int
        Kernels kept ready.
    catalogs : sequence of str
        Catalog files the reports read (relative to ``cwd``), loaded once in the template.
    expect : int, optional
        Kernels the build will take (no more are kept ready); None: unknown.

    Examples
    --------
    >>> with KernelServer(ahead=2):  # doctest: +SKIP
    ...     papermill.execute_notebook(..., kernel_manager_class=kernel_manager_class())
    """

    def __init__(self, cwd: str | os.PathLike[str] | None = None,
                 kernel_args: Sequence[str] = (), ahead: int = 1,
                 catalogs: Sequence[str] = (), expect: int | None = None) -> None:
        self.cwd = str(Path(cwd or Path.cwd()).resolve())
        self.expected = expect
        self.catalogs = [str(c) for c in catalogs if c]
        self.kernel_args = list(kernel_args)
        self.ahead = max(0, int(ahead))
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._previous: str | None = None

    @property
    def address(self) -> str:
        """The server's socket path."""
        if self.folder is None:
            raise KernelServerError("the kernel server is not started")
        return str(self.folder / "server")

    def start(self, timeout: float = 30.0) -> KernelServer:
        """Start the template (it imports in the background); return self once it listens."""
        self.folder = Path(tempfile.mkdtemp(prefix="kpianalysis-kernels-"))  # mode 0700
        code = "from kpianalysis.kernels import _serve_main; _serve_main()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "--socket", self.address, "--cwd", self.cwd,
             "--ahead", str(self.ahead),
             *(x for c in self.catalogs for x in ("--catalog", c)),
             *(["--expect", str(self.expected)] if self.expected is not None else []),
             "--", *self.kernel_args],
            stdin=subprocess.PIPE, cwd=self.cwd, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise KernelServerError("the kernel server did not start")
            time.sleep(0.005)
        self._previous = os.environ.get(SERVER_ENV)
        os.environ[SERVER_ENV] = self.address
        return self

    def stop(self) -> None:
        """Stop the template; it kills every kernel it forked."""
        if self._previous is None:
            os.environ.pop(SERVER_ENV, None)
        else:
            os.environ[SERVER_ENV] = self._previous
        if self.process is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.process.kill()
                self.process.wait()
            self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def expect(self, kernels: int) -> None:
        """Tell the server how many more kernels the build will take (it keeps no more than
        that many ready)."""
        server_request(self.address, {"op": "expect", "kernels": int(kernels)})

    def status(self) -> dict[str, Any]:
        """The template's pid, thread count, loaded modules and ready kernels."""
        return server_request(self.address, {"op": "status"})

    def __enter__(self) -> KernelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def pool_serves(kernel_name: str) -> bool:
    """Whether kernels from the server can stand in for ``kernel_name``: an ipykernel spec
    that runs the build's own Python environment."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        return False
    argv = list(spec.argv)
    return (bool(argv) and "ipykernel_launcher" in argv and spec.language == "python"
            and os.path.dirname(os.path.abspath(argv[0]))
            == os.path.dirname(os.path.abspath(sys.executable)))


def _forked_provisioner_class() -> type:
    from jupyter_client.provisioning.provisioner_base import KernelProvisionerBase

    class ForkedKernelProvisioner(KernelProvisionerBase):  # type: ignore[misc]
        """A kernel taken from the kernel server instead of a new process from Popen."""

        pid: int | None = None
        exit_code: int | None = None

        @property
        def has_process(self) -> bool:
            return self.pid is not None

        async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
            self.extra_arguments = list(kwargs.pop("extra_arguments", []) or [])
            return {"cmd": [], "cwd": kwargs.get("cwd")}

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict[str, Any]:
            reply = await asyncio.get_running_loop().run_in_executor(None, lambda: (
                server_request(os.environ[SERVER_ENV], {
                    "op": "take", "cwd": str(kwargs.get("cwd") or os.getcwd()),
                    "argv": self.extra_arguments, "owner": os.getpid()})))
            self.pid = int(reply["pid"])
            info = dict(reply["connection"])
            info["key"] = info["key"].encode("ascii")
            self.connection_info = info
            return info

        async def poll(self) -> int | None:
            if self.pid is not None and _alive(self.pid):
                return None
            return 0 if self.exit_code is None else self.exit_code

        async def wait(self) -> int | None:
            while await self.poll() is None:
                await asyncio.sleep(0.02)
            self.pid = None
            return 0

        async def send_signal(self, signum: int) -> None:
            if self.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signum)

        async def kill(self, restart: bool = False) -> None:
            self.exit_code = -signal.SIGKILL
            await self.send_signal(signal.SIGKILL)

        async def terminate(self, restart: bool = False) -> None:
            await self.send_signal(signal.SIGTERM)

        async def cleanup(self, restart: bool = False) -> None:
            path = str(self.connection_info.get("ip", "")) if self.connection_info else ""
            if path:  # the server's copy of the connection file
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(os.path.dirname(path),
                                           os.path.basename(path) + ".json"))

    return ForkedKernelProvisioner


def kernel_manager_class() -> type:
    """The kernel manager class the build gives Papermill.

    With a kernel server running (:data:`SERVER_ENV` set), kernels come from it; otherwise a
    new kernel process is started, talking over local IPC sockets in the temp folder.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(tempfile.gettempdir(),
                                                 f"kpianalysis-kernel-{uuid.uuid4().hex[:12]}"))
            super().__init__(**kwargs)

    address = os.environ.get(SERVER_ENV)
    if not address or not os.path.exists(address):
        return IPCKernelManager
    provisioner = _forked_provisioner_class()

    class ForkedKernelManager(IPCKernelManager):
        """Takes a ready kernel from the kernel server (never reused: each report gets a
        new one)."""

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = provisioner(kernel_id=self.kernel_id,
                                               kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return ForkedKernelManager
