using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

public class GemmFloat64Tests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 13, 5)]
    [InlineData(33, 17, 9)]
    [InlineData(4, 1, 31)]
    [InlineData(2, 65, 0)]
    public void MatchesAPlainLoop(int m, int n, int k)
    {
        var a = Tensor.Uniform([m * k], -1f, 1f, new Generator(1)).Double().ToArray<double>();
        var b = Tensor.Uniform([k * n], -1f, 1f, new Generator(2)).Double().ToArray<double>();
        var c = Enumerable.Repeat(double.NaN, m * n).ToArray();
        GemmFloat64.Multiply(a, b, c, m, n, k);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                {
                    sum += a[(i * k) + p] * b[(p * n) + j];
                }

                Assert.Equal(sum, c[(i * n) + j], 12);
            }
        }
    }
}
