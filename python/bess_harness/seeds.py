"""``seed_int(seed)``: the harness's seed as an integer that numpy and scikit-learn take.

The seed the harness sends (``self.seed``, ``train.seed``) is usually a string such as
``"bess:smoke:iforest"``, which ``np.random.default_rng`` and ``random_state=`` refuse. Python's
``hash()`` of a string differs from process to process (PYTHONHASHSEED), and the harness fits and
scores in different processes, so the integer comes from sha256 instead: the same in every process,
on every machine.
"""
from __future__ import annotations

import hashlib
import numbers

#: seed_int's results are below this: numpy's legacy RandomState, and so scikit-learn's
#: ``random_state``, take nothing larger.
SEED_RANGE = 2**32


def seed_int(seed: int | str | None) -> int:
    """``seed`` as an integer in [0, 2**32): an integer as it is (modulo 2**32), a string by the first
    4 bytes of its sha256, ``None`` (a model fitted outside the harness) as 0."""
    if seed is None:
        return 0
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, str)):
        raise TypeError(f"seed_int takes the harness's seed, a string or an integer, not {type(seed).__name__} ({seed!r})")
    if isinstance(seed, numbers.Integral):
        return int(seed) % SEED_RANGE
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:4], "big")
