"""The concurrency benchmark runs its jobs at once and suggests a slot count."""

from hatlib.bench_slots import bench_slots


def test_slots_benchmark_on_the_cpu():
    table = bench_slots([1, 2], seeds=2, width=16, points=64, steps=200, device="cpu")
    assert table["jobs"].tolist() == [1, 2]
    assert (table["total_model_steps_per_second"] > 0).all()
    assert (table["job_start_seconds"] > 0).all()
    assert table["suggested"].sum() == 1
    best = table["total_model_steps_per_second"].max()
    suggested = table.loc[table["suggested"], "total_model_steps_per_second"].iloc[0]
    assert suggested >= 0.95 * best
    if table.loc[table["jobs"] == 2, "total_model_steps_per_second"].iloc[0] >= 0.95 * best:
        assert table.loc[table["jobs"] == 2, "suggested"].iloc[0]
