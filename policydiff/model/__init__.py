"""The ground floor: plain data every stage shares (documents, clauses, targets, the change model, clause XML).

It imports no other stage; every stage imports it.
"""
