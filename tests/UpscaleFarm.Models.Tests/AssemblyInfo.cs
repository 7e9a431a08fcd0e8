// The machine has two cores and each ONNX Runtime session already uses them: running test classes side by side only thrashes.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
