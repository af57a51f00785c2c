"""Tests of nmbook.tasks.arithmetic: targets by hand, ranges, seeding, validation,
the experiment protocol."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.nalu import NAC, NALU
from nmbook.tasks.arithmetic import (
    EXTRAPOLATION_RANGE,
    INTERPOLATION_RANGE,
    OPERATIONS,
    apply_operation,
    build_static_model,
    fit_identity_mlp,
    make_arithmetic_task,
    run_static_task,
)

# x = (0, 1, 2, 3, 4, 5); a = x0 + x1 = 1, b = x2 + x3 + x4 = 9
X_HAND = np.arange(6.0)[None, :]
HAND = {
    "add": 10.0,
    "sub": -8.0,
    "mul": 9.0,
    "div": 1.0 / 9.0,
    "square": 1.0,
    "sqrt": 1.0,
}


@pytest.mark.parametrize("op", sorted(HAND))
def test_targets_by_hand(op):
    task = make_arithmetic_task(op, n_inputs=6, slices=((0, 2), (2, 5)))
    a, b = task.operands(X_HAND)
    assert (a[0], b[0]) == (1.0, 9.0)
    np.testing.assert_allclose(task.targets(X_HAND), [[HAND[op]]])
    assert task.formula == OPERATIONS[op][0]


def test_apply_operation_and_unknown_op():
    np.testing.assert_allclose(
        apply_operation("sqrt", np.array([4.0, 9.0]), np.zeros(2)), [2.0, 3.0]
    )
    with pytest.raises(ValueError, match="op"):
        apply_operation("pow", np.ones(1), np.ones(1))


def test_slices_are_seeded_and_inside_the_vector():
    t1 = make_arithmetic_task("add", n_inputs=100, subset_size=10, seed=4)
    t2 = make_arithmetic_task("add", n_inputs=100, subset_size=10, seed=4)
    assert (t1.a_slice, t1.b_slice) == (t2.a_slice, t2.b_slice)
    starts = {make_arithmetic_task("add", seed=s).a_slice for s in range(10)}
    assert len(starts) > 1  # different seeds, different slices
    for t in (t1, t2):
        for lo, hi in (t.a_slice, t.b_slice):
            assert 0 <= lo and hi <= 100 and hi - lo == 10


def test_sample_ranges_and_reproducibility():
    task = make_arithmetic_task("mul", n_inputs=20, subset_size=5, seed=1)
    Xi, yi = task.sample(500, 0, "interpolation")
    Xe, ye = task.sample(500, 0, "extrapolation")
    assert Xi.shape == (500, 20) and yi.shape == (500, 1)
    assert Xi.min() >= INTERPOLATION_RANGE[0] and Xi.max() < INTERPOLATION_RANGE[1]
    assert Xe.min() >= EXTRAPOLATION_RANGE[0] and Xe.max() < EXTRAPOLATION_RANGE[1]
    # every extrapolation operand exceeds every interpolation operand: a ∈ [5, 10) vs a
    # ∈ [10, 30)
    assert task.operands(Xe)[0].min() > task.operands(Xi)[0].max()
    np.testing.assert_array_equal(
        task.sample(3, 7)[0], task.sample(3, np.random.default_rng(7))[0]
    )


def test_validation():
    with pytest.raises(ValueError, match="op"):
        make_arithmetic_task("mod")
    with pytest.raises(ValueError, match="subset_size"):
        make_arithmetic_task("add", n_inputs=5, subset_size=6)
    with pytest.raises(ValueError, match="n_inputs"):
        make_arithmetic_task("add", n_inputs=0)
    with pytest.raises(ValueError, match="overlap"):
        make_arithmetic_task("add", interpolation=(0.0, 3.0), extrapolation=(2.0, 6.0))
    with pytest.raises(ValueError, match="non-negative"):
        make_arithmetic_task("div", interpolation=(-1.0, 1.0), extrapolation=(2.0, 6.0))
    with pytest.raises(ValueError, match="low < high"):
        make_arithmetic_task("add", interpolation=(2.0, 1.0))
    with pytest.raises(ValueError, match="slices"):
        make_arithmetic_task("add", n_inputs=2, slices=((0, 3), (1, 2)))
    task = make_arithmetic_task("add", n_inputs=4, subset_size=2)
    with pytest.raises(ValueError, match="regime"):
        task.sample(2, 0, "far")
    with pytest.raises(ValueError, match="n must"):
        task.sample(0, 0)
    with pytest.raises(TypeError, match="rng"):
        task.sample(2, "0")
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        task.targets(np.ones((2, 3)))


def test_build_static_model_kinds_and_shapes():
    x = np.ones((3, 7))
    for kind in ("relu6", "none", "nac", "nalu"):
        for layers in (1, 2):
            assert build_static_model(kind, 7, 0, layers=layers).forward(x).shape == (
                3,
                1,
            )
    assert isinstance(build_static_model("nalu", 7, 0).layers[0], NALU)
    assert isinstance(build_static_model("nac", 7, 0, layers=1).layers[0], NAC)
    # Linear ReLU6 Linear ReLU6 Linear
    assert len(build_static_model("relu6", 7, 0, layers=3).layers) == 5
    with pytest.raises(ValueError, match="kind"):
        build_static_model("lstm", 7, 0)


def test_run_static_task_without_training_scores_exactly_100():
    task = make_arithmetic_task("add", n_inputs=2, slices=((0, 1), (1, 2)))
    r = run_static_task(
        build_static_model("nac", 2, 0, layers=1), task, steps=0, seed=0
    )
    assert r["scaled_interpolation"] == pytest.approx(100.0)
    assert r["scaled_extrapolation"] == pytest.approx(100.0)
    assert r["loss"].shape == (0,)


def test_tracking_the_test_errors_leaves_the_run_unchanged():
    task = make_arithmetic_task("mul", n_inputs=10, subset_size=2, seed=1)
    runs = [
        run_static_task(
            build_static_model("nalu", 10, 0), task, 120, seed=3, track_test=t
        )
        for t in (False, True)
    ]
    plain, tracked = runs
    assert np.array_equal(plain["loss"], tracked["loss"])
    assert plain["mse_extrapolation"] == tracked["mse_extrapolation"]
    assert "test_mse_extrapolation" not in plain
    # logged at steps 0, 50, 100: the same steps as the training loss
    assert tracked["test_mse_extrapolation"].shape == (3,)
    assert tracked["test_mse_interpolation"].shape == (3,)
    # the model is not updated after the last logged step (100 of 0..119), so its last
    # tracked errors differ from the final ones only through the 19 later updates; with
    # log_every=1 the last entry is the final model
    last = run_static_task(
        build_static_model("nalu", 10, 0), task, 5, seed=3, log_every=1, track_test=True
    )
    assert last["test_mse_extrapolation"][-1] == last["mse_extrapolation"]
    assert last["test_mse_interpolation"][-1] == last["mse_interpolation"]


def test_a_single_nac_learns_addition_and_extrapolates():
    task = make_arithmetic_task("add", n_inputs=2, slices=((0, 1), (1, 2)))
    r = run_static_task(
        build_static_model("nac", 2, 0, layers=1), task, steps=1500, seed=0, lr=0.05
    )
    assert r["relative_error_extrapolation"] < 0.02
    assert r["scaled_extrapolation"] < 1.0


def test_identity_mlp_without_activation_extrapolates():
    model = fit_identity_mlp("Identity", seed=0, steps=300)
    x = np.array([[-20.0], [0.5], [20.0]])
    np.testing.assert_allclose(model(x), x, atol=0.05)
    with pytest.raises(ValueError, match="activation"):
        fit_identity_mlp("Swish", seed=0, steps=1)


def test_static_models_include_madsen_and_johansens_extra_baselines():
    from nmbook.layers import ReLU
    from nmbook.nalu import ComplexNAC
    from nmbook.tasks.arithmetic import build_static_model

    relu = build_static_model("relu", 5, 0, hidden=2, layers=2)
    nacmul = build_static_model("nacmul", 5, 0, hidden=2, layers=2)
    assert type(relu[1]) is ReLU
    assert len(nacmul) == 2 and all(isinstance(m, ComplexNAC) for m in nacmul.layers)
    x = np.random.default_rng(0).uniform(1, 2, size=(3, 5))
    assert relu.forward(x).shape == (3, 1)
    assert np.all(nacmul.forward(x) > 0)  # a log-space unit's output is positive
