"The samplers as a PyTorch user meets them: the library's classes, a DataLoader with worker processes, the adac dispatch."
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset
from mlabs.selection import SelectionSampler, IndexedDataset
from mlabs.chain import ChainSampler


def test_adac_dispatch_returns_an_initialised_chain_sampler():
    Y = (np.random.default_rng(0).random((50, 5)) < 0.3).astype(np.uint8)
    s = SelectionSampler(50, 8, strategy="adac", Y=Y, warmup_epochs=0, seed=1)
    assert type(s) is ChainSampler and isinstance(s, SelectionSampler)
    s.update(np.arange(50), np.linspace(0.1, 1, 50))
    b = s.next_batch()
    assert len(set(b.tolist())) == 8 and s.last_steps.tolist()[0] == 0
    assert "ChainSampler(n=50" in repr(s)


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
