"""Where a command writes: ``--out`` checked before any work is done (and nothing created by the check).

A folder that cannot be created, a file in a folder that cannot be written, a file where a folder is
wanted (or the reverse), and a template whose format the writer does not produce under ``--out``'s suffix are
:class:`hqd.HqdError` problems located at the path (reason codes ``unwritable_output``,
``unsupported_output``), so the command stops with exit status 2 and a message, not a traceback half way.
"""

from __future__ import annotations

import os
from pathlib import Path

from hqd.errors import HqdError, Problem

# The file types `hqd template KIND --out FILE` writes (io.templates): KIND -> suffixes.
TEMPLATE_SUFFIXES = {"framework": (".xlsx", ".csv"), "data": (".xlsx", ".csv"), "recipe": (".yaml", ".yml")}


def _refuse(path: Path, message: str, option: str) -> HqdError:
    return HqdError([Problem("unwritable_output", f"{option}: {message}", file=str(path))])


def _check_folder(folder: Path, path: Path, option: str) -> None:
    """``folder`` exists as a writable folder, or can be created: its nearest existing ancestor is a writable
    folder.  Nothing is created here — a command that stops on bad input leaves no empty folder behind."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        what = "cannot create the folder" if probe != folder else "cannot use the folder"
        raise _refuse(path, f"{what} {folder}: {probe} is a file, not a folder", option)
    if not os.access(probe, os.W_OK | os.X_OK):
        what = f"cannot create the folder {folder}: " if probe != folder else ""
        raise _refuse(path, f"{what}the folder {probe} is not writable", option)


def output_folder(path: Path, option: str = "--out") -> Path:
    """Check that ``path`` is, or can be created as, a writable folder; else a located ``unwritable_output``."""
    _check_folder(path, path, option)
    return path


def output_file(path: Path, option: str = "--out") -> Path:
    """Check that ``path`` can be written as a file (its folder existing or creatable); else ``unwritable_output``."""
    if path.is_dir():
        raise _refuse(path, f"{path} is a folder; name a file", option)
    _check_folder(path.parent if str(path.parent) else Path("."), path, option)
    if path.exists() and not os.access(path, os.W_OK):
        raise _refuse(path, f"{path} exists and is not writable", option)
    return path


def template_file(kind: str, path: Path, option: str = "--out") -> Path:
    """Check that the template writer produces the file ``path`` names (Excel or YAML by suffix)."""
    suffixes = TEMPLATE_SUFFIXES.get(kind)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise HqdError([Problem(
            "unsupported_output",
            f"{option}: the {kind} template is written as {' or '.join(suffixes)}; got {path.suffix or 'no suffix'} "
            f"(name the file e.g. {path.with_suffix(suffixes[0]).name})", file=str(path))])
    return output_file(path, option)
