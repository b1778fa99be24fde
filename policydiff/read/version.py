"""The normalizer's version: stored XML made by another version is stale and rebuilt.

It joins the version of the rules with a hash of every lexicon file, so a data change (a new
programme, a numbering level, a responsibility label) reaches stored XML without anyone having to
remember a bump.
"""

from policydiff import lexicon

#: bump when cleaning, structure or target rules change in a way that changes the XML
RULES_VERSION = "4"
NORMALIZER_VERSION = f"{RULES_VERSION}.{lexicon.digest()}"
