"""People, courses and activities as LTI launches and rosters describe them."""
