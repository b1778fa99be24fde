# %% [markdown]
# # policydiff from Python: compare two archived plans
#
# `examples/quickstart.ipynb` for Jupyter, `examples/quickstart.py` (the same cells in percent format,
# for VS Code, jupytext or `python examples/quickstart.py`). It uses the archive bundled with the
# repository (`docs_archive/`) unless `POLICYDIFF_ARCHIVE` names another. Needs
# `pip install 'policydiff[pandas]'`.

# %%
import os
from pathlib import Path

import pandas as pd

import policydiff

pd.set_option("display.width", 120)
pd.set_option("display.max_colwidth", 24)
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
arch = policydiff.open_archive(os.environ.get("POLICYDIFF_ARCHIVE") or here.parent / "docs_archive")
for v in arch.versions("gd-digital-gov"):
    print(v.ref, v.kind, v.doc_no or "-", v.title)

# %% [markdown]
# Load two versions (REF = `SERIES@YEAR`) and compare them clause by clause.

# %%
old = arch.load("gd-digital-gov@2019")
new = arch.load("gd-digital-gov@2021")
cmp = policydiff.compare(old, new)
print({status.value: n for status, n in cmp.counts.items() if n})

# %% [markdown]
# One row per clause match; pandas does the rest.

# %%
clauses = cmp.to_frame()
print(clauses["status"].value_counts().to_string())
moved = clauses[clauses.status == "moved"]
print(moved[["old_num", "new_num", "new_heading", "score"]].head(3).to_string(index=False))

# %% [markdown]
# One row per target change: which commitments were tightened or loosened.

# %%
tchanges = cmp.targets_frame()
tightened = tchanges[tchanges.change == "tightened"]
print(tightened[["subject", "metric", "old_text", "new_text"]].to_string(index=False))

# %% [markdown]
# A target through every version, and the clause lineages of the whole series.

# %%
for series, trajectory in arch.track("粤省事", "实名", series="gd-digital-gov"):
    print(series, trajectory.metric, " → ".join(f"{p.year} {p.display}" for p in trajectory.points))
lineages = arch.lineage("gd-digital-gov").to_frame()
print(lineages.pivot_table(index="lineage", columns="version", values="number", aggfunc=" ".join).shape)

# %% [markdown]
# In Jupyter, a comparison as the last expression of a cell shows its redline inline
# (`cmp._repr_html_()`); outside a notebook, write it to a file instead.

# %%
cmp  # noqa: B018 - a notebook cell's value is what Jupyter shows
