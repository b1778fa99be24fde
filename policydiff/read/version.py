"""The normalizer's version: stored XML made by another version is stale and rebuilt."""

#: bump when cleaning, structure or target rules change in a way that changes the XML
NORMALIZER_VERSION = "3"
