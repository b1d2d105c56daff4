"""The README's table of claim verdicts, generated from ``results/claims.csv``.

The table lies between :data:`BEGIN` and :data:`END` in ``README.md``; ``make readme-claims``
rewrites it and ``make readme-check`` fails when it disagrees with the claims table.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import pandas as pd

from hatlib.io import CorruptInputError, read_table, write_text

BEGIN = (
    "<!-- claims:begin (generated from results/claims.csv by `make readme-claims`; do not edit) -->"
)
END = "<!-- claims:end -->"
VERDICTS = ("holds", "does not hold", "undetermined")
SHOWN = {"holds": "holds", "does not hold": "**does not hold**", "undetermined": "*undetermined*"}
COLUMNS = ["claim", "statement", "statistic", "value", "lower", "upper", "threshold", "verdict"]
HEADER = [
    "Claim",
    "Statistic",
    "Value [interval]",
    "Threshold",
    "Compared with (same set-up)",
    "Verdict",
]
_ID = re.compile(r"\(`([^`]+)`\)\s*$")  # the claim id that closes a row's first cell


def _text(value: object) -> str:
    """``value`` as one line of table text with ``|`` escaped; ``""`` for NaN or None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split()).replace("|", r"\|")


def format_number(value: object, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, ``"—"`` for NaN and ``"∞"`` for inf.

    >>> [format_number(x) for x in (0.021, -0.05, 1234.5, 2.78e5, float("inf"), float("nan"))]
    ['0.021', '−0.05', '1.23e3', '2.78e5', '∞', '—']
    """
    value = float(value)  # type: ignore[arg-type]
    if math.isnan(value):
        return "—"
    text = "∞" if math.isinf(value) else f"{abs(value):.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return ("−" if value < 0 else "") + text


def _estimate(value: object, lower: object, upper: object) -> str:
    """A value with its interval, ``"0.021 [−0.05, 0.09]"``; a bound ``"≥ 4.6 [4.6, ∞]"``."""
    cells = [format_number(x) for x in (value, lower, upper)]
    if cells[0] == "—" and cells[1] != "—":  # censoring leaves only a lower bound
        return f"≥ {cells[1]} [{cells[1]}, {cells[2]}]"
    if cells[0] == "—" or cells[1:] == ["—", "—"]:
        return cells[0]
    return f"{cells[0]} [{cells[1]}, {cells[2]}]"


def _row(row: pd.Series) -> str:
    """One table line for one claim; its id closes the first cell, its reason the last."""
    verdict = _text(row["verdict"])
    if verdict not in VERDICTS:
        raise ValueError(f"claim {row['claim']!r}: verdict {verdict!r} is not one of {VERDICTS}")
    reason = _text(row.get("reason"))
    reference = [row.get(f"reference_{part}", math.nan) for part in ("value", "lower", "upper")]
    cells = [
        f"{_text(row['statement'])} (`{_text(row['claim'])}`)",
        _text(row["statistic"]),
        _estimate(row["value"], row["lower"], row["upper"]),
        _text(row["threshold"]),
        _estimate(*reference),
        SHOWN[verdict] + (f" ({reason})" if reason else ""),
    ]
    return "| " + " | ".join(cells) + " |"


def claims_markdown(claims: pd.DataFrame) -> str:
    """The counts sentence, a blank line and a GitHub markdown table, one row per claim.

    Parameters
    ----------
    claims
        The claims table (``results/claims.csv``) with at least :data:`COLUMNS`; ``reason``
        and ``reference_value``, ``reference_lower``, ``reference_upper`` when present.
    """
    counts = [sum(_text(v) == verdict for v in claims["verdict"]) for verdict in VERDICTS]
    lines = [
        f"{len(claims)} falsifiable claims: {counts[0]} hold, {counts[1]} do not hold, "
        f"{counts[2]} undetermined.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + " --- |" * len(HEADER),
    ]
    return "\n".join(lines + [_row(row) for _, row in claims.iterrows()])


def _split(readme_text: str, begin: str = BEGIN, end: str = END) -> tuple[str, str, str]:
    """``readme_text`` as (up to ``begin``, the block, from ``end``); ValueError without them."""
    start, stop = readme_text.find(begin), readme_text.find(end)
    if readme_text.count(begin) != 1 or readme_text.count(end) != 1 or stop < start:
        raise ValueError(f"README needs the markers {begin!r} and then {end!r}, once each")
    start += len(begin)
    return readme_text[:start], readme_text[start:stop], readme_text[stop:]


def replace_block(readme_text: str, begin: str, end: str, block: str) -> str:
    """``readme_text`` with what lies between the markers ``begin`` and ``end`` set to ``block``.

    Raises
    ------
    ValueError
        When a marker is missing or repeated, or ``end`` comes before ``begin``.
    """
    before, _, after = _split(readme_text, begin, end)
    return f"{before}\n{block}\n\n{after}"


def update_readme(readme_text: str, claims: pd.DataFrame) -> str:
    """``readme_text`` with the block between the markers replaced by :func:`claims_markdown`.

    Raises
    ------
    ValueError
        When a marker is missing or repeated, or END comes before BEGIN.
    """
    return replace_block(readme_text, BEGIN, END, claims_markdown(claims))


def _rows(lines: list[str]) -> dict[str, str]:
    """Table lines by claim id (unescaped ``|`` separate the cells)."""
    cells = [(line, re.split(r"(?<!\\)\|", line)) for line in lines]
    return {m[1]: line for line, c in cells if len(c) > 2 and (m := _ID.search(c[1]))}


def check_readme(readme_text: str, claims: pd.DataFrame) -> list[str]:
    """Differences between the README's claims block and ``claims``; empty when they agree.

    Returns
    -------
    list of str
        One message for the counts line, missing markers, or each claim id whose row differs,
        is missing or is extra; failing those, one saying the order or layout differs.
    """
    try:
        have = _split(readme_text)[1].strip().splitlines()
    except ValueError as error:
        return [str(error)]
    want = claims_markdown(claims).splitlines()
    if have == want:
        return []
    old, new = _rows(have), _rows(want)
    problems = [f"claim {c}: missing from the README" for c in new.keys() - old.keys()]
    problems += [f"claim {c}: in the README, not in claims.csv" for c in old.keys() - new.keys()]
    problems += [
        f"claim {c}: README has\n  {old[c]}\nclaims.csv gives\n  {new[c]}"
        for c in new.keys() & old.keys()
        if old[c] != new[c]
    ]
    if have[:1] != want[:1]:
        problems.insert(0, f"counts: README has {have[:1]}, claims.csv gives {want[0]!r}")
    return sorted(problems) or ["the claims block differs in order or layout"]


def main(argv: list[str] | None = None) -> int:
    """``python -m hatlib.readme [--check] [--readme README.md] [--claims results/claims.csv]``.

    Rewrites the README's claims block and prints what changed; with ``--check`` only prints
    the differences and returns 1 when there are any, 0 when README and claims agree.
    """
    parser = argparse.ArgumentParser(prog="python -m hatlib.readme", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare; 1 on differences")
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    parser.add_argument("--claims", type=Path, default=Path("results/claims.csv"))
    args = parser.parse_args(argv)
    for path in (args.claims, args.readme):
        if not path.is_file():
            parser.error(f"{path} not found (claims.csv is written by a full workflow run)")
    try:
        claims = read_table(args.claims, COLUMNS)
        text = args.readme.read_text(encoding="utf-8")
        problems = check_readme(text, claims)
        if args.check:
            print("\n".join(problems or [f"{args.readme} agrees with {args.claims}"]))
            return 1 if problems else 0
        updated = update_readme(text, claims)
    except (CorruptInputError, ValueError) as error:
        parser.error(f"{error} ({args.readme}, {args.claims})")
    if updated != text:
        write_text(updated, args.readme)
    print("\n".join(problems or [f"{args.readme} already agrees with {args.claims}"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
