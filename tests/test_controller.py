"""The memory controller: whole-model gradient checks (with the penalty), ablations,
validation."""

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
        return float(np.sum(w * logits)) + (
            lam * net.saturation_penalty()[0] if memory else 0.0
        )

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
        return float(
            np.sum(w * net.forward(x, noise_std=1.0, rng=np.random.default_rng(9)))
        )

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
    errs = check_gradients(
        lambda: net.saturation_penalty()[0],
        {"d": net.d, "u": net.u},
        {"d": dd, "u": du},
    )
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
    # the deque takes two values per step: heads [push_top, push_bot, pop_top, pop_bot,
    # v_top (m), v_bot (m)]
    net = MemoryController(3, 2, 4, 2, DEQUE, rng=0, push_bias=0.5, pop_bias=-2.0)
    assert net.W_g.shape == (4, 2 * 2 + 2 * 2) and net.W_o.shape == (4 + 2 * 2, 2)
    np.testing.assert_array_equal(net.b_g.value[:4], [0.5, 0.5, -2.0, -2.0])
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 3, 3))
    w = rng.normal(size=(5, 3, 2))
    net.forward(x)
    assert (
        net.d.shape == (5, 3, 2)
        and net.reads.shape == (5, 3, 4)
        and net.strengths.shape == (5, 3, 10)
    )
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
    # per (t, b): sum over both ends of d(1-d) + u(1-u): b=0: .25 + 0 + 0 + .1875; b=1:
    # 0 + 0 + .25 + .25
    p, dd, du = net.saturation_penalty()
    assert p == pytest.approx((0.4375 + 0.5) / 2)
    np.testing.assert_allclose(dd[0], [[0.0, -0.5], [0.5, 0.5]])
    np.testing.assert_allclose(du[0], [[0.5, 0.25], [0.0, 0.0]])


def test_gate_phase_means_and_read_share_on_a_hand_built_batch():
    from nmbook.seqtrain import earlier_read_share_of, gate_phase_means
    from nmbook.tasks.transduction import transduction_batch

    net = MemoryController(9, 8, 6, 4, STACK, rng=0)
    lengths = np.array([2, 3])
    x, _, mask = transduction_batch("reverse", lengths, 8, np.random.default_rng(0))
    means = gate_phase_means(net, x, lengths)
    t = np.arange(x.shape[0])[:, None]
    inp = t < lengths[None, :]
    assert means["input"] == (
        pytest.approx(net.d[inp].mean()),
        pytest.approx(net.u[inp].mean()),
    )
    assert means["delimiter"][0] == pytest.approx(np.mean([net.d[2, 0], net.d[3, 1]]))
    out = (t > lengths) & (t <= 2 * lengths)
    assert means["output"][1] == pytest.approx(net.u[out].mean())
    share = earlier_read_share_of(net, x, mask)
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
    # a sweep's stride: attempts 5, 1005, 2005 never meet another seed's first attempt
    seeds.clear()
    _, _, attempts = train_until_solved(make, cfg, max_attempts=3, seed_step=1000)
    assert seeds == [5, 1005, 2005] and [a[0] for a in attempts] == [5, 1005, 2005]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="seed_step"):
            train_until_solved(make, cfg, max_attempts=1, seed_step=bad)


@pytest.mark.parametrize("memory", [STACK, DEQUE])
def test_post_wiring_gradient_check_and_one_step_delay(memory):
    # output_sees_read=False: o_t = W_o h_t + b_o; the gradient still matches finite
    # differences, and the logits at step t do not depend on the read of step t (only on
    # reads up to t - 1, through the state).
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
        lambda: float(np.sum(w * net.forward(x))) + 0.5 * net.saturation_penalty()[0],
        net.parameters(),
    )
    assert max(errs.values()) < 1e-6, errs
    full = net.forward(x)
    cut = net.forward(x, zero_reads=True)
    np.testing.assert_allclose(full[0], cut[0])  # step 0 sees no read either way
    # later steps see earlier reads through h_t
    assert not np.allclose(full[1:], cut[1:])


# ----------------------------------------------------------------- step and the
# autoencoder option
def _one_hot_batch(lengths, vocab, seed):
    from nmbook.tasks.transduction import transduction_batch

    return transduction_batch(
        "reverse", np.asarray(lengths), vocab, np.random.default_rng(seed)
    )


@pytest.mark.parametrize(
    "memory,cell", [(STACK, "rnn"), (DEQUE, "lstm"), (None, "rnn")]
)
def test_step_run_by_hand_gives_forward(memory, cell):
    # forward is step over time plus bookkeeping: the loop written out here must give
    # the same logits
    net = MemoryController(4, 3, 5, 3, memory, rng=1, cell=cell)
    x = np.random.default_rng(0).normal(size=(6, 2, 4))
    state, r = net.cell.initial_state(2), np.zeros((2, net.read_width))
    mstate = None if memory is None else memory.initial_state(2, 3)
    by_hand = []
    for t in range(6):
        o, r, state, mstate, _ = net.step(x[t], r, state, mstate)
        by_hand.append(o)
    np.testing.assert_array_equal(np.stack(by_hand), net.forward(x))


@pytest.mark.parametrize(
    "memory,cell,output_sees_read",
    [(STACK, "rnn", True), (STACK, "lstm", False), (DEQUE, "rnn", True)],
)
def test_autoencoder_whole_model_gradient_check(memory, cell, output_sees_read):
    # loss = <w, logits> + 0.3 P + 0.7 L_aux, with gate noise: every parameter, decoders
    # included
    net = MemoryController(
        5,
        4,
        5,
        3,
        memory,
        rng=1,
        cell=cell,
        output_sees_read=output_sees_read,
        autoencoder=True,
    )
    x, _, _ = _one_hot_batch([1, 3], 4, 0)
    w = np.random.default_rng(2).normal(size=(x.shape[0], 2, 4))

    def f() -> float:
        logits = net.forward(x, noise_std=0.5, rng=np.random.default_rng(9))
        return (
            float(np.sum(w * logits))
            + 0.3 * net.saturation_penalty()[0]
            + 0.7 * net.autoencoder_loss(x)[0]
        )

    net.zero_grad()
    net.forward(x, noise_std=0.5, rng=np.random.default_rng(9))
    _, dd, du = net.saturation_penalty()
    _, da, daz = net.autoencoder_loss(x)
    net.backward(w, 0.3 * dd, 0.3 * du, daux=(0.7 * da, 0.7 * daz))
    errs = check_parameters(f, net.parameters())
    assert {"W_ah", "b_ah", "W_az", "b_az"} <= set(errs)
    assert max(errs.values()) < 1e-6, errs


def test_previous_symbol_targets_by_hand():
    from nmbook.controller import previous_symbol_targets

    # vocab 3, one sequence "2 0": t=0 symbol 2, t=1 symbol 0, t=2 the delimiter (class
    # 3), t=3, 4 blank
    x, _, _ = _one_hot_batch([2], 3, 0)
    x[:2, 0, :3] = [[0, 0, 1], [1, 0, 0]]
    y, mask = previous_symbol_targets(x, lag=1)
    # nothing before t=0; x[3] is blank
    np.testing.assert_array_equal(mask[:, 0], [0, 1, 1, 1, 0])
    np.testing.assert_array_equal(y[1:4, 0], [2, 0, 3])
    y, mask = previous_symbol_targets(x, lag=0)
    np.testing.assert_array_equal(mask[:, 0], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(y[:3, 0], [2, 0, 3])
    assert not previous_symbol_targets(x, lag=5)[1].any()


def test_autoencoder_loss_with_zero_decoders_is_twice_log_n_in():
    # zero decoder weights: every logit 0, softmax uniform over n_in = 9 classes, CE =
    # log 9 per decoder
    net = MemoryController(9, 8, 6, 4, STACK, rng=0, autoencoder=True)
    for p in (net.W_ah, net.b_ah, net.W_az, net.b_az):
        p.value[...] = 0.0
    x, _, _ = _one_hot_batch([2, 5], 8, 1)
    net.forward(x)
    loss, da, daz = net.autoencoder_loss(x)
    assert loss == pytest.approx(2 * np.log(9))
    # the gradient is (1/9 − onehot) / N on the N = 2 + 1 + 5 + 1 selected steps, zero
    # elsewhere
    assert da.shape == daz.shape == (x.shape[0], 2, 9)
    np.testing.assert_allclose(da[0], 0.0)
    np.testing.assert_allclose(da[1, 0], (np.full(9, 1 / 9) - x[0, 0]) / 9)


def test_autoencoder_decoders_do_not_change_the_rest_of_the_model():
    # the decoders are drawn last and feed nothing back: same initial weights, same
    # logits
    plain = MemoryController(9, 8, 6, 4, STACK, rng=3)
    auto = MemoryController(9, 8, 6, 4, STACK, rng=3, autoencoder=True)
    assert [p.name for p in auto.parameters()] == [
        p.name for p in plain.parameters()
    ] + ["W_ah", "b_ah", "W_az", "b_az"]
    for p, q in zip(plain.parameters(), auto.parameters(), strict=False):
        np.testing.assert_array_equal(p.value, q.value)
    assert auto.W_ah.shape == (6, 9) and auto.W_az.shape == (2 + 4, 9)
    x, _, _ = _one_hot_batch([3, 4], 8, 2)
    np.testing.assert_array_equal(plain.forward(x), auto.forward(x))
    assert auto.aux_logits_h.shape == auto.aux_logits_z.shape == (x.shape[0], 2, 9)


def test_autoencoder_bad_input_raises():
    from nmbook.controller import previous_symbol_targets

    with pytest.raises(ValueError, match="autoencoder=True needs a memory"):
        MemoryController(9, 8, 4, 4, None, rng=0, autoencoder=True)
    x, _, _ = _one_hot_batch([2, 3], 8, 0)
    plain = MemoryController(9, 8, 4, 4, STACK, rng=0)
    plain.forward(x)
    with pytest.raises(ValueError, match="autoencoder_loss needs"):
        plain.autoencoder_loss(x)
    with pytest.raises(ValueError, match="daux needs"):
        plain.backward(
            np.zeros((x.shape[0], 2, 8)), daux=(np.zeros((x.shape[0], 2, 9)),) * 2
        )
    net = MemoryController(9, 8, 4, 4, STACK, rng=0, autoencoder=True)
    net.forward(x)
    with pytest.raises(ValueError, match="x must be the last forward input"):
        net.autoencoder_loss(x[:-1])
    with pytest.raises(ValueError, match="daux must be two arrays of shape"):
        net.backward(
            np.zeros((x.shape[0], 2, 8)), daux=(np.zeros((x.shape[0], 2, 8)),) * 2
        )
    with pytest.raises(ValueError, match="lag must be a non-negative integer"):
        net.autoencoder_loss(x, lag=-1)
    with pytest.raises(ValueError, match="lag must be a non-negative integer"):
        previous_symbol_targets(x, lag=1.5)
    with pytest.raises(ValueError, match="one-hot rows"):
        previous_symbol_targets(0.5 * x)
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, n\)"):
        previous_symbol_targets(x[0])
