"""Benchmark: compose homework groups for 15 and for 500 participants (target: 500 < 1 s).

Run: .venv/bin/python bench/groups.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werklab.groups.composition import Person, compose  # noqa: E402

SECTORS = ["government", "civil_society", "business", "resident", "other"]


def people(n: int, seed: int = 1) -> list[Person]:
    rng = random.Random(seed)
    orgs = max(3, n // 3)
    return [
        Person(
            id=i,
            sector=rng.choice(SECTORS),
            organisation=f"org {rng.randrange(orgs)}",
            learning_question=f"vraag {rng.randrange(12)}",
        )
        for i in range(1, n + 1)
    ]


def bench(n: int, repeat: int = 5) -> float:
    crowd = people(n)
    best = float("inf")
    for seed in range(repeat):
        start = time.perf_counter()
        groups = compose(crowd, seed=seed)
        best = min(best, time.perf_counter() - start)
    assert sorted(i for g in groups for i in g.members) == [p.id for p in crowd]
    return best


if __name__ == "__main__":
    for n in (15, 500):
        seconds = bench(n)
        print(f"compose {n:>3} participants: {seconds * 1000:8.1f} ms (best of 5)")
    print("target: 500 participants in under 1000 ms")
