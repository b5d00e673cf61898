"""The industrial coordination registry: clusters, chains, corridors, enterprises, zones, projects and ledgers.

A database (SQLite by default, PostgreSQL for shared deployments) that keeps the region's coordination
registries, validates what goes in, and answers the questions the published figures come from.  The CLI
(``hqd registry …``) and the API are thin layers over these functions::

    from hqd import registry
    engine = registry.connect("sqlite:///hqd-registry.sqlite")
    registry.init_db(engine)
    registry.import_file(engine, "projects", "projects.xlsx", actor="alice")
    registry.summarize_projects(engine, by="chain").headline()   # "2,046 projects, 13,052 亿元"
    registry.chain_gaps(engine, "robotics", region="唐山").targets("fill")

Every function taking ``target`` accepts an :class:`~sqlalchemy.Engine` or a URL (``None``: the default
database, see :func:`resolve_url`).  Bad input raises one :class:`hqd.HqdError` listing every problem;
a stale edit raises :class:`ConflictError` (reason code ``conflict``).
"""

from hqd.registry.credit_code import check_character, is_valid
from hqd.registry.db import connect, current_revision, head_revision, init_db, resolve_url
from hqd.registry.demo import load_demo, synthetic_enterprises, synthetic_projects
from hqd.registry.exports import export, export_frame, template
from hqd.registry.gaps import GapReport, chain_gaps
from hqd.registry.imports import ImportReport, import_file, import_frame, read_table
from hqd.registry.ledgers import Progress, notes, overdue, progress
from hqd.registry.records import RecordPage, count, create, delete, get, history, list_records, query, update
from hqd.registry.schema import ENTITIES
from hqd.registry.store import ConflictError, NotFoundError
from hqd.registry.summaries import Summary, summarize_enterprises, summarize_projects

__all__ = [
    "ENTITIES",
    "ConflictError",
    "GapReport",
    "ImportReport",
    "NotFoundError",
    "Progress",
    "RecordPage",
    "Summary",
    "chain_gaps",
    "check_character",
    "connect",
    "count",
    "create",
    "current_revision",
    "delete",
    "export",
    "export_frame",
    "get",
    "head_revision",
    "history",
    "import_file",
    "import_frame",
    "init_db",
    "is_valid",
    "list_records",
    "load_demo",
    "notes",
    "overdue",
    "progress",
    "query",
    "read_table",
    "resolve_url",
    "summarize_enterprises",
    "summarize_projects",
    "synthetic_enterprises",
    "synthetic_projects",
    "template",
    "update",
]
