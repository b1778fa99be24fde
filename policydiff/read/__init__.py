"""Reading: bytes → `Document` (decode, cleaning rules, layouts, structure, responsibility, metadata, targets)."""
