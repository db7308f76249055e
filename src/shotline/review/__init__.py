"""Review state: who approved, rejected or locked which shot, in which role, and when."""
