"""Who may do what: `actions.py` is the registry of every action with a scope per role; `policy.py`
answers from it for one record (`can`, `require`) and as SQL for many (`where`). Nothing else in the
app compares roles."""
