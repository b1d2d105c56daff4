"""Benchmarks that print numbers: ``python -m hatlib.bench fem``.

Speed targets are checked here, by measurement, not in timed tests.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd


def bench_fem(num_elements: int, bases: list[str]) -> pd.DataFrame:
    """Wall time to assemble, eigendecompose and tabulate the modes of each basis.

    One row per basis: ``assemble_seconds``, ``eigen_seconds``,
    ``modes_seconds`` (frequencies of every eigenfunction) and ``total_seconds``.
    """
    from hatlib.fem import gram_matrix, uniform_nodes
    from hatlib.modes import gram_spectrum, mode_table

    rows = []
    nodes = uniform_nodes(num_elements)
    for basis in bases:
        start = time.perf_counter()
        matrix = gram_matrix(basis, nodes)
        assembled = time.perf_counter()
        spectrum = gram_spectrum(matrix)
        decomposed = time.perf_counter()
        mode_table(basis, nodes, spectrum, uniform=True)
        done = time.perf_counter()
        rows.append(
            {
                "basis": basis,
                "num_elements": num_elements,
                "assemble_seconds": assembled - start,
                "eigen_seconds": decomposed - assembled,
                "modes_seconds": done - decomposed,
                "total_seconds": done - start,
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Command line: run the named benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m hatlib.bench", description=__doc__)
    commands = parser.add_subparsers(dest="benchmark", required=True)
    fem = commands.add_parser("fem", help="exact Gram assembly and eigen-decomposition")
    fem.add_argument("--num-elements", type=int, default=4096)
    fem.add_argument("--bases", nargs="+", default=["relu", "hat", "bspline2", "bspline3"])
    fem.add_argument("--output", help="also write the table to this CSV file")
    arguments = parser.parse_args(argv)
    table = bench_fem(arguments.num_elements, arguments.bases)
    print(table.to_string(index=False, float_format=lambda value: f"{value:.2f}"))
    if arguments.output:
        from hatlib.io import write_table

        write_table(table, arguments.output)


if __name__ == "__main__":
    main()
