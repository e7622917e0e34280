"""Label sets: joins, growth, and numbering in the order of each set's smallest label."""

import numpy as np

from cbindex.kernels.union_find import LabelSets
from cbindex.landcover.connectivity import merge_labels


def test_numbering_follows_smallest_label():
    sets = LabelSets()
    sets.grow(6)
    sets.join_pairs(np.array([5, 2, 6]), np.array([3, 4, 5]))
    # sets {1}, {2, 4}, {3, 5, 6} -> 1, 2, 3 by smallest label
    np.testing.assert_array_equal(sets.set_numbers(), [0, 1, 2, 3, 2, 3, 3])


def test_growth_keeps_joins():
    sets = LabelSets()
    sets.grow(2)
    sets.join_pairs(np.array([1]), np.array([2]))
    sets.grow(1000)
    sets.join_pairs(np.array([1000]), np.array([2]))
    numbers = sets.set_numbers()
    assert numbers[1] == numbers[2] == numbers[1000] == 1
    assert numbers.max() == 998


def test_equals_merge_labels_on_random_pairs():
    rng = np.random.default_rng(3)
    for _ in range(30):
        n = int(rng.integers(1, 200))
        first, second = rng.integers(1, n + 1, size=(2, int(rng.integers(0, 150))))
        sets = LabelSets()
        sets.grow(n)
        sets.join_pairs(first, second)
        np.testing.assert_array_equal(sets.set_numbers(), merge_labels(n, first, second))
