"""``venvguard audit``: find many repositories, check them in parallel, and report on all."""
