"""policydiff: compare versions of Chinese government plans clause by clause.

Pipeline: ingest → normalize → structure → targets → planxml → align → changes → renderers,
with the archive and the CLI at the edges.
"""

__version__ = "0.1.0"
