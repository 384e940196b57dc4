"""The annual assessment of the sub-centres: the rubric (data, versioned), the measures computed
in SQL per sub-centre, the scorecard with its evidence, the admin's overrides and frozen years,
and the work summary drafted from the same figures."""
