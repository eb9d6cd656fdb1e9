"""Loaders: bytes -> model records, one file at a time. `irsalint.load.dispatch` picks the loader
for a file. This package imports nothing itself: the AST modules (`hcl`) are used by modules that
the loaders use in turn (`irsalint.policydoc`), so an eager import here made a cycle."""
