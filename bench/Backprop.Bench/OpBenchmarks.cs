using BenchmarkDotNet.Attributes;

namespace Backprop.Bench;

/// <summary>Per-op overhead (W0) and memory-bound elementwise ops (W5).</summary>
[MemoryDiagnoser]
public class OpBenchmarks
{
    private readonly Tensor _tiny = Tensor.Ones(2);
    private readonly Tensor _big = Tensor.Uniform([16 * 1024 * 1024], -1f, 1f, new Generator(1));

    [Benchmark]
    public Tensor TinyAdd() => _tiny + _tiny;

    [Benchmark]
    public Tensor ReluNewTensor() => _big.Relu();

    [Benchmark]
    public Tensor ExpNewTensor() => _big.Exp();
}
