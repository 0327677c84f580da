"""Engine images: found locally, pulled, or built from this host's own packages when offline."""

from __future__ import annotations

import contextlib
import glob
import io
import os
import pwd
import re
import shutil
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors
import requests.exceptions
from docker.utils import parse_repository_tag

from app.drivers import shell
from app.drivers.runtime.base import INSTALL_LABEL

BUILDABLE = ("postgresql", "mariadb")  # engines whose images this host's packages can make
BUILT_FROM_HOST_LABEL = "io.stagdb.built-from-host"
RECIPE_LABEL = "io.stagdb.recipe"  # the recipe's revision an image built here was made from
PULL_TIMEOUT_S = 10.0
LDD_TIMEOUT_S = 60.0
SERVICE_ID = 999  # uid and gid of the service account in the official images
STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Merged-/usr links (/bin -> usr/bin, ...) so every directory on STANDARD_PATH resolves.
TOP_LEVEL_LINKS = ("/bin", "/sbin", "/lib", "/lib64")
# What `sh -c` commands and engine scripts expect of a Debian-based official image.
BASE_TOOLS = (
    "sh", "cat", "chmod", "chown", "cp", "id", "ln", "ls", "mkdir", "mv", "rm", "sed", "sleep",
    "touch",
)  # fmt: skip
ELF_MAGIC = b"\x7fELF"
LIBRARY_PATH = re.compile(r"(/\S+) \(0x[0-9a-f]+\)")
LIBRARY_NOT_FOUND = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)
MARIADB_VERSION = re.compile(r"Ver (\d+\.\d+)")

PGDATA = "/var/lib/postgresql/data"
MARIADB_TOOLS = (
    "mariadbd", "mysqld", "mariadb-install-db", "mariadb", "mysql", "mariadb-admin", "mysqladmin",
    "my_print_defaults", "resolveip", "hostname", "awk", "dirname", "find", "uname",
    "mariadb-dump", "mysqldump",  # imports from a source server run the engine's own dump tool
)  # fmt: skip


class ImageUnavailable(Exception):
    """No image can be had for an engine version; the message says what is missing and the fix."""


@dataclass(frozen=True)
class Recipe:
    """What an engine's image holds beyond the shared base, and how it is configured."""

    account: str  # service account, uid/gid SERVICE_ID
    home: str
    tools: tuple[str, ...]  # executables looked up on the host's STANDARD_PATH
    trees: tuple[str, ...]  # host directories copied whole
    service_dirs: tuple[tuple[str, int], ...]  # (path, mode), owned by the service account
    changes: tuple[str, ...]  # Dockerfile instructions applied by `docker import`
    revision: int  # raised when what the image holds changes: older builds are rebuilt


def ensure_image(
    engine: str,
    version: str,
    tag: str,
    client: docker.DockerClient,
    log: Callable[[str], None] = print,
    pull: bool = True,
    built_by: str | None = None,
) -> str:
    """Make `tag` available to Docker; return "present", "pulled", "built" or "rebuilt" (an
    image built here from an older recipe). With `pull` off, no registry is asked (air-gapped
    hosts, tests)."""
    labels = _labels_of(client, tag)
    if labels is not None:
        if not _built_from_older_recipe(engine, version, labels):
            return "present"
        _build(engine, version, tag, client, log, built_by)
        return "rebuilt"
    if pull and _pull(client, tag, log):
        return "pulled"
    _build(engine, version, tag, client, log, built_by)
    return "built"


def _labels_of(client: docker.DockerClient, tag: str) -> dict[str, str] | None:
    """The labels of the local image `tag`; None when there is no such image."""
    with _docker_errors(f"inspect image {tag}"):
        try:
            return client.images.get(tag).labels or {}
        except docker.errors.ImageNotFound:
            return None


def _built_from_older_recipe(engine: str, version: str, labels: dict[str, str]) -> bool:
    """An image this host built from an earlier revision of the engine's recipe, which the
    host can build again (images pulled from a registry are kept as they are)."""
    if labels.get(BUILT_FROM_HOST_LABEL) != "true":
        return False
    built_from = labels.get(RECIPE_LABEL, "1")  # images from before revisions hold revision 1
    current = str(_recipe(engine, version).revision)
    return built_from != current and version in host_versions(engine)


def host_versions(engine: str) -> list[str]:
    """Versions of `engine` whose image can be built from this host's packages."""
    if engine not in BUILDABLE:
        return []
    if engine == "postgresql":
        binaries = glob.glob("/usr/lib/postgresql/*/bin/postgres")
        majors = (Path(binary).parent.parent.name for binary in binaries)
        return sorted((major for major in majors if major.isdigit()), key=int)
    return _mariadb_versions()


def _recipe(engine: str, version: str) -> Recipe:
    return _postgresql_recipe(version) if engine == "postgresql" else _mariadb_recipe()


def _postgresql_recipe(major: str) -> Recipe:
    return Recipe(
        account="postgres",
        home="/var/lib/postgresql",
        tools=(),
        trees=(
            f"/usr/lib/postgresql/{major}",
            f"/usr/share/postgresql/{major}",
            "/usr/share/zoneinfo",
            "/usr/lib/locale/C.utf8",
        ),
        # Modes as in the official Dockerfile; initdb narrows the data dir to 0700.
        service_dirs=(
            ("/var/lib/postgresql", 0o755),
            (PGDATA, 0o1777),
            ("/run/postgresql", 0o3777),
        ),
        changes=(
            f"ENV PATH=/usr/lib/postgresql/{major}/bin:{STANDARD_PATH}",
            f"ENV PGDATA={PGDATA}",
            f"ENV PG_MAJOR={major}",
            "ENV LANG=C.UTF-8",
            "EXPOSE 5432",
            'CMD ["postgres"]',
        ),
        revision=1,
    )


def _mariadb_recipe() -> Recipe:
    return Recipe(
        account="mysql",
        home="/var/lib/mysql",
        tools=MARIADB_TOOLS,
        trees=("/usr/share/mysql", "/usr/lib/mysql/plugin"),
        service_dirs=(("/var/lib/mysql", 0o755), ("/run/mysqld", 0o1777)),
        changes=(f"ENV PATH={STANDARD_PATH}", "EXPOSE 3306", 'CMD ["mariadbd"]'),
        revision=2,  # 2: mariadb-dump
    )


def _missing_engine_message(engine: str, version: str, installed: list[str]) -> str:
    found = ", ".join(installed) or "none"
    if engine not in BUILDABLE:
        return (
            f"{engine} images cannot be built from this host's packages (only "
            f"{' and '.join(BUILDABLE)} can) and no registry answered; pull the image where a "
            "registry is reachable and bring it here with `docker save` / `docker load`"
        )
    if engine == "postgresql":
        return (
            f"PostgreSQL {version} is not installed on this host (installed: {found}); "
            f"install it with `apt-get install -y postgresql-{version}`"
        )
    return (
        f"MariaDB {version} is not installed on this host (installed: {found}); "
        "install it with `apt-get install -y mariadb-server` (Debian 12 ships MariaDB 10.11)"
    )


def _mariadb_versions() -> list[str]:
    mariadbd = shutil.which("mariadbd", path=STANDARD_PATH)
    if mariadbd is None:
        return []
    output = _run([mariadbd, "--version"], timeout_s=30)
    match = MARIADB_VERSION.search(output)
    if match is None:
        raise ImageUnavailable(f"cannot read the MariaDB version from {output.strip()!r}")
    return [match.group(1)]


@contextlib.contextmanager
def _docker_errors(what: str) -> Iterator[None]:
    """Translate docker SDK and transport failures into ImageUnavailable."""
    try:
        yield
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise ImageUnavailable(f"{what}: {_docker_detail(exc)}") from exc


def _docker_detail(exc: Exception) -> str:
    """The engine's own explanation when there is one, not the whole request URL."""
    if isinstance(exc, docker.errors.APIError) and exc.explanation:
        return str(exc.explanation)
    return str(exc)


def _run(argv: list[str], timeout_s: float) -> str:
    try:
        return shell.run(argv, timeout_s=timeout_s)
    except shell.CommandFailed as exc:
        raise ImageUnavailable(str(exc)) from exc


def image_exists(client: docker.DockerClient, tag: str) -> bool:
    return _labels_of(client, tag) is not None


def _pull(client: docker.DockerClient, tag: str, log: Callable[[str], None]) -> bool:
    """Try one pull, giving up after PULL_TIMEOUT_S: the SDK's pull has no timeout of its own."""
    repository, image_tag = parse_repository_tag(tag)
    failures: list[str] = []

    def pull() -> None:
        try:
            client.images.pull(repository, tag=image_tag or "latest")
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            failures.append(_docker_detail(exc))

    thread = threading.Thread(target=pull, name=f"pull {tag}", daemon=True)
    thread.start()
    thread.join(PULL_TIMEOUT_S)
    if thread.is_alive():
        log(f"pull of {tag} still running after {PULL_TIMEOUT_S:.0f}s; given up")
        return False
    if failures:
        log(f"pull of {tag} failed ({failures[0]})")
        return False
    return True


def _build(
    engine: str,
    version: str,
    tag: str,
    client: docker.DockerClient,
    log: Callable[[str], None],
    built_by: str | None = None,
) -> None:
    """`docker import` a root filesystem of the engine's files, their libraries and a few tools,
    laid out like the official image (uid/gid 999, data and socket dirs, PATH)."""
    installed = host_versions(engine)
    if version not in installed:
        raise ImageUnavailable(_missing_engine_message(engine, version, installed))
    started = time.monotonic()
    recipe = _recipe(engine, version)
    rootfs = _assemble(recipe)
    repository, image_tag = parse_repository_tag(tag)
    changes = [
        *recipe.changes,
        f"LABEL {BUILT_FROM_HOST_LABEL}=true",
        f"LABEL {RECIPE_LABEL}={recipe.revision}",
    ]
    if built_by is not None:  # the install that made it (images are shared, never removed)
        changes.append(f"LABEL {INSTALL_LABEL}={built_by}")
    with tempfile.TemporaryDirectory(prefix="stagdb-image-") as scratch:
        tarball = os.path.join(scratch, "rootfs.tar")
        rootfs.write(tarball)
        with _docker_errors(f"import {tag}"):
            result = client.api.import_image(
                src=tarball, repository=repository, tag=image_tag or "latest", changes=changes
            )
    if not image_exists(client, tag):
        raise ImageUnavailable(f"importing {tag} did not create the image: {result}")
    log(f"built {tag} from host packages in {time.monotonic() - started:.1f}s")


def _assemble(recipe: Recipe) -> RootFs:
    rootfs = RootFs(recipe.account)
    for link in TOP_LEVEL_LINKS:
        if os.path.lexists(link):
            rootfs.copy(link)
    for tool in (*BASE_TOOLS, *recipe.tools):
        rootfs.copy(_which(tool))
    for tree in recipe.trees:
        rootfs.copy_tree(tree)
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        for libraries in pool.map(_shared_libraries, rootfs.elf_files()):
            for library in libraries:
                rootfs.copy(library)
    _add_accounts_and_dirs(rootfs, recipe)
    return rootfs


def _which(tool: str) -> str:
    found = shutil.which(tool, path=STANDARD_PATH)
    if found is None:
        raise ImageUnavailable(
            f"`{tool}` is not installed on this host; install the Debian package that provides it"
            f" (`dpkg -S bin/{tool}` on a machine that has it names the package)"
        )
    return found


def _shared_libraries(binary: str) -> list[str]:
    """Every library, the dynamic loader included, that `binary` loads at start."""
    try:
        output = shell.run(["ldd", binary], timeout_s=LDD_TIMEOUT_S)
    except shell.CommandFailed as exc:
        if "not a dynamic executable" in exc.stderr:
            return []
        raise ImageUnavailable(f"cannot list the libraries of {binary}: {exc}") from exc
    missing = LIBRARY_NOT_FOUND.findall(output)
    if missing:
        raise ImageUnavailable(f"{binary} needs libraries missing on this host: {missing}")
    return LIBRARY_PATH.findall(output)


def _add_accounts_and_dirs(rootfs: RootFs, recipe: Recipe) -> None:
    account = recipe.account
    rootfs.make_file(
        "/etc/passwd",
        f"root:x:0:0:root:/root:/bin/sh\n"
        f"{account}:x:{SERVICE_ID}:{SERVICE_ID}:{account}:{recipe.home}:/bin/sh\n",
    )
    rootfs.make_file("/etc/group", f"root:x:0:\n{account}:x:{SERVICE_ID}:\n")
    rootfs.make_file("/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n")
    rootfs.make_dir("/root", 0o700)
    rootfs.make_dir("/tmp", 0o1777)
    rootfs.make_dir("/run", 0o755)
    rootfs.make_link("/var/run", "/run")
    for path, mode in recipe.service_dirs:
        rootfs.make_dir(path, mode, owner=SERVICE_ID)


class RootFs:
    """A root filesystem collected as host paths plus made entries, written as one tarball.

    Host paths are stored where they really live; each symlink met on the way to one is
    recreated, so the image mirrors the host's layout (merged /usr, /etc/alternatives, ...).
    """

    def __init__(self, account: str) -> None:
        self._host: set[str] = set()
        self._made: dict[str, tuple[tarfile.TarInfo, bytes]] = {}
        # Host files owned by the engine's own account belong to uid/gid 999 in the image.
        try:
            entry = pwd.getpwnam(account)
            self._account_ids: tuple[int, int] | None = (entry.pw_uid, entry.pw_gid)
        except KeyError:
            self._account_ids = None

    def copy(self, path: str) -> str:
        """Add a host path and every symlink leading to it; return where it really lives."""
        real = "/"
        parts = Path(path).parts[1:]
        for index, part in enumerate(parts):
            candidate = os.path.join(real, part)
            if os.path.islink(candidate):
                target = os.readlink(candidate)
                self.make_link(candidate, target)
                return self.copy(os.path.normpath(os.path.join(real, target, *parts[index + 1 :])))
            real = candidate
        if not os.path.exists(real):
            raise ImageUnavailable(f"{path} is missing on this host")
        self._host.add(real)
        return real

    def copy_tree(self, root: str) -> None:
        real_root = self.copy(root)
        for directory, subdirs, files in os.walk(real_root):
            for name in (*subdirs, *files):
                path = os.path.join(directory, name)
                if os.path.islink(path):
                    self.copy(path)
                else:
                    self._host.add(path)

    def elf_files(self) -> list[str]:
        return sorted(path for path in self._host if _is_elf(path))

    def make_dir(self, path: str, mode: int, owner: int = 0) -> None:
        self._made[path] = (_made_info(path, tarfile.DIRTYPE, mode, owner), b"")

    def make_file(self, path: str, text: str) -> None:
        data = text.encode()
        info = _made_info(path, tarfile.REGTYPE, 0o644, 0)
        info.size = len(data)
        self._made[path] = (info, data)

    def make_link(self, path: str, target: str) -> None:
        info = _made_info(path, tarfile.SYMTYPE, 0o777, 0)
        info.linkname = target
        self._made[path] = (info, b"")

    def write(self, tarball: str) -> None:
        paths = set(self._host) | set(self._made)
        for path in list(paths):
            paths.update(str(parent) for parent in Path(path).parents if str(parent) != "/")
        with tarfile.open(tarball, "w") as tar:
            for path in sorted(paths):
                if path in self._made:
                    info, data = self._made[path]
                    tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
                elif path in self._host:
                    self._write_host_path(tar, path)
                else:
                    tar.addfile(_made_info(path, tarfile.DIRTYPE, 0o755, 0))

    def _write_host_path(self, tar: tarfile.TarFile, path: str) -> None:
        info = tar.gettarinfo(path, arcname=path.lstrip("/"))
        account_uid, account_gid = self._account_ids or (None, None)
        info.uid = SERVICE_ID if info.uid == account_uid else 0
        info.gid = SERVICE_ID if info.gid == account_gid else 0
        info.uname = info.gname = ""
        if info.isreg():
            with open(path, "rb") as source:
                tar.addfile(info, source)
        else:
            tar.addfile(info)


def _made_info(path: str, kind: bytes, mode: int, owner: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(path.lstrip("/"))
    info.type = kind
    info.mode = mode
    info.uid = info.gid = owner
    info.mtime = int(time.time())
    return info


def _is_elf(path: str) -> bool:
    if not os.path.isfile(path):
        return False
    with open(path, "rb") as candidate:
        return candidate.read(len(ELF_MAGIC)) == ELF_MAGIC
