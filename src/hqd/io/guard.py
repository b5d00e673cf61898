"""One guard around every reader, and the resource limits it enforces.

Every file HQD reads (CSV, Excel ``.xlsx``/``.xls``, Parquet, YAML, the official exports) is opened inside
:func:`reading`: any exception a parsing library raises — ``zipfile``/``zlib``, XML ``ParseError``,
openpyxl, xlrd, the CSV parser, PyYAML, pyarrow, a ``UnicodeDecodeError`` — becomes one located
:class:`~hqd.errors.HqdError` with a reason code, never a traceback.  Before a workbook is parsed its zip
directory is checked against :data:`LIMITS` (the declared uncompressed sizes, so a zip bomb is refused
before it is inflated: Python's ``zipfile`` never inflates an entry beyond its declared size), and while its
rows are read the cell count is capped.  YAML is size-capped and refused when it uses aliases.

The limits are declared settings: name → default, environment variable and meaning.  ``docs/formats.md``
lists them; a test checks that the list there and this table agree.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hqd.errors import HqdError, Problem
from hqd.safeyaml import LIMITS as YAML_LIMITS
from hqd.safeyaml import Limit, load_yaml

__all__ = ["LIMITS", "Limit", "check_excel", "count_cells", "limit", "load_yaml", "reading"]

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


#: The declared limits (documented in docs/formats.md, "Resource limits").
LIMITS: dict[str, Limit] = {limit.name: limit for limit in (
    Limit("max_workbook_cells", 10_000_000, "cells a workbook sheet may hold (rows × columns read)"),
    Limit("max_workbook_uncompressed_bytes", 536_870_912,
          "total uncompressed size of a .xlsx file's parts, from its zip directory (zip bombs)"),
    *YAML_LIMITS.values(),
)}


def limit(name: str) -> int:
    """The value in force of the limit ``name`` (see :data:`LIMITS`)."""
    return LIMITS[name].value


def describe(exc: BaseException) -> str:
    """An exception as ``Type: message`` on one line, capped (error texts travel into API responses)."""
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    text = text if len(text) <= 300 else text[:297] + "…"
    return f"{exc.__class__.__name__}: {text}"


def _codes_for(exc: BaseException, kind: str) -> tuple[str, str]:
    """The reason code and a hint for a library exception raised while reading a ``kind`` file."""
    if isinstance(exc, UnicodeError):
        return "encoding_error", ("name the file's encoding (--encoding gbk, for example) or save it as UTF-8")
    if kind == "excel":
        return "unreadable_file", "the workbook is damaged: open it in Excel or WPS and save it again as .xlsx"
    if kind == "yaml":
        return "invalid_yaml", "check the indentation and the quotes near the place named"
    if kind == "parquet":
        return "unreadable_file", "the Parquet file is damaged or not Parquet: write it again"
    return "unreadable_file", "save the table again as CSV (UTF-8) or .xlsx"


@contextmanager
def reading(path: str | Path | None, kind: str, *, sheet: str | None = None) -> Iterator[None]:
    """Turn any exception raised while parsing ``path`` (a ``kind`` file: csv, excel, parquet, yaml, text)
    into a located :class:`HqdError`.  An ``HqdError`` raised inside passes unchanged."""
    try:
        yield
    except HqdError:
        raise
    except MemoryError:
        raise HqdError([Problem("file_too_large", "the file is too large to read in memory",
                                file=None if path is None else str(path), sheet=sheet)]) from None
    except (RecursionError, Exception) as exc:  # the guard's purpose: whatever the library raises
        code, hint = _codes_for(exc, kind)
        where = None if path is None else str(path)
        if isinstance(exc, UnicodeDecodeError):
            message = f"the file is not {exc.encoding} text ({exc.reason} at byte {exc.start}): {hint}"
        else:
            message = f"cannot read the {kind} file ({describe(exc)}): {hint}"
        raise HqdError([Problem(code, message, file=where, sheet=sheet)]) from None


def sniff(path: Path) -> bytes:
    """The first 8 bytes of the file."""
    with path.open("rb") as handle:
        return handle.read(8)


def check_excel(path: Path) -> str:
    """The kind of workbook ``path`` holds by its bytes, not its name: ``xlsx`` (a zip) or ``xls`` (OLE2).

    Anything else named .xlsx/.xls (a CSV or HTML page saved under that name) is ``not_an_excel_file``; a
    zip whose parts declare more than ``max_workbook_uncompressed_bytes`` is ``file_too_large``.
    """
    head = sniff(path)
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if not head.startswith(ZIP_MAGIC):
        looks = "text (a CSV or an HTML page?)" if _is_text(path) else "not a workbook"
        raise HqdError([Problem("not_an_excel_file", f"the file is named {path.suffix} but is {looks}: save it "
                                "from Excel as .xlsx, or give it the name of what it is (.csv)", file=str(path))])
    with reading(path, "excel"), zipfile.ZipFile(path) as archive:
        declared = sum(info.file_size for info in archive.infolist())
        if "xl/workbook.xml" not in archive.namelist():
            raise HqdError([Problem("not_an_excel_file", "the file is a zip archive but not an Excel workbook "
                                    "(no xl/workbook.xml)", file=str(path))])
    cap = limit("max_workbook_uncompressed_bytes")
    if declared > cap:
        raise HqdError([Problem("file_too_large", f"the workbook unpacks to {declared:,} bytes, more than the limit "
                                f"of {cap:,} (setting {LIMITS['max_workbook_uncompressed_bytes'].env})",
                                file=str(path))])
    return "xlsx"


def _is_text(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return b"\x00" not in head and bool(head.strip())


def count_cells(rows: Iterator[tuple[Any, ...]], path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """The rows of a sheet, refusing the sheet once it holds more than ``max_workbook_cells`` cells."""
    cap = limit("max_workbook_cells")
    out: list[tuple[Any, ...]] = []
    cells = 0
    for row in rows:
        cells += len(row)
        if cells > cap:
            raise HqdError([Problem("file_too_large", f"the sheet holds more than {cap:,} cells (setting "
                                    f"{LIMITS['max_workbook_cells'].env})", file=str(path), sheet=sheet,
                                    row=len(out) + 1)])
        out.append(row)
    return out
