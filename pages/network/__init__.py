"""Pages: the sub-centre network (reports, activities, transfers)."""
