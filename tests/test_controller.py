"""The memory controller: whole-model gradient checks (with the penalty), ablations, validation."""

import numpy as np
import pytest

from nmbook.controller import MemoryController
from nmbook.gradcheck import check_gradients, check_parameters
from nmbook.memory import DEQUE, QUEUE, STACK


@pytest.mark.parametrize(
    "memory,cell",
    [
        (STACK, "rnn"),
        (STACK, "lstm"),
        (QUEUE, "rnn"),
        (DEQUE, "rnn"),
        (DEQUE, "lstm"),
        (None, "rnn"),
        (None, "lstm"),
    ],
)
def test_whole_model_gradient_check(memory, cell):
    rng = np.random.default_rng(0)
    net = MemoryController(4, 3, 5, 3, memory, rng=1, cell=cell)
    x = rng.normal(size=(7, 2, 4))
    w = rng.normal(size=(7, 2, 3))
    lam = 0.7

    def f() -> float:
        logits = net.forward(x)
        return float(np.sum(w * logits)) + (lam * net.saturation_penalty()[0] if memory else 0.0)

    net.zero_grad()
    net.forward(x)
    _, dd, du = net.saturation_penalty()
    net.backward(w, lam * dd, lam * du)
    errs = check_parameters(f, net.parameters())
    assert max(errs.values()) < 1e-6, errs


def test_gradient_with_gate_noise_uses_the_same_noise():
    rng = np.random.default_rng(3)
    net = MemoryController(3, 2, 4, 2, STACK, rng=4)
    x = rng.normal(size=(5, 2, 3))
    w = rng.normal(size=(5, 2, 2))

    def f() -> float:
        return float(np.sum(w * net.forward(x, noise_std=1.0, rng=np.random.default_rng(9))))

    net.zero_grad()
    net.forward(x, noise_std=1.0, rng=np.random.default_rng(9))
    net.backward(w)
    assert max(check_parameters(f, net.parameters()).values()) < 1e-6


def test_saturation_penalty_by_hand():
    net = MemoryController(2, 2, 3, 2, STACK, rng=0)
    net.forward(np.zeros((2, 1, 2)))
    net.d[...] = [[0.5], [1.0]]
    net.u[...] = [[0.0], [0.25]]
    p, dd, du = net.saturation_penalty()
    # mean over the 2 steps of d(1-d) + u(1-u) = (0.25 + 0) + (0 + 0.1875), / 2
    assert p == pytest.approx((0.25 + 0.1875) / 2)
    np.testing.assert_allclose(dd[:, 0], [0.0, -0.5])
    np.testing.assert_allclose(du[:, 0], [0.5, 0.25])
    errs = check_gradients(lambda: net.saturation_penalty()[0], {"d": net.d, "u": net.u}, {"d": dd, "u": du})
    assert max(errs.values()) < 1e-8


def test_pop_bias_initialisation_and_push_bias_floor():
    net = MemoryController(3, 2, 4, 2, STACK, rng=0, push_bias=0.5, pop_bias=-2.0)
    assert net.b_g.value[0] == 0.5 and net.b_g.value[1] == -2.0
    net.push_bias_floor(5.0)
    assert net.b_g.value[0] == 5.0
    net.push_bias_floor(1.0)
    assert net.b_g.value[0] == 5.0


def test_zero_reads_and_recorded_memory_activity():
    rng = np.random.default_rng(1)
    net = MemoryController(3, 2, 4, 2, STACK, rng=2)
    x = rng.normal(size=(4, 3, 3))
    net.forward(x)
    assert net.d.shape == (4, 3) and net.strengths.shape == (4, 3, 4)
    assert np.all((net.d > 0) & (net.d < 1)) and np.any(net.reads != 0)
    np.testing.assert_allclose(
        net.strengths[:, :, :][np.triu_indices(4, 1)[0], :, np.triu_indices(4, 1)[1]], 0
    )
    net.forward(x, zero_reads=True)
    assert np.all(net.reads == 0)
    # with zero reads the gradient check still holds (reads are constants)
    w = rng.normal(size=(4, 3, 2))
    net.zero_grad()
    net.forward(x, zero_reads=True)
    net.backward(w)
    f = lambda: float(np.sum(w * net.forward(x, zero_reads=True)))  # noqa: E731
    assert max(check_parameters(f, net.parameters()).values()) < 1e-6


def test_baseline_has_no_memory_parameters_in_use():
    net = MemoryController(3, 2, 4, 8, None, rng=0, cell="lstm")
    assert net.width == 0 and net.W_o.shape == (4, 2)
    logits = net.forward(np.zeros((3, 2, 3)))
    assert logits.shape == (3, 2, 2) and np.all(net.d == 0)


def test_bad_input_raises():
    net = MemoryController(3, 2, 4, 2, STACK, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, 3\)"):
        net.forward(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="T > 0 and B > 0"):
        net.forward(np.zeros((0, 2, 3)))
    with pytest.raises(ValueError, match="needs rng"):
        net.forward(np.zeros((2, 2, 3)), noise_std=1.0)
    with pytest.raises(ValueError, match="cell must be"):
        MemoryController(3, 2, 4, 2, STACK, rng=0, cell="gru")
    with pytest.raises(ValueError, match="width must be a positive integer"):
        MemoryController(3, 2, 4, 0, STACK, rng=0)
    net.forward(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="dlogits must have shape"):
        net.backward(np.zeros((3, 2, 2)))


def test_deque_head_layout_gates_and_noise_gradient():
    # the deque takes two values per step: heads [push_top, push_bot, pop_top, pop_bot, v_top (m), v_bot (m)]
    net = MemoryController(3, 2, 4, 2, DEQUE, rng=0, push_bias=0.5, pop_bias=-2.0)
    assert net.W_g.shape == (4, 2 * 2 + 2 * 2) and net.W_o.shape == (4 + 2 * 2, 2)
    np.testing.assert_array_equal(net.b_g.value[:4], [0.5, 0.5, -2.0, -2.0])
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 3, 3))
    w = rng.normal(size=(5, 3, 2))
    net.forward(x)
    assert net.d.shape == (5, 3, 2) and net.reads.shape == (5, 3, 4) and net.strengths.shape == (5, 3, 10)
    # after step t the 2(t+1) rows are centred in the 10 slots; the rest stays 0
    assert np.all(net.strengths[0, :, :4] == 0) and np.all(net.strengths[0, :, 6:] == 0)
    assert np.all(net.strengths[0, :, 4:6] > 0)
    np.testing.assert_allclose(
        net.strengths[0, :, 4], net.d[0, :, 1]
    )  # the bottom push sits below the top one
    np.testing.assert_allclose(net.strengths[0, :, 5], net.d[0, :, 0])

    def f() -> float:
        logits = net.forward(x, noise_std=0.5, rng=np.random.default_rng(9))
        return float(np.sum(w * logits)) + 0.3 * net.saturation_penalty()[0]

    net.zero_grad()
    net.forward(x, noise_std=0.5, rng=np.random.default_rng(9))
    _, dd, du = net.saturation_penalty()
    net.backward(w, 0.3 * dd, 0.3 * du)
    assert max(check_parameters(f, net.parameters()).values()) < 1e-6
    net.push_bias_floor(1.0)
    np.testing.assert_array_equal(net.b_g.value[:2], [1.0, 1.0])


def test_deque_saturation_penalty_by_hand():
    net = MemoryController(2, 2, 3, 2, DEQUE, rng=0)
    net.forward(np.zeros((1, 2, 2)))
    net.d[...] = [[[0.5, 1.0], [0.0, 0.0]]]
    net.u[...] = [[[0.0, 0.25], [0.5, 0.5]]]
    # per (t, b): sum over both ends of d(1-d) + u(1-u): b=0: .25 + 0 + 0 + .1875; b=1: 0 + 0 + .25 + .25
    p, dd, du = net.saturation_penalty()
    assert p == pytest.approx((0.4375 + 0.5) / 2)
    np.testing.assert_allclose(dd[0], [[0.0, -0.5], [0.5, 0.5]])
    np.testing.assert_allclose(du[0], [[0.5, 0.25], [0.0, 0.0]])


def test_gate_phase_means_and_read_share_on_a_hand_built_batch():
    from nmbook.seqtrain import gate_phase_means, read_share_from_earlier
    from nmbook.tasks.transduction import transduction_batch

    net = MemoryController(9, 8, 6, 4, STACK, rng=0)
    lengths = np.array([2, 3])
    x, _, mask = transduction_batch("reverse", lengths, 8, np.random.default_rng(0))
    means = gate_phase_means(net, x, lengths)
    t = np.arange(x.shape[0])[:, None]
    inp = t < lengths[None, :]
    assert means["input"] == (pytest.approx(net.d[inp].mean()), pytest.approx(net.u[inp].mean()))
    assert means["delimiter"][0] == pytest.approx(np.mean([net.d[2, 0], net.d[3, 1]]))
    out = (t > lengths) & (t <= 2 * lengths)
    assert means["output"][1] == pytest.approx(net.u[out].mean())
    share = read_share_from_earlier(net, x, mask)
    assert 0.0 <= share <= 1.0
    with pytest.raises(ValueError, match="lengths must have shape"):
        gate_phase_means(net, x, np.array([2, 3, 4]))


def test_train_until_solved_restarts_with_the_next_seed():
    from nmbook.seqtrain import SeqTrainConfig, train_until_solved

    seeds = []

    def make(seed):
        seeds.append(seed)
        return MemoryController(9, 8, 4, 4, STACK, rng=seed)

    # Two steps cannot solve reversal: every attempt fails, each with the next seed.
    cfg = SeqTrainConfig(steps=2, solved_check_every=1, max_len=3, seed=5)
    model, hist, attempts = train_until_solved(make, cfg, max_attempts=3)
    assert seeds == [5, 6, 7] and [a[0] for a in attempts] == [5, 6, 7]
    assert all(stopped == 2 for _, stopped in attempts) and hist.stopped_at == 2
    with pytest.raises(ValueError, match="solved_check_every"):
        train_until_solved(make, SeqTrainConfig(steps=2), max_attempts=1)


@pytest.mark.parametrize("memory", [STACK, DEQUE])
def test_post_wiring_gradient_check_and_one_step_delay(memory):
    # output_sees_read=False: o_t = W_o h_t + b_o; the gradient still matches finite differences, and the
    # logits at step t do not depend on the read of step t (only on reads up to t - 1, through the state).
    rng = np.random.default_rng(3)
    net = MemoryController(4, 3, 5, 3, memory, rng=2, output_sees_read=False)
    assert net.W_o.shape == (5, 3)
    x = rng.normal(size=(6, 2, 4))
    w = rng.normal(size=(6, 2, 3))
    net.zero_grad()
    net.forward(x)
    _, dd, du = net.saturation_penalty()
    net.backward(w, 0.5 * dd, 0.5 * du)
    errs = check_parameters(
        lambda: float(np.sum(w * net.forward(x))) + 0.5 * net.saturation_penalty()[0], net.parameters()
    )
    assert max(errs.values()) < 1e-6, errs
    full = net.forward(x)
    cut = net.forward(x, zero_reads=True)
    np.testing.assert_allclose(full[0], cut[0])  # step 0 sees no read either way
    assert not np.allclose(full[1:], cut[1:])  # later steps see earlier reads through h_t
