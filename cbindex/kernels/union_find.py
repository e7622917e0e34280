"""Disjoint sets of integer labels (union-find), compiled with numba, that grow as strips add labels.

Label 0 means "no patch" and is never joined. Every union links the larger root to the smaller one, so the
root of a set is always its smallest label; numbering the sets in the order of their roots then numbers them
in the order of their smallest label, as :func:`cbindex.landcover.connectivity.merge_labels` does.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def find_root(parent: np.ndarray, label: int) -> int:
    """Root (smallest label) of the set holding ``label``; halves the path on the way."""
    while parent[label] != label:
        parent[label] = parent[parent[label]]
        label = parent[label]
    return label


@numba.njit(cache=True, nogil=True)
def join(parent: np.ndarray, first: int, second: int) -> bool:
    """Join the sets of two labels; True when they were apart."""
    first_root = find_root(parent, first)
    second_root = find_root(parent, second)
    if first_root == second_root:
        return False
    if first_root < second_root:
        parent[second_root] = first_root
    else:
        parent[first_root] = second_root
    return True


@numba.njit(cache=True, nogil=True)
def _number_sets(parent: np.ndarray, n_labels: int) -> np.ndarray:
    number = np.zeros(n_labels + 1, dtype=np.int32)
    count = 0
    for label in range(1, n_labels + 1):
        root = find_root(parent, label)
        if root == label:
            count += 1
            number[label] = count
        else:
            number[label] = number[root]
    return number


class LabelSets:
    """Union-find over labels 1..n (n grows with :meth:`grow`); ``parent`` is passed to compiled kernels."""

    def __init__(self) -> None:
        self.parent = np.arange(1, dtype=np.int64)
        self.n_labels = 0

    def grow(self, n_labels: int) -> None:
        """Make room for labels up to ``n_labels``, each in a set of its own."""
        if n_labels + 1 > self.parent.size:
            capacity = max(n_labels + 1, 2 * self.parent.size)
            grown = np.arange(capacity, dtype=np.int64)
            grown[: self.parent.size] = self.parent
            self.parent = grown
        self.n_labels = max(self.n_labels, n_labels)

    def join_pairs(self, first: np.ndarray, second: np.ndarray) -> None:
        """Join every (first[i], second[i]) pair."""
        _join_pairs(self.parent, np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64))

    def set_numbers(self) -> np.ndarray:
        """Set number (1..k, in the order of each set's smallest label) of labels 0..n; index 0 stays 0."""
        return _number_sets(self.parent, self.n_labels)


@numba.njit(cache=True, nogil=True)
def _join_pairs(parent: np.ndarray, first: np.ndarray, second: np.ndarray) -> None:
    for index in range(first.size):
        join(parent, first[index], second[index])
