"""The system level: the integrated care system's view of its members' shared work (projects
by priority, member and progress; capability and readiness across members as aggregates
with small-number suppression) beside the system's own priorities and projects; each
member's explicit, audited choice of what it shares with its system."""
