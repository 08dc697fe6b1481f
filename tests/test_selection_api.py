"The samplers as a PyTorch user meets them: the library's classes, a DataLoader with worker processes, building by name."
import pydoc, subprocess, sys
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset
import pytest
from mlabs.selection import SelectionSampler, BaseSampler, IndexedDataset, successive_sample, gumbel_topk
from mlabs.chain import ChainSampler, AdaCSampler


def test_adac_dispatch_returns_an_initialised_chain_sampler():
    Y = (np.random.default_rng(0).random((50, 5)) < 0.3).astype(np.uint8)
    s = SelectionSampler(50, 8, strategy="adac", Y=Y, warmup_epochs=0, seed=1)
    assert type(s) is ChainSampler and isinstance(s, BaseSampler)
    s.update(np.arange(50), np.linspace(0.1, 1, 50))
    b = s.next_batch()
    assert len(set(b.tolist())) == 8 and s.last_steps.tolist()[0] == 0
    assert "AdaCSampler(n=50" in repr(s) and ChainSampler is AdaCSampler


def test_dataloader_with_workers_and_indexed_dataset():
    X = torch.arange(60, dtype=torch.float32)[:, None]
    ds = IndexedDataset(TensorDataset(X))
    s = SelectionSampler(ds, 16, strategy="adaptive", warmup_epochs=1, seed=0)
    seen = []
    for epoch in range(3):
        s.set_epoch(epoch)
        for idx, xb in DataLoader(ds, batch_sampler=s, num_workers=2):
            assert torch.equal(idx.float(), xb[:, 0])                 # the index travels with its row
            s.update(idx, xb[:, 0] / 60)
            seen.append(idx.tolist())
    assert len(seen) == 3 * 4
    assert sorted(sum(seen[:4], [])) == list(range(60))                # warm-up epoch: a permutation
    assert all(len(set(b)) == 16 for b in seen[4:])                    # selection batches: 16 distinct samples
    p = s.probs()
    assert p.argmax().item() in range(56, 60) and torch.isclose(p.sum(), torch.tensor(1.0))


def test_state_dict_survives_torch_save(tmp_path):
    mk = lambda: SelectionSampler(40, 8, strategy="hard", warmup_epochs=1, seed=5)
    a, b = mk(), mk()
    for _ in range(7):
        i = a.next_batch(); a.update(i, i.float())
    torch.save(a.state_dict(), tmp_path / "s.pt")
    b.load_state_dict(torch.load(tmp_path / "s.pt", weights_only=True))
    for _ in range(5):
        i, j = a.next_batch(), b.next_batch()
        assert torch.equal(i, j)
        a.update(i, i.float()); b.update(j, j.float())


def test_help_shows_every_parameter():
    text = " ".join(pydoc.render_doc(SelectionSampler, renderer=pydoc.plaintext).split())
    for p, what in [("n", "number of training samples"), ("batch_size", "samples per batch"), ("strategy", '"adac"'),
                    ("se", "selection pressure"), ("warmup_epochs", "plain shuffled epochs"), ("weights", "Eq. 5"),
                    ("refresh", "recomputed before every batch"), ("importance_weights", "unbiased gradient"),
                    ("seed", "torch generators"), ("device", "training device"), ("sync_checks", "check values at once")]:
        assert f"{p} " in text and what in text, p                        # the parameter and its comment
    for p in ("Y", "A", "card", "window", "mix"): assert f"`{p}` (" in text, p  # a strategy's own options
    assert "prefetch" in text.lower()                                     # how a DataLoader's workers delay update


def test_clear_messages_for_mistakes():
    with pytest.raises(ValueError, match="needs the training label matrix: pass Y="):
        SelectionSampler(10, 2, strategy="adac")
    with pytest.raises(ValueError, match="se must be"):
        SelectionSampler(10, 2, strategy="random", se=0.5)
    with pytest.raises(ValueError, match=r"k = 7 must be an integer in \[0, n = 5\]"):
        successive_sample(torch.zeros(5), 7)
    with pytest.raises(ValueError, match=r"k = 6 must be"):
        gumbel_topk(torch.zeros(5), 6)
    with pytest.raises(ValueError, match=r"NaN or \+inf at \[2\]"):
        successive_sample(torch.tensor([0., 1., float("nan"), 0.]), 2)
    assert len(successive_sample(torch.tensor([0., -float("inf"), 1.]), 2)) == 2  # -inf: probability 0, allowed


def test_every_strategy_builds_by_name_in_a_fresh_interpreter():
    "No module to import first: `from mlabs.selection import SelectionSampler` builds every registered strategy."
    code = ("import numpy as np, sys\n"
            "from mlabs.selection import SelectionSampler, REGISTRY\n"
            "assert 'mlabs.train' not in sys.modules\n"
            "Y = (np.arange(60).reshape(20, 3) % 4 == 0).astype(np.uint8); Y[:, 0] = 1\n"
            "for name, cls in REGISTRY.items():\n"
            "    s = SelectionSampler(20, 4, strategy=name, **({'Y': Y} if cls.needs_labels else {}))\n"
            "    assert type(s) is cls and s.strategy == name\n"
            "    print(name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    from mlabs.selection import REGISTRY
    assert out == list(REGISTRY) and len(out) == 18


def test_probs_at_the_warmup_boundary_describe_the_next_batch():
    s = SelectionSampler(20, 5, strategy="adaptive", se=8, warmup_epochs=1, seed=0)
    s.update(np.arange(20), np.linspace(0.1, 1, 20))
    for _ in range(4): s.next_batch()                                 # the whole warm-up epoch
    p = s.probs()                                                     # the next batch is a selection batch
    assert abs(p[19] / p[0] - 8 ** (18 / 20)) < 1e-4                 # Q = 2 and 20 of 20 (Eq. 6-7), not uniform
    s2 = SelectionSampler(20, 5, strategy="adaptive", se=8, warmup_epochs=0); s2.update(np.arange(20), np.linspace(0.1, 1, 20))
    assert torch.allclose(p, s2.probs())


def test_importance_weights_travel_with_the_batch_through_workers():
    n = 120
    ds = IndexedDataset(TensorDataset(torch.arange(n, dtype=torch.float32)[:, None]))
    s = SelectionSampler(ds, 8, strategy="hard", se=8, warmup_epochs=0, importance_weights=True, seed=2)
    s.update(torch.arange(n), torch.linspace(0.01, 1, n))
    p = s.probs()                                                     # fixed: no update in the loop
    batches = list(DataLoader(ds, batch_sampler=s, num_workers=2, prefetch_factor=2))
    assert len(batches) == n // 8
    for idx, xb, w in batches:
        assert torch.equal(idx.float(), xb[:, 0])
        assert torch.allclose(w, 1 / (n * p[idx]), rtol=1e-5)          # the weights of this batch's own draws
    assert not torch.allclose(batches[0][2], s.last_weights)          # last_weights moved on to a later batch
def test_no_list_of_strategy_names_outside_the_registry():
    "No tuple, list, set or dict literal under mlabs/ holds three or more strategy names, except the registry's table."
    import ast
    from pathlib import Path
    import mlabs
    from mlabs.selection import REGISTRY
    from mlabs.strategies import STRATEGY_NAMES
    names, found = set(STRATEGY_NAMES), []
    for p in sorted(Path(mlabs.__file__).parent.rglob("*.py")):
        if p.name in ("strategies.py", "_modidx.py"): continue
        for node in ast.walk(ast.parse(p.read_text())):
            elts = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None) if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else None
            if not elts: continue
            hits = {e.value for e in elts if isinstance(e, ast.Constant) and e.value in names}
            if len(hits) >= 3: found.append(f"{p.name}:{node.lineno} {sorted(hits)}")
    assert not found, found
    assert tuple(STRATEGY_NAMES) == tuple(REGISTRY) and all(c.strategy == k for k, c in REGISTRY.items())
