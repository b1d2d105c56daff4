import pytest

from hatlib.latex import booktabs_table, escape, format_number, macro_file, macro_name


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("exponent", "relu", "sgd"), "ExponentReluSgd"),
        (("kappa", "hat", 128), "KappaHatOneTwoEight"),
        (("final_error", "bspline2"), "FinalErrorBsplineTwo"),
    ],
)
def test_macro_name(parts, expected):
    assert macro_name(*parts) == expected


def test_macro_name_rejects_empty():
    with pytest.raises(ValueError):
        macro_name("--")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (278053.3, r"\num{2.78e5}"),
        (3.9764, r"\num{3.98}"),
        (0.001234, r"\num{1.23e-3}"),
        (1434.6, r"\num{1430}"),
        (16.0, r"\num{16.0}"),
        (-4.00002, r"\num{-4.00}"),
        (0.0302, r"\num{0.0302}"),
        (0.0, r"\num{0}"),
        (float("nan"), r"\text{n/a}"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_macro_file_is_sorted_and_checked():
    text = macro_file({"Beta": "2", "Alpha": "1"})
    lines = text.splitlines()
    assert lines[1:] == [r"\newcommand{\Alpha}{1}", r"\newcommand{\Beta}{2}"]
    with pytest.raises(ValueError, match="letters only"):
        macro_file({"K8": "1"})


def test_booktabs_table():
    text = booktabs_table(["a", "b"], [["1", "2"], ["3", "4"]], "rr")
    assert text.splitlines() == [
        r"\begin{tabular}{rr}",
        r"\toprule",
        r"a & b \\",
        r"\midrule",
        r"1 & 2 \\",
        r"3 & 4 \\",
        r"\bottomrule",
        r"\end{tabular}",
    ]
    with pytest.raises(ValueError, match="cells"):
        booktabs_table(["a", "b"], [["1"]])


def test_escape():
    assert escape("fem_grid 50% & more") == r"fem\_grid 50\% \& more"
