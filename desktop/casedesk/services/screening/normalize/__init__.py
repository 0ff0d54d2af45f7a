"""Script-aware name normalisation: pure functions turning a name into comparable token strings.

A name becomes one or more *variants*: strings of space-separated tokens in which Chinese,
pinyin, Cantonese and English spellings of the same name meet. Every variant remembers the
normalisation steps that produced it, so a match can say why two names met.

Pipeline (each step recorded when it changes something):
NFKC (width folding) → control characters dropped → case folding → traditional→simplified →
CJK legal forms removed → Han runs split on glossary words (→ concept tokens) and the rest turned
into pinyin syllables → other scripts transliterated to Latin → accents and punctuation removed →
Latin legal forms and stopwords removed → glossary words (English and pinyin) → concept tokens →
transliteration spellings folded (Mohammed → muhammad) → pinyin written together split into
syllables (Huawei → hua wei) → Cantonese / Wade-Giles syllables read as pinyin (Wong → huang|wang).

Modules: folding (characters), tables (resources/screening data), han (Han and Chinese
romanisations), latin (Latin-script tokens), variants (the result types), pipeline (the entry
points that run the steps), stored_forms (keys and the persisted form). This package re-exports
the public functions other modules import.
"""

from casedesk.services.screening.normalize.folding import MAX_NAME_CHARS, fold_text
from casedesk.services.screening.normalize.han import han_distinctive
from casedesk.services.screening.normalize.pipeline import (
    MIN_FUZZY_CHARS,
    is_fuzzy_eligible,
    name_key,
    name_tokens,
    normalize_many,
    normalize_name,
)
from casedesk.services.screening.normalize.stored_forms import (
    FORMS_VERSION,
    exact_keys,
    identifier_key,
    parse_han,
    parse_variants,
    serialize_variants,
    variant_keys,
)
from casedesk.services.screening.normalize.tables import concept_tokens, pinyin_syllables
from casedesk.services.screening.normalize.variants import MAX_VARIANTS, NormalizedName, Variant

__all__ = [
    "FORMS_VERSION",
    "MAX_NAME_CHARS", "MAX_VARIANTS", "MIN_FUZZY_CHARS", "NormalizedName", "Variant", "concept_tokens",
    "exact_keys", "fold_text", "han_distinctive", "identifier_key", "is_fuzzy_eligible", "name_key",
    "name_tokens", "normalize_many", "normalize_name", "parse_han", "parse_variants", "pinyin_syllables",
    "serialize_variants", "variant_keys",
]
