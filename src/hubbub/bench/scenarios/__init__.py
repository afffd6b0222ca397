"""What drives each scenario: one module per scenario, named as on the command line, each
with ``measure(run, load)``. Their names, sizes and targets are in ``hubbub.bench.catalog``.
"""
