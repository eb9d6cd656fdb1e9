# Developer shortcuts; CI runs .ci/run (the README's test command).
.PHONY: test lint docs snapshots bench fuzz

test:
	python -m pytest

lint:
	ruff check irsalint
	mypy irsalint

docs:
	python -m irsalint.docs

snapshots:
	IRSALINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py

bench:
	python bench/run.py --sizes 1000,10000

fuzz:
	python fuzz/fuzz_loaders.py yaml -max_total_time=300
	python fuzz/fuzz_loaders.py terraform -max_total_time=300
	python fuzz/fuzz_loaders.py policy -max_total_time=300
