"""The home page's figures and newest items for each user, computed in SQL under the policy."""
