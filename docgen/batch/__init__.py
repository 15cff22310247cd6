"""Monthly 行政执法公示 batches: an export of a month's decided cases → one notice per unit."""
