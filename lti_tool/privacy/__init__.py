"""Personal data: export everything the tool holds about a person, and erase it."""
