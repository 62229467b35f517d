namespace Backprop.Tests.Ops;

/// <summary>
/// A unary op over more than a million elements runs its forward and backward in slices on the kernel threads;
/// both must equal a plain loop over the whole tensor, at every thread count.
/// </summary>
[Collection("Threading")]
public class ParallelUnaryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LargeUnaryOpsMatchAPlainLoop(int threads)
    {
        var saved = Threads.Count;
        Threads.Count = threads;
        try
        {
            // 2^21 + 7 elements: two or more slices, and a tail that is not a multiple of any vector width.
            var x = Tensor.Uniform([(1 << 21) + 7], -3f, 3f, new Generator(5)).SetRequiresGrad();
            var relu = x.Relu();
            var sigmoid = x.Sigmoid();
            (relu.Sum() + sigmoid.Sum()).Backward();

            var xs = x.ToArray();
            var sig = xs.Select(v => 1f / (1f + MathF.Exp(-v))).ToArray();
            Assert.Equal(xs.Select(v => MathF.Max(v, 0f)), relu.ToArray());
            Assert.All(sigmoid.ToArray().Zip(sig), p => Assert.Equal(p.Second, p.First, 1e-6f));
            var grad = x.Grad!.ToArray();
            for (var i = 0; i < xs.Length; i++)
            {
                var expected = (xs[i] > 0 ? 1f : 0f) + (sig[i] * (1f - sig[i]));
                Assert.True(Math.Abs(grad[i] - expected) <= 1e-6f, $"element {i}: gradient {grad[i]}, expected {expected}");
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }
}
