"""What people do with drillsim, and the `drillsim` command line."""
