"The samplers on a GPU: the same batches' rules, exact resume, and no host round trip in the per-batch hot path."
import numpy as np
import pytest
import scipy.stats
import torch
from mlabs.selection import SelectionSampler, quantized_probs, rank_probs, successive_sample

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@cuda
@pytest.mark.parametrize("strategy", ["hard", "adaptive"])
def test_hot_path_has_no_host_sync(strategy):
    n = 5000
    s = SelectionSampler(n, 128, strategy=strategy, warmup_epochs=0, device="cuda", seed=0)
    assert not s.sync_checks                                   # deferred value checks on CUDA
    pool = torch.rand(n, device="cuda") + 0.01
    s.update(torch.arange(n, device="cuda"), pool)
    s.next_batch()                                             # epoch start: its once-per-epoch check may sync
    torch.cuda.set_sync_debug_mode("error")                    # any synchronising call now raises
    try:
        for _ in range(5):
            idx = s.next_batch(); s.update(idx, pool[idx])
    finally:
        torch.cuda.set_sync_debug_mode("default")


@cuda
def test_cuda_sampler_agrees_with_the_functions_and_resumes():
    n = 300
    l = torch.rand(n, device="cuda")
    for strategy, f in (("hard", rank_probs), ("adaptive", quantized_probs)):
        mk = lambda: SelectionSampler(n, 32, strategy=strategy, se=16, warmup_epochs=1, device="cuda", seed=3)
        s = mk(); list(s.batches()); s.update(torch.arange(n, device="cuda"), l)
        assert torch.allclose(s.probs(), f(l, 16), atol=1e-6)
        a, b = mk(), mk()
        for _ in range(12):
            i = a.next_batch(); a.update(i, l[i])
        b.load_state_dict(a.state_dict())
        for _ in range(6):
            i, j = a.next_batch(), b.next_batch()
            assert torch.equal(i, j) and len(set(i.tolist())) == 32
            a.update(i, l[i]); b.update(j, l[j])


@cuda
def test_cuda_first_draw_follows_p():
    p = torch.tensor([0.05, 0.1, 0.15, 0.2, 0.2, 0.3], device="cuda")
    g = torch.Generator(device="cuda"); g.manual_seed(0)
    first = torch.stack([successive_sample(p.log(), 3, g)[0] for _ in range(10000)]).cpu()
    chi = scipy.stats.chisquare(torch.bincount(first, minlength=6).numpy(), 10000 * p.cpu().double().numpy())
    assert chi.pvalue > 1e-3


@cuda
def test_cuda_deferred_check_names_the_sample():
    s = SelectionSampler(10, 4, warmup_epochs=0, device="cuda")
    s.update(torch.tensor([3, 5], device="cuda"), torch.tensor([float("nan"), 0.1], device="cuda"))
    with pytest.raises(ValueError, match=r"bad losses: \[3\]"):
        s.check_deferred()


@cuda
def test_cuda_adac_and_hard_draw_distinct_batches_and_resume():
    import mlabs.chain  # noqa: F401  (registers "adac")
    n = 3000
    Y = (np.random.default_rng(0).random((n, 8)) < 0.2).astype(np.uint8)
    l = torch.rand(n, device="cuda") + 0.01
    for strategy, kw in (("adac", {"Y": Y}), ("hard", {})):
        mk = lambda: SelectionSampler(n, 64, strategy=strategy, se=8, warmup_epochs=0, device="cuda", seed=4, **kw)
        a, b = mk(), mk()
        a.update(torch.arange(n, device="cuda"), l); b.update(torch.arange(n, device="cuda"), l)
        for _ in range(3):
            i = a.next_batch(); assert i.device.type == "cuda" and len(set(i.tolist())) == 64
            a.update(i, l[i])
        b.load_state_dict(a.state_dict())
        for _ in range(3):
            i, j = a.next_batch(), b.next_batch()
            assert torch.equal(i, j)
            a.update(i, l[i]); b.update(j, l[j])
