using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Cairn.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Cairn.Benchmarks -- restore-profile DATA_DIR [ROUNDS]   (see RestoreProfile)
if (args.Length > 0 && args[0] == "restore-profile") return RestoreProfile.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
