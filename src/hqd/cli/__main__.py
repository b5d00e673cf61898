"""``python -m hqd.cli`` runs the ``hqd`` command."""

from hqd.cli.main import main

main()
