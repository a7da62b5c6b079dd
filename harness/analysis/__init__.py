"""From scored samples to numbers: pools, cells, curves with CIs, Pareto frontiers, matched compute,
cost axes, scaling fits and the compute-optimal allocation. Pure functions of what a run stored."""
