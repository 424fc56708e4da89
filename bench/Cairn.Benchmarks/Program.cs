using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Cairn.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
