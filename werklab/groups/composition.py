"""Compose mixed homework groups: a pure function, no database, deterministic per seed.

The method (fast enough for 500 people in well under a second):

1. Sizes: k = ceil(n / size_max) groups, as even as possible. size_max is hard; size_min is
   kept whenever some k allows it, otherwise it is relaxed (5 people with 3-4 → 3 + 2). A
   group of 1 only happens when there is exactly one person (with size_max 2 and an odd
   number, one group of 3 instead).
2. Start: sort people by sector (largest sector first), within a sector by organisation
   (largest first), ties broken by the seeded random order, and deal them round-robin. This
   GUARANTEES at least two sectors per group whenever the participants allow it (the largest
   sector has at most n - k people) and one person per organisation per group when every
   organisation has at most k people within one sector.
3. Improve: seeded random swaps between two groups, accepted only when the cost goes down
   lexicographically: (single-sector groups, organisation duplicates, pairs who worked
   together before, sector duplicates, learning-question duplicates). A swap can therefore
   never undo what step 2 guaranteed.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    id: int
    sector: str
    #: Normalised: "Gemeente Utrecht " and "gemeente utrecht" are one organisation.
    organisation: str
    #: Normalised key of the learning question (or None); equal keys count as "the same".
    learning_question: str | None = None


@dataclass
class Group:
    members: list[int]
    locked: bool = False
    sectors: int = 0
    organisations: int = 0
    learning_questions: int = 0
    #: Pairs in this group who were together before (from `avoid_pairs`).
    repeated_pairs: int = 0
    explanation: str = field(default="")


def normalise(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def group_sizes(n: int, size_min: int, size_max: int) -> list[int]:
    """Sizes of the groups for n people, largest first."""
    if size_min < 2 or size_max < size_min:
        raise ValueError("size_min must be at least 2 and at most size_max")
    if n <= 0:
        return []
    if n <= size_max:
        return [n]
    k = math.ceil(n / size_max)
    if n < 2 * k:  # only with size_max 2 and an odd n: one group of 3 rather than one of 1
        k = n // 2
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


def _weight(sizes: Counter) -> int:
    return sum(c - 1 for c in sizes.values() if c > 1)


def _cost(members: list[Person], avoid: set[frozenset[int]]) -> tuple[int, int, int, int, int]:
    sectors = Counter(p.sector for p in members)
    orgs = Counter(p.organisation for p in members)
    questions = Counter(p.learning_question for p in members if p.learning_question)
    pairs = 0
    if avoid:
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if frozenset((a.id, b.id)) in avoid:
                    pairs += 1
    single = 1 if len(members) > 1 and len(sectors) == 1 else 0
    return (single, _weight(orgs), pairs, _weight(sectors), _weight(questions))


def _add(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _describe(group: Group, people: list[Person], avoid: set[frozenset[int]]) -> Group:
    group.sectors = len({p.sector for p in people})
    group.organisations = len({p.organisation for p in people})
    group.learning_questions = len({p.learning_question for p in people if p.learning_question})
    group.repeated_pairs = _cost(people, avoid)[2] if avoid else 0
    group.explanation = f"{group.sectors} sectoren, {group.organisations} organisaties"
    if group.repeated_pairs:
        group.explanation += f", {group.repeated_pairs} paar al eerder samen"
    return group


def compose(
    people: Iterable[Person],
    *,
    size_min: int = 3,
    size_max: int = 4,
    seed: int,
    avoid_pairs: Iterable[frozenset[int]] = frozenset(),
    locked: Iterable[Iterable[int]] = (),
) -> list[Group]:
    """Divide `people` into mixed groups; `locked` groups (lists of ids) are kept as they are."""
    people = list(people)
    avoid = set(avoid_pairs)
    by_id = {p.id: p for p in people}
    result: list[Group] = []
    taken: set[int] = set()
    for ids in locked:
        kept = [i for i in ids if i in by_id and i not in taken]
        if kept:
            taken.update(kept)
            result.append(_describe(Group(kept, locked=True), [by_id[i] for i in kept], avoid))

    rng = random.Random(seed)
    free = sorted((p for p in people if p.id not in taken), key=lambda p: p.id)
    rng.shuffle(free)
    sizes = group_sizes(len(free), size_min, size_max)
    k = len(sizes)
    if k == 0:
        return result

    # 2. Round-robin over a sector- then organisation-sorted list (see the module docstring).
    sector_count = Counter(p.sector for p in free)
    org_count = Counter((p.sector, p.organisation) for p in free)
    # Ties go by the seeded order, so another seed gives other groups.
    tiebreak = {p.id: i for i, p in enumerate(free)}
    org_rank: dict[tuple[str, str], int] = {}
    sector_rank: dict[str, int] = {}
    for p in free:
        org_rank.setdefault((p.sector, p.organisation), len(org_rank))
        sector_rank.setdefault(p.sector, len(sector_rank))
    ordered = sorted(
        free,
        key=lambda p: (
            -sector_count[p.sector],
            sector_rank[p.sector],
            -org_count[(p.sector, p.organisation)],
            org_rank[(p.sector, p.organisation)],
            tiebreak[p.id],
        ),
    )
    groups: list[list[Person]] = [[] for _ in range(k)]
    for position, person in enumerate(ordered):
        groups[position % k].append(person)

    # 3. Improve with seeded swaps; each accepted swap strictly lowers the cost.
    if k > 1:
        costs = [_cost(g, avoid) for g in groups]
        budget = 40 * len(free) + 200
        stale = 0
        while budget > 0 and stale < 8 * len(free) + 50:
            budget -= 1
            a, b = rng.randrange(k), rng.randrange(k)
            if a == b or (not any(costs[a]) and not any(costs[b])):
                stale += 1
                continue
            i, j = rng.randrange(len(groups[a])), rng.randrange(len(groups[b]))
            ga, gb = groups[a], groups[b]
            ga[i], gb[j] = gb[j], ga[i]
            new_a, new_b = _cost(ga, avoid), _cost(gb, avoid)
            if _add(new_a, new_b) < _add(costs[a], costs[b]):
                costs[a], costs[b] = new_a, new_b
                stale = 0
            else:
                ga[i], gb[j] = gb[j], ga[i]
                stale += 1

    for members in groups:
        members.sort(key=lambda p: p.id)
        result.append(_describe(Group([p.id for p in members]), members, avoid))
    return result


def pairs_of(groups: Iterable[Iterable[int]]) -> set[frozenset[int]]:
    """Every pair of people who were in one group together."""
    pairs: set[frozenset[int]] = set()
    for members in groups:
        members = list(members)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add(frozenset((a, b)))
    return pairs
