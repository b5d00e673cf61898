"""JSON out: plain values, tables and pages, without NaN (JSON has none: missing is ``null``).

A page is ``{"ok": true, "total": N, "limit": L, "offset": O, "items": [ {column: value, …}, … ]}``;
tables are serialised by pandas (fast; 15 significant decimals), everything else by :func:`clean`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response


def clean(value: Any) -> Any:
    """``value`` with NaN/inf → ``None``, dates → ISO text, numpy scalars → Python, tuples → lists."""
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [clean(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def dumps(value: Any) -> str:
    return json.dumps(clean(value), ensure_ascii=False, separators=(",", ":"))


def frame_json(frame: pd.DataFrame) -> str:
    """A table as a JSON array of records (missing → null)."""
    if frame.empty:
        return "[]"
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    return str(out.to_json(orient="records", force_ascii=False, double_precision=15, date_format="iso"))


class JSONText(Response):
    """A response whose body is already JSON text."""

    media_type = "application/json"


def ok(data: Mapping[str, Any] | None = None, *, status: int = 200, headers: dict[str, str] | None = None
       ) -> JSONText:
    return JSONText(dumps({"ok": True, **(data or {})}), status_code=status, headers=headers)


def page(frame: pd.DataFrame, *, limit: int, offset: int, extra: Mapping[str, Any] | None = None) -> JSONText:
    """One page of ``frame`` (already filtered) with the total row count."""
    total = len(frame)
    part = frame.iloc[offset:offset + limit]
    head = dumps({"ok": True, "total": total, "limit": limit, "offset": offset, **(extra or {})})
    return JSONText(head[:-1] + ',"items":' + frame_json(part) + "}")


def records_page(items: Sequence[Mapping[str, Any]], *, total: int, limit: int, offset: int,
                 extra: Mapping[str, Any] | None = None) -> JSONText:
    return JSONText(dumps({"ok": True, "total": total, "limit": limit, "offset": offset, **(extra or {}),
                           "items": list(items)}))


# ----------------------------------------------------------------------------- documented shapes (OpenAPI)
class Envelope(BaseModel):
    """A successful answer: ``ok`` is true; the other members depend on the route."""

    model_config = ConfigDict(extra="allow")
    ok: bool = True


class Page(BaseModel):
    """One page of rows."""

    model_config = ConfigDict(extra="allow")
    ok: bool = True
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]
