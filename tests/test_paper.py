import pandas as pd
import pytest

from hatlib.paper import (
    condition_number_macros,
    condition_number_table,
    learning_time_table,
    setup_macros,
)


def test_condition_number_macros_growth_per_doubling():
    table = pd.DataFrame(
        {
            "basis": ["relu"] * 3 + ["hat"] * 4,
            "mesh_ratio": [1, 1, 1, 1, 1, 1, 8],
            "num_elements": [16, 32, 64, 16, 32, 64, 32],
            "condition_number": [1e3, 1.6e4, 2.56e5, 3.9, 4.0, 3.95, 20.0],
        }
    )
    macros = condition_number_macros(table)
    assert macros["KappaHatMaxRatio"] == r"\num{20.0}" and macros["MaxMeshRatio"] == "8"
    assert macros["KappaReluGrowth"] == r"\num{16.0}"
    assert macros["KappaReluMax"] == r"\num{2.56e5}"
    assert macros["KappaReluMaxGrid"] == "64"
    assert macros["KappaHatMax"] == r"\num{4.00}"
    assert "16 &" in condition_number_table(table)


def test_setup_macros_count_runs():
    train = {
        "activations": ["relu", "hat"],
        "optimizers": ["sgd", "adam"],
        "frequencies": [1, 2, 4],
        "seeds": 3,
        "width": 64,
        "iterations": 100,
    }
    macros = setup_macros(train, {"num_points": 256}, 0.01)
    assert macros["NumRuns"] == "36"
    assert macros["MaxFrequency"] == "4"


def test_learning_time_table_marks_censored_medians():
    summary = pd.DataFrame(
        {
            "activation": ["relu"] * 2 + ["hat"] * 2,
            "optimizer": ["sgd"] * 4,
            "frequency": [1] * 4,
            "iterations_to_tolerance": [1000, 1000, 40, 60],
            "censored": [True, True, False, False],
        }
    )
    text = learning_time_table(summary)
    assert r"ReLU & GD & $>$1000 \\" in text
    assert r"Hat & GD & 50 \\" in text


@pytest.mark.parametrize("column", ["frequency", "censored"])
def test_learning_time_table_needs_its_columns(column):
    summary = pd.DataFrame(
        {"activation": ["hat"], "optimizer": ["sgd"], "frequency": [1], "censored": [False]}
    ).drop(columns=column)
    with pytest.raises(KeyError):
        learning_time_table(summary.assign(iterations_to_tolerance=[1]))


def test_exponent_phrases():
    from hatlib.paper import exponent_phrase

    nan = float("nan")
    assert exponent_phrase(1.234, 0.9, 1.5) == r"\num{1.2} [\num{0.90}, \num{1.5}]"
    assert "not identified" in exponent_phrase(1.234, nan, nan)
    assert "not measurable" in exponent_phrase(nan, nan, nan)


def test_claims_latex_table_marks_failures_and_undetermined():
    from hatlib.paper_claims import claims_latex_table, claims_macros

    nan, inf = float("nan"), float("inf")
    claims = pd.DataFrame(
        {
            "claim": ["a", "b", "c"],
            "statement": ["eigenvalues fall like k^-4", "Hat is faster", "x_1 & y"],
            "statistic": ["slope", "ratio", "difference"],
            "value": [0.01, nan, 0.5],
            "lower": [-0.02, 2.5, 0.1],
            "upper": [0.04, inf, 0.9],
            "bound": ["exact", "lower", "exact"],
            "threshold": ["interval inside [-0.3, 0.3]", "lower end at least 2", "above 1"],
            "verdict": ["holds", "does not hold", "undetermined"],
            "reason": ["", "interval below 2", "interval [0.1, 0.9] contains 1"],
            "reference": ["ReLU, same set-up", "", ""],
            "reference_value": [2.0, nan, nan],
            "reference_lower": [1.5, nan, nan],
            "reference_upper": [2.5, nan, nan],
        }
    )
    text = claims_latex_table(claims)
    assert r"\textbf{does not hold}" in text and r"\emph{undetermined}" in text
    assert r"k\textasciicircum{}-4" in text and r"x\_1 \& y" in text
    assert r"$\num{0.0100}$ $[\num{-0.0200}, \num{0.0400}]$" in text  # value with its interval
    assert r"$\geq \num{2.50}$ $[\num{2.50}, \infty]$" in text  # a lower bound
    assert r"$\num{2.00}$ $[\num{1.50}, \num{2.50}]$" in text  # ReLU in the same set-up
    assert "contains 1" in text and "[$-$0.3, 0.3]" in text
    assert "\t" not in text  # no tab from a mangled escape
    checks = pd.DataFrame({"passed": [True, False]})
    assert claims_macros(claims, checks) == {
        "ClaimsTotal": "3",
        "ClaimsHold": "1",
        "ClaimsFail": "1",
        "ClaimsUndetermined": "1",
        "ChecksTotal": "2",
        "ChecksPassed": "1",
    }


def test_checks_table_and_test_macros(repository):
    import yaml

    from hatlib.paper_claims import checks_latex_table, test_macros

    checks = pd.DataFrame(
        {
            "check": ["a", "b"],
            "statement": ["kappa(M) <= 4", "closed form"],
            "statistic": ["largest", "difference"],
            "value": [3.99, 0.5],
            "threshold": ["<= 4", "<= 1e-10"],
            "passed": [True, False],
        }
    )
    text = checks_latex_table(checks)
    assert "passed" in text and r"\textbf{failed}" in text and r"$\leq$ 4" in text
    config = yaml.safe_load((repository / "config/config.yaml").read_text())
    macros = test_macros(config["claims"])
    assert macros["TestFlatExponent"] == r"\num{0.300}"
    assert macros["TestConfidence"] == "95"


def test_speedup_table_shows_bounds():
    from hatlib.paper import speedup_table

    speedups = pd.DataFrame(
        {
            "optimizer": ["adam"] * 4,
            "frequency": [1, 2, 4, 0],
            "speedup": [4.0, 17.0, float("nan"), 9.0],
            "bound": ["exact", "lower", "none", "lower"],
        }
    )
    text = speedup_table(speedups)
    assert r"Adam & $\num{4.0}$ & $>$$\num{17}$ & -- \\" in text
    assert "k = 0" not in text  # the mean over frequencies is not a column


def test_learning_time_table_shows_diverged_runs():
    summary = pd.DataFrame(
        {
            "activation": ["tanh"] * 4,
            "optimizer": ["sgd"] * 4,
            "frequency": [1, 1, 2, 2],
            "iterations_to_tolerance": [21, 30, 40, 50],
            "censored": [True, True, True, False],
            "status": ["diverged", "diverged", "diverged", "completed"],
        }
    )
    text = learning_time_table(summary)
    assert r"Tanh & GD & diverged & 45 (1 div.) \\" in text


def test_methods_table_renders_the_configuration(repository):
    import yaml

    from hatlib.paper import methods_table

    config = yaml.safe_load((repository / "config/quick.yaml").read_text())
    chosen = pd.DataFrame(
        {
            "initialisation": ["fem_grid", "torch_default"],
            "activation": ["hat", "hat"],
            "optimizer": ["sgd", "sgd"],
            "learning_rate": [0.3, 0.1],
        }
    )
    text = methods_table(
        config["data"],
        config["train"],
        config["theory"],
        config["fem"],
        0.1,
        chosen,
        config["learning_rate_grid"],
        config["multifrequency"],
        config["digits"],
        config["classic"],
        config["pde"],
    )
    assert f"hidden units & {config['train']['width']} \\\\" in text
    assert r"SIREN & 2 $\times$ 32 units, $\omega_0 = \num{30.0}$" in text
    assert r"ReLU (torch\_default), ReLU (fem\_deep), Hat (fem\_deep)" in text
    assert r"Poisson problem: modes, units & 1, 4; 32 units" in text
    assert r"learning rate, Hat, GD & $\num{0.300}$ \\" in text
    assert r"learning rate, Hat, GD (torch\_default) & $\num{0.100}$ \\" in text
    assert "fem\\_grid" in text
    assert r"deep 3 $\times$ 32 units" in text
    assert "\t" not in text


def test_reproducibility_appendix_sums_runtimes_per_rule():
    from hatlib.paper import reproducibility_appendix

    environment = {
        "device": "cpu",
        "platform": "Linux-x86_64",
        "machine": "x86_64",
        "versions": {"torch": "2.13.0", "python": "3.11.7"},
    }
    runtimes = pd.DataFrame(
        {"rule": ["train_model", "train_model", "plot"], "seconds": [2.0, 3.0, 1.5]}
    )
    text = reproducibility_appendix([{"environment": environment}], runtimes, "abc123", "f00d")
    assert r"train\_model & 2 & $\num{5.00}$ \\" in text
    assert r"all & 3 & $\num{6.50}$ \\" in text
    assert r"\texttt{abc123}" in text and "torch & 2.13.0" in text


def test_config_hash_is_stable_and_sensitive():
    from hatlib.runtime import config_hash

    assert config_hash({"a": 1, "b": [1, 2]}) == config_hash({"b": [1, 2], "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})


def test_pde_table_lists_each_network_s_exact_minimiser_before_the_fem_row():
    from hatlib.paper import pde_table

    summary = pd.DataFrame(
        {
            "activation": ["hat", "hat", "relu", "relu"],
            "optimizer": ["adam", "sgd", "adam", "sgd"],
            "learning_rate": [0.1, 0.03, 0.3, 0.1],
            "final_l2_error": [0.014, 0.37, 0.0054, 0.22],
            "final_h1_error": [0.076, 0.22, 0.054, 0.37],
            "iterations": [200, 5000, 1200, 5000],
            "censored": [False, True, False, True],
            "fem_l2_error": 0.0021,
            "fem_h1_error": 0.055,
            "minimiser_l2_error": [0.0019, 0.0019, 0.0018, 0.0018],
            "minimiser_h1_error": [0.061, 0.061, 0.052, 0.052],
        }
    )
    rows = [line for line in pde_table(summary).splitlines() if line.endswith(r"\\")]
    solved = [row for row in rows if "output layer solved" in row]
    assert [row.split("&")[0].strip() for row in solved] == [
        "Hat (output layer solved)",
        "ReLU (output layer solved)",
    ]
    assert "0.061" in solved[0] and "0.052" in solved[1]
    assert rows[-1].startswith("P1 FEM") and rows.index(solved[-1]) == len(rows) - 2
    without = pde_table(summary.drop(columns=["minimiser_l2_error", "minimiser_h1_error"]))
    assert "output layer solved" not in without


def test_edge_table_lists_only_the_choices_at_an_end_of_their_grid():
    from hatlib.paper import edge_macros, edge_table, learning_rate_edges

    def search(rates, chosen, **keys):
        return pd.DataFrame(
            {**keys, "learning_rate": rates, "seed": 0, "final_error": 0.1, "status": "completed"}
        ).assign(chosen_rate=chosen)

    edges = learning_rate_edges(
        {
            "multi-frequency": pd.concat(
                [
                    search([0.01, 0.1], 0.1, setting="1d_deep", activation="hat", optimizer="adam"),
                    search([0.01, 0.1, 1.0], 0.1, setting="2d", activation="relu", optimizer="sgd"),
                ]
            ),
            "Poisson problem": search([0.1, 1.0], 0.1, activation="relu", optimizer="sgd"),
        }
    )
    assert list(edges["experiment"]) == ["multi-frequency", "multi-frequency", "Poisson problem"]
    assert edge_macros(edges) == {"LearningRateSelections": "3", "LearningRateEdges": "2"}
    rows = [line for line in edge_table(edges).splitlines() if line.endswith(r"\\")][1:]
    assert len(rows) == 2
    assert rows[0].startswith(r"multi-frequency & Hat (1d\_deep) & Adam")
    assert "largest of 2" in rows[0]
    assert rows[1].startswith("Poisson problem & ReLU & GD") and "smallest of 2" in rows[1]
    inside = edges[edges["position"] == "inside"]
    assert "none" in edge_table(inside)


@pytest.mark.parametrize("flush", [True, False])
def test_classic_macros_state_how_subnormals_are_treated(repository, flush):
    import yaml

    from hatlib.paper import beyond_macros

    config = yaml.safe_load((repository / "config/quick.yaml").read_text())
    classic = {**config["classic"], "flush_subnormals": flush}
    learned = pd.DataFrame(
        {
            "case": ["equal"],
            "activation": ["hat"],
            "initialisation": ["fem_deep"],
            "threshold": [max(classic["thresholds"])],
            "frequency": [max(classic["frequencies"])],
            "iterations": [200.0],
            "censored": [False],
        }
    )
    macros = beyond_macros(
        classic, config["pde"], config["multifrequency"], pd.DataFrame(), learned
    )
    assert ("flush-to-zero" in macros["ClassicSubnormals"]) is flush
    assert ("kept" in macros["ClassicSubnormals"]) is not flush
