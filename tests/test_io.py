import pandas as pd
import pytest

from hatlib.io import CorruptInputError, atomic_output, read_json, read_table, write_table


def test_atomic_output_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_output(path) as temporary:
        temporary.write_text("half-written")
        raise RuntimeError("killed")
    assert path.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [path]  # no temporary left behind


def test_write_and_read_table_round_trip(tmp_path):
    frame = pd.DataFrame({"step": [0, 10], "relative_l2_error": [1.0, 0.5]})
    for name in ("t.parquet", "t.csv"):
        write_table(frame, tmp_path / name)
        pd.testing.assert_frame_equal(read_table(tmp_path / name), frame)


def test_truncated_parquet_names_the_file(tmp_path):
    path = tmp_path / "history.parquet"
    write_table(pd.DataFrame({"step": range(100)}), path)
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(CorruptInputError, match=r"history\.parquet"):
        read_table(path)


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "t.csv"
    write_table(pd.DataFrame({"step": [1]}), path)
    with pytest.raises(CorruptInputError, match="relative_l2_error"):
        read_table(path, ["step", "relative_l2_error"])


def test_malformed_json_names_the_file(tmp_path):
    path = tmp_path / "run.json"
    path.write_text("{not json")
    with pytest.raises(CorruptInputError, match=r"run\.json"):
        read_json(path)


def test_uncaught_error_reaches_the_job_log(tmp_path):
    import subprocess
    import sys

    log = tmp_path / "job.log"
    code = (
        "from hatlib.runtime import setup_logging\n"
        f"setup_logging({str(log)!r})\n"
        "from hatlib.io import read_table\n"
        f"read_table({str(tmp_path / 'missing.parquet')!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "missing.parquet" in log.read_text()
    assert "CorruptInputError" in result.stderr


def test_benchmark_rule_is_the_folder_under_benchmarks_at_any_depth():
    from hatlib.io import benchmark_rule

    assert benchmark_rule("results/benchmarks/train_classic/equal/relu/fem_deep.tsv") == (
        "train_classic"
    )
    assert benchmark_rule("results/benchmarks/train_model/fem_grid_hat_sgd_k4.tsv") == (
        "train_model"
    )
    assert benchmark_rule("results/benchmarks/build_kernel.tsv") == "build_kernel"
    with pytest.raises(ValueError, match="not a benchmark file"):
        benchmark_rule("results/train_model/x.tsv")
