"""Shell code analysis: one analyser for every source of shell commands."""
