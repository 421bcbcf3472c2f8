"""Requirement files as locks (the VG2 rules): parsing, environments, resolution, fixes.

- ``reqfile``: pip's requirements-file format, with the true file and line of every item.
- ``requirement``: what one requirement or editable line means (name, pin, URL, markers).
- ``installed``: the distributions of a venv, read from disk the way ``pip freeze`` sees them.
- ``environment``: which venv a repository's locks are judged against, and its markers.
- ``judge``: lock against environment, as findings.
- ``fresh``: resolution from scratch (uv or pip) with a verdict cache.
- ``rewrite``: the fixes, as new file contents.
"""
