# Stage 2: one training job per activation x optimizer x frequency; its seeds train as one batch.


rule train_model:
    input:
        data="results/data/sine_k{frequency}.parquet",
    output:
        history=f"{RUN_DIR}/history.parquet",
        spectrum=f"{RUN_DIR}/spectrum.parquet",
        metadata=f"{RUN_DIR}/run.json",
    params:
        model=model_params,
        training=training_params,
        device=config["device"],
        # Not an output: Snakemake keeps it when a job dies, so the rerun resumes.
        checkpoint="results/checkpoints/{activation}_{optimizer}_k{frequency}.pt",
        checkpoint_every=TRAIN["checkpoint_every"],
    threads: 1
    resources:
        gpu=TRAIN_GPUS,
    log:
        "results/logs/train_model/{activation}_{optimizer}_k{frequency}.log",
    benchmark:
        "results/benchmarks/train_model/{activation}_{optimizer}_k{frequency}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/train_model.py"
