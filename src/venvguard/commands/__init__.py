"""Subcommands of the CLI, one module each: ``add_parser(subparsers)`` and ``run(args)``."""
