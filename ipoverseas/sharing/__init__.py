"""Information sharing across the network (issue 17): what reaches whom it concerns."""
