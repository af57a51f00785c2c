"""Tests of nmbook.tasks.static_madsen: Madsen & Johansen's static task, many runs at
once."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.tasks.static_madsen import (
    MadsenSetup,
    MadsenStaticRuns,
    madsen_subsets,
    madsen_targets,
    max_offset,
    regularizer_scale,
    selection_matrix,
    success_threshold,
)

TINY = MadsenSetup(
    n_inputs=8, batch_size=4, eval_every=5, eval_size=50, best_range=3, reg_start=10,
    reg_end=30,
)  # fmt: skip


def test_subsets_by_hand():
    # 100 inputs: 25 each, overlapping by 12, 38 in all: offsets 0..62
    assert madsen_subsets(100, 0.25, 0.5, 0) == ((0, 25), (13, 38))
    assert madsen_subsets(100, 0.25, 0.5, 62) == ((62, 87), (75, 100))
    assert max_offset(100, 0.25, 0.5) == 62
    # 8 inputs: 2 each, overlapping by 1: (o, o + 2) and (o + 1, o + 3)
    assert madsen_subsets(8, 0.25, 0.5, 5) == ((5, 7), (6, 8))
    with pytest.raises(ValueError, match="offset"):
        madsen_subsets(100, 0.25, 0.5, 63)
    with pytest.raises(ValueError, match="subset_ratio"):
        madsen_subsets(100, 0.0, 0.5)
    with pytest.raises(TypeError, match="n_inputs"):
        madsen_subsets(100.0)


def test_targets_and_selection_by_hand():
    subsets = madsen_subsets(8, 0.25, 0.5, 1)  # a = x1 + x2, b = x2 + x3
    x = np.arange(8.0)[None]  # x_i = i
    ab = x @ selection_matrix(subsets, 8)
    np.testing.assert_array_equal(ab, [[3.0, 5.0]])
    assert madsen_targets("add", ab)[0, 0] == 8.0
    assert madsen_targets("sub", ab)[0, 0] == -2.0
    assert madsen_targets("mul", ab)[0, 0] == 15.0
    with pytest.raises(ValueError, match="op"):
        madsen_targets("div", ab)


def test_threshold_by_hand():
    # all inputs 1, subsets of 2 among 8: exact a = b = 2; the near solution has
    # a = b = 2 (1 - eps) + 6 eps = 2 + 4 eps
    subsets = madsen_subsets(8, 0.25, 0.5, 0)
    X, eps = np.ones((3, 8)), 0.1
    assert success_threshold("add", subsets, X, eps) == pytest.approx((8 * eps) ** 2)
    assert success_threshold("sub", subsets, X, eps) == pytest.approx(0.0)
    mul = (2 + 4 * eps) ** 2 - 4
    assert success_threshold("mul", subsets, X, eps) == pytest.approx(mul**2)
    with pytest.raises(ValueError, match="eps"):
        success_threshold("add", subsets, X, 0.0)


def test_regularizer_schedule():
    assert regularizer_scale(0, 10, 30) == 0.0
    assert regularizer_scale(10, 10, 30) == 0.0
    assert regularizer_scale(20, 10, 30) == 0.5
    assert regularizer_scale(99, 10, 30) == 1.0


def test_exact_weights_are_solved_from_the_first_evaluation():
    runs = MadsenStaticRuns([("nau", "add"), ("nmu", "mul")], [0, 1], TINY)
    assert runs.layer1.W.shape == (2, 2, 8, 2)
    for j in range(2):
        runs.layer1.W.value[:, j] = runs.M[j]
    runs.layer2a.W.value[...] = 1.0
    runs.layer2m.W.value[...] = 1.0
    runs.evaluate()
    rows = runs.results()
    assert [(r["model"], r["op"], r["seed"]) for r in rows] == [
        ("nau", "add", 0), ("nau", "add", 1), ("nmu", "mul", 0), ("nmu", "mul", 1),
    ]  # fmt: skip
    assert all(r["solved"] and r["first_solved"] == 0 for r in rows)
    assert all(r["extrapolation_mse"] < 1e-20 for r in rows)
    assert all(r["sparsity_error"] == 0.0 for r in rows)


def test_a_run_does_not_depend_on_the_other_cells():
    alone = MadsenStaticRuns([("nau", "sub")], [4], TINY)
    both = MadsenStaticRuns([("nmu", "mul"), ("nau", "sub")], [4], TINY)
    alone.train(20)
    both.train(20)
    np.testing.assert_allclose(
        alone.layer1.W.value[0], both.layer1.W.value[1], rtol=0, atol=1e-14
    )


def test_checkpoint_resume_equals_a_straight_run(tmp_path):
    cells = [("nau", "add"), ("nmu", "mul")]
    straight = MadsenStaticRuns(cells, [0, 1, 2], TINY)
    straight.train(40)  # crosses the regulariser's start (10) and end (30)
    first = MadsenStaticRuns(cells, [0, 1, 2], TINY)
    first.train(25, checkpoint=tmp_path / "c.npz", checkpoint_every=10)
    second = MadsenStaticRuns(cells, [0, 1, 2], TINY)
    second.load(tmp_path / "c.npz")
    assert second.step == 20
    second.train(40)
    for a, b in zip(straight.units, second.units, strict=True):
        np.testing.assert_array_equal(a.W.value, b.W.value)
    assert straight.results() == second.results()
    other = MadsenStaticRuns(cells, [0, 1], TINY)
    with pytest.raises(ValueError, match="other cells"):
        other.load(tmp_path / "c.npz")


def test_a_subset_of_cells_continues_from_a_checkpoint_of_all(tmp_path):
    """A checkpoint of three cells resumes any subset of them, each run exactly as it
    continues in the full set (a seed's input stream is shared by its cells)."""
    cells = [("nau", "add"), ("nau", "sub"), ("nmu", "mul")]
    full = MadsenStaticRuns(cells, [0, 1], TINY)
    full.train(15)
    full.save(tmp_path / "all.npz")
    full.train(40)
    for subset in (
        [("nau", "sub")],
        [("nmu", "mul")],
        [("nmu", "mul"), ("nau", "add")],
    ):
        part = MadsenStaticRuns(subset, [0, 1], TINY)
        part.load(tmp_path / "all.npz")
        assert part.step == 15
        part.train(40)
        rows = {(r["model"], r["op"], r["seed"]): r for r in full.results()}
        for r in part.results():
            assert r == rows[r["model"], r["op"], r["seed"]]
        for c, cell in enumerate(subset):
            np.testing.assert_array_equal(
                part.layer1.W.value[c], full.layer1.W.value[cells.index(cell)]
            )
    more = MadsenStaticRuns([("nau", "sub")], [0, 1], TINY)
    more.save(tmp_path / "sub.npz")
    with pytest.raises(ValueError, match="other cells"):
        full.load(tmp_path / "sub.npz")


def test_bad_cells_and_seeds():
    with pytest.raises(ValueError, match="unknown cell"):
        MadsenStaticRuns([("nac", "add")], [0], TINY)
    with pytest.raises(ValueError, match="cells must be distinct"):
        MadsenStaticRuns([("nau", "add"), ("nau", "add")], [0], TINY)
    with pytest.raises(ValueError, match="seeds"):
        MadsenStaticRuns([("nau", "add")], [1, 1], TINY)
