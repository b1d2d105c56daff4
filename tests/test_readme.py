"""The README's claims table is generated from results/claims.csv and checked against it."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from hatlib.readme import BEGIN, END, check_readme, claims_markdown, main, update_readme

REPOSITORY = Path(__file__).resolve().parent.parent
NAN = math.nan


def _claims() -> pd.DataFrame:
    """One claim per verdict, with NaN, inf, a reason, a reference and a ``|`` in the text."""
    return pd.DataFrame(
        {
            "claim": ["hat-flat-sgd", "relu-bias-adam", "pde-speedup-sgd"],
            "statement": [
                "Hat removes the spectral bias",
                "ReLU learns |low| frequencies first",
                "Hat solves the Poisson problem faster",
            ],
            "statistic": ["learning-time exponent", "learning-time exponent", "median speed-up"],
            "value": [0.021, 1.4567, NAN],
            "lower": [-0.05, 1.2, NAN],
            "upper": [0.09, math.inf, NAN],
            "threshold": ["interval inside [-0.3, 0.3]", "lower end above 0.5", "at least 2"],
            "verdict": ["holds", "does not hold", "undetermined"],
            "reason": [NAN, "interval too wide", "ReLU never reached the tolerance"],
            "reference": ["ReLU exponent, same set-up", "", NAN],
            "reference_value": [1.234, NAN, NAN],
            "reference_lower": [1.0, NAN, NAN],
            "reference_upper": [1.5, NAN, NAN],
        }
    )


README = f"# Title\n\nIntro.\n\n{BEGIN}\nRun `make readme-claims` to fill this.\n{END}\n\nAfter.\n"


def _write(tmp_path: Path, claims: pd.DataFrame, readme: str) -> tuple[Path, Path]:
    claims_path, readme_path = tmp_path / "claims.csv", tmp_path / "README.md"
    claims.to_csv(claims_path, index=False)
    readme_path.write_text(readme, encoding="utf-8")
    return claims_path, readme_path


def test_markdown_has_counts_and_cells():
    lines = claims_markdown(_claims()).splitlines()
    assert lines[0] == "3 falsifiable claims: 1 hold, 1 do not hold, 1 undetermined."
    assert lines[1] == ""
    assert lines[2] == (
        "| Claim | Statistic | Value [interval] | Threshold | Compared with (same set-up) "
        "| Verdict |"
    )
    assert lines[3] == "| --- | --- | --- | --- | --- | --- |"
    holds, fails, undetermined = lines[4:]
    assert len(lines) == 7
    assert holds == (
        "| Hat removes the spectral bias (`hat-flat-sgd`) | learning-time exponent "
        "| 0.021 [−0.05, 0.09] | interval inside [-0.3, 0.3] | 1.23 [1, 1.5] | holds |"
    )
    assert r"ReLU learns \|low\| frequencies first (`relu-bias-adam`)" in fails
    assert "| 1.46 [1.2, ∞] |" in fails
    assert fails.endswith("| — | **does not hold** (interval too wide) |")
    assert "| median speed-up | — | at least 2 | — |" in undetermined
    assert undetermined.endswith("| *undetermined* (ReLU never reached the tolerance) |")
    # each row has exactly the six cells of the header (the escaped | does not split it)
    for row in lines[4:]:
        assert row.replace(r"\|", "").count("|") == 7


def test_unknown_verdict_is_refused():
    claims = _claims()
    claims.loc[0, "verdict"] = "maybe"
    with pytest.raises(ValueError, match="hat-flat-sgd"):
        claims_markdown(claims)


def test_update_then_check_agrees_and_keeps_the_rest():
    updated = update_readme(README, _claims())
    assert check_readme(updated, _claims()) == []
    assert updated.startswith("# Title\n\nIntro.\n\n" + BEGIN + "\n3 falsifiable claims")
    assert updated.endswith(END + "\n\nAfter.\n")
    assert "Run `make readme-claims`" not in updated
    assert update_readme(updated, _claims()) == updated


def test_check_names_the_claim_that_changed():
    updated = update_readme(README, _claims())
    changed = _claims()
    changed.loc[1, "verdict"] = "holds"
    problems = check_readme(updated, changed)
    assert any(p.startswith("claim relu-bias-adam:") for p in problems)
    assert any(p.startswith("counts:") for p in problems)
    assert not any("hat-flat-sgd" in p or "pde-speedup-sgd" in p for p in problems)

    changed = _claims()
    changed.loc[0, "value"] = 0.0215
    problems = check_readme(updated, changed)
    assert len(problems) == 1 and problems[0].startswith("claim hat-flat-sgd:")


def test_check_reports_missing_and_extra_rows():
    updated = update_readme(README, _claims())
    problems = check_readme(updated, _claims().iloc[:2])
    assert "claim pde-speedup-sgd: in the README, not in claims.csv" in problems
    extra = pd.concat([_claims(), _claims().iloc[[0]].assign(claim="new-claim")])
    assert "claim new-claim: missing from the README" in check_readme(updated, extra)
    # the unfilled placeholder disagrees too
    assert len(check_readme(README, _claims())) == 4


def test_check_reports_reordered_rows():
    updated = update_readme(README, _claims())
    assert check_readme(updated, _claims().iloc[::-1]) == [
        "the claims block differs in order or layout"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "no markers at all\n",
        f"{BEGIN}\nonly the start\n",
        f"only the end\n{END}\n",
        f"{END}\nreversed\n{BEGIN}\n",
        f"{BEGIN}\n{BEGIN}\ntwice\n{END}\n",
    ],
)
def test_missing_or_misplaced_markers_raise(text):
    with pytest.raises(ValueError, match="claims:begin"):
        update_readme(text, _claims())
    assert "claims:end" in check_readme(text, _claims())[0]


def test_main_rewrites_then_check_agrees(tmp_path, capsys):
    claims_path, readme_path = _write(tmp_path, _claims(), README)
    arguments = ["--readme", str(readme_path), "--claims", str(claims_path)]
    assert main(["--check", *arguments]) == 1
    assert "hat-flat-sgd" in capsys.readouterr().out
    assert readme_path.read_text(encoding="utf-8") == README  # --check never writes

    assert main(arguments) == 0
    assert "relu-bias-adam" in capsys.readouterr().out
    assert readme_path.read_text(encoding="utf-8") == update_readme(README, _claims())
    assert main(["--check", *arguments]) == 0
    assert "agrees" in capsys.readouterr().out

    changed = _claims()
    changed.loc[2, "verdict"] = "holds"
    changed.to_csv(claims_path, index=False)
    assert main(["--check", *arguments]) == 1
    assert "pde-speedup-sgd" in capsys.readouterr().out


def test_main_round_trips_inf_through_csv(tmp_path):
    claims_path, readme_path = _write(tmp_path, _claims(), README)
    main(["--readme", str(readme_path), "--claims", str(claims_path)])
    assert "1.46 [1.2, ∞]" in readme_path.read_text(encoding="utf-8")


def test_missing_claims_file_names_the_path(tmp_path, capsys):
    _, readme_path = _write(tmp_path, _claims(), README)
    missing = tmp_path / "results" / "claims.csv"
    for check in ([], ["--check"]):
        with pytest.raises(SystemExit) as exit_info:
            main([*check, "--readme", str(readme_path), "--claims", str(missing)])
        assert exit_info.value.code != 0
        assert str(missing) in capsys.readouterr().err
    assert readme_path.read_text(encoding="utf-8") == README


def test_rewrite_without_markers_fails_naming_them(tmp_path, capsys):
    claims_path, readme_path = _write(tmp_path, _claims(), "no markers\n")
    with pytest.raises(SystemExit):
        main(["--readme", str(readme_path), "--claims", str(claims_path)])
    assert "claims:begin" in capsys.readouterr().err
    assert readme_path.read_text(encoding="utf-8") == "no markers\n"


def test_repository_readme_has_the_markers_once_in_order():
    text = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1
    assert text.count(END) == 1
    assert text.index(BEGIN) < text.index(END)
    assert "make readme-check" in text


def test_a_value_known_only_as_a_lower_bound_is_shown_as_one():
    from hatlib.readme import _estimate

    assert _estimate(float("nan"), 4.64, float("inf")) == "≥ 4.64 [4.64, ∞]"
    assert _estimate(float("nan"), float("nan"), float("inf")) == "—"
