# Stage 1: target functions sampled on the uniform grid of [0, 1).


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
