"""The read at depth k (an extension of eq. 3 of Grefenstette et al. 2015, from the
exercises of Part III, ch. 1-2).

Row i of a memory fills the interval [S_i, S_i + s[i]) of "depth", S_i being the
strength between it and the consuming end; the read at depth k takes the band [k - 1,
k). Expected values come from that picture, worked out by hand in the comments, or from
the paper's Figure 1(a).
"""

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients
from nmbook.memory import (
    depth_read_weights,
    read_at_depth,
    read_at_depth_backward,
    read_weights,
)
from nmbook.memory.continuous import read_end, read_end_backward


def test_figure_1a_final_stack_by_hand():
    # Strengths (0.3, 0, 0.9), oldest first. From the top: v3 fills [0, 0.9), v2 the
    # empty [0.9, 0.9), v1 [0.9, 1.2). Depth 1 = [0, 1): 0.1 of v1, 0.9 of v3 (the
    # paper's r3); depth 2 = [1, 2): 0.2 of v1; depth 3: nothing left.
    s = np.array([0.3, 0.0, 0.9])
    np.testing.assert_allclose(depth_read_weights(s, 1), [0.1, 0.0, 0.9], atol=1e-15)
    np.testing.assert_allclose(depth_read_weights(s, 2), [0.2, 0.0, 0.0], atol=1e-15)
    np.testing.assert_array_equal(depth_read_weights(s, 3), [0.0, 0.0, 0.0])
    # After step 2, (0.7, 0.5): v2 fills [0, 0.5), v1 [0.5, 1.2) -> depth 2 takes 0.2 of
    # v1.
    np.testing.assert_allclose(
        depth_read_weights(np.array([0.7, 0.5]), 2), [0.2, 0.0], atol=1e-15
    )


def test_discrete_stack_reads_the_kth_live_row():
    # Rows 1, 2, (popped: 0), 3, 4 with strengths 1, 1, 0, 1, 1: depth k reads the k-th
    # live row from the top (4, 3, 2, 1), skipping the empty row, and depth 5 reads
    # nothing.
    s = np.array([[1.0, 1.0, 0.0, 1.0, 1.0]])
    V = np.array([1.0, 2.0, 9.0, 3.0, 4.0])[None, :, None]
    reads = [read_at_depth(s, V, k)[0][0, 0] for k in range(1, 6)]
    assert reads == [4.0, 3.0, 2.0, 1.0, 0.0]
    # The queue's end: the k-th live row from the bottom.
    assert [read_at_depth(s, V, k, end="bottom")[0][0, 0] for k in (1, 2, 3)] == [
        1.0,
        2.0,
        3.0,
    ]


def test_weights_tile_the_strength():
    # The bands [k - 1, k) tile [0, sum(s)): band k holds clip(sum(s) - (k - 1), 0, 1),
    # and summed over all depths every row is read exactly once, in full.
    rng = np.random.default_rng(3)
    s = rng.uniform(0, 1, size=(5, 7))
    total = s.sum(axis=1)
    # 8 >= 7 >= sum(s): every band
    bands = np.stack([depth_read_weights(s, k) for k in range(1, 9)])
    for k in range(1, 9):
        np.testing.assert_allclose(
            bands[k - 1].sum(axis=1), np.clip(total - (k - 1), 0, 1), atol=1e-12
        )
    np.testing.assert_allclose(bands.sum(axis=0), s, atol=1e-12)
    assert np.all(bands >= 0)


def test_depth_one_is_the_read_of_eq_3_to_the_last_bit():
    rng = np.random.default_rng(4)
    s = rng.uniform(0, 1, size=(4, 6))
    # an empty row: the depth-1 read must not send a gradient through a band [0, 0)
    s[0, 2] = 0.0
    V, dr = rng.normal(size=(4, 6, 3)), rng.normal(size=(4, 3))
    for end in ("top", "bottom"):
        np.testing.assert_array_equal(
            depth_read_weights(s, 1, end), read_weights(s, end)
        )
        r, cache = read_at_depth(s, V, 1, end)
        r_ref, cache_ref = read_end(s, V, end)
        np.testing.assert_array_equal(r, r_ref)
        for ours, ref in zip(
            read_at_depth_backward(dr, cache),
            read_end_backward(dr, cache_ref, end),
            strict=True,
        ):
            np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("end", ["top", "bottom"])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_gradients_match_finite_differences(depth, end):
    rng = np.random.default_rng(10 * depth + (end == "top"))
    B, n, m = 3, 6, 4
    s = rng.uniform(0.05, 0.95, size=(B, n))
    V = rng.normal(size=(B, n, m))
    w = rng.normal(size=(B, m))

    def f() -> float:
        return float(np.sum(w * read_at_depth(s, V, depth, end)[0]))

    dV, ds = read_at_depth_backward(w, read_at_depth(s, V, depth, end)[1])
    errs = check_gradients(f, {"s": s, "V": V}, {"s": ds, "V": dV})
    assert max(errs.values()) < 1e-7, errs


def test_depth_two_gradient_by_hand():
    # s = (0.6, 0.7) oldest first: v2 fills [0, 0.7), v1 [0.7, 1.3). The band [1, 2)
    # takes 0.3 = s1 + s2 - 1 of v1 and nothing of v2, so with L = w . r: dL/ds = (w .
    # v1, w . v1) = (2, 2), dL/dV = (0.3 w, 0).
    s = np.array([[0.6, 0.7]])
    V = np.eye(2)[None]
    w = np.array([[2.0, 3.0]])
    r, cache = read_at_depth(s, V, 2)
    np.testing.assert_allclose(r, [[0.3, 0.0]], atol=1e-15)
    dV, ds = read_at_depth_backward(w, cache)
    np.testing.assert_allclose(ds, [[2.0, 2.0]], atol=1e-15)
    np.testing.assert_allclose(dV[0], [0.3 * w[0], [0.0, 0.0]], atol=1e-15)


def test_bad_input_names_the_argument():
    s, V = np.full((1, 2), 0.5), np.zeros((1, 2, 3))
    with pytest.raises(ValueError, match="depth must be >= 1"):
        read_at_depth(s, V, 0)
    with pytest.raises(TypeError, match="depth must be an int"):
        read_at_depth(s, V, 1.5)
    with pytest.raises(TypeError, match="depth must be an int"):
        depth_read_weights(s, True)
    with pytest.raises(ValueError, match="s must be"):
        read_at_depth(np.array([[0.5, 1.5]]), V, 1)
    with pytest.raises(TypeError, match="s must be a numpy array"):
        depth_read_weights([0.5, 0.5], 1)
    with pytest.raises(ValueError, match="V must have shape"):
        read_at_depth(s, np.zeros((1, 3, 3)), 1)
    with pytest.raises(ValueError, match="s must have shape"):
        read_at_depth(np.full(2, 0.5), V, 1)
    with pytest.raises(ValueError, match="end must be one of"):
        read_at_depth(s, V, 1, end="middle")
    _, cache = read_at_depth(s, V, 2)
    with pytest.raises(ValueError, match="dr must be an array of shape"):
        read_at_depth_backward(np.zeros((1, 2)), cache)
    with pytest.raises(TypeError, match="cache must be"):
        read_at_depth_backward(np.zeros((1, 3)), ("top",))
