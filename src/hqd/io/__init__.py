"""Reading and writing at the boundary: framework, data, recipe, regions; workbooks out."""

from hqd.io.data import load_panel
from hqd.io.framework import load_framework
from hqd.io.readers import FORMATS, read

__all__ = ["FORMATS", "load_framework", "load_panel", "read"]
