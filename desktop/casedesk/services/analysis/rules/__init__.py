"""Red-flag rules: small functions by theme, each yielding explained finding drafts.

A rule receives the analysis context (the case graph, the compute inventory, ownership, the
vocabulary, screening hits) and its parameters from resources/analysis/red_flags.yaml, and yields
drafts naming the records and links that explain it (the path, subject first) with one sentence.
What a rule cannot decide it reports through ``ctx.undecided`` instead of guessing.

`registry` joins the theme modules' RULES (fleets, ownership_chains, crypto, watchlist_hits) and
checks the rule data against them; `context` holds RuleContext and Draft, `wording` the shared phrases.
A new rule goes into the module of its theme (or a new one listed in registry._RULE_MODULES) and
gets an entry in red_flags.yaml.
"""
