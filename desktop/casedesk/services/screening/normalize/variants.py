"""What normalising a name produces: its variants, the name's result, and the work in progress."""

from __future__ import annotations

from dataclasses import dataclass

MAX_VARIANTS = 8


@dataclass(frozen=True)
class Variant:
    """One comparable rendering of a name: tokens joined by spaces, and how it was made."""

    text: str
    steps: tuple[str, ...]
    syllabic: bool  # every non-concept token is a Chinese syllable: compare syllable by syllable

    @property
    def tokens(self) -> list[str]:
        """The variant's tokens."""
        return self.text.split()

    @property
    def compact(self) -> str:
        """The tokens written together (so "gazprom bank" meets "gazprombank")."""
        return self.text.replace(" ", "")


@dataclass(frozen=True)
class Place:
    """A place set aside from a name's brackets: as written, its concept, its country (or None)."""

    text: str
    concept: str
    country: str | None


@dataclass(frozen=True)
class NormalizedName:
    """A name's variants (first = canonical), whether it may be matched fuzzily, and notes."""

    original: str
    variants: tuple[Variant, ...]
    exact_only: bool
    notes: tuple[str, ...] = ()
    han: str = ""  # simplified Han characters, legal forms removed, when the name is all Han
    places: tuple[Place, ...] = ()  # bracketed places set aside ("(Shenzhen)")

    @property
    def empty(self) -> bool:
        """True when nothing identifying is left (empty, punctuation, a bare legal form)."""
        return not self.variants

    @property
    def key(self) -> str:
        """The canonical variant's tokens, sorted, then any bracketed places: equal keys mean the
        same name. Places stay in the key: "Acme (Shenzhen)" and "Acme" in one case may be a
        parent and its branch, so import dedupe must not merge them unasked."""
        if not self.variants:
            return ""
        key = " ".join(sorted(self.variants[0].tokens))
        return key + "".join(sorted(f" @{p.concept}" for p in self.places))


@dataclass
class Work:
    tokens: list[str]
    concept_positions: set[int]
    steps: list[str]


def variant_of(work: Work, syllabic: bool) -> Variant:
    return Variant(" ".join(work.tokens), tuple(work.steps), syllabic)
