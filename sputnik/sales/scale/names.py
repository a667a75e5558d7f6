"""Russian names of people and organisations, drawn fast: every word and its Latin
spelling (for e-mail addresses and domains) is prepared once, so a million draws are
list lookups."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sputnik.directory.demo import feminine_surname, latin
from sputnik.directory.demo.tables import (
    ADJECTIVES,
    FEMALE_NAMES,
    GENDER_FORM,
    MALE_NAMES,
    NAME_ENDINGS,
    NAME_STEMS,
    NOUNS,
    SURNAMES,
)

from .words import NAME_SUFFIXES, SYLLABLES


@dataclass(slots=True)
class Name:
    last: str
    first: str
    patronymic: str
    gender: str  # "m" or "f"
    last_latin: str
    first_latin: str


class NameBook:
    """People's names by gender and company names of several patterns."""

    def __init__(self):
        self.male_last = SURNAMES
        self.female_last = [feminine_surname(s) for s in SURNAMES]
        self.male_first = [n[0] for n in MALE_NAMES]
        self.son_of = [n[1] for n in MALE_NAMES]
        self.daughter_of = [n[2] for n in MALE_NAMES]
        self.female_first = FEMALE_NAMES
        self.latin = {
            word: latin(word)
            for word in [*self.male_last, *self.female_last, *self.male_first, *FEMALE_NAMES]
        }
        self.cores: dict[str, str] = {}

    def person(self, rng: random.Random) -> Name:
        father = rng.randrange(len(self.son_of))
        if rng.random() < 0.5:
            last = self.male_last[rng.randrange(len(self.male_last))]
            first = self.male_first[rng.randrange(len(self.male_first))]
            patronymic, gender = self.son_of[father], "m"
        else:
            last = self.female_last[rng.randrange(len(self.female_last))]
            first = self.female_first[rng.randrange(len(self.female_first))]
            patronymic, gender = self.daughter_of[father], "f"
        return Name(last, first, patronymic, gender, self.latin[last], self.latin[first])

    def company_core(self, rng: random.Random) -> str:
        """«Техноресурс», «Северный ветер», «Ровента Плюс» …"""
        draw = rng.random()
        if draw < 0.35:
            stem = NAME_STEMS[rng.randrange(len(NAME_STEMS))][0]
            core = stem + NAME_ENDINGS[rng.randrange(len(NAME_ENDINGS))][0]
        elif draw < 0.5:
            noun, gender = NOUNS[rng.randrange(len(NOUNS))]
            core = f"{ADJECTIVES[rng.randrange(len(ADJECTIVES))][GENDER_FORM[gender]]} {noun}"
        else:
            parts = [SYLLABLES[rng.randrange(len(SYLLABLES))] for _ in range(rng.choice((2, 3)))]
            core = "".join(parts).capitalize()
        if rng.random() < 0.2:
            core += NAME_SUFFIXES[rng.randrange(len(NAME_SUFFIXES))]
        return core

    def core_latin(self, core: str) -> str:
        spelled = self.cores.get(core)
        if spelled is None:
            spelled = self.cores[core] = latin(core)
        return spelled
