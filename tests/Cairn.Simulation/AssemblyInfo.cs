// Each tier already runs its seeds on both cores (Runner.WorkersMax); running test classes side by side as well
// would only oversubscribe this 2-core box and blur the seeds/second figures.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
