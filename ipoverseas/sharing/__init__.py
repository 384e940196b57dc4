"""Information sharing across the network (issue 17): routing to the sub-centre a record concerns,
one dispute reported once, data quality per sub-centre; follows and digests."""
