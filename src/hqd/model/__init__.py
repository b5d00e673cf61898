"""The data model: framework, panel, recipe, regions (the bottom floor)."""
