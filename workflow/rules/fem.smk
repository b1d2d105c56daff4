# Stage 3: exact finite element Gram matrices and their eigenvalues.


rule assemble_gram_spectrum:
    output:
        "results/fem/{basis}/n{num_elements}.parquet",
    log:
        "results/logs/assemble_gram_spectrum/{basis}_n{num_elements}.log",
    benchmark:
        "results/benchmarks/assemble_gram_spectrum/{basis}_n{num_elements}.tsv"
    conda:
        "../envs/hatpaper.yaml"
    script:
        "../../scripts/assemble_gram_spectrum.py"
