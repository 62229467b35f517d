using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>Work is split across the kernel threads in shares that tile it exactly; the values must not change.</summary>
[Collection("Threading")]
public class WorkSplitterTests
{
    private static (float[] Forward, float[] Gradient, float[] InPlace) Run(int threads)
    {
        var saved = Threads.Count;
        Threads.Count = threads;
        try
        {
            var x = Tensor.Uniform([3_000_017], -3f, 3f, new Generator(4)).SetRequiresGrad();
            var y = x.Tanh().Relu().Exp();
            y.Backward(Tensor.Ones(y.Shape));
            var copy = x.Detach().Clone().ReluInPlace();
            return (y.ToArray(), x.Grad!.ToArray(), copy.ToArray());
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void ChunkedElementwiseEqualsOneThread()
    {
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Forward, two.Forward);
        Assert.Equal(one.Gradient, two.Gradient);
        Assert.Equal(one.InPlace, two.InPlace);
        Assert.Contains(one.Gradient, v => v != 0f);
    }

    [Theory]
    [InlineData(1, 10, 3)]
    [InlineData(2, 10, 3)]
    [InlineData(3, 1_000_003, 1000)]
    [InlineData(2, 5, 10)]
    public void SharesTileTheRangeExactlyOnce(int threads, int length, int minimum)
    {
        var saved = Threads.Count;
        Threads.Count = threads;
        try
        {
            var covered = new int[length];
            var shares = 0;
            WorkSplitter.For(length, minimum, (start, count) =>
            {
                Interlocked.Increment(ref shares);
                for (var i = start; i < start + count; i++)
                {
                    Interlocked.Increment(ref covered[i]);
                }
            });
            Assert.All(covered, c => Assert.Equal(1, c));

            // One share per thread, or one in all when another test holds the worker pool.
            Assert.Contains(shares, new[] { 1, Math.Max(1, Math.Min(threads, length / minimum)) });
        }
        finally
        {
            Threads.Count = saved;
        }
    }
}
