# Stage 1: target functions sampled on uniform grids, and the digits data.


rule make_dataset:
    output:
        "results/data/sine_k{frequency}.parquet",
    params:
        num_points=config["data"]["num_points"],
    log:
        "results/logs/make_dataset/sine_k{frequency}.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/make_dataset.py"


rule make_multifrequency_data:
    output:
        "results/data/multifrequency_{dimension}d.parquet",
    params:
        grid=lambda w: (
            narrow(MULTI["one_d"], ["num_points", "frequencies"])
            if w.dimension == "1"
            else narrow(MULTI["two_d"], ["points_per_side", "frequencies"])
        ),
        phase_seed=MULTI["phase_seed"],
    log:
        "results/logs/make_multifrequency_data/{dimension}d.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/make_multifrequency_data.py"


rule make_digits_data:
    input:
        # MNIST IDX files when the configuration names them (none: the bundled digits).
        [path for path in (DIGITS["images"], DIGITS["labels"]) if path],
    output:
        "results/data/digits.parquet",
    params:
        images=DIGITS["images"],
        labels=DIGITS["labels"],
        classes=DIGITS["classes"],
        test_fraction=DIGITS["test_fraction"],
        seed=DIGITS["split_seed"],
        max_samples=DIGITS["max_samples"],
    log:
        "results/logs/make_digits_data.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/make_digits_data.py"


rule split_digits:
    input:
        "results/data/digits.parquet",
    output:
        "results/data/digits_split.json",
    params:
        share=DIGITS["high_share"],
    log:
        "results/logs/split_digits.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/split_digits.py"


rule make_classic_data:
    output:
        "results/data/classic_{case}.parquet",
    params:
        num_points=CLASSIC["num_points"],
        frequencies=CLASSIC["frequencies"],
        amplitudes=lambda w: CLASSIC["cases"][w.case],
        phase_seed=CLASSIC["phase_seed"],
        seeds=CLASSIC["seeds"],
    # The classic protocol's jobs are the longest: their data comes first too.
    priority: 10
    log:
        "results/logs/make_classic_data/{case}.log",
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/make_classic_data.py"
