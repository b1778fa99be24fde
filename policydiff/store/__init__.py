"""Storage: the object store and catalog, derived clause XML, the search index, atomic files."""
