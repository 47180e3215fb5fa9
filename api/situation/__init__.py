"""The situation board's snapshot: everything a board shows, consistent with one `seq` of the event log."""
