"""Headless subcommands of the `nnviz` command line (one module each)."""
