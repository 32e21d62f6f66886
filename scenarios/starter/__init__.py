"""Starter files written by `drillsim init`."""
