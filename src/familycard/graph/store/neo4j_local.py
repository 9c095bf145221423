"""Install, start and stop a local Neo4j 5.26 Community server without Docker.

Neo4j runs in-process inside a tiny Java program (``neo4j_launcher/Neo4jLauncher.java``)
whose jars Maven copies from Maven Central into a cache folder outside the repository
(``install``). ``Neo4jServer`` runs it as a child process for tests; ``start_background``,
``stop_background`` and ``status`` run a detached server for the CLI.

Paths are always passed in explicitly; nothing here reads environment variables.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import platformdirs

__all__ = [
    "NEO4J_VERSION",
    "JVM_FLAGS",
    "Neo4jUnavailable",
    "PROCEDURE_ALLOWLIST",
    "Neo4jServer",
    "admin_command",
    "database_dirs",
    "default_cache_dir",
    "install",
    "run_admin",
    "memory",
    "start_background",
    "stop_background",
    "status",
    "store_in_use",
]

#: Neo4j version pinned in neo4j_launcher/pom.xml (kept in sync by a test).
NEO4J_VERSION = "5.26.30"

LAUNCHER_DIR = Path(__file__).resolve().parent / "neo4j_launcher"
POM = LAUNCHER_DIR / "pom.xml"
JAVA_SOURCE = LAUNCHER_DIR / "Neo4jLauncher.java"
MAIN_CLASS = "Neo4jLauncher"

#: JVM flags from the ``server.jvm.additional`` lines of Neo4j 5.26's own neo4j.conf
#: (minus -XX:+AlwaysPreTouch, which slows start-up, and the profiling-only ones).
#: Without the --add-opens lines Neo4j falls back to slower paths and logs
#: "Reflection access to java.nio.DirectByteBuffer is not available" and
#: "Incorrect file descriptor" warnings.
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)

#: The procedures the local server loads (dbms.security.procedures.allowlist, server-wide):
#: those familycard calls (schema set-up, replanning after a load, the version) and the schema
#: procedures saved queries may call (store.READ_PROCEDURES); no plugin procedure (APOC...)
#: beyond them. Measured on 5.26 Community: the setting does not reach the built-in ones
#: (dbms.listConfig, db.clearQueryCaches still run with it set), and Community has no
#: per-user EXECUTE privileges, so for those the text check (store.check_read_query) is
#: what holds; the README's "Neo4j in production" says what Enterprise can add.
PROCEDURE_ALLOWLIST: tuple[str, ...] = (
    "db.awaitIndexes", "db.prepareForReplanning", "db.relationshipTypes", "db.labels", "db.propertyKeys",
    "db.schema.nodeTypeProperties", "db.schema.relTypeProperties", "db.schema.visualization",
    "dbms.components",
)

PASSWORD_ENV = "NEO4J_LAUNCHER_PASSWORD"  # read by the Java launcher, set only in its env
READY_RE = re.compile(r"^NEO4J READY (bolt://\S+)\s*$", re.MULTILINE)

LOG_NAME = "neo4j-launcher.log"
PID_NAME = "neo4j.pid"
HOME_NAME = "neo4j"  # Neo4j's own home (data/, logs/) inside data_dir
_STAMP = "install.stamp"
_LOCK = ".install.lock"


class Neo4jUnavailable(RuntimeError):
    """Neo4j cannot be installed or started here; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def default_cache_dir() -> Path:
    """``<user cache dir>/familycard/neo4j-<version>``: jars and compiled launcher."""
    return Path(platformdirs.user_cache_dir("familycard")) / f"neo4j-{NEO4J_VERSION}"


DEFAULT_CACHE = default_cache_dir()


# --------------------------------------------------------------------------- install


def _digest(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def classes_dir(cache: Path) -> Path:
    """The compiled launcher of this Neo4jLauncher.java: a folder per version of the source,
    so that a changed launcher (or two checkouts with different ones) never recompiles over
    the classes a running server uses; the jars are shared by every launcher of the pom."""
    return Path(cache) / f"classes-{_digest(JAVA_SOURCE)[:16]}"


def _jars_installed(cache: Path) -> bool:
    stamp = cache / _STAMP
    if not any((cache / "lib").glob("neo4j-*.jar")) or not stamp.is_file():
        return False
    # install.stamp holds the pom's hash; a cache from before per-source classes holds the
    # hash of pom and source together, and its jars are those of the pinned version if that
    # jar is there (test_pom_pins_the_version keeps the pom and NEO4J_VERSION together).
    return stamp.read_text().strip() == _digest(POM) or (cache / "lib" / f"neo4j-{NEO4J_VERSION}.jar").is_file()


def _is_installed(cache: Path) -> bool:
    return _jars_installed(cache) and (classes_dir(cache) / f"{MAIN_CLASS}.class").is_file()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Neo4jUnavailable(
            f"`{name}` is not on PATH: the local Neo4j needs a JDK 17+ (java, javac) and "
            "Maven (mvn); install them or use docker compose"
        )
    return path


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(cmd: list[str], what: str, cwd: Path, timeout: float) -> None:
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode(errors="replace")
        raise Neo4jUnavailable(f"{what} timed out after {timeout:.0f}s:\n{_tail(out)}") from None
    except OSError as exc:
        raise Neo4jUnavailable(f"{what} could not run: {exc}") from None
    if proc.returncode != 0:
        raise Neo4jUnavailable(f"{what} failed (exit {proc.returncode}):\n{_tail(proc.stdout)}")


def install(cache: Path = DEFAULT_CACHE, *, timeout: float = 1800) -> Path:
    """Download Neo4j's jars with Maven and compile the launcher into ``cache``.

    Does nothing when ``cache`` already holds the jars of the current pom.xml (a stamp file
    records its hash) and the launcher compiled from the current Neo4jLauncher.java
    (``classes_dir``). Concurrent calls are serialised with a lock file. Returns ``cache``;
    raises ``Neo4jUnavailable`` when java/javac/mvn are missing or Maven/javac fail.
    """
    cache = Path(cache).expanduser().resolve()
    if _is_installed(cache):
        return cache
    javac = _tool("javac")
    _tool("java")
    mvn = None if _jars_installed(cache) else _tool("mvn")
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / _LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _is_installed(cache):  # another process finished while we waited
                return cache
            build = cache / "build"
            shutil.rmtree(build, ignore_errors=True)
            build.mkdir()
            if not _jars_installed(cache):
                _install_jars(cache, build, mvn or _tool("mvn"), timeout)
            _compile_launcher(cache, build, javac)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return cache


def _install_jars(cache: Path, build: Path, mvn: str, timeout: float) -> None:
    (cache / _STAMP).unlink(missing_ok=True)
    lib_tmp = cache / "lib.tmp"
    shutil.rmtree(lib_tmp, ignore_errors=True)
    # Maven runs on a copy so that nothing (target/, …) lands in the source tree.
    shutil.copy2(POM, build / "pom.xml")
    _run(
        [
            mvn, "-B", "-q", "-f", str(build / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib_tmp}",
            "-DincludeScope=runtime",
        ],
        "Maven (downloading Neo4j jars from Maven Central)",
        build,
        timeout,
    )
    if not any(lib_tmp.glob("neo4j-*.jar")):
        raise Neo4jUnavailable(f"Maven copied no Neo4j jars into {lib_tmp}")
    shutil.rmtree(cache / "lib", ignore_errors=True)
    lib_tmp.rename(cache / "lib")
    (cache / _STAMP).write_text(_digest(POM) + "\n")


def _compile_launcher(cache: Path, build: Path, javac: str) -> None:
    target = classes_dir(cache)
    classes_tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(classes_tmp, ignore_errors=True)
    shutil.copy2(JAVA_SOURCE, build / JAVA_SOURCE.name)
    _run(
        [
            javac, "--release", "17", "-nowarn",
            "-cp", str(cache / "lib" / "*"),
            "-d", str(classes_tmp),
            str(build / JAVA_SOURCE.name),
        ],
        "javac Neo4jLauncher.java",
        build,
        600,
    )
    shutil.rmtree(target, ignore_errors=True)
    classes_tmp.rename(target)


# --------------------------------------------------------------------------- running


def _read_log(log_path: Path) -> str:
    try:
        return log_path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _command(
    cache: Path, home: Path, port: int, *, heap: str, pagecache: str, auth_user: str | None, watch_stdin: bool
) -> list[str]:
    java = _tool("java")
    classpath = os.pathsep.join([str(classes_dir(cache)), str(cache / "lib" / "*")])
    cmd = [java, f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS, "-cp", classpath, MAIN_CLASS]
    cmd += ["--home", str(home), "--host", "127.0.0.1", "--port", str(port), "--pagecache", pagecache,
            "--procedures", ",".join(PROCEDURE_ALLOWLIST)]
    if auth_user is not None:
        cmd += ["--auth", auth_user]
    if not watch_stdin:
        cmd.append("--no-stdin-watch")
    return cmd


def _wait_until_ready(
    proc: subprocess.Popen[Any], log_path: Path, timeout: float, auth: tuple[str, str] | None
) -> str:
    """Wait for the READY line, then for Bolt to answer; return the bolt URI."""
    deadline = time.monotonic() + timeout
    uri: str | None = None
    while uri is None:
        text = _read_log(log_path)
        match = READY_RE.search(text)
        if match:
            uri = match.group(1)
            break
        if proc.poll() is not None:
            raise Neo4jUnavailable(
                f"Neo4j exited with code {proc.returncode} before it was ready; "
                f"log {log_path}:\n{_tail(text)}"
            )
        if time.monotonic() > deadline:
            raise Neo4jUnavailable(f"Neo4j not ready after {timeout:.0f}s; log {log_path}:\n{_tail(text)}")
        time.sleep(0.2)

    from neo4j import GraphDatabase  # imported late: install/status do not need it

    last_error: Exception | None = None
    while time.monotonic() <= deadline:
        if proc.poll() is not None:
            break
        try:
            with GraphDatabase.driver(uri, auth=auth) as driver:
                driver.verify_connectivity()
            return uri
        except Exception as exc:  # noqa: BLE001 - any driver error means "not yet"
            last_error = exc
            time.sleep(0.5)
    raise Neo4jUnavailable(
        f"Neo4j printed READY but Bolt at {uri} does not answer ({last_error!r}); "
        f"log {log_path}:\n{_tail(_read_log(log_path))}"
    )


def _terminate(pid: int, timeout: float, proc: subprocess.Popen[Any] | None = None) -> None:
    """SIGTERM, wait up to ``timeout``, then SIGKILL."""
    if proc is not None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    """True when ``pid`` runs (a zombie counts as dead; our own zombies are reaped)."""
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        with contextlib.suppress(OSError, IndexError):
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    return True


def _is_launcher(pid: int) -> bool:
    """Guard against a recycled pid: on Linux, check the command line."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return _alive(pid)  # no /proc (macOS): trust the pid file
    try:
        return MAIN_CLASS.encode() in cmdline.read_bytes() and _alive(pid)
    except OSError:
        return False


def _write_pid_file(data_dir: Path, pid: int, uri: str, heap: str | None = None, pagecache: str | None = None) -> None:
    tmp = data_dir / (PID_NAME + ".tmp")
    tmp.write_text(json.dumps({"pid": pid, "uri": uri, "version": NEO4J_VERSION, "heap": heap,
                               "pagecache": pagecache}) + "\n")
    tmp.replace(data_dir / PID_NAME)


def _read_pid_file(data_dir: Path) -> dict[str, Any] | None:
    try:
        info = json.loads((Path(data_dir) / PID_NAME).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("pid"), int):
        return None
    return info


class Neo4jServer:
    """A Neo4j child process for one data folder; use as a context manager.

    >>> with Neo4jServer(cache).start(tmp_path) as server:   # doctest: +SKIP
    ...     driver = GraphDatabase.driver(server.uri, auth=None)

    The server also stops when this Python process dies (the launcher watches its stdin).
    """

    def __init__(
        self,
        cache: Path = DEFAULT_CACHE,
        *,
        heap: str = "512m",
        pagecache: str = "256m",
        auth: tuple[str, str] | None = None,
        install_if_missing: bool = True,
    ) -> None:
        self.cache = Path(cache)
        self.heap = heap
        self.pagecache = pagecache
        self.auth = auth
        self.install_if_missing = install_if_missing
        self.uri: str | None = None
        self.data_dir: Path | None = None
        self.log_path: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, data_dir: Path, port: int = 0, timeout: float = 120) -> Neo4jServer:
        """Start Neo4j on 127.0.0.1:``port`` (0: a free port) with its files in ``data_dir``."""
        if self._proc is not None:
            raise RuntimeError("this Neo4jServer was already started")
        data_dir = Path(data_dir).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        existing = status(data_dir)
        if existing is not None:
            raise Neo4jUnavailable(f"a Neo4j server already runs for {data_dir} at {existing}")
        cache = install(self.cache) if self.install_if_missing else self.cache
        self.data_dir = data_dir
        self.log_path, self._proc, self._log = _spawn(
            cache, data_dir, port, heap=self.heap, pagecache=self.pagecache, auth=self.auth, detached=False
        )
        try:
            self.uri = _wait_until_ready(self._proc, self.log_path, timeout, self.auth)
        except BaseException:
            self.stop()
            raise
        _write_pid_file(data_dir, self._proc.pid, self.uri)
        return self

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. Safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            _terminate(proc.pid, timeout, proc)
            if self.data_dir is not None:
                info = _read_pid_file(self.data_dir)
                if info is not None and info["pid"] == proc.pid:
                    (self.data_dir / PID_NAME).unlink(missing_ok=True)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Neo4jServer:
        if self._proc is None:
            raise RuntimeError("call start(data_dir) first: `with Neo4jServer().start(path) as server:`")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _spawn(
    cache: Path,
    data_dir: Path,
    port: int,
    *,
    heap: str,
    pagecache: str,
    auth: tuple[str, str] | None,
    detached: bool,
) -> tuple[Path, subprocess.Popen[bytes], IO[bytes]]:
    home = data_dir / HOME_NAME
    home.mkdir(exist_ok=True)
    log_path = data_dir / LOG_NAME
    env = dict(os.environ)
    env.pop(PASSWORD_ENV, None)
    if auth is not None:
        env[PASSWORD_ENV] = auth[1]
    cmd = _command(
        cache,
        home,
        port,
        heap=heap,
        pagecache=pagecache,
        auth_user=auth[0] if auth else None,
        watch_stdin=not detached,
    )
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the caller
    try:
        proc = subprocess.Popen(
            cmd,
            cwd=data_dir,
            env=env,
            stdin=subprocess.DEVNULL if detached else subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=detached,
            close_fds=True,
        )
    except OSError as exc:
        log.close()
        raise Neo4jUnavailable(f"could not run java: {exc}") from None
    return log_path, proc, log


# --------------------------------------------------------------------------- neo4j-admin

#: ``neo4j-admin``'s own entry point (neo4j-command-line jar): picocli finds its commands as
#: services on the classpath, ``database import full`` among them (neo4j-import-tool, which the
#: ``org.neo4j:neo4j`` artifact of pom.xml already brings: the launcher's jars serve it as they are).
ADMIN_MAIN = "org.neo4j.cli.AdminTool"


def database_dirs(data_dir: Path, database: str) -> tuple[Path, Path]:
    """Where the launcher's DBMS keeps a database: its store and its transaction logs (Neo4j's
    defaults under ``<data_dir>/neo4j``: the launcher sets no directory, and neither does
    ``run_admin``, so the importer writes where the server reads)."""
    data = Path(data_dir).resolve() / HOME_NAME / "data"
    return data / "databases" / database, data / "transactions" / database


def store_in_use(data_dir: Path) -> bool:
    """Whether a running Neo4j holds the DBMS of ``data_dir`` (its ``store_lock``, an fcntl lock
    that Java's FileLock takes on Linux; measured: held while the launcher runs, free once it
    stopped), whoever started it: the pid file knows only those of ``start_background``."""
    lock = Path(data_dir).resolve() / HOME_NAME / "data" / "databases" / "store_lock"
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def admin_command(cache: Path, args: list[str], *, heap: str = "1g") -> list[str]:
    """``neo4j-admin ARGS`` as a java command on the launcher's jars."""
    classpath = str(Path(cache) / "lib" / "*")
    return [_tool("java"), f"-Xmx{heap}", *JVM_FLAGS, "-cp", classpath, ADMIN_MAIN, *args]


def run_admin(
    data_dir: Path,
    args: list[str],
    log_path: Path,
    cache: Path = DEFAULT_CACHE,
    *,
    cwd: Path | None = None,
    heap: str = "1g",
    timeout: float | None = None,
) -> None:
    """Run ``neo4j-admin ARGS`` against the DBMS home the launcher serves for ``data_dir``
    (NEO4J_HOME; no neo4j.conf, as the server has none); its output goes to ``log_path``.

    Raises ``Neo4jUnavailable`` with the exit code and the log's last lines when it fails.
    """
    data_dir = Path(data_dir).resolve()
    home = data_dir / HOME_NAME
    home.mkdir(parents=True, exist_ok=True)
    cmd = admin_command(install(cache), args, heap=heap)
    env = dict(os.environ)
    env.pop(PASSWORD_ENV, None)
    env.pop("NEO4J_CONF", None)
    env["NEO4J_HOME"] = str(home)
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.run(cmd, cwd=cwd or data_dir, env=env, stdin=subprocess.DEVNULL,
                                  stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise Neo4jUnavailable(f"neo4j-admin {' '.join(args[:3])} timed out after {timeout:.0f}s; "
                                   f"log {log_path}:\n{_tail(_read_log(log_path))}") from None
        except OSError as exc:
            raise Neo4jUnavailable(f"could not run java: {exc}") from None
    if proc.returncode != 0:
        text = _read_log(log_path)
        # A usage error (exit 64) prints picocli's complaint, then the whole usage: keep the complaint.
        said = text.split("\nUSAGE", 1)[0] if "\nUSAGE" in text and text.split("\nUSAGE", 1)[0].strip() else text
        raise Neo4jUnavailable(f"neo4j-admin {' '.join(args[:3])} failed (exit {proc.returncode}); "
                               f"log {log_path}:\n{_tail(said)}")


# --------------------------------------------------------------------------- CLI helpers


def start_background(
    data_dir: Path,
    port: int = 7687,
    cache: Path = DEFAULT_CACHE,
    *,
    timeout: float = 120,
    heap: str = "512m",
    pagecache: str = "256m",
    auth: tuple[str, str] | None = None,
) -> tuple[int, str]:
    """Start a detached Neo4j that outlives the caller; return ``(pid, bolt_uri)``.

    If one already runs for ``data_dir``, return it instead of starting another.
    Stop it with ``stop_background(data_dir)``.
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    info = _running(data_dir)
    if info is not None:
        return info["pid"], str(info["uri"])
    cache = install(cache)
    log_path, proc, log = _spawn(
        cache, data_dir, port, heap=heap, pagecache=pagecache, auth=auth, detached=True
    )
    log.close()  # the child keeps its own descriptor
    try:
        uri = _wait_until_ready(proc, log_path, timeout, auth)
    except BaseException:
        _terminate(proc.pid, 30, proc)
        raise
    _write_pid_file(data_dir, proc.pid, uri, heap, pagecache)
    return proc.pid, uri


def stop_background(data_dir: Path, timeout: float = 30) -> bool:
    """Stop the server recorded in ``data_dir``'s pid file. False if none was running."""
    data_dir = Path(data_dir).resolve()
    info = _read_pid_file(data_dir)
    if info is None:
        return False
    pid = info["pid"]
    was_running = _is_launcher(pid)
    if was_running:
        _terminate(pid, timeout)
    (data_dir / PID_NAME).unlink(missing_ok=True)
    return was_running


def memory(data_dir: Path) -> tuple[str, str] | None:
    """The heap and page cache the server running for ``data_dir`` was started with (so that a
    restart, e.g. the load's around the importer, keeps them), or None."""
    info = _running(data_dir)
    if info is None or not info.get("heap") or not info.get("pagecache"):
        return None
    return str(info["heap"]), str(info["pagecache"])


def status(data_dir: Path) -> str | None:
    """The bolt URI of the server running for ``data_dir``, or None."""
    info = _running(data_dir)
    return None if info is None else str(info["uri"])


def _running(data_dir: Path) -> dict[str, Any] | None:
    """The pid file of the server ``start_background`` started for ``data_dir`` if it still runs."""
    info = _read_pid_file(Path(data_dir).resolve())
    return info if info is not None and _is_launcher(info["pid"]) else None


if __name__ == "__main__":  # pragma: no cover - manual smoke test
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "neo4j-data")
    started = time.monotonic()
    with Neo4jServer().start(target) as srv:
        print(f"{srv.uri} (pid {srv.pid}) ready in {time.monotonic() - started:.1f}s; Ctrl-C stops")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
