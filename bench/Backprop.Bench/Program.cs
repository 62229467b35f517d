using BenchmarkDotNet.Running;

// Kernel micro-benchmarks: dotnet run -c Release --project bench/Backprop.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Backprop.Bench.GemmBenchmarks).Assembly).Run(args);
