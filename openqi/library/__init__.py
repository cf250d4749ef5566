"""The shared learning library: a member organisation publishes a project, a change
idea, a driver diagram or a measure definition to its system or to every organisation on
the server; others search, read and adopt it (a new project or measure of their own,
linked to its source, the source told); the publisher withdraws it."""
