"""Grade sync: a durable outbox of published grades and the worker that posts them to each
participant's own platform with the Assignment and Grade Services (AGS)."""
