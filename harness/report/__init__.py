"""A run's report: build it from run folders, write metrics, plots and report.html, log to trackers."""
