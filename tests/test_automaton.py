"""nmbook.automaton: minimisation, isomorphism and extraction, on hand-made machines
whose answers are known without running the code."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.automaton import (
    Mealy,
    extract_machine,
    full_adder,
    isomorphic,
    kmeans,
    majority_machine,
    merge_counts,
    minimize,
    pair_symbols,
    reachable,
    run_machine,
    sign_states,
    transition_counts,
)
from nmbook.recipes import carries
from nmbook.tasks.binary_addition import addition_sequences, random_additions


def redundant_adder() -> Mealy:
    # state 2c + s remembers the carry c AND the last sum bit s; the next state and
    # the output depend on c only, so the s half is redundant: 4 states, 2 needed
    nxt = np.zeros((4, 4), dtype=int)
    out = np.zeros((4, 4), dtype=int)
    for q in range(4):
        c = q // 2
        for u in range(4):
            total = (u >> 1) + (u & 1) + c
            nxt[q, u], out[q, u] = 2 * (total // 2) + total % 2, total % 2
    return Mealy(nxt, out, 0)


def test_full_adder_by_hand():
    m = full_adder()
    # carry 0: 0+0 -> 0/0, 0+1 and 1+0 -> 0/1, 1+1 -> carry 1, bit 0
    assert m.next_state.tolist() == [[0, 0, 0, 1], [0, 1, 1, 1]]
    assert m.output.tolist() == [[0, 1, 1, 0], [1, 0, 0, 1]]
    assert m.start == 0


def test_full_adder_is_already_minimal():
    minimal, block = minimize(full_adder())
    assert isomorphic(minimal, full_adder())
    assert block.tolist() == [0, 1]


def test_redundant_four_state_adder_minimises_to_two_states():
    minimal, block = minimize(redundant_adder())
    assert minimal.next_state.shape == (2, 4)
    assert isomorphic(minimal, full_adder())
    # states 0, 1 (carry 0) merge, and so do 2, 3 (carry 1)
    assert block[0] == block[1] != block[2] == block[3]


def test_renamed_adder_is_isomorphic():
    m = full_adder()
    swapped = Mealy(1 - m.next_state[::-1], m.output[::-1], start=1)
    assert isomorphic(swapped, m)


@pytest.mark.parametrize(
    "wrong",
    [
        # XOR without a carry: one state
        Mealy(np.zeros((1, 4), int), np.array([[0, 1, 1, 0]]), 0),
        # a carry that never clears once set
        Mealy(np.array([[0, 0, 0, 1], [1, 1, 1, 1]]), full_adder().output, 0),
        # one output bit wrong: carry 1 with input 0 + 0 says 0
        Mealy(full_adder().next_state, np.array([[0, 1, 1, 0], [0, 0, 0, 1]]), 0),
        # a transition missing
        Mealy(np.array([[0, 0, 0, -1], [0, 1, 1, 1]]), full_adder().output, 0),
    ],
)
def test_wrong_machines_are_rejected(wrong):
    minimal, _ = minimize(wrong)
    assert not isomorphic(minimal, full_adder())


def test_wrong_machines_compute_wrong_sums():
    d = random_additions(200, 16, seed=1)
    u = pair_symbols(d.x)
    sticky = Mealy(np.array([[0, 0, 0, 1], [1, 1, 1, 1]]), full_adder().output, 0)
    assert not np.array_equal(run_machine(sticky, u), d.target[..., 0])


def test_unreachable_states_are_dropped():
    m = full_adder()
    # a third state that nothing leads to
    nxt = np.vstack([m.next_state, [[2, 2, 2, 2]]])
    out = np.vstack([m.output, [[1, 1, 1, 1]]])
    big = Mealy(nxt, out, 0)
    assert reachable(big).tolist() == [0, 1]
    minimal, block = minimize(big)
    assert isomorphic(minimal, m) and block[2] == -1


def test_run_machine_adds_3_and_5():
    # 3 = 110, 5 = 101 (least significant bit first); 8 = 0001
    d = addition_sequences([3], [5], 3)
    assert pair_symbols(d.x)[:, 0].tolist() == [3, 2, 1, 0]
    assert run_machine(full_adder(), pair_symbols(d.x))[:, 0].tolist() == [0, 0, 0, 1]


def test_run_machine_adds_64_bit_numbers():
    d = random_additions(300, 64, seed=2)
    assert np.array_equal(
        run_machine(full_adder(), pair_symbols(d.x)), d.target[..., 0]
    )


def test_run_machine_stops_at_an_undefined_transition():
    m = Mealy(np.array([[0, 0, 0, -1]]), np.array([[0, 1, 1, 0]]), 0)
    assert run_machine(m, np.array([[1], [3], [0]]))[:, 0].tolist() == [1, 0, -1]


def test_counts_and_majority_by_hand():
    # one sequence, states 0 -> 1 -> 1 -> 1, inputs 2, 0, 0, outputs 1, 0, 1:
    # (0, 2) -> (1, 1) once; (1, 0) -> (1, 0) once and (1, 1) once
    states = np.array([[0], [1], [1], [1]])
    inputs = np.array([[2], [0], [0]])
    outputs = np.array([[1], [0], [1]])
    counts = transition_counts(states, inputs, outputs)
    assert counts.shape == (2, 4, 2, 2) and counts.sum() == 3
    assert counts[0, 2, 1, 1] == 1 and counts[1, 0, 1, 0] == counts[1, 0, 1, 1] == 1
    machine, share = majority_machine(counts)
    assert machine.next_state[0, 2] == 1 and machine.output[0, 2] == 1
    assert share[0, 2] == 1.0 and share[1, 0] == 0.5
    assert machine.next_state[0, 0] == -1 and np.isnan(share[0, 0])


def test_sign_states_by_hand():
    h = np.array([[[0.9, -0.2]], [[0.3, -0.9]], [[-0.5, 0.5]]])  # (T=3, B=1, H=2)
    states, patterns = sign_states(h)
    # start (0, 0), then (+, -) twice, then (-, +)
    assert states[:, 0].tolist() == [0, 1, 1, 2]
    assert patterns.tolist() == [[0, 0], [1, -1], [-1, 1]]


def test_kmeans_separates_distant_blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    x = np.repeat(centres, 20, axis=0) + rng.normal(scale=0.1, size=(60, 2))
    labels, found = kmeans(x, 3, seed=1)
    # each blob is one cluster, whatever their numbering
    groups = labels.reshape(3, 20)
    assert all(len(set(g)) == 1 for g in groups) and len(set(groups[:, 0])) == 3


def test_extraction_of_an_embedded_adder():
    # a stand-in for a trained network: h_t embeds (c_{t-1}, a_t, b_t) at one of 8
    # random points, plus small noise; the output is the true sum bit. The 8 points
    # give a deterministic clustering (fewer may, when k-means joins two points with
    # the same carry and sum bit), and any such clustering minimises to the carry.
    d = random_additions(300, 12, seed=3)
    u = pair_symbols(d.x)
    c = carries(d)  # (T, B): the carry out of each bit
    c_prev = np.vstack([np.zeros((1, c.shape[1]), dtype=int), c[:-1]]).astype(int)
    rng = np.random.default_rng(4)
    points = rng.uniform(-1, 1, size=(8, 5))
    h = points[4 * c_prev + u] + rng.normal(scale=0.01, size=u.shape + (5,))
    out = d.target[..., 0].astype(int)
    ex = extract_machine(h, u, out)
    assert ex.k <= 8 and ex.deterministic
    assert isomorphic(ex.minimal, full_adder())
    assert np.array_equal(run_machine(ex.minimal, u), out)


def test_bad_input():
    with pytest.raises(TypeError, match="machine"):
        minimize("adder")
    with pytest.raises(ValueError, match="next_state"):
        minimize(Mealy(np.zeros((2, 4), int), np.zeros((2, 3), int), 0))
    with pytest.raises(ValueError, match="start"):
        minimize(Mealy(np.zeros((2, 4), int), np.zeros((2, 4), int), 5))
    with pytest.raises(ValueError, match="x"):
        pair_symbols(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="inputs"):
        transition_counts(
            np.zeros((3, 2), int), np.zeros((3, 2), int), np.zeros((3, 2))
        )
    with pytest.raises(ValueError, match="k"):
        kmeans(np.zeros((3, 2)), 4)
    with pytest.raises(TypeError, match="k"):
        kmeans(np.zeros((3, 2)), 2.0)
    with pytest.raises(ValueError, match="h"):
        extract_machine(np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="k_max"):
        extract_machine(np.zeros((3, 2, 1)), np.zeros((3, 2), int), np.zeros((3, 2)), 0)


def test_state_diagram_labels_every_transition():
    import matplotlib

    matplotlib.use("Agg")
    from nmbook.plotting import plot_state_diagram

    ax = plot_state_diagram(full_adder(), state_names=["c = 0", "c = 1"])
    texts = {t.get_text() for t in ax.texts}
    # the loops of carry 0 and carry 1, and the two arrows between them (by hand)
    assert {"00/0\n01/1\n10/1", "01/0\n10/0\n11/1", "11/0", "00/1"} <= texts
    assert {"c = 0", "c = 1", "start"} <= texts


def test_merge_counts_sums_merged_states():
    # states 0 and 1 merge into 0, state 2 becomes 1; one input, one output symbol
    counts = np.zeros((3, 1, 3, 1), dtype=int)
    counts[0, 0, 1, 0] = 2  # 0 -> 1 twice: merged 0 -> 0
    counts[1, 0, 2, 0] = 3  # 1 -> 2 three times: merged 0 -> 1
    counts[2, 0, 0, 0] = 5  # 2 -> 0: merged 1 -> 0
    merged = merge_counts(counts, np.array([0, 0, 1]))
    assert merged[:, 0, :, 0].tolist() == [[2, 3], [5, 0]]
    with pytest.raises(ValueError, match="block"):
        merge_counts(counts, np.array([0, 1]))
