"""Stack the Ritz runs; per-mode learning iterations, summaries, and errors against width."""

import pandas as pd

from hatlib.analysis import (
    error_summary,
    learning_iterations,
    learning_time_exponents,
    spectral_bias_ratios,
    speedups,
    stack_tagged,
)
from hatlib.io import read_table, write_table
from hatlib.pde import PoissonProblem, fem_width_table, minimiser_width_table, ritz_conditioning
from hatlib.runtime import setup_logging, use_threads
from hatlib.statistics import fem_ratio_interval

log = setup_logging(snakemake.log[0])
use_threads(snakemake.threads)
settings = snakemake.params.settings
tests = snakemake.params.claims
bootstrap = {
    "replicates": tests["bootstrap_replicates"],
    "level": tests["confidence"],
    "seed": tests["bootstrap_seed"],
}
tags = [{"activation": activation} for activation in settings["activations"]]
inputs = snakemake.input
history = stack_tagged(
    [read_table(p, ["optimizer", "seed", "step"]) for p in inputs.histories], tags
)
modes = stack_tagged(
    [read_table(p, ["optimizer", "seed", "step", "mode"]) for p in inputs.modes], tags
)
widths = stack_tagged([read_table(p, ["optimizer", "width", "seed"]) for p in inputs.widths], tags)
problem = PoissonProblem(tuple(settings["modes"]), tuple(settings["coefficients"]))
all_widths = sorted({*settings["widths"], settings["width"]})
fem = fem_width_table(problem, all_widths)
exact = minimiser_width_table(
    problem, settings["activations"], all_widths, settings["quadrature_cells"]
)
tolerance = settings["tolerance"]
keys = ["activation", "optimizer"]
learned = learning_iterations(modes, tolerance, [*keys, "seed", "mode"])
by_mode = learned.rename(columns={"mode": "frequency"})
ratios = spectral_bias_ratios(by_mode, keys)
exponents = learning_time_exponents(
    by_mode, keys=keys, cluster="seed", workers=snakemake.threads, **bootstrap
)
# iterations until the relative H1 error is below the tolerance, per run: Hat against ReLU
h1_times = learning_iterations(
    history, tolerance, [*keys, "seed"], value="relative_h1_error"
).assign(frequency=0)
pde_speedups = speedups(h1_times, **bootstrap)
summary = error_summary(history, "relative_h1_error", tolerance, keys)
l2 = error_summary(history, "relative_l2_error", tolerance, keys)
summary = summary.merge(
    l2[[*keys, "final_error"]].rename(columns={"final_error": "final_l2_error"}), on=keys
).rename(columns={"final_error": "final_h1_error"})
searches = stack_tagged(
    [read_table(p, ["optimizer", "learning_rate"]) for p in inputs.searches], tags
)
rates = searches[searches["chosen"]].groupby(keys)["learning_rate"].first().reset_index()
summary = summary.merge(rates, on=keys, how="left")
main = fem[fem["width"] == settings["width"]].iloc[0]
summary["fem_h1_error"] = main["relative_h1_error"]
summary["fem_l2_error"] = main["relative_l2_error"]
finals = history.sort_values("step").groupby([*keys, "seed"]).tail(1)
for name in ("fem_ratio", "fem_ratio_lower", "fem_ratio_upper"):
    summary[name] = float("nan")
for index, row in summary.iterrows():
    errors = finals[
        (finals["activation"] == row["activation"]) & (finals["optimizer"] == row["optimizer"])
    ]
    estimate = fem_ratio_interval(
        errors["relative_h1_error"].to_numpy(), main["relative_h1_error"], **bootstrap
    )
    summary.loc[index, ["fem_ratio", "fem_ratio_lower", "fem_ratio_upper"]] = [
        estimate.value,
        estimate.lower,
        estimate.upper,
    ]
best = exact[exact["width"] == settings["width"]].rename(
    columns={
        "relative_l2_error": "minimiser_l2_error",
        "relative_h1_error": "minimiser_h1_error",
    }
)
summary = summary.merge(
    best[["activation", "minimiser_l2_error", "minimiser_h1_error"]], on="activation", how="left"
)
width_table = pd.concat(
    [
        widths,
        exact.drop(columns="energy_gap").assign(optimizer="exact", seed=0),
        fem.drop(columns="num_elements").assign(activation="fem", optimizer="exact", seed=0),
    ],
    ignore_index=True,
)[["activation", "optimizer", "width", "seed", "relative_l2_error", "relative_h1_error"]]
conditioning = ritz_conditioning(settings["activations"], all_widths, settings["quadrature_cells"])
write_table(conditioning, snakemake.output.conditioning)
write_table(searches, snakemake.output.searches)
write_table(history, snakemake.output.history)
write_table(modes, snakemake.output.modes)
write_table(learned, snakemake.output.learned)
write_table(ratios, snakemake.output.ratios)
write_table(summary, snakemake.output.summary)
write_table(exponents, snakemake.output.exponents)
write_table(pde_speedups, snakemake.output.speedups)
write_table(width_table, snakemake.output.widths)
log.info("summary\n%s\nexponents\n%s", summary.to_string(), exponents.to_string())
log.info("speed-ups\n%s", pde_speedups.to_string())
