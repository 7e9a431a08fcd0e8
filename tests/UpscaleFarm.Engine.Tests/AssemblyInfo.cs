// Inference already uses every core; running test classes side by side only thrashes the two cores CI has.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
