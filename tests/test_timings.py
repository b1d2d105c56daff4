import pytest

from hatlib.io import CorruptInputError
from hatlib.timings import BEGIN, END, main, run_summary, stage_table, timings_markdown

HEADER = "s\th:m:s\tmax_rss\tcpu_time\n"
LOG = """Select jobs to execute...
[Mon Nov 30 18:29:29 2026]
Finished jobid: 0 (Rule: all)
12 of 12 steps (100%) done
Complete log(s): .snakemake/log/x.snakemake.log
Elapsed time: 1:02:03.5
"""


def _benchmark(root, relative, seconds, cpu):
    path = root / "benchmarks" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{seconds}\t0:00:00\t1.0\t{cpu}\n")


@pytest.fixture
def benchmarks(tmp_path):
    _benchmark(tmp_path, "train_classic/equal/relu/fem_deep.tsv", 600.0, 590.0)
    _benchmark(tmp_path, "train_classic/equal/hat/fem_deep.tsv", 20.0, 19.0)
    _benchmark(tmp_path, "measure_gd_steps/hat.tsv", 5.0, 4.0)
    _benchmark(tmp_path, "assemble_gram_spectrum/hat_r1_n8.tsv", 1.5, 1.0)
    _benchmark(tmp_path, "build_kernel.tsv", 20.25, 14.0)
    _benchmark(tmp_path, "some_new_rule/a.tsv", 2.0, 2.0)
    return tmp_path / "benchmarks"


def test_stage_table_sums_each_stage_in_the_table_order(benchmarks):
    table = stage_table(benchmarks).set_index("stage")
    assert list(table.index) == [
        "kernel build",
        "classic protocol",
        "FEM spectra and gradient-descent steps",
        "some_new_rule",
    ]
    classic = table.loc["classic protocol"]
    assert (classic["jobs"], classic["job_seconds"], classic["cpu_seconds"]) == (2, 620.0, 609.0)
    assert classic["longest_seconds"] == 600.0
    fem = table.loc["FEM spectra and gradient-descent steps"]
    assert (fem["jobs"], fem["job_seconds"]) == (2, 6.5)


def test_run_summary_reads_the_wall_time_and_refuses_an_unfinished_run():
    assert run_summary(LOG) == {"wall_seconds": 3723.5, "jobs": 12}
    days = LOG.replace("Elapsed time: 1:02:03.5", "Elapsed time: 1 day, 0:00:01")
    assert run_summary(days)["wall_seconds"] == 86401
    with pytest.raises(ValueError, match="unfinished"):
        run_summary(LOG.replace("12 of 12 steps (100%) done", "7 of 12 steps (58%) done"))


def test_markdown_totals_and_the_readme_block(benchmarks, tmp_path):
    block = timings_markdown(stage_table(benchmarks), run_summary(LOG))
    assert "| classic protocol | 2 | 620 s | 609 s | 600 s |" in block
    assert "| benchmarked jobs | 6 | 649 s | 630 s | |" in block
    assert block.endswith("| **the whole run, wall** | 12 | **62 min 4 s** | | |")
    readme, log = tmp_path / "README.md", tmp_path / "run.log"
    readme.write_text(f"# x\n{BEGIN}\nold table\n{END}\ntail\n")
    log.write_text(LOG)
    main(["--log", str(log), "--benchmarks", str(benchmarks), "--readme", str(readme)])
    text = readme.read_text()
    assert "old table" not in text and block in text and text.endswith(f"{END}\ntail\n")


def test_bad_inputs_are_refused_by_name(benchmarks, tmp_path):
    (benchmarks / "train_model").mkdir()
    (benchmarks / "train_model" / "bad.tsv").write_text("nothing useful\n")
    with pytest.raises(CorruptInputError, match=r"bad\.tsv"):
        stage_table(benchmarks)
    with pytest.raises(ValueError, match="no benchmark files"):
        stage_table(tmp_path / "empty")
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    log = tmp_path / "run.log"
    log.write_text(LOG)
    (benchmarks / "train_model" / "bad.tsv").unlink()
    with pytest.raises(SystemExit):
        main(["--log", str(log), "--benchmarks", str(benchmarks), "--readme", str(readme)])
    assert readme.read_text() == "no markers\n"
