"""The command line (Typer + Rich): one module per command group, all thin over the core."""
