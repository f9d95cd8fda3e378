"""The individual reflective report: assembled from the portfolio, submitted as a frozen
snapshot before the cohort's deadline, reopened by a teacher, exported as PDF or HTML."""
