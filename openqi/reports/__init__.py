"""Reporting upward and seeing at a glance: the home dashboard (what needs the
person signed in, and the organisation's picture) and the monthly board report.

It reads the domain apps through their services, never their tables directly."""
