"""Read official statistical exports as they are: NBS data portal, World Bank WDI, UNDP HDR, yearbooks.

``read(path, format=None, **options)`` returns an :class:`OfficialPanel` (long table ``region, year,
indicator, value`` with GB/T 2260 / ISO3 region codes, units, names, provenance, warnings).  The format
is detected from the file's content when exactly one reader recognises it; otherwise the error lists
the candidates or the valid formats.  Formats are registered in :data:`FORMATS` (name → reader), the
one list the CLI's ``--format`` choices, the docs and the error messages read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hqd.errors import HqdError, Problem
from hqd.io.readers import nbs, undp, worldbank, yearbook
from hqd.io.readers._source import Source, open_source
from hqd.io.readers.panel import OfficialPanel, combine

__all__ = ["FORMATS", "OfficialPanel", "ReaderFormat", "combine", "detect", "read"]


@dataclass(frozen=True)
class ReaderFormat:
    """A named file format: how to recognise it and how to read it."""

    name: str
    description: str
    sniff: Callable[[Source], bool]
    read: Callable[..., OfficialPanel]


#: The registered formats, by name.
FORMATS: dict[str, ReaderFormat] = {
    m.NAME: ReaderFormat(m.NAME, m.DESCRIPTION, m.sniff, m.read) for m in (nbs, worldbank, undp, yearbook)
}


def detect(path: str | Path, *, encoding: str | None = None) -> str:
    """The name of the one format that recognises the file.

    Raises ``HqdError`` ``format_unknown`` (none does; lists the valid formats) or ``format_ambiguous``
    (several do; lists them) — never a guess.
    """
    name, _ = _detect(Path(path), encoding)
    return name


def _detect(path: Path, encoding: str | None) -> tuple[str, Source]:
    source = open_source(path, encoding=encoding)
    hits = [f.name for f in FORMATS.values() if f.sniff(source)]
    if len(hits) == 1:
        return hits[0], source
    if not hits:
        raise HqdError(
            [
                Problem(
                    "format_unknown",
                    f"no reader recognises this {source.kind} file; pass format=... "
                    f"(valid: {', '.join(FORMATS)})",
                    file=path.name,
                )
            ]
        )
    raise HqdError(
        [
            Problem(
                "format_ambiguous",
                f"several readers recognise this file: {', '.join(hits)}; pass format=...",
                file=path.name,
            )
        ]
    )


def read(path: str | Path, format: str | None = None, **options: Any) -> OfficialPanel:
    """Read an official export into an :class:`OfficialPanel`.

    Parameters
    ----------
    path : the file
    format : one of :data:`FORMATS` (``nbs``, ``worldbank``, ``undp``, ``yearbook``); detected when None
    **options : passed to the format's reader (``encoding``, ``level``, ``aliases``, ``indicator`` …)
    """
    path = Path(path)
    if format is None:
        format, source = _detect(path, options.get("encoding"))
        return FORMATS[format].read(path, source=source, **options)
    if format not in FORMATS:
        raise HqdError(
            [
                Problem(
                    "format_unknown",
                    f"unknown format {format!r}; valid: {', '.join(FORMATS)}",
                    file=path.name,
                )
            ]
        )
    return FORMATS[format].read(path, **options)
