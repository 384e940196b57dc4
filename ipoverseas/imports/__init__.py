"""The Excel/CSV upload pipeline (issue 3): template, pre-flight, read (child process),
headers, validate, plan, apply, rollback, report. No Streamlit here: the Upload page
and the command line both call `service` for a sub-centre's records (cases, experts,
articles); the admin's bulk accounts, one more dataset, end in `accounts` instead.
"""

from .problems import Busy, Denied, Problem, Refused, UploadRefusal  # noqa: F401
