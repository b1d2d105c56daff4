import pytest
import torch

from hatlib.optimizers import Adam, GradientDescent


def _trajectory(make_ours, make_torch, steps=40):
    generator = torch.Generator().manual_seed(0)
    start = [torch.randn(4, 5, generator=generator, dtype=torch.float64) for _ in range(2)]
    gradients = [
        [torch.randn(4, 5, generator=generator, dtype=torch.float64) for _ in range(2)]
        for _ in range(steps)
    ]
    ours = [torch.nn.Parameter(p.clone()) for p in start]
    theirs = [torch.nn.Parameter(p.clone()) for p in start]
    mine, reference = make_ours(ours), make_torch(theirs)
    for step_gradients in gradients:
        mine.step(step_gradients)
        for parameter, gradient in zip(theirs, step_gradients, strict=True):
            parameter.grad = gradient.clone()
        reference.step()
    return ours, theirs


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda p: GradientDescent(p, 0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (
            lambda p: Adam(p, 0.01, fused=False),
            lambda p: torch.optim.Adam(p, lr=0.01, foreach=False),
        ),
        (
            lambda p: Adam(p, 0.01),
            lambda p: torch.optim.Adam(p, lr=0.01, foreach=False),
        ),
        (
            lambda p: Adam(p, 0.01),
            lambda p: torch.optim.Adam(p, lr=0.01, fused=True),
        ),
    ],
)
def test_updates_equal_torch_optim(ours, theirs):
    mine, reference = _trajectory(ours, theirs)
    for a, b in zip(mine, reference, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-14, atol=1e-14)
        assert not torch.equal(a, _trajectory(ours, theirs, steps=0)[0][0])


def test_adam_runs_fused_where_pytorch_has_it():
    parameters = [torch.nn.Parameter(torch.zeros(3))]
    assert Adam(parameters, 0.1).fused == hasattr(torch, "_fused_adam_")
    assert not Adam(parameters, 0.1, fused=False).fused


@pytest.mark.parametrize("fused", [True, False])
def test_adam_resumes_from_its_state_exactly(fused):
    generator = torch.Generator().manual_seed(1)
    gradients = [[torch.randn(3, 4, generator=generator)] for _ in range(10)]
    going = [torch.nn.Parameter(torch.randn(3, 4, generator=generator))]
    first = Adam(going, 0.01, fused=fused)
    for step in gradients[:5]:
        first.step(step)
    state = {k: [t.clone() for t in v] if isinstance(v, list) else v
             for k, v in first.state_dict().items()}  # fmt: skip
    resumed = [torch.nn.Parameter(going[0].detach().clone())]
    second = Adam(resumed, 0.01, fused=fused)
    second.load_state_dict(state)
    for step in gradients[5:]:
        first.step(step)
        second.step(step)
    assert torch.equal(going[0], resumed[0])
