"""Identifiers unique by construction and the skew of activity over organisations.

A million INNs are not drawn and checked against a set: each tax office hands out serial
numbers in a scrambled but one-to-one order, so no two organisations ever share one and
no memory is spent remembering them.
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect
from itertools import accumulate

from stdnum.ru import inn as inn_number

from sputnik.directory.demo import ogrn_check_digit

SCRAMBLE = 48271  # prime, so coprime with 10^5 and 10^6: a permutation of the serials


class Identifiers:
    """INN, KPP and OGRN of new organisations, never repeated within one load."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.issued: dict[str, int] = {}

    def _serial(self, office: str, modulus: int) -> int:
        key = f"{office}/{modulus}"
        count = self.issued.get(key, 0)
        if count >= modulus:
            raise ValueError(f"Tax office {office} has run out of numbers")
        self.issued[key] = count + 1
        return (count * SCRAMBLE + int(office) * 7919) % modulus

    def company_inn(self, office: str) -> str:
        body = f"{office}{self._serial(office, 100_000):05d}"
        return body + inn_number.calc_company_check_digit(body)

    def personal_inn(self, office: str) -> str:
        body = f"{office}{self._serial(office, 1_000_000):06d}"
        return body + inn_number.calc_personal_check_digits(body)

    def ogrn(self, region: str, *, sole_trader: bool) -> str:
        rnd = self.rng.random
        while True:
            year = f"{3 + int(rnd() * 22):02d}"
            if sole_trader:
                body = f"3{year}{region}{int(rnd() * 10**9):09d}"
            else:
                body = f"{'15'[rnd() < 0.5]}{year}{region}{int(rnd() * 10**7):07d}"
            digit = ogrn_check_digit(body)
            if digit:
                return body + digit


def tail_exponent(active: int, top_share: float) -> float:
    """The exponent s of weights r^-s (r the rank) that gives the busiest of `active`
    organisations about `top_share` of all activity; small sets get a mild skew."""
    target = 1 / top_share - 1

    def spread(s: float) -> float:  # ≈ Σ r^-s for r = 2 … n, over the first term
        return (active ** (1 - s) - 1) / (1 - s)

    low, high = 0.3, 0.95
    if spread(low) <= target:
        return low
    for _step in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if spread(middle) > target else (low, middle)
    return (low + high) / 2


def activity_weights(rng: random.Random, count: int, active_share: float, top_share: float):
    """A weight per organisation: zero for the idle ones, a heavy tail over the rest."""
    active = max(1, round(count * active_share))
    s = tail_exponent(active, top_share)
    weights = [rank**-s for rank in range(1, active + 1)] + [0.0] * (count - active)
    rng.shuffle(weights)
    return array("d", weights)


def apportion(total: int, weights, offset: float) -> array:
    """Whole counts proportional to `weights` that add up to `total` exactly (systematic
    rounding: each count is within one of its share)."""
    counts = array("l", bytes(8 * len(weights)))
    whole = math.fsum(weights)
    if total <= 0 or whole <= 0:
        return counts
    scale, before, running = total / whole, 0, 0.0
    for index, weight in enumerate(weights):
        running += weight
        after = min(total, int(running * scale + offset))
        counts[index] = after - before
        before = after
    counts[len(weights) - 1] += total - before
    return counts


class Picker:
    """Draws indices with probability proportional to their weights (zeros never)."""

    def __init__(self, weights):
        self.indices = array("l", (i for i, w in enumerate(weights) if w > 0))
        self.cumulative = list(accumulate(weights[i] for i in self.indices))
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    def pick(self, rng: random.Random) -> int:
        position = bisect(self.cumulative, rng.random() * self.total)
        return self.indices[min(position, len(self.indices) - 1)]
