using Backprop.Kernels;
using BenchmarkDotNet.Attributes;

namespace Backprop.Bench;

/// <summary>SGEMM in the three training layouts, on the W2 and W3 shapes and a square one.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    [Params("128x784x256", "1024x2048x2048", "1024x1024x1024")]
    public string Shape { get; set; } = "128x784x256";

    [Params("A*B", "At*B", "A*Bt")]
    public string Layout { get; set; } = "A*B";

    private int M => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int K => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    private int N => int.Parse(Shape.Split('x')[2], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(1);
        _a = Tensor.Rand([M * K], g).ToArray();
        _b = Tensor.Rand([K * N], g).ToArray();
        _c = new float[M * N];
    }

    [Benchmark]
    public void Multiply() => Gemm.Multiply(_a, Layout == "At*B", _b, Layout == "A*Bt", _c, M, N, K, accumulate: false);
}
