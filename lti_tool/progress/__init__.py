"""Teachers' view of a cohort's progress: the participants-by-objectives matrix and the
drill-down into a participant's published portfolio."""
