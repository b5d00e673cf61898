"""Errors and problems: how HQD reports bad input.

Every loader collects *all* problems it finds before raising, and raises one :class:`HqdError`
that holds them.  Each :class:`Problem` has a machine-readable reason ``code`` (pinned in tests and
documented in ``docs/formats.md``), a human-readable message, and as much location as is known:
file, sheet, row (1-based, as a spreadsheet shows it: the header is row 1), column, region, year and
indicator.  Warnings use the same shape with ``severity="warning"``; they are recorded in a run's
manifest and never stop a run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

_LOCATION_FIELDS = ("file", "sheet", "row", "column", "region", "year", "indicator")


@dataclass(frozen=True)
class Problem:
    """One problem found in the input, with its reason code and location."""

    code: str
    message: str
    severity: Severity = "error"
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    region: str | None = None
    year: int | None = None
    indicator: str | None = None

    def location(self) -> str:
        """The location as ``file:sheet:row, column 'c', region …``; empty when unknown."""
        parts: list[str] = []
        head = ":".join(str(v) for v in (self.file, self.sheet) if v is not None)
        if self.row is not None:
            head = f"{head}:{self.row}" if head else f"row {self.row}"
        if head:
            parts.append(head)
        for name in ("column", "region", "year", "indicator"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name} {value!r}" if isinstance(value, str) else f"{name} {value}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"[{self.code}] {where}: {self.message}" if where else f"[{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without empty location fields."""
        return {k: v for k, v in asdict(self).items() if v is not None}


class HqdError(Exception):
    """Raised with every problem found at once.

    ``str(err)`` lists the problems one per line; ``err.problems`` holds them as :class:`Problem`
    objects, ``err.to_frame()`` as a table.
    """

    def __init__(self, problems: Iterable[Problem] | str, *, code: str = "error") -> None:
        if isinstance(problems, str):
            problems = [Problem(code=code, message=problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found:"]
        lines += [f"  - {p}" for p in errors]
        return "\n".join(lines)

    @property
    def codes(self) -> list[str]:
        """The reason codes of the errors, in order."""
        return [p.code for p in self.problems if p.severity == "error"]

    def to_frame(self) -> Any:
        """The problems as a pandas DataFrame (one row per problem)."""
        import pandas as pd

        columns = ["severity", "code", *_LOCATION_FIELDS, "message"]
        return pd.DataFrame([p.to_dict() for p in self.problems], columns=columns)


@dataclass
class Problems:
    """A collector: add problems while checking, then :meth:`raise_if_errors` once.

    Context passed to the constructor (``file``, ``sheet``) is filled into every problem added.
    """

    context: dict[str, Any] = field(default_factory=dict)
    items: list[Problem] = field(default_factory=list)

    def error(self, code: str, message: str, **where: Any) -> None:
        self.items.append(Problem(code=code, message=message, **{**self.context, **where}))

    def warn(self, code: str, message: str, **where: Any) -> None:
        self.items.append(
            Problem(code=code, message=message, severity="warning", **{**self.context, **where})
        )

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise HqdError(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
