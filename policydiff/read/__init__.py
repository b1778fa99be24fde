"""Reading documents into plain text."""
