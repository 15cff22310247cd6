"""Storage: the document registry (SQLAlchemy), official numbering, the file archive, API tokens."""
