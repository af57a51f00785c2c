"""The automaton inside a recurrent network: quantise its hidden states, tabulate the
transitions, minimise the machine and compare it with a hand-written one.

A recurrent network that reads symbols ``u_t`` and emits a symbol ``y_t`` per step is,
once its states fall into a few clusters, a **Mealy machine**: from state ``q_{t-1}``
(the cluster of ``h_{t-1}``; ``h_{-1} = 0`` is the start) the input ``u_t`` leads to
``q_t`` (the cluster of ``h_t``) and the output ``y_t``. A machine here is a
:class:`Mealy` with integer tables ``next_state: (S, A)`` and ``output: (S, A)``, where
``-1`` marks a transition never observed.

The steps, each a function:

* :func:`kmeans` clusters the states; :func:`extract_machine` takes the smallest number
  of clusters under which the run is a deterministic machine (the start ``h = 0`` is
  always its own state). :func:`sign_states`, one cluster per sign pattern, is the
  cruder alternative;
* :func:`transition_counts` and :func:`majority_machine`: how often each ``(state,
  input)`` led to each ``(next state, output)``, the majority table and each
  transition's majority share (1 for a deterministic machine); :func:`merge_counts`
  adds up the counts of states that minimisation merges;
* :func:`minimize`: the reachable part, then Moore's partition refinement: two states
  are equivalent when every input gives the same output and equivalent next states;
* :func:`isomorphic`: equal up to renaming the states (walked from the start states);
* :func:`run_machine`: the machine's own outputs on input sequences;
* :func:`full_adder`: binary addition's machine, two states (the carry); the input
  symbol is ``2 a_t + b_t`` (:func:`pair_symbols`), the output the sum bit.

Taught in: Part II (*An RNN from scratch, part 2: binary addition*, "The automaton
inside the network").
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nmbook.rng import as_rng


class Mealy(NamedTuple):
    """A deterministic Mealy machine: ``next_state, output: (S, A)`` int arrays (``-1``
    = transition not defined), states ``0..S-1``, input symbols ``0..A-1``."""

    next_state: np.ndarray
    output: np.ndarray
    start: int = 0


def _machine(m) -> Mealy:
    if not isinstance(m, Mealy):
        raise TypeError(f"machine must be a Mealy, got {type(m).__name__}")
    nxt, out = np.asarray(m.next_state), np.asarray(m.output)
    if nxt.ndim != 2 or nxt.shape != out.shape or nxt.size == 0:
        raise ValueError(
            f"next_state and output must have one shape (S, A), got {nxt.shape} and "
            f"{out.shape}"
        )
    if ((nxt < -1) | (nxt >= nxt.shape[0])).any():
        raise ValueError(f"next_state must hold states in [-1, {nxt.shape[0] - 1}]")
    if not 0 <= m.start < nxt.shape[0]:
        raise ValueError(f"start must be a state in [0, {nxt.shape[0] - 1}]")
    return Mealy(nxt.astype(int), out.astype(int), int(m.start))


def full_adder() -> Mealy:
    """Serial binary addition, least significant bit first: state = carry ``c``, input
    ``u = 2a + b``; ``c' = ⌊(a + b + c)/2⌋`` and output ``(a + b + c) mod 2``."""
    nxt = np.zeros((2, 4), dtype=int)
    out = np.zeros((2, 4), dtype=int)
    for c in (0, 1):
        for u in range(4):
            total = (u >> 1) + (u & 1) + c
            nxt[c, u], out[c, u] = total // 2, total % 2
    return Mealy(nxt, out, 0)


def sign_states(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cluster hidden states by their sign pattern.

    Args:
        h: ``(T, B, H)`` hidden states ``h_0..h_{T-1}`` of a run started from
            ``h_{-1} = 0``.

    Returns:
        ``(states, patterns)``: ``states: (T + 1, B)`` int, the cluster of
        ``h_{-1}, h_0, …, h_{T-1}`` (row 0 is the start, cluster 0, pattern all zeros);
        ``patterns: (K, H)`` the sign pattern (−1, 0, 1) of each cluster, in order of
        first appearance (time first, then batch).
    """
    h = np.asarray(h, dtype=np.float64)
    if h.ndim != 3 or h.size == 0:
        raise ValueError(f"h must have shape (T, B, H), got {h.shape}")
    T, B, H = h.shape
    signs = np.concatenate([np.zeros((1, B, H)), np.sign(h)]).astype(int)
    flat = signs.reshape(-1, H)
    patterns, first, labels = np.unique(
        flat, axis=0, return_index=True, return_inverse=True
    )
    order = np.argsort(first)  # number the clusters in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[labels.ravel()].reshape(T + 1, B), patterns[order]


def transition_counts(
    states: np.ndarray, inputs: np.ndarray, outputs: np.ndarray, n_inputs: int = 4
) -> np.ndarray:
    """How often each ``(state, input)`` led to each ``(next state, output)``.

    Args:
        states: ``(T + 1, B)`` state labels ``0..S-1`` (row 0 the start).
        inputs: ``(T, B)`` input symbols ``0..n_inputs-1``.
        outputs: ``(T, B)`` output symbols ``0, 1, …``.

    Returns:
        ``counts: (S, n_inputs, S, n_outputs)`` int, ``counts[q, u, q', y]`` the number
        of steps ``t`` with ``states[t] = q``, ``inputs[t] = u``, ``states[t + 1] = q'``
        and ``outputs[t] = y``.
    """
    states, inputs, outputs = (np.asarray(a) for a in (states, inputs, outputs))
    if states.ndim != 2 or inputs.shape != (states.shape[0] - 1, states.shape[1]):
        raise ValueError(
            f"states must be (T + 1, B) and inputs (T, B), got {states.shape} and "
            f"{inputs.shape}"
        )
    if outputs.shape != inputs.shape:
        raise ValueError(
            f"outputs must have the shape of inputs {inputs.shape}, got {outputs.shape}"
        )
    if inputs.min() < 0 or inputs.max() >= n_inputs:
        raise ValueError(f"inputs must be symbols in [0, {n_inputs - 1}]")
    if states.min() < 0 or outputs.min() < 0:
        raise ValueError("states and outputs must be non-negative labels")
    S, Y = int(states.max()) + 1, int(outputs.max()) + 1
    counts = np.zeros((S, n_inputs, S, Y), dtype=int)
    np.add.at(counts, (states[:-1], inputs, states[1:], outputs), 1)
    return counts


def majority_machine(counts: np.ndarray, start: int = 0) -> tuple[Mealy, np.ndarray]:
    """The majority transition of each observed ``(state, input)``.

    Args:
        counts: ``(S, A, S, Y)`` from :func:`transition_counts`.

    Returns:
        ``(machine, share)``: the :class:`Mealy` whose ``(q, u)`` entry is the most
        frequent ``(q', y)`` (``-1`` where ``(q, u)`` was never seen) and ``share: (S,
        A)``, that entry's fraction of the observations (NaN where none): 1 everywhere
        means the network behaved as a deterministic machine on the data.
    """
    counts = np.asarray(counts)
    if counts.ndim != 4 or counts.shape[0] != counts.shape[2]:
        raise ValueError(f"counts must have shape (S, A, S, Y), got {counts.shape}")
    S, A, _, Y = counts.shape
    flat = counts.reshape(S, A, S * Y)
    total = flat.sum(axis=2)
    best = flat.argmax(axis=2)
    seen = total > 0
    nxt = np.where(seen, best // Y, -1)
    out = np.where(seen, best % Y, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(seen, flat.max(axis=2) / total, np.nan)
    return Mealy(nxt, out, start), share


def merge_counts(counts: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Transition counts of the merged machine: ``counts: (S, A, S, Y)`` summed over the
    states that ``block: (S,)`` maps to one state (``-1``: dropped) -> ``(M, A, M,
    Y)`` with ``M = block.max() + 1``."""
    counts, block = np.asarray(counts), np.asarray(block)
    if counts.ndim != 4 or block.shape != (counts.shape[0],):
        raise ValueError(
            f"block must have shape ({counts.shape[0]},) for counts of shape "
            f"{counts.shape}, got {block.shape}"
        )
    M = int(block.max()) + 1
    keep = block >= 0
    merged = np.zeros((M, counts.shape[1], M, counts.shape[3]), dtype=counts.dtype)
    for q in np.flatnonzero(keep):
        for q2 in np.flatnonzero(keep):
            merged[block[q], :, block[q2], :] += counts[q, :, q2, :]
    return merged


def reachable(machine: Mealy) -> np.ndarray:
    """The states reachable from the start through defined transitions, in
    breadth-first order: ``(R,)`` int."""
    m = _machine(machine)
    order, seen = [m.start], {m.start}
    for q in order:
        for q2 in m.next_state[q]:
            if q2 >= 0 and q2 not in seen:
                seen.add(int(q2))
                order.append(int(q2))
    return np.array(order)


def minimize(machine: Mealy) -> tuple[Mealy, np.ndarray]:
    """The minimal machine with the same behaviour from the start state.

    Unreachable states are dropped; then Moore's partition refinement starts from the
    blocks of states with equal output rows and splits a block whenever two of its
    states lead, on some input, into different blocks, until nothing splits. An
    undefined transition (``-1``) counts as its own block, so a state with a missing
    entry is merged only with states missing the same entry.

    Returns:
        ``(minimal, block)``: the minimal :class:`Mealy` (its states numbered in
        breadth-first order from the start) and ``block: (S,)``, the minimal state of
        each original state (``-1`` for an unreachable one).
    """
    m = _machine(machine)
    keep = reachable(m)
    block = {int(q): tuple(m.output[q]) for q in keep}  # first split: output rows
    while True:
        names = {sig: i for i, sig in enumerate(dict.fromkeys(block.values()))}
        ids = {q: names[sig] for q, sig in block.items()}
        refined = {
            q: (
                ids[q],
                tuple(ids[int(q2)] if q2 >= 0 else -1 for q2 in m.next_state[q]),
            )
            for q in keep.tolist()
        }
        n_old = len(set(ids.values()))
        block = refined
        if len(set(refined.values())) == n_old:
            break
    # number the blocks breadth-first from the start, then build the tables
    sig = {q: block[q] for q in block}
    number: dict = {}
    queue = [m.start]
    while queue:
        q = queue.pop(0)
        if sig[q] in number:
            continue
        number[sig[q]] = len(number)
        queue += [int(q2) for q2 in m.next_state[q] if q2 >= 0]
    S, A = len(number), m.next_state.shape[1]
    nxt, out = np.full((S, A), -1), np.full((S, A), -1)
    mapping = np.full(m.next_state.shape[0], -1)
    for q in keep.tolist():
        k = number[sig[q]]
        mapping[q] = k
        nxt[k] = [number[sig[int(q2)]] if q2 >= 0 else -1 for q2 in m.next_state[q]]
        out[k] = m.output[q]
    return Mealy(nxt, out, 0), mapping


def isomorphic(a: Mealy, b: Mealy) -> bool:
    """Whether two machines are the same up to renaming their states: walking both
    from their start states, every input must give the same output and lead to states
    paired one-to-one (compare minimal machines to compare behaviours)."""
    a, b = _machine(a), _machine(b)
    if a.next_state.shape != b.next_state.shape:
        return False
    pair, queue = {a.start: b.start}, [a.start]
    while queue:
        q = queue.pop(0)
        r = pair[q]
        if not np.array_equal(a.output[q], b.output[r]):
            return False
        for q2, r2 in zip(a.next_state[q], b.next_state[r], strict=True):
            if (q2 < 0) != (r2 < 0):
                return False
            if q2 < 0:
                continue
            if int(q2) in pair:
                if pair[int(q2)] != r2:
                    return False
            else:
                pair[int(q2)] = int(r2)
                queue.append(int(q2))
    return len(set(pair.values())) == len(pair) == a.next_state.shape[0]


def run_machine(machine: Mealy, inputs: np.ndarray) -> np.ndarray:
    """The machine's outputs on input sequences: ``inputs: (T, B)`` symbols ->
    ``outputs: (T, B)`` int, ``-1`` from the first undefined transition on."""
    m = _machine(machine)
    inputs = np.asarray(inputs)
    if inputs.ndim != 2:
        raise ValueError(f"inputs must have shape (T, B), got {inputs.shape}")
    if inputs.min() < 0 or inputs.max() >= m.next_state.shape[1]:
        raise ValueError(f"inputs must be symbols in [0, {m.next_state.shape[1] - 1}]")
    q = np.full(inputs.shape[1], m.start)
    out = np.full(inputs.shape, -1)
    for t, u in enumerate(inputs):
        ok = q >= 0
        out[t] = np.where(ok, m.output[np.maximum(q, 0), u], -1)
        q = np.where(ok, m.next_state[np.maximum(q, 0), u], -1)
    return out


def pair_symbols(x: np.ndarray) -> np.ndarray:
    """Binary addition's input symbols: ``x: (T, B, 2)`` bit pairs ``(a_t, b_t)`` ->
    ``(T, B)`` int ``2 a_t + b_t`` (the inputs of :func:`full_adder`)."""
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[2] != 2:
        raise ValueError(f"x must have shape (T, B, 2), got {x.shape}")
    if not np.isin(x, (0, 1)).all():
        raise ValueError("x must hold bits 0 and 1")
    return (2 * x[..., 0] + x[..., 1]).astype(int)


def kmeans(
    points: np.ndarray,
    k: int,
    seed: int | np.random.Generator = 0,
    n_init: int = 4,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means with k-means++ starts, the best of ``n_init`` runs.

    Args:
        points: ``(N, D)``; k: the number of clusters (1 ≤ k ≤ N).

    Returns:
        ``(labels, centres)``: ``labels: (N,)`` int in ``0..k-1`` and ``centres: (k,
        D)``, from the run with the smallest sum of squared distances.
    """
    x = np.asarray(points, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"points must have shape (N, D) with N > 0, got {x.shape}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"k must be an integer, got {type(k).__name__}")
    if not 1 <= k <= x.shape[0]:
        raise ValueError(f"k must be in [1, {x.shape[0]}], got {k}")
    rng = as_rng(seed, "seed")
    best = None
    for _ in range(n_init):
        centres = x[[rng.integers(x.shape[0])]]
        for _ in range(k - 1):  # k-means++: far points are likelier new centres
            d2 = ((x[:, None, :] - centres[None]) ** 2).sum(axis=2).min(axis=1)
            p = d2 / d2.sum() if d2.sum() > 0 else None
            centres = np.vstack([centres, x[rng.choice(x.shape[0], p=p)]])
        for _ in range(max_iter):
            labels = ((x[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
            new = np.array(
                [
                    x[labels == j].mean(axis=0) if np.any(labels == j) else centres[j]
                    for j in range(k)
                ]
            )
            if np.array_equal(new, centres):
                break
            centres = new
        inertia = float(((x - centres[labels]) ** 2).sum())
        if best is None or inertia < best[0]:
            best = (inertia, labels, centres)
    return best[1], best[2]


class Extraction(NamedTuple):
    """What :func:`extract_machine` finds: ``k`` clusters of the states (the start is
    state 0, cluster j is state j + 1), ``states: (T + 1, B)``, ``centres: (k, H)``,
    ``counts: (k + 1, A, k + 1, Y)``, the majority ``machine`` and its ``share: (k +
    1, A)``, ``deterministic`` (every share is 1), the ``minimal`` machine and
    ``block: (k + 1,)`` (the minimal state of each state)."""

    k: int
    states: np.ndarray
    centres: np.ndarray
    counts: np.ndarray
    machine: Mealy
    share: np.ndarray
    deterministic: bool
    minimal: Mealy
    block: np.ndarray


def extract_machine(
    h: np.ndarray,
    inputs: np.ndarray,
    outputs: np.ndarray,
    k_max: int = 16,
    seed: int = 0,
    n_inputs: int = 4,
) -> Extraction:
    """The automaton of a run: the coarsest k-means clustering of its states under
    which it is a deterministic machine, then that machine minimised.

    For ``k = 1, 2, …, k_max`` the states ``h: (T, B, H)`` are clustered by
    :func:`kmeans` (the start ``h_{-1} = 0`` is always its own state), and the
    transitions with ``inputs, outputs: (T, B)`` are counted; the first ``k`` at which
    every observed ``(state, input)`` has a single ``(next state, output)`` is kept.
    Fewer clusters would lump together states with different futures; more would split
    a state arbitrarily. If no ``k`` is deterministic, the ``k_max`` clustering is
    returned with ``deterministic=False``.
    """
    h = np.asarray(h, dtype=np.float64)
    if h.ndim != 3 or h.size == 0:
        raise ValueError(f"h must have shape (T, B, H), got {h.shape}")
    if isinstance(k_max, bool) or not isinstance(k_max, int) or k_max < 1:
        raise ValueError(f"k_max must be a positive integer, got {k_max!r}")
    T, B, H = h.shape
    for k in range(1, k_max + 1):
        labels, centres = kmeans(h.reshape(-1, H), k, seed)
        states = np.concatenate([np.zeros((1, B), dtype=int), labels.reshape(T, B) + 1])
        counts = transition_counts(states, inputs, outputs, n_inputs)
        machine, share = majority_machine(counts, start=0)
        deterministic = bool(np.all(share[~np.isnan(share)] == 1.0))
        if deterministic or k == k_max:
            minimal, block = minimize(machine)
            return Extraction(
                k,
                states,
                centres,
                counts,
                machine,
                share,
                deterministic,
                minimal,
                block,
            )
    raise AssertionError("unreachable")
