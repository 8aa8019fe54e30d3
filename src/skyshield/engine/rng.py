"""Named random streams derived from one root seed.

Every random draw in a run comes from a stream named by a stable key (``"radar:91N6E@s400"``,
``"intercept"``), derived from the run's root seed with :class:`numpy.random.SeedSequence`.
The key is hashed with BLAKE2b, so the stream does not depend on the order in which streams are
created, on the number of workers, or on Python's per-process string hashing.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["stream", "stream_key"]


def stream_key(name: str) -> tuple[int, ...]:
    """Stable spawn key (four 32-bit words) for a stream name."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def stream(root_seed: int, name: str) -> np.random.Generator:
    """The generator of the stream ``name`` for the run seeded with ``root_seed``."""
    if root_seed < 0:
        raise ValueError(f"seed must be a non-negative integer (got {root_seed})")
    seq = np.random.SeedSequence(entropy=root_seed, spawn_key=stream_key(name))
    return np.random.Generator(np.random.PCG64(seq))
