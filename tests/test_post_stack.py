"""The source post's controller (nmbook.post_stack) and its training loop
(nmbook.post_replay): gradient checks of both configurations, a hand-computed step, the
push-bias growth, the post's data, padding, validation."""

import math

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients, check_parameters
from nmbook.post_replay import (
    PART5,
    PART6,
    accuracy_by_length,
    gate_report,
    make_post_model,
    post_sequences,
    replay,
    stack_step_mask,
    with_growth,
)
from nmbook.post_stack import (
    PostStackController,
    grow_push_bias,
    post_loss,
    previous_inputs,
    squared_error,
)


def _small(part: int, seed: int = 1) -> PostStackController:
    """A small controller of either configuration (part 5: tanh, one-hot start; part 6:
    sigmoid, reconstruction heads, zero start)."""
    if part == 5:
        return PostStackController(3, 3, 4, 3, 2, seed)
    return PostStackController(
        4, 4, 4, 3, 2, seed, output="sigmoid", reconstruct=True,
        push_bias=(1.0, 1.2), pop_bias=(-1.0, -0.8), initial_one_hot=False,
    )  # fmt: skip


@pytest.mark.parametrize("part", [5, 6])
@pytest.mark.parametrize("zero_reads", [False, True])
def test_every_parameter_and_the_input_pass_a_gradient_check(part, zero_reads):
    rng = np.random.default_rng(part)
    net = _small(part)
    # larger weights than the post's start, so the gates sit well inside (0, 1)
    for p in net.parameters():
        p.value[...] = rng.uniform(-1.0, 1.0, size=p.value.shape)
    x = rng.normal(size=(6, 3, net.n_in))
    target = rng.uniform(0.0, 1.0, size=(6, 3, net.n_out))
    weight = rng.uniform(0.2, 1.0, size=(6, 3))
    # the reconstruction targets are fixed arrays here (backward's dx is the gradient
    # through the inputs, not through the targets)
    prev, w = previous_inputs(x, weight)

    def f() -> float:
        y = net.forward(x, zero_reads=zero_reads)
        loss, _ = squared_error(y, target, weight)
        if net.reconstruct:
            loss += squared_error(net.recon_h, prev, w)[0]
            loss += squared_error(net.recon_p, prev, w)[0]
        return loss

    net.zero_grad()
    y = net.forward(x, zero_reads=zero_reads)
    _, dy = squared_error(y, target, weight)
    drecon = None
    if net.reconstruct:
        drecon = (
            squared_error(net.recon_h, prev, w)[1],
            squared_error(net.recon_p, prev, w)[1],
        )
    dx = net.backward(dy, drecon)
    errs = check_parameters(f, net.parameters())
    names = {p.name for p in net.parameters()}
    expected = {"W_x", "W_h", "b", "W_p", "b_p", "W_g", "b_g", "W_o", "b_o"}
    assert names == expected | ({"W_xr", "W_pr"} if part == 6 else set())
    assert max(errs.values()) < 1e-6, errs
    assert check_gradients(f, {"x": x}, {"x": dx})["x"] < 1e-6
    if zero_reads:
        assert np.all(net.reads == 0.0)


@pytest.mark.parametrize("part", [5, 6])
def test_post_loss_is_the_sum_of_the_checked_losses_and_its_gradient(part):
    rng = np.random.default_rng(7)
    net = _small(part, seed=3)
    for p in net.parameters():  # gates inside (0, 1), gradients well above rounding
        p.value[...] = rng.uniform(-1.0, 1.0, size=p.value.shape)
    x = rng.normal(size=(4, 2, net.n_in))
    target = rng.uniform(size=(4, 2, net.n_out))
    weight = np.ones((4, 2))
    net.zero_grad()
    post_loss(net, x, target, weight)
    errs = check_parameters(
        lambda: post_loss(net, x, target, weight, backward=False), net.parameters()
    )
    assert max(errs.values()) < 1e-6, errs


def test_one_step_forward_by_hand():
    net = PostStackController(1, 1, 1, 1, 1, rng=0)
    net.cell.W_x.value[...] = [[0.5], [0.25]]  # rows: x, then the previous read
    net.cell.W_h.value[...] = [[0.3]]
    net.cell.b.value[...] = [0.1]
    net.W_p.value[...], net.b_p.value[...] = [[0.8]], [-0.2]
    net.W_g.value[...], net.b_g.value[...] = [[0.4, -0.6, 0.9]], [0.2, 0.0, 0.1]
    net.W_o.value[...], net.b_o.value[...] = [[0.7]], [0.05]
    y = net.forward(np.array([[[1.0]]]))
    # part 5's start: h_{-1} = 1 and r_{-1} = 1 (one unit each)
    h = math.tanh(0.5 * 1.0 + 0.25 * 1.0 + 0.3 * 1.0 + 0.1)
    p = math.tanh(0.8 * h - 0.2)
    d = 1.0 / (1.0 + math.exp(-(0.4 * p + 0.2)))
    u = 1.0 / (1.0 + math.exp(-(-0.6 * p)))
    v = math.tanh(0.9 * p + 0.1)
    # the empty stack: the pop has nothing to take, the new row has strength d, and the
    # read takes min(d, relu(1 - 0)) = d of it
    r = d * v
    assert net.hidden[0, 0, 0] == pytest.approx(h, abs=1e-15)
    assert net.prime[0, 0, 0] == pytest.approx(p, abs=1e-15)
    assert (net.d[0, 0], net.u[0, 0]) == (pytest.approx(d), pytest.approx(u))
    assert net.values[0, 0, 0] == pytest.approx(v, abs=1e-15)
    assert net.strengths[0, 0, 0] == pytest.approx(d, abs=1e-15)
    assert net.reads[0, 0, 0] == pytest.approx(r, abs=1e-15)
    assert y[0, 0, 0] == pytest.approx(math.tanh(0.7 * p + 0.05), abs=1e-15)
    # the same step with sigmoid outputs and a zero start: h_{-1} = r_{-1} = 0
    net.output, net.initial_one_hot = "sigmoid", False
    y = net.forward(np.array([[[1.0]]]))
    h0 = math.tanh(0.5 + 0.1)
    p0 = math.tanh(0.8 * h0 - 0.2)
    assert y[0, 0, 0] == pytest.approx(1 / (1 + math.exp(-(0.7 * p0 + 0.05))))


def test_the_read_reaches_the_output_only_through_the_next_state():
    net = _small(5)
    x = np.random.default_rng(0).normal(size=(3, 2, 3))
    y_full = net.forward(x)
    y_zero = net.forward(x, zero_reads=True)
    # step 0 sees only r_{-1}, which the ablation keeps; later steps see r_0, r_1
    np.testing.assert_array_equal(y_full[0], y_zero[0])
    assert not np.allclose(y_full[1:], y_zero[1:])


def test_initialisation_follows_the_post():
    for recipe in (PART5, PART6):
        net = make_post_model(recipe, 5)
        lo_d, hi_d = recipe.push_bias
        lo_u, hi_u = recipe.pop_bias
        assert lo_d <= net.b_g.value[0] <= hi_d
        assert lo_u <= net.b_g.value[1] <= hi_u
        others = [p.value.ravel() for p in net.parameters() if p.name != "b_g"]
        others.append(net.b_g.value[2:])
        assert np.all(np.abs(np.concatenate(others)) <= 0.1)
    h, r = make_post_model(PART5, 0).initial_state(2)
    assert (
        h[:, 0].tolist() == [1, 1]
        and h[:, 1:].sum() == 0
        and r.tolist()
        == [
            [1, 0],
            [1, 0],
        ]
    )
    h, r = make_post_model(PART6, 0).initial_state(2)
    assert not h.any() and not r.any()


def test_growth_compounds_by_hand():
    net = make_post_model(PART5, 2)
    b0 = float(net.b_g.value[0])
    rest = net.b_g.value[1:].copy()
    for _ in range(400):
        grow_push_bias(net, 0.00025, 10)
    # b_d ← b_d + b_d · 0.00025 · 10 = b_d · 1.0025, 400 times
    assert net.b_g.value[0] == pytest.approx(b0 * 1.0025**400, rel=1e-12)
    assert 1.0025**400 == pytest.approx(2.7149, abs=1e-4)  # about e
    np.testing.assert_array_equal(net.b_g.value[1:], rest)
    net.b_g.value[0] = -0.5  # it multiplies whatever sign b_d has
    grow_push_bias(net, 0.00025, 50)
    assert net.b_g.value[0] == pytest.approx(-0.5 * 1.0125, rel=1e-15)
    grow_push_bias(net, 0.0, 10)
    assert net.b_g.value[0] == pytest.approx(-0.5 * 1.0125, rel=1e-15)


def test_with_and_without_growth_differ_only_in_the_push_bias():
    a, b = make_post_model(PART5, 4), make_post_model(PART5, 4)
    replay(a, PART5, 1, rng=9)
    replay(b, with_growth(PART5, 0.0), 1, rng=9)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        if pa.name == "b_g":
            assert pa.value[0] == pytest.approx(pb.value[0] * 1.0025, rel=1e-14)
            np.testing.assert_array_equal(pa.value[1:], pb.value[1:])
        else:
            np.testing.assert_array_equal(pa.value, pb.value)


def test_one_update_is_the_mean_of_each_sequences_step_at_rate_over_length():
    lengths = np.array([1, 3, 2, 1, 2, 3, 1, 1, 2, 3])
    x, y, mask = post_sequences(PART5, lengths, 3)
    net = make_post_model(PART5, 8)
    net.zero_grad()
    post_loss(net, x, y, mask / (10 * lengths[None, :]))
    batched = [p.grad.copy() for p in net.parameters()]
    alone = [np.zeros_like(g) for g in batched]
    for b, L in enumerate(lengths):  # each sequence alone, unpadded
        net.zero_grad()
        T = 2 * L
        post_loss(net, x[:T, b : b + 1], y[:T, b : b + 1], np.full((T, 1), 1 / L))
        for acc, p in zip(alone, net.parameters(), strict=True):
            acc += p.grad / 10
    for g, h in zip(batched, alone, strict=True):
        np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-15)


def test_the_posts_sequences():
    x, y, mask = post_sequences(PART5, np.array([2, 1]), 0)
    sym = x[:2, 0, 1:].argmax(axis=1)
    assert x.shape == (4, 2, 3) and y.shape == (4, 2, 3)
    # part 5: the flag while reading, blank inputs while answering, the reverse out
    assert x[:2, 0, 0].tolist() == [1, 1] and not x[2:, 0].any()
    assert y[2:, 0, 1:].argmax(axis=1).tolist() == sym[::-1].tolist()
    assert not y[:2, 0].any() and not y[:, :, 0].any()
    assert mask[:, 0].tolist() == [1, 1, 1, 1] and mask[:, 1].tolist() == [1, 1, 0, 0]
    with pytest.raises(ValueError, match="lengths must be >= 1"):
        post_sequences(PART5, np.array([2, 0]), 0)
    x, y, _ = post_sequences(PART6, np.array([3]), 0)
    assert x[:, 0, 1].tolist() == [1, 1, 1, 0, 0, 0]  # reading
    assert x[:, 0, 0].tolist() == [0, 0, 0, 1, 1, 1]  # answering
    sym = x[:3, 0, 2:].argmax(axis=1)
    assert y[3:, 0, 2:].argmax(axis=1).tolist() == sym[::-1].tolist()
    assert not y[:3].any()


def test_replay_history_and_curriculum_bookkeeping():
    net = make_post_model(PART5, 0)
    hist = replay(net, PART5, 30, rng=0)
    assert hist.updates == 30 and hist.iteration == [100, 200, 300]
    assert hist.reached[1] == 0 and len(hist.error) == 3
    assert all(k == 1 or k == 2 for k in hist.max_len)
    assert hist.push_bias[-1] == pytest.approx(net.push_bias)


def test_a_stack_that_always_pushes_is_bypassed():
    net = make_post_model(PART5, 0)
    net.b_g.value[0] = 50.0  # d = 1 at every step
    rep = gate_report(net, PART5, np.array([4, 6, 8]), 0)
    assert rep["frac_d99"] == 1.0 and rep["d_in"] == pytest.approx(1.0)
    assert rep["share"] == pytest.approx(0.0, abs=1e-12)  # each read is the last push
    np.testing.assert_allclose(net.reads, net.values, atol=1e-12)
    mask = stack_step_mask(np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 0.0], [1.0, 0.0]]))
    assert mask.tolist() == [[1, 1], [1, 0], [1, 0], [0, 0]]
    acc = accuracy_by_length(net, PART5, [2, 8], 5, seed=0)
    assert set(acc) == {2, 8} and all(0 <= a <= f <= 1 for a, f in acc.values())


def test_bad_input_names_the_argument():
    net = _small(5)
    with pytest.raises(ValueError, match="x must"):
        net.forward(np.zeros((3, 2, 4)))
    with pytest.raises(TypeError, match="x must"):
        net.forward([[[0.0, 0.0, 0.0]]])
    with pytest.raises(ValueError, match="x must be finite"):
        net.forward(np.full((2, 1, 3), np.nan))
    net.forward(np.zeros((3, 2, 3)))
    with pytest.raises(ValueError, match="dy must"):
        net.backward(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="drecon"):
        net.backward(np.zeros((3, 2, 3)), (np.zeros((3, 2, 3)),) * 2)
    with pytest.raises(ValueError, match="output"):
        PostStackController(3, 3, 4, 3, 2, 0, output="relu")
    with pytest.raises(ValueError, match="n_hidden"):
        PostStackController(3, 3, 0, 3, 2, 0)
    with pytest.raises(TypeError, match="push_bias"):
        PostStackController(3, 3, 4, 3, 2, 0, push_bias=0.2)
    with pytest.raises(ValueError, match="pop_bias"):
        PostStackController(3, 3, 4, 3, 2, 0, pop_bias=(0.1, -0.1))
    with pytest.raises(TypeError, match="rng"):
        PostStackController(3, 3, 4, 3, 2, "seed")
    with pytest.raises(TypeError, match="model"):
        grow_push_bias(object())
    with pytest.raises(ValueError, match="rate"):
        grow_push_bias(net, -0.1)
    with pytest.raises(ValueError, match="batch_size"):
        grow_push_bias(net, 0.00025, 0)
    with pytest.raises(ValueError, match="weight must"):
        squared_error(np.zeros((2, 1, 3)), np.zeros((2, 1, 3)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="updates"):
        replay(net, PART5, 0, rng=0)
    with pytest.raises(TypeError, match="recipe"):
        replay(net, "part5", 1, rng=0)
    with pytest.raises(ValueError, match="lengths"):
        post_sequences(PART5, np.array([0, 2]), 0)


def test_with_every_push_at_one_the_pop_gets_no_gradient():
    # the post's part 5 end state: d = 1 at every step, so each read is the row just
    # pushed (strength 1 fills the read), the pops only remove rows no read reaches,
    # and u — whatever its value — receives no gradient
    net = make_post_model(PART5, 3)
    net.b_g.value[0] = 50.0
    x, y, mask = post_sequences(PART5, np.array([3, 5, 2]), 0)
    net.zero_grad()
    post_loss(net, x, y, mask)
    assert np.all(net.d == 1.0)
    np.testing.assert_array_equal(net.reads, net.values)
    assert net.b_g.grad[1] == 0.0 and np.all(net.W_g.grad[:, 1] == 0.0)
    assert net.b_g.grad[0] == 0.0  # and the saturated push gets none either
    assert np.any(net.W_g.grad[:, 2:] != 0.0)  # the pushed values still learn
