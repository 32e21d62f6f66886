"""Writing files and folders atomically: a reader sees the old version or the whole new one.
New files and folders get the modes the user's umask allows, as any other tool's would."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _as_created(path: Path, mode: int) -> None:
    """Give a file or folder made by `tempfile` (0600/0700) the mode a plain create would."""
    os.chmod(path, mode & ~_umask())


def write_text(path: str | Path, text: str) -> None:
    """Replace `path` with `text` in one step."""
    write_with(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_with(path: str | Path, write: Callable[[Path], object]) -> None:
    """Replace `path` in one step with what `write(temporary path)` writes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        _as_created(Path(tmp), 0o666)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def staged_folder(path: str | Path, replaces: Iterable[str] = (),
                  last: str | None = None) -> Iterator[Path]:
    """A temporary folder whose files move into `path` only if the block finishes without an
    error. A new `path` appears whole. Into an existing folder the files move one by one, `last`
    at the end (so its presence marks a complete folder), after the files named in `replaces`
    are removed; nothing else in it is touched."""
    target = Path(path)
    existing = target.is_dir()
    if not existing:
        target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.resolve().name}.",
                                    dir=target if existing else target.parent))
    try:
        _as_created(staging, 0o777)
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not existing:
        os.replace(staging, target)
        return
    for name in replaces:
        with contextlib.suppress(FileNotFoundError):
            (target / name).unlink()
    for file in sorted(staging.iterdir(), key=lambda f: f.name == last):
        os.replace(file, target / file.name)
    staging.rmdir()
