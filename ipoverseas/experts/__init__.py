"""The expert directory: search by specialty, profiles (contact details per the policy), editing
and availability, the conflict check and the ranked shortlist for a consultation."""
