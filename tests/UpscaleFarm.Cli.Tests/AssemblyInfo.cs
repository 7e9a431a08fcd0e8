// Each test runs the CLI, whose inference already uses every core; side by side they only thrash the two cores CI has.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
