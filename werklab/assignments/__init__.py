"""Assignments: homework set per programme, handed in by groups, with feedback."""
